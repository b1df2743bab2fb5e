// SPDX-License-Identifier: GPL-2.0
/*
 * Per-cpu batches of hypercalls, issued as one multicall.
 *
 * Every entry into Xen costs a guest-to-hypervisor round trip; a batch of
 * N hypercalls issued as one multicall pays it once. Each CPU has one
 * batch: the entries, the argument space the entries point into, and
 * callbacks to run once the batch has been issued. The batch is issued
 * when it is full, when a caller asks (xen_mc_flush()), and when a lazy
 * MMU or CPU section ends (xen_mc_flush_lazy_end()). A batch of one entry
 * is issued as that hypercall itself.
 *
 * Sizes: the argument space holds one page-table page worth of PTE
 * updates (512 struct mmu_update, 8 KiB) in one mmu_update entry, which
 * is what a lazy-MMU section over one page table can queue, plus room for
 * the arguments of the other entries. Per CPU the batch takes about
 * 12 KiB (see Documentation/xen/pv-mmu.rst).
 *
 * Failures: Xen runs every entry of a multicall whatever the others
 * return. An entry that fails is reported with its op, its arguments and
 * the code that queued it, and counted in xen/multicalls/failed_entries.
 * An mmu_update entry stops at its first failing update; the updates
 * after it are issued again, so that one bad update does not drop the
 * others queued with it.
 */
#include <linux/build_bug.h>
#include <linux/lockdep.h>
#include <linux/panic.h>
#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/printk.h>

#include <asm/xen/hypercall.h>
#include <xen/pvstats.h>

#include "multicalls.h"

#define XEN_MC_ENTRIES		32
#define XEN_MC_CALLBACKS	32
#define XEN_MC_PTE_UPDATES	512
#define XEN_MC_ARG_BYTES	\
	((XEN_MC_PTE_UPDATES + 64) * sizeof(struct mmu_update))

/*
 * The top bit of a count of mmu_update or mmuext_op elements: set by Xen
 * in a sub-call it preempted and rewrote to continue (its
 * MMU_UPDATE_PREEMPTED).
 */
#define XEN_MC_COUNT_MASK	0x7fffffffUL

/* The largest entry queued in the tree: a TLB flush with its CPU mask. */
static_assert(XEN_MC_ARG_BYTES >=
	      sizeof(struct mmuext_op) + BITS_TO_LONGS(CONFIG_NR_CPUS) * sizeof(long));

/*
 * The result of an entry Xen has not run. No hypercall returns it: Xen's
 * errors are -1 to -4095, and its other results are not negative. It is
 * a sign-extended 32-bit immediate, so marking an entry is one store.
 */
#define XEN_MC_NOT_RUN		((long)INT_MIN)

struct xen_mc_callback {
	void (*fn)(void *data);
	void *data;
};

struct xen_mc_buf {
	unsigned int nr;		/* entries queued */
	unsigned int argbytes;		/* argument bytes in use */
	unsigned int nr_callbacks;
	struct multicall_entry entries[XEN_MC_ENTRIES];
	/* Where each entry was queued, for the failure report. */
	unsigned long caller[XEN_MC_ENTRIES];
	/*
	 * For mmu_update entries given xen_mc_done(): the first update,
	 * and how many updates Xen got through.
	 */
	void *first[XEN_MC_ENTRIES];
	unsigned int done[XEN_MC_ENTRIES];
	struct xen_mc_callback callbacks[XEN_MC_CALLBACKS];
	u64 args[XEN_MC_ARG_BYTES / sizeof(u64)];
};

static DEFINE_PER_CPU(struct xen_mc_buf, xen_mc_buf);
DEFINE_PER_CPU(unsigned long, xen_mc_irq_flags);

/*
 * A set_segment_base queued by a context switch (desc.c). The counting of
 * hypercalls as they are issued leaves it out (xen-asm.S), even issued
 * alone: it is counted here in both cases.
 */
