/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests of the multicall batch. Included at the end of multicalls.c
 * to reach the batch itself. They run at boot inside a PV guest and queue
 * only harmless calls: xen_version, machine-to-physical updates that
 * write what the table already holds, and mmu_updates with a command Xen
 * does not know (refused before anything is touched).
 *
 * Each test runs with interrupts off, so nothing else queues into this
 * CPU's batch meanwhile, and with counting on, put back as it was. They
 * use no assertion that would end a test with interrupts off.
 */
#ifndef _XEN_MULTICALLS_TEST_H
#define _XEN_MULTICALLS_TEST_H

#include <kunit/test.h>
#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/pgtable.h>
#include <asm/tlbflush.h>
#include <asm/xen/page.h>
#include <xen/interface/version.h>
#include <xen/xen.h>

#include "mmu.h"
#include "site-test.h"

/* An mmu_update command Xen rejects with -ENOSYS. */
#define XEN_MC_TEST_BAD_CMD	7

struct xen_mc_test {
	bool was_on;
	unsigned long flags;
	struct page *page;
	struct mmu_update m2p;	/* rewrites page's own M2P entry */
	struct mmu_update bad;
};

static int xen_mc_test_init(struct kunit *test)
{
	struct xen_mc_test *t;
	unsigned long pfn;

	if (!xen_pv_domain())
		kunit_skip(test, "not an x86 PV guest");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->page);
	pfn = page_to_pfn(t->page);
	t->m2p.ptr = ((u64)pfn_to_mfn(pfn) << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
	t->m2p.val = pfn;
	t->bad.ptr = XEN_MC_TEST_BAD_CMD;
	t->was_on = xen_pvstats_enabled();
	xen_pvstats_set_enabled(true);
	local_irq_save(t->flags);
	/* Between users the batch is empty: they issue before irqs return. */
	KUNIT_EXPECT_EQ(test, this_cpu_ptr(&xen_mc_buf)->nr, 0U);
	test->priv = t;
	return 0;
}

static void xen_mc_test_exit(struct kunit *test)
{
	struct xen_mc_test *t = test->priv;

	if (!t)
		return;
	/* Leave nothing queued, even if an expectation failed. */
	xen_mc_flush();
	local_irq_restore(t->flags);
	xen_pvstats_set_enabled(t->was_on);
	__free_page(t->page);
}

static u64 xen_mc_test_stat(enum xen_pvstat idx)
{
	return this_cpu_read(xen_pvstats[idx]);
}

/* Queue a xen_version(XENVER_version) entry with args bytes of space. */
static struct multicall_space xen_mc_test_version(size_t args)
{
	struct multicall_space mcs = __xen_mc_entry(args);

	mcs.mc->op = __HYPERVISOR_xen_version;
	mcs.mc->args[0] = XENVER_version;
	mcs.mc->args[1] = 0;
	return mcs;
}

/* Consecutive mmu_updates share an entry; any other op ends it. */
static void xen_mc_test_extend(struct kunit *test)
{
	struct xen_mc_test *t = test->priv;
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);

	xen_extend_mmu_update(&t->m2p);
	xen_extend_mmu_update(&t->m2p);
	KUNIT_EXPECT_EQ(test, b->nr, 1U);
	KUNIT_EXPECT_EQ(test, b->entries[0].op, __HYPERVISOR_mmu_update);
	KUNIT_EXPECT_EQ(test, b->entries[0].args[1], 2UL);
	KUNIT_EXPECT_EQ(test, b->argbytes, 2 * sizeof(struct mmu_update));

	xen_mc_test_version(0);
	xen_extend_mmu_update(&t->m2p);
	KUNIT_EXPECT_EQ(test, b->nr, 3U);
	KUNIT_EXPECT_EQ(test, b->entries[2].args[1], 1UL);

	xen_mc_flush();
	KUNIT_EXPECT_EQ(test, b->nr, 0U);
	KUNIT_EXPECT_EQ(test, b->argbytes, 0U);
	KUNIT_EXPECT_EQ(test, b->entries[0].result, 0L);
	KUNIT_EXPECT_GT(test, b->entries[1].result, 0L);
	KUNIT_EXPECT_EQ(test, b->entries[2].result, 0L);
}

