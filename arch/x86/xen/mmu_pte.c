// SPDX-License-Identifier: GPL-2.0
/*
 * PTE updates of the Xen PV guest.
 *
 * A PV guest's page tables are read-only to it: a plain write to a PTE
 * traps into Xen, which decodes and emulates it. Every PTE write here is
 * an mmu_update instead: one hypercall at once outside lazy MMU mode;
 * inside it, an update queued in this CPU's multicall batch, where
 * consecutive updates share one mmu_update entry (up to a page table's
 * worth) issued when the section ends or the batch is full.
 *
 * ptep_modify_prot_start() leaves the PTE in place and commit() writes it
 * with MMU_PT_UPDATE_PRESERVE_AD: Xen keeps the Accessed and Dirty bits
 * the hardware set in between, so start() needs no atomic clear of the
 * PTE (which would trap).
 *
 * ptep_set_wrprotect(), which fork calls on every PTE of the parent's
 * copy-on-write mappings, is a locked bit clear on native that traps
 * here; it is an mmu_update with MMU_PT_UPDATE_PRESERVE_AD instead, in
 * the same lazy-MMU batch as the child's PTEs.
 *
 * ptep_get_and_clear(), which munmap, MADV_DONTNEED, copy-on-write and
 * the unmapping of foreign pages reach for every PTE, is a locked xchg on
 * native that traps here as well. Made an mmu_update, it reads the PTE
 * first and clears it later (at the end of the lazy-MMU section, or in
 * the hypercall): in between, another vCPU's hardware may still set the
 * Accessed or Dirty bit through a TLB entry, and the bit would not be in
 * the PTE returned. A lost Accessed bit costs only page aging. A lost
 * Dirty bit on a file page is lost data: writeback never sees the write.
 * So a clear is an mmu_update only when no Dirty bit can be lost:
 *
 * - the PTE is not present: hardware does not touch it;
 * - it is not writable: hardware sets Dirty only on a write, which a
 *   read-only PTE faults on;
 * - Dirty is already set: hardware can only set it again;
 * - it is special (_PAGE_SPECIAL: a PFN or foreign mapping, no struct
 *   page): zap_pte_range() and the other users ignore its Dirty bit.
 *
 * Any other PTE (writable, clean, a struct page behind it) keeps the
 * atomic xchg, which traps into Xen and returns exactly what the
 * hardware left. Anonymous memory is mapped writable only once written,
 * and so dirty; a shared file mapping is mapped read-only until its
 * first write, and then dirty. Those are almost every PTE unmapped.
 * xen_pte_clear=trap keeps every clear the xchg (upstream's behaviour);
 * xen_pte_clear=all makes every clear an mmu_update, Dirty bits lost
 * included: a deliberately wrong variant, for tests that must catch it.
 *
 * Counted in /sys/kernel/debug/xen/mmu/ (Documentation/xen/pvstats.rst).
 */
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/string.h>

#include <asm/paravirt.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/xen.h>
#include <trace/events/xen.h>
#include <xen/pvstats.h>

#include "mmu.h"
#include "multicalls.h"

/*
 * Queue one element of an mmu_update or mmuext_op call (op) for this
 * domain, growing the last entry if it is the same call: returns where
 * to write the element.
 *
 * An mmu_update entry of two elements or more asks Xen for its success
 * count, so that a failure names the element and the ones after it are
 * issued again; one element needs none (if the entry fails, that element
 * did). mmuext_op entries ask for none: Xen writing the count back costs
 * about 75 instructions per call, and a context switch issues one of two
 * elements (the kernel and user page tables); a failing one is reported
 * as a whole, and the elements after its failing one are not issued.
 */
static __always_inline void *xen_queue_element(unsigned int op, size_t size,
					       unsigned long caller)
{
	struct multicall_space mcs;

	mcs = xen_mc_extend_args(op, size);
	if (mcs.mc) {
		if (mcs.mc->args[1]++ == 1 && op == __HYPERVISOR_mmu_update)
			mcs.mc->args[2] = (unsigned long)xen_mc_done(mcs.mc);
		return mcs.args;
	}
	mcs = __xen_mc_entry_from(size, caller);
	mcs.mc->op = op;
	mcs.mc->args[0] = (unsigned long)mcs.args;
	mcs.mc->args[1] = 1;
	mcs.mc->args[2] = 0;
	mcs.mc->args[3] = DOMID_SELF;
	trace_xen_mc_entry(mcs.mc, 4);
	return mcs.args;
}