static void xen_mc_count_segbase(enum xen_pvstats_call_kind kind)
{
	__xen_pvstat_inc(tls, segbase_queued);
	__xen_pvstats_call(__HYPERVISOR_set_segment_base, kind);
	if (kind == XEN_PVSTATS_CALL_DIRECT)
		__this_cpu_inc(xen_hypercalls_issued);
}

/*
 * Count a batch about to be issued: its size, why it is flushed, the
 * multicall itself and every entry. Called only while counting is on:
 * off, a flush pays one NOP.
 */
static noinline void xen_mc_count_batch(struct xen_mc_buf *b,
					enum xen_pvstat reason)
{
	enum xen_pvstats_call_kind kind = XEN_PVSTATS_CALL_MULTI;
	struct multicall_entry *mc;
	bool single = b->nr == 1;
	unsigned int i;

	if (b->nr == 0)
		return;
	__xen_pvstat_inc(multicalls, batches);
	__xen_pvstat_add(multicalls, entries, b->nr);
	__xen_pvstat_hist(multicalls, entries_per_batch, b->nr);
	__xen_pvstat_add_idx(reason, 1);
	/*
	 * The hypercall issued, a multicall or a single entry's own, is
	 * counted in the table as it is issued; the sub-calls here.
	 */
	if (single) {
		__xen_pvstat_inc(multicalls, issued_single);
		kind = XEN_PVSTATS_CALL_DIRECT;
	} else {
		__xen_pvstat_inc(multicalls, issued_multicall);
	}
	for (i = 0; i < b->nr; i++) {
		mc = &b->entries[i];
		if (mc->op == __HYPERVISOR_mmu_update)
			__xen_pvstats_mmu_update(mc->args[1], kind);
		else if (mc->op == __HYPERVISOR_mmuext_op)
			__xen_pvstats_mmuext((struct mmuext_op *)mc->args[0],
					     mc->args[1], kind);
		else if (mc->op == __HYPERVISOR_set_segment_base)
			xen_mc_count_segbase(kind);
		else if (!single)
			__xen_pvstats_call(mc->op, kind);
	}
}

/*
 * Issue the updates [u, end) of a failed mmu_update entry, which Xen did
 * not reach; report and skip each that fails.
 */
static void xen_mc_retry_updates(struct mmu_update *u, struct mmu_update *end,
				 domid_t domid)
{
	unsigned int more;
	int rc;

	while (u < end) {
		more = 0;
		rc = HYPERVISOR_mmu_update(u, end - u, &more, domid);
		if (rc >= 0)
			return;
		u += more;
		pr_err("  and update ptr=%#llx val=%#llx: %d\n", u->ptr, u->val,
		       rc);
		xen_pvstat_inc(multicalls, failed_entries);
		u++;
	}
}

/*
 * Report entry i of the batch, which failed. For an mmu_update entry
 * given xen_mc_done(), or an mmu_update or mmuext_op entry of one
 * element, name the element that failed; issue the updates after a
 * failed one again. Xen rewrites a sub-call it preempted to continue
 * where it stopped (args[0] advanced, args[1] the count left, its top bit
 * set), and done counts from the first element.
 */