/* A page table's worth of updates goes out in one entry. */
static void xen_mc_test_page_table_in_one_entry(struct kunit *test)
{
	struct xen_mc_test *t = test->priv;
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	unsigned int i;

	for (i = 0; i < XEN_MC_PTE_UPDATES; i++)
		xen_extend_mmu_update(&t->m2p);
	KUNIT_EXPECT_EQ(test, b->nr, 1U);
	KUNIT_EXPECT_EQ(test, b->entries[0].args[1],
			(unsigned long)XEN_MC_PTE_UPDATES);
	xen_mc_flush();
	KUNIT_EXPECT_EQ(test, b->entries[0].result, 0L);
	KUNIT_EXPECT_EQ(test, b->done[0], XEN_MC_PTE_UPDATES);
}

/* Arguments are 8-byte aligned and given back by the flush. */
static void xen_mc_test_arg_space(struct kunit *test)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	struct multicall_space a, c;

	a = xen_mc_test_version(5);
	c = xen_mc_test_version(8);
	KUNIT_EXPECT_PTR_EQ(test, a.args, (void *)b->args);
	KUNIT_EXPECT_PTR_EQ(test, c.args, (void *)&b->args[1]);
	KUNIT_EXPECT_EQ(test, b->argbytes, 16U);

	/* No room for the last u64: a new entry flushes first. */
	xen_mc_test_version(XEN_MC_ARG_BYTES - 16 - 8);
	KUNIT_EXPECT_EQ(test, b->nr, 3U);
	c = xen_mc_test_version(16);
	KUNIT_EXPECT_EQ(test, b->nr, 1U);
	KUNIT_EXPECT_PTR_EQ(test, c.args, (void *)b->args);
	KUNIT_EXPECT_EQ(test, b->argbytes, 16U);

	/* Nor to extend past the end. */
	xen_mc_test_version(XEN_MC_ARG_BYTES - 16 - 8);
	c = xen_mc_extend_args(__HYPERVISOR_xen_version, 16);
	KUNIT_EXPECT_NULL(test, c.mc);
	c = xen_mc_extend_args(__HYPERVISOR_xen_version, 8);
	KUNIT_EXPECT_PTR_EQ(test, c.mc, &b->entries[1]);
	c = xen_mc_extend_args(__HYPERVISOR_mmu_update, 0);
	KUNIT_EXPECT_NULL(test, c.mc);
}

static unsigned int xen_mc_test_calls;

static void xen_mc_test_callback(void *data)
{
	xen_mc_test_calls += (unsigned long)data;
}