static __always_inline void xen_queue_mmu_update(const struct mmu_update *u,
						 unsigned long caller)
{
	*(struct mmu_update *)xen_queue_element(__HYPERVISOR_mmu_update,
						sizeof(*u), caller) = *u;
}

/* Not inlined, so that _RET_IP_ is in the code that queues. */
noinline void xen_extend_mmu_update(const struct mmu_update *update)
{
	xen_queue_mmu_update(update, _RET_IP_);
}

noinline void xen_extend_mmuext_op(const struct mmuext_op *op)
{
	*(struct mmuext_op *)xen_queue_element(__HYPERVISOR_mmuext_op,
					       sizeof(*op), _RET_IP_) = *op;
}

/*
 * Write the PTE at ptep: cmd is MMU_NORMAL_PT_UPDATE or
 * MMU_PT_UPDATE_PRESERVE_AD, caller who asked (named if it fails), what
 * the counter that says which operation it is (XEN_PVSTATS_NR: none),
 * moved with the path's in the same statistics site.
 */
static __always_inline void xen_write_pte(pte_t *ptep, pte_t pte,
					  unsigned int cmd,
					  unsigned long caller,
					  enum xen_pvstat what)
{
	struct mmu_update u;
	int rc;

	u.ptr = virt_to_machine(ptep).maddr | cmd;
	u.val = pte_val_ma(pte);

	if (paravirt_get_lazy_mode() == PARAVIRT_LAZY_MMU) {
		if (xen_pvstats_enabled()) {
			__xen_pvstat_inc(mmu, pte_batched);
			if (what != XEN_PVSTATS_NR)
				__xen_pvstat_add_idx(what, 1);
		}
		xen_mc_batch();
		xen_queue_mmu_update(&u, caller);
		xen_mc_issue(PARAVIRT_LAZY_MMU);
		return;
	}

	/*
	 * One site for the PTE's counts and the update's; the hypercall is
	 * counted in the table as it is made (the xen_hypercall static call).
	 */
	if (xen_pvstats_enabled()) {
		__xen_pvstat_inc(mmu, pte_hypercall);
		if (what != XEN_PVSTATS_NR)
			__xen_pvstat_add_idx(what, 1);
		__xen_pvstats_mmu_update(1, XEN_PVSTATS_CALL_DIRECT);
		__xen_pvstats_pte_caller(caller);
	}
	rc = _hypercall4(int, mmu_update, &u, 1, NULL, DOMID_SELF);
	if (unlikely(rc < 0))
		WARN(1, "xen: PTE write ptr=%#llx val=%#llx from %pS failed: %d\n",
		     u.ptr, u.val, (void *)caller, rc);
}

void xen_set_pte(pte_t *ptep, pte_t pte)
{
	trace_xen_mmu_set_pte(ptep, pte);
	xen_write_pte(ptep, pte, MMU_NORMAL_PT_UPDATE, _RET_IP_, XEN_PVSTATS_NR);
}

/*
 * Called through the thunk of the site's register (pte-asm.S), which
 * saves the caller's registers (the native site is one instruction).
 * The PTE is read here, so a write to the same PTE still queued in this
 * lazy-MMU section would be lost: fork only write-protects PTEs it has
 * not written in the section. caller, the site's return address, is
 * what a failure and xen/mmu/pte_hypercall_callers name.
 */
__visible void xen_ptep_set_wrprotect(pte_t *ptep, unsigned long caller)
{
	pte_t pte = __pte_ma(READ_ONCE(ptep->pte) & ~_PAGE_RW);

	xen_write_pte(ptep, pte, MMU_PT_UPDATE_PRESERVE_AD, caller,
		      XEN_PVSTAT_mmu_pte_wrprotect);
}

static const char * const xen_pte_clear_names[] = {
	[XEN_PTE_CLEAR_SAFE] = "safe",
	[XEN_PTE_CLEAR_ALL] = "all",
	[XEN_PTE_CLEAR_TRAP] = "trap",
};