static void xen_mc_report(struct xen_mc_buf *b, unsigned int i)
{
	struct multicall_entry *mc = &b->entries[i];
	unsigned long count = mc->args[1] & XEN_MC_COUNT_MASK;
	struct mmu_update *u;
	unsigned int done;

	pr_err("xen: multicall entry %u of %u failed on cpu %d: op=%lu args=[%#lx %#lx %#lx %#lx %#lx] result=%ld, queued by %pS\n",
	       i + 1, b->nr, smp_processor_id(), mc->op, mc->args[0],
	       mc->args[1], mc->args[2], mc->args[3], mc->args[4], mc->result,
	       (void *)b->caller[i]);
	if (mc->op == __HYPERVISOR_mmuext_op && count == 1) {
		pr_err("  at mmuext op 0: cmd=%u\n",
		       ((struct mmuext_op *)mc->args[0])->cmd);
		return;
	}
	if (mc->op != __HYPERVISOR_mmu_update)
		return;
	if (mc->args[2] == (unsigned long)&b->done[i]) {
		done = b->done[i];
		u = (struct mmu_update *)b->first[i] + done;
	} else if (count == 1) {
		done = 0;	/* one update: it failed */
		u = (struct mmu_update *)mc->args[0];
	} else {
		return;		/* queued without a success count */
	}
	pr_err("  at update %u: ptr=%#llx val=%#llx\n", done, u->ptr, u->val);
	xen_mc_retry_updates(u + 1, (struct mmu_update *)mc->args[0] + count,
			     mc->args[3]);
}

/*
 * The multicall failed as a whole: Xen could not read an entry and
 * stopped there. Issue on its own each entry it did not run (whose
 * result it did not write).
 */
static noinline void xen_mc_issue_each(struct xen_mc_buf *b)
{
	struct multicall_entry *mc;
	unsigned int i;

	pr_err("xen: multicall of %u entries stopped on cpu %d; issuing the rest one by one\n",
	       b->nr, smp_processor_id());
	for (i = 0; i < b->nr; i++) {
		mc = &b->entries[i];
		if (mc->result == XEN_MC_NOT_RUN)
			mc->result = xen_single_call(mc->op, mc->args[0],
						     mc->args[1], mc->args[2],
						     mc->args[3], mc->args[4]);
	}
}

/*
 * The flush, inlined into one function per reason so that the reason
 * costs nothing when counting is off.
 */
static __always_inline void __xen_mc_flush(enum xen_pvstat reason)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	struct multicall_entry *mc;
	unsigned int i, failed = 0;
	unsigned long flags;

	lockdep_assert_preemption_disabled();

	/* An interrupt must not queue into the batch while it is issued. */
	local_irq_save(flags);

	trace_xen_mc_flush(b->nr, b->argbytes, b->nr_callbacks);
	if (xen_pvstats_enabled())
		xen_mc_count_batch(b, reason);

	if (b->nr == 1) {
		mc = &b->entries[0];
		mc->result = xen_single_call(mc->op, mc->args[0], mc->args[1],
					     mc->args[2], mc->args[3],
					     mc->args[4]);
		failed = mc->result < 0;
	} else if (b->nr > 1) {
		if (unlikely(HYPERVISOR_multicall(b->entries, b->nr)))
			xen_mc_issue_each(b);
		for (i = 0; i < b->nr; i++)
			failed += b->entries[i].result < 0;
	}

	if (unlikely(failed)) {
		xen_pvstat_add(multicalls, failed_entries, failed);
		for (i = 0; i < b->nr; i++)
			if (b->entries[i].result < 0)
				xen_mc_report(b, i);
	}

	b->nr = 0;
	b->argbytes = 0;

	for (i = 0; i < b->nr_callbacks; i++)
		b->callbacks[i].fn(b->callbacks[i].data);
	b->nr_callbacks = 0;

	local_irq_restore(flags);
}

void xen_mc_flush(void)
{
	__xen_mc_flush(XEN_PVSTAT_multicalls_flush_explicit);
}

void xen_mc_flush_lazy_end(void)
{
	__xen_mc_flush(XEN_PVSTAT_multicalls_flush_lazy_end);
}

/* A flush because the batch is full: rare, so one copy takes the reason. */
static noinline void xen_mc_flush_full(enum xen_pvstat reason)
{
	__xen_mc_flush(reason);
}

/* Queue the next entry with args bytes of arguments at start. */
static __always_inline struct multicall_space
xen_mc_queue(struct xen_mc_buf *b, unsigned int start, size_t args,
	     unsigned long caller)
{
	struct multicall_space space;

	b->caller[b->nr] = caller;
	space.mc = &b->entries[b->nr++];
	space.mc->result = XEN_MC_NOT_RUN;
	space.args = (char *)b->args + start;
	b->argbytes = start + args;
	return space;
}