/* Every reason to flush, counted as such, with the batch size. */
static void xen_mc_test_flush_reasons(struct kunit *test)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	u64 entries_full, args_full, cb_full, explicit, lazy, hist;
	unsigned int i;

	entries_full = xen_mc_test_stat(XEN_PVSTAT_multicalls_flush_entries_full);
	args_full = xen_mc_test_stat(XEN_PVSTAT_multicalls_flush_args_full);
	cb_full = xen_mc_test_stat(XEN_PVSTAT_multicalls_flush_callbacks_full);
	explicit = xen_mc_test_stat(XEN_PVSTAT_multicalls_flush_explicit);
	lazy = xen_mc_test_stat(XEN_PVSTAT_multicalls_flush_lazy_end);
	/* 32 entries land in bucket 6, [32, 64). */
	hist = this_cpu_read(xen_pvhists[XEN_PVHIST_multicalls_entries_per_batch][6]);

	for (i = 0; i <= XEN_MC_ENTRIES; i++)
		xen_mc_test_version(0);
	KUNIT_EXPECT_EQ(test, b->nr, 1U);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_multicalls_flush_entries_full),
			entries_full + 1);
	KUNIT_EXPECT_EQ(test,
			this_cpu_read(xen_pvhists[XEN_PVHIST_multicalls_entries_per_batch][6]),
			hist + 1);

	xen_mc_test_version(XEN_MC_ARG_BYTES - 8);
	xen_mc_test_version(16);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_multicalls_flush_args_full),
			args_full + 1);

	xen_mc_test_calls = 0;
	for (i = 0; i <= XEN_MC_CALLBACKS; i++)
		xen_mc_callback(xen_mc_test_callback, (void *)1UL);
	KUNIT_EXPECT_EQ(test, xen_mc_test_calls, (unsigned int)XEN_MC_CALLBACKS);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_multicalls_flush_callbacks_full),
			cb_full + 1);

	/* An empty batch is no flush to count: give it an entry. */
	xen_mc_test_version(0);
	xen_mc_flush();
	KUNIT_EXPECT_EQ(test, xen_mc_test_calls, XEN_MC_CALLBACKS + 1U);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_multicalls_flush_explicit),
			explicit + 1);

	/* In lazy MMU mode the batch waits for the end of the section. */
	arch_enter_lazy_mmu_mode();
	xen_mc_batch();
	xen_mc_test_version(0);
	xen_mc_issue(PARAVIRT_LAZY_MMU);
	KUNIT_EXPECT_EQ(test, b->nr, 1U);
	arch_leave_lazy_mmu_mode();
	KUNIT_EXPECT_EQ(test, b->nr, 0U);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_multicalls_flush_lazy_end),
			lazy + 1);
}

/* The entry names the code that queued it. */
static void xen_mc_test_caller(struct kunit *test)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	struct multicall_space mcs;
	char name[KSYM_SYMBOL_LEN];

	mcs = __xen_mc_entry(0);
	mcs.mc->op = __HYPERVISOR_xen_version;
	mcs.mc->args[0] = XENVER_version;
	mcs.mc->args[1] = 0;
	snprintf(name, sizeof(name), "%ps", (void *)b->caller[0]);
	KUNIT_EXPECT_STREQ(test, name, "xen_mc_test_caller");
	xen_mc_flush();
}

/*
 * A failing element is counted, the elements after it in the same entry
 * are issued again (the second bad one is counted too), and the entries
 * after it still run.
 */
static void xen_mc_test_failure(struct kunit *test)
{
	struct xen_mc_test *t = test->priv;
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	u64 failed = xen_mc_test_stat(XEN_PVSTAT_multicalls_failed_entries);

	xen_mc_test_version(0);
	xen_extend_mmu_update(&t->m2p);
	xen_extend_mmu_update(&t->bad);
	xen_extend_mmu_update(&t->bad);
	xen_extend_mmu_update(&t->m2p);
	xen_mc_test_version(0);
	KUNIT_EXPECT_EQ(test, b->nr, 3U);
	xen_mc_flush();

	KUNIT_EXPECT_GT(test, b->entries[0].result, 0L);
	KUNIT_EXPECT_LT(test, b->entries[1].result, 0L);
	KUNIT_EXPECT_EQ(test, b->done[1], 1U);
	KUNIT_EXPECT_GT(test, b->entries[2].result, 0L);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_multicalls_failed_entries),
			failed + 2);

	/* A batch of one is a direct call, reported the same way. */
	xen_extend_mmu_update(&t->bad);
	xen_extend_mmu_update(&t->m2p);
	xen_mc_flush();
	KUNIT_EXPECT_LT(test, b->entries[0].result, 0L);
	KUNIT_EXPECT_EQ(test, b->done[0], 0U);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_multicalls_failed_entries),
			failed + 3);

	/* An entry of one element asks Xen for no success count. */
	xen_extend_mmu_update(&t->bad);
	KUNIT_EXPECT_EQ(test, b->entries[0].args[2], 0UL);
	xen_mc_flush();
	KUNIT_EXPECT_LT(test, b->entries[0].result, 0L);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_multicalls_failed_entries),
			failed + 4);
}