enum xen_pte_clear_mode xen_pte_clear __ro_after_init;

static int __init xen_pte_clear_param(char *arg)
{
	int i = arg ? match_string(xen_pte_clear_names,
				   ARRAY_SIZE(xen_pte_clear_names), arg) : -EINVAL;

	if (i < 0)
		pr_warn("xen_pte_clear=%s is not valid (safe, all or trap); keeping %s\n",
			arg ?: "", xen_pte_clear_names[xen_pte_clear]);
	else
		xen_pte_clear = i;
	return 0;
}
early_param("xen_pte_clear", xen_pte_clear_param);

static int __init xen_pte_clear_announce(void)
{
	if (!xen_pv_domain())
		return 0;
	if (xen_pte_clear == XEN_PTE_CLEAR_ALL)
		pr_warn("xen: PTE clears: xen_pte_clear=all, Dirty bits can be lost: for tests only\n");
	else
		pr_info("xen: PTE clears: xen_pte_clear=%s\n",
			xen_pte_clear_names[xen_pte_clear]);
	return 0;
}
early_initcall(xen_pte_clear_announce);

/*
 * Whether clearing a PTE that holds old can lose no Dirty bit when it is
 * read now and cleared later (the rule at the top of this file). old is
 * the machine PTE; its flag bits are the guest's.
 */
static __always_inline bool xen_pte_clear_loses_nothing(pteval_t old)
{
	return !(old & _PAGE_PRESENT) || !(old & _PAGE_RW) ||
	       (old & (_PAGE_DIRTY | _PAGE_SPECIAL));
}

/*
 * Called through the thunk of the site's register (pte-asm.S), which
 * saves the caller's registers (the native site is one xchg); returns
 * the machine PTE, as the xchg does. Like xen_ptep_set_wrprotect(), it
 * reads the PTE in memory: a write to the same PTE still queued in this
 * lazy-MMU section is not seen, and the clear is queued after it. No
 * caller clears a PTE it wrote in the same section; with the trapped
 * xchg upstream's own queued write would land after the clear.
 */
__visible pteval_t xen_ptep_get_and_clear(pte_t *ptep, unsigned long caller)
{
	pteval_t old = READ_ONCE(ptep->pte);

	if (likely(xen_pte_clear == XEN_PTE_CLEAR_ALL ||
		   (xen_pte_clear == XEN_PTE_CLEAR_SAFE &&
		    xen_pte_clear_loses_nothing(old)))) {
		xen_write_pte(ptep, __pte_ma(0), MMU_NORMAL_PT_UPDATE,
			      caller, XEN_PVSTAT_mmu_pte_clear);
		return old;
	}
	if (xen_pvstats_enabled()) {
		__xen_pvstat_inc(mmu, pte_trapped);
		__xen_pvstat_inc(mmu, pte_clear_trapped);
	}
	return xchg(&ptep->pte, 0);
}

/*
 * ptep_modify_prot_commit(), mprotect()'s write of each PTE it changes,
 * called through the thunk of the site's register (pte-asm.S) with the
 * new PTE; the site's start read the PTE and left it in place. caller,
 * the site's return address, is what a failure and
 * xen/mmu/pte_hypercall_callers name.
 */
__visible void xen_ptep_modify_prot_commit(pte_t *ptep, pteval_t val,
					   unsigned long caller)
{
	xen_write_pte(ptep, native_make_pte(val), MMU_PT_UPDATE_PRESERVE_AD,
		      caller, XEN_PVSTATS_NR);
}

void xen_enter_lazy_mmu(void)
{
	xen_pvstat_inc(mmu, lazy_enter);
	paravirt_enter_lazy_mmu();
}

void xen_leave_lazy_mmu(void)
{
	preempt_disable();
	xen_pvstat_inc(mmu, lazy_leave);
	xen_mc_flush_lazy_end();
	paravirt_leave_lazy_mmu();
	preempt_enable();
}

/* Issue what the section queued so far; the section goes on. */
void xen_flush_lazy_mmu(void)
{
	preempt_disable();
	if (paravirt_get_lazy_mode() == PARAVIRT_LAZY_MMU)
		xen_mc_flush();
	preempt_enable();
}