/*
 * The batch has no room: flush it, then queue. Out of line, so that the
 * queueing above needs no registers saved across the flush.
 */
static noinline struct multicall_space
xen_mc_entry_after_flush(size_t args, unsigned long caller)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	bool entries_full = b->nr == XEN_MC_ENTRIES;

	/* No caller in the tree asks for more: see the static_assert. */
	if (unlikely(args > XEN_MC_ARG_BYTES))
		panic("xen: %zu bytes of multicall arguments from %pS, more than a batch holds (%zu)\n",
		      args, (void *)caller, XEN_MC_ARG_BYTES);

	trace_xen_mc_flush_reason(entries_full ? XEN_MC_FL_BATCH :
				  XEN_MC_FL_ARGS);
	xen_mc_flush_full(entries_full ?
			  XEN_PVSTAT_multicalls_flush_entries_full :
			  XEN_PVSTAT_multicalls_flush_args_full);
	return xen_mc_queue(b, 0, args, caller);
}

struct multicall_space __xen_mc_entry_from(size_t args, unsigned long caller)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	unsigned int start = ALIGN(b->argbytes, sizeof(u64));

	trace_xen_mc_entry_alloc(args);
	lockdep_assert_irqs_disabled();

	if (unlikely(b->nr == XEN_MC_ENTRIES ||
		     start + args > XEN_MC_ARG_BYTES))
		return xen_mc_entry_after_flush(args, caller);
	return xen_mc_queue(b, start, args, caller);
}

/* Not inlined, so that _RET_IP_ is in the code that queues. */
noinline struct multicall_space __xen_mc_entry(size_t args)
{
	return __xen_mc_entry_from(args, _RET_IP_);
}

unsigned int *xen_mc_done(struct multicall_entry *mc)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	unsigned int i = mc - b->entries;

	b->first[i] = (void *)mc->args[0];
	return &b->done[i];
}

struct multicall_space xen_mc_extend_args(unsigned long op, size_t size)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);
	struct multicall_space space = { NULL, NULL };

	lockdep_assert_irqs_disabled();

	if (unlikely(b->nr == 0 || b->entries[b->nr - 1].op != op)) {
		trace_xen_mc_extend_args(op, size, XEN_MC_XE_BAD_OP);
		return space;
	}
	if (unlikely(b->argbytes + size > XEN_MC_ARG_BYTES)) {
		trace_xen_mc_extend_args(op, size, XEN_MC_XE_NO_SPACE);
		return space;
	}

	space.mc = &b->entries[b->nr - 1];
	space.args = (char *)b->args + b->argbytes;
	b->argbytes += size;
	trace_xen_mc_extend_args(op, size, XEN_MC_XE_OK);
	return space;
}

struct multicall_entry *xen_mc_last_entry(unsigned long op)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);

	lockdep_assert_irqs_disabled();

	if (b->nr == 0 || b->entries[b->nr - 1].op != op)
		return NULL;
	return &b->entries[b->nr - 1];
}

void xen_mc_callback(void (*fn)(void *), void *data)
{
	struct xen_mc_buf *b = this_cpu_ptr(&xen_mc_buf);

	if (b->nr_callbacks == XEN_MC_CALLBACKS) {
		trace_xen_mc_flush_reason(XEN_MC_FL_CALLBACK);
		xen_mc_flush_full(XEN_PVSTAT_multicalls_flush_callbacks_full);
	}

	trace_xen_mc_callback(fn, data);
	b->callbacks[b->nr_callbacks].fn = fn;
	b->callbacks[b->nr_callbacks].data = data;
	b->nr_callbacks++;
}

#ifdef CONFIG_XEN_PVPERF_KUNIT_TEST
#include "multicalls-test.h"
#endif