/* After a multicall that stopped, only the entries it did not run go out. */
static void xen_mc_test_issue_each(struct kunit *test)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);

	xen_mc_test_version(0);
	xen_mc_test_version(0);
	KUNIT_EXPECT_EQ(test, b->entries[1].result, XEN_MC_NOT_RUN);
	b->entries[0].result = 42;	/* as if Xen had run it */
	xen_mc_issue_each(b);
	KUNIT_EXPECT_EQ(test, b->entries[0].result, 42L);
	KUNIT_EXPECT_GT(test, b->entries[1].result, 0L);
	b->nr = 0;
	b->argbytes = 0;
}

/* *ptep is old without _PAGE_RW, and the path's counter moved by one. */
static void xen_mc_test_expect_wrprotected(struct kunit *test, pte_t *ptep,
					   pte_t old, enum xen_pvstat path,
					   u64 before)
{
	KUNIT_EXPECT_EQ(test, pte_val(*ptep), pte_val(old) & ~_PAGE_RW);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(path), before + 1);
}

/*
 * ptep_set_wrprotect() is an mmu_update, not a trapped write: at once
 * outside lazy MMU mode, queued inside it. The PTE is the direct map's of
 * the test's own page, put back as it was; the page is not written.
 */
static void xen_mc_test_wrprotect(struct kunit *test)
{
	struct xen_mc_test *t = test->priv;
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	unsigned long addr = (unsigned long)page_address(t->page);
	u64 direct = xen_mc_test_stat(XEN_PVSTAT_mmu_pte_hypercall);
	u64 batched = xen_mc_test_stat(XEN_PVSTAT_mmu_pte_batched);
	u64 wp = xen_mc_test_stat(XEN_PVSTAT_mmu_pte_wrprotect);
	unsigned int level;
	pte_t *ptep = lookup_address(addr, &level);
	pte_t old;

	if (!ptep || level != PG_LEVEL_4K || !pte_write(*ptep)) {
		KUNIT_FAIL(test, "no writable 4K PTE maps the test page");
		return;
	}
	old = *ptep;

	ptep_set_wrprotect(&init_mm, addr, ptep);
	xen_mc_test_expect_wrprotected(test, ptep, old,
				       XEN_PVSTAT_mmu_pte_hypercall, direct);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_mmu_pte_wrprotect),
			wp + 1);
	set_pte(ptep, old);

	arch_enter_lazy_mmu_mode();
	ptep_set_wrprotect(&init_mm, addr, ptep);
	KUNIT_EXPECT_TRUE(test, pte_write(*ptep));
	KUNIT_EXPECT_EQ(test, b->nr, 1U);
	KUNIT_EXPECT_EQ(test, b->entries[0].op, __HYPERVISOR_mmu_update);
	arch_leave_lazy_mmu_mode();
	xen_mc_test_expect_wrprotected(test, ptep, old,
				       XEN_PVSTAT_mmu_pte_batched, batched);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_mmu_pte_wrprotect),
			wp + 2);

	set_pte(ptep, old);
	flush_tlb_one_kernel(addr);
	KUNIT_EXPECT_EQ(test, pte_val(*ptep), pte_val(old));
}

/*
 * ptep_get_and_clear(ptep) returns want, leaves the PTE clear, and moves
 * counter path by one (and pte_clear with it unless it trapped).
 */
static void xen_mc_test_expect_cleared(struct kunit *test, pte_t *ptep,
				       pte_t want, enum xen_pvstat path)
{
	struct xen_mc_test *t = test->priv;
	unsigned long addr = (unsigned long)page_address(t->page);
	u64 before = xen_mc_test_stat(path);
	u64 clears = xen_mc_test_stat(XEN_PVSTAT_mmu_pte_clear);
	u64 trapped = xen_mc_test_stat(XEN_PVSTAT_mmu_pte_clear_trapped);
	bool trap = path == XEN_PVSTAT_mmu_pte_trapped;
	pte_t got = ptep_get_and_clear(&init_mm, addr, ptep);
	unsigned int queued = this_cpu_ptr(&xen_mc_buf)->nr;

	xen_mc_flush_lazy_end();
	KUNIT_EXPECT_EQ(test, queued,
			path == XEN_PVSTAT_mmu_pte_batched ? 1U : 0U);
	KUNIT_EXPECT_EQ(test, pte_val(got), pte_val(want));
	KUNIT_EXPECT_EQ(test, pte_val(*ptep), (pteval_t)0);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(path), before + 1);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_mmu_pte_clear),
			clears + !trap);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_mmu_pte_clear_trapped),
			trapped + trap);
}

/*
 * ptep_get_and_clear() (the rule at the top of mmu_pte.c): a PTE that
 * can lose no Dirty bit is cleared by an mmu_update, at once outside lazy
 * MMU mode and queued inside it; a writable clean one keeps the trapped
 * xchg. The PTE is the direct map's of the test's own page, which is not
 * touched while it is clear, and put back as it was.
 */
static void xen_mc_test_clear(struct kunit *test)
{
	struct xen_mc_test *t = test->priv;
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	unsigned long addr = (unsigned long)page_address(t->page);
	unsigned int level;
	pte_t *ptep = lookup_address(addr, &level);
	pte_t old, clean, ro;

	/*
	 * Not kunit_skip(): it ends the test's thread at once, and the
	 * thread must not exit with irqs off (xen_mc_test_init()).
	 */
	if (xen_pte_clear != XEN_PTE_CLEAR_SAFE) {
		kunit_mark_skipped(test, "xen_pte_clear= is not safe");
		return;
	}
	if (!ptep || level != PG_LEVEL_4K || !pte_write(*ptep) ||
	    !pte_dirty(*ptep)) {
		KUNIT_FAIL(test, "no writable dirty 4K PTE maps the test page");
		return;
	}
	old = *ptep;
	clean = pte_mkclean(old);
	ro = pte_wrprotect(clean);

	/* Dirty: one mmu_update at once. */
	xen_mc_test_expect_cleared(test, ptep, old,
				   XEN_PVSTAT_mmu_pte_hypercall);
	set_pte(ptep, old);

	/* Dirty in a lazy section: queued, the PTE intact until it ends. */
	arch_enter_lazy_mmu_mode();
	ptep_get_and_clear(&init_mm, addr, ptep);
	KUNIT_EXPECT_EQ(test, pte_val(*ptep), pte_val(old));
	KUNIT_EXPECT_EQ(test, b->nr, 1U);
	KUNIT_EXPECT_EQ(test, b->entries[0].op, __HYPERVISOR_mmu_update);
	arch_leave_lazy_mmu_mode();
	KUNIT_EXPECT_EQ(test, pte_val(*ptep), (pteval_t)0);
	set_pte(ptep, old);

	/* Read-only and clean, in a lazy section: batched too. */
	set_pte(ptep, ro);
	arch_enter_lazy_mmu_mode();
	xen_mc_test_expect_cleared(test, ptep, ro, XEN_PVSTAT_mmu_pte_batched);
	arch_leave_lazy_mmu_mode();

	/* Writable and clean, even in a lazy section: the xchg. */
	set_pte(ptep, clean);
	arch_enter_lazy_mmu_mode();
	xen_mc_test_expect_cleared(test, ptep, clean,
				   XEN_PVSTAT_mmu_pte_trapped);
	arch_leave_lazy_mmu_mode();

	set_pte(ptep, old);
	flush_tlb_one_kernel(addr);
	KUNIT_EXPECT_EQ(test, pte_val(*ptep), pte_val(old));
}

/*
 * ptep_modify_prot_commit() (mprotect) outside lazy MMU mode: one
 * mmu_update at once, counted as a PTE written alone and as nothing else.
 */
static void xen_mc_test_prot_commit(struct kunit *test)
{
	struct xen_mc_test *t = test->priv;
	unsigned long addr = (unsigned long)page_address(t->page);
	unsigned int level;
	pte_t *ptep = lookup_address(addr, &level);
	u64 alone = xen_mc_test_stat(XEN_PVSTAT_mmu_pte_hypercall);
	u64 batches = xen_mc_test_stat(XEN_PVSTAT_multicalls_batches);
	pte_t old;

	if (!ptep || level != PG_LEVEL_4K) {
		KUNIT_FAIL(test, "no 4K PTE maps the test page");
		return;
	}
	old = *ptep;
	xen_ptep_modify_prot_commit(ptep, pte_val_ma(old), _THIS_IP_);
	KUNIT_EXPECT_EQ(test, pte_val(*ptep), pte_val(old));
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_mmu_pte_hypercall),
			alone + 1);
	KUNIT_EXPECT_EQ(test, xen_mc_test_stat(XEN_PVSTAT_multicalls_batches),
			batches);
}

/*
 * After the call of a thunk: reg (p_) still holds ptep, and the PTE is
 * old without _PAGE_RW; old is put back.
 */
#define XEN_MC_TEST_EXPECT_READ_ONLY(reg, p_)				\
	do {								\
		KUNIT_EXPECT_PTR_EQ_MSG(test, p_, ptep, #reg);		\
		KUNIT_EXPECT_EQ_MSG(test, pte_val(*ptep),		\
				    pte_val(old) & ~_PAGE_RW, #reg);	\
		set_pte(ptep, old);					\
	} while (0)

/*
 * Call the thunk that a site whose PTE pointer is in reg calls, with
 * ptep in reg (asm/paravirt.h, pte-asm.S): the PTE is write-protected,
 * reg still holds ptep, and the PTE is put back.
 */
#define XEN_MC_TEST_WRPROTECT_THUNK(reg)				\
	do {								\
		register pte_t *p_ asm(#reg) = ptep;			\
									\
		asm volatile("call __xen_ptep_set_wrprotect_" #reg	\
			     : "+r" (p_), ASM_CALL_CONSTRAINT		\
			     : : "memory", "cc");			\
		XEN_MC_TEST_EXPECT_READ_ONLY(reg, p_);			\
	} while (0)

/* The same for the clear: the old machine PTE comes back in %rax. */
#define XEN_MC_TEST_CLEAR_THUNK(reg)					\
	do {								\
		register pte_t *p_ asm(#reg) = ptep;			\
		pteval_t v_;						\
									\
		asm volatile("call __xen_ptep_get_and_clear_" #reg	\
			     : "=a" (v_), "+r" (p_), ASM_CALL_CONSTRAINT\
			     : : "memory", "cc");			\
		KUNIT_EXPECT_PTR_EQ_MSG(test, p_, ptep, #reg);		\
		KUNIT_EXPECT_EQ_MSG(test, v_, native_pte_val(old), #reg);\
		KUNIT_EXPECT_EQ_MSG(test, pte_val(*ptep), (pteval_t)0,	\
				    #reg);				\
		set_pte(ptep, old);					\
	} while (0)

/*
 * The same for the commit of ptep_modify_prot_commit(): the new machine
 * PTE goes in %rax (old without _PAGE_RW here).
 */
#define XEN_MC_TEST_COMMIT_THUNK(reg)					\
	do {								\
		register pte_t *p_ asm(#reg) = ptep;			\
		pteval_t v_ = native_pte_val(old) & ~_PAGE_RW;		\
									\
		asm volatile("call __xen_ptep_modify_prot_commit_" #reg\
			     : "+a" (v_), "+r" (p_), ASM_CALL_CONSTRAINT\
			     : : "memory", "cc");			\
		XEN_MC_TEST_EXPECT_READ_ONLY(reg, p_);			\
	} while (0)

/*
 * The per-register thunks of the ptep_set_wrprotect(),
 * ptep_get_and_clear() and ptep_modify_prot_commit() sites: each hands
 * the Xen function the pointer from its own register, and keeps it. The
 * PTE is the direct map's of the test's own page (dirty: the clear is an
 * mmu_update), which is not touched meanwhile. Not %rbp, which a
 * frame-pointer build reserves.
 */
static void xen_mc_test_pte_thunks(struct kunit *test)
{
	struct xen_mc_test *t = test->priv;
	unsigned long addr = (unsigned long)page_address(t->page);
	unsigned int level;
	pte_t *ptep = lookup_address(addr, &level);
	pte_t old;

	if (!ptep || level != PG_LEVEL_4K || !pte_write(*ptep) ||
	    !pte_dirty(*ptep)) {
		KUNIT_FAIL(test, "no writable dirty 4K PTE maps the test page");
		return;
	}
	old = *ptep;
	XEN_MC_TEST_WRPROTECT_THUNK(rax);
	XEN_MC_TEST_WRPROTECT_THUNK(rbx);
	XEN_MC_TEST_WRPROTECT_THUNK(rsi);
	XEN_MC_TEST_WRPROTECT_THUNK(r8);
	XEN_MC_TEST_WRPROTECT_THUNK(r12);
	XEN_MC_TEST_WRPROTECT_THUNK(r15);
	XEN_MC_TEST_CLEAR_THUNK(rbx);
	XEN_MC_TEST_CLEAR_THUNK(rcx);
	XEN_MC_TEST_CLEAR_THUNK(r11);
	XEN_MC_TEST_CLEAR_THUNK(r13);
	XEN_MC_TEST_COMMIT_THUNK(rbx);
	XEN_MC_TEST_COMMIT_THUNK(rdx);
	XEN_MC_TEST_COMMIT_THUNK(rdi);
	XEN_MC_TEST_COMMIT_THUNK(r9);
	XEN_MC_TEST_COMMIT_THUNK(r14);
	flush_tlb_one_kernel(addr);
	KUNIT_EXPECT_EQ(test, pte_val(*ptep), pte_val(old));
}

static struct kunit_case xen_mc_test_cases[] = {
	KUNIT_CASE(xen_mc_test_extend),
	KUNIT_CASE(xen_mc_test_page_table_in_one_entry),
	KUNIT_CASE(xen_mc_test_arg_space),
	KUNIT_CASE(xen_mc_test_flush_reasons),
	KUNIT_CASE(xen_mc_test_caller),
	KUNIT_CASE(xen_mc_test_failure),
	KUNIT_CASE(xen_mc_test_issue_each),
	KUNIT_CASE(xen_mc_test_wrprotect),
	KUNIT_CASE(xen_mc_test_clear),
	KUNIT_CASE(xen_mc_test_pte_thunks),
	KUNIT_CASE(xen_mc_test_prot_commit),
	{}
};

static struct kunit_suite xen_mc_test_suite = {
	.name = "xen_multicalls",
	.init = xen_mc_test_init,
	.exit = xen_mc_test_exit,
	.test_cases = xen_mc_test_cases,
};

/*
 * Whether the native bytes of a site are in the first 32 bytes of fn, as
 * they are natively and are not under Xen PV (the alternative made the
 * site a call).
 */
static void xen_pte_site_expect(struct kunit *test, const void *fn,
				const u8 *native, size_t len)
{
	KUNIT_EXPECT_EQ(test, xen_test_code_holds(fn, 32, native, len),
			!boot_cpu_has(X86_FEATURE_XENPV));
}

/* A ptep_set_wrprotect() site in a function of its own. */
static noinline void xen_wrprotect_test_site(pte_t *ptep)
{
	paravirt_ptep_set_wrprotect(ptep);
}

/*
 * Natively the site is the one locked and on the register the compiler
 * chose (%rdi here, the argument), with a DS prefix so that no NOP
 * follows it, and clears the RW bit of the PTE it is given; under Xen PV
 * it is the call of the thunk (xen_multicalls.xen_mc_test_wrprotect and
 * xen_mc_test_pte_thunks test what that does). Runs natively too: no
 * PV-only init.
 */
static void xen_wrprotect_test_native_site(struct kunit *test)
{
	const u8 native[] = { 0x3e, 0xf0, 0x80, 0x27, (u8)~_PAGE_RW };
	pte_t pte = __pte(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER);

	xen_pte_site_expect(test, xen_wrprotect_test_site, native,
			    sizeof(native));
	if (boot_cpu_has(X86_FEATURE_XENPV))
		return;
	xen_wrprotect_test_site(&pte);
	KUNIT_EXPECT_EQ(test, pte_val(pte), (pteval_t)(_PAGE_PRESENT | _PAGE_USER));
}

/* A ptep_get_and_clear() site in a function of its own. */
static noinline pte_t xen_clear_test_site(pte_t *ptep)
{
	return paravirt_ptep_get_and_clear(ptep);
}

/*
 * Natively the site is native_ptep_get_and_clear()'s xor and xchg, on
 * %rdi here, and returns and clears the PTE it is given; under Xen PV it
 * is the call of the thunk (xen_multicalls.xen_mc_test_clear tests what
 * that does). Runs natively too.
 */
static void xen_clear_test_native_site(struct kunit *test)
{
	const u8 native[] = { 0x31, 0xc0, 0x48, 0x87, 0x07 };
	pteval_t v = _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY;
	pte_t pte = native_make_pte(v);

	xen_pte_site_expect(test, xen_clear_test_site, native, sizeof(native));
	if (boot_cpu_has(X86_FEATURE_XENPV))
		return;
	KUNIT_EXPECT_EQ(test, native_pte_val(xen_clear_test_site(&pte)), v);
	KUNIT_EXPECT_EQ(test, native_pte_val(pte), (pteval_t)0);
}

/* ptep_modify_prot_start() and _commit() sites in functions of their own. */
static noinline pte_t xen_prot_start_test_site(pte_t *ptep)
{
	return paravirt_ptep_modify_prot_start(ptep);
}

static noinline void xen_prot_commit_test_site(pte_t *ptep, pte_t pte)
{
	paravirt_ptep_modify_prot_commit(ptep, pte);
}

/*
 * Natively the start is the xor and xchg of ptep_get_and_clear() on
 * %rdi and a register of the compiler's choice (the xchg is looked for:
 * a REX.W prefix, 0x87, and a ModRM byte of (%rdi) without
 * displacement), and returns and clears the PTE; the commit is the store
 * "ds mov %rax, 0x0(%rdi)" and writes the PTE. Under Xen PV the start is
 * a plain read (no xchg) and the commit the call of the thunk
 * (xen_multicalls.xen_mc_test_prot_commit and xen_mc_test_pte_thunks
 * test what that does). Runs natively too.
 */
static void xen_prot_test_native_sites(struct kunit *test)
{
	const u8 store[] = { 0x3e, 0x48, 0x89, 0x47, 0x00 };
	const u8 *code = (const u8 *)xen_prot_start_test_site;
	pteval_t v = _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY;
	pte_t pte = native_make_pte(v);
	bool xchg = false;
	int i;

	for (i = 0; i + 3 <= 32; i++)
		if ((code[i] & 0xfb) == 0x48 && code[i + 1] == 0x87 &&
		    (code[i + 2] & 0xc7) == 0x07)
			xchg = true;
	KUNIT_EXPECT_EQ(test, xchg, !boot_cpu_has(X86_FEATURE_XENPV));
	xen_pte_site_expect(test, xen_prot_commit_test_site, store,
			    sizeof(store));
	if (boot_cpu_has(X86_FEATURE_XENPV))
		return;
	KUNIT_EXPECT_EQ(test, native_pte_val(xen_prot_start_test_site(&pte)), v);
	KUNIT_EXPECT_EQ(test, native_pte_val(pte), (pteval_t)0);
	xen_prot_commit_test_site(&pte, native_make_pte(v & ~_PAGE_RW));
	KUNIT_EXPECT_EQ(test, native_pte_val(pte), v & ~_PAGE_RW);
}

static struct kunit_case xen_pte_sites_test_cases[] = {
	KUNIT_CASE(xen_wrprotect_test_native_site),
	KUNIT_CASE(xen_clear_test_native_site),
	KUNIT_CASE(xen_prot_test_native_sites),
	{}
};

static struct kunit_suite xen_pte_sites_test_suite = {
	.name = "xen_pte_sites",
	.test_cases = xen_pte_sites_test_cases,
};

kunit_test_suites(&xen_mc_test_suite, &xen_pte_sites_test_suite);

#endif /* _XEN_MULTICALLS_TEST_H */
