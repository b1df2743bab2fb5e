/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-cpu batches of hypercalls, issued as one multicall.
 *
 * A caller opens a batch with xen_mc_batch() (interrupts off), queues
 * entries with __xen_mc_entry() or grows the last one with
 * xen_mc_extend_args(), and closes it with xen_mc_issue(), which flushes
 * unless the CPU is in the given lazy mode. See multicalls.c and
 * Documentation/xen/pvstats.rst (xen/multicalls/).
 */
#ifndef _XEN_MULTICALLS_H
#define _XEN_MULTICALLS_H

#include <trace/events/xen.h>

#include "xen-ops.h"

/* An entry queued in the batch and the argument space it got. */
struct multicall_space {
	struct multicall_entry *mc;
	void *args;
};

DECLARE_PER_CPU(unsigned long, xen_mc_irq_flags);

/* Open a batch: interrupts stay off until the matching xen_mc_issue(). */
static inline void xen_mc_batch(void)
{
	unsigned long flags;

	local_irq_save(flags);
	/* Asked only when traced: it is a call, even with tracing compiled out. */
	if (trace_xen_mc_batch_enabled())
		trace_xen_mc_batch(paravirt_get_lazy_mode());
	__this_cpu_write(xen_mc_irq_flags, flags);
}

/*
 * Queue one entry with args bytes of argument space (8-byte aligned),
 * flushing first if the batch has no room. The entry remembers its
 * caller, which is named if the entry fails.
 */
struct multicall_space __xen_mc_entry(size_t args);

/* The same, naming caller as the code that queued the entry. */
struct multicall_space __xen_mc_entry_from(size_t args, unsigned long caller);

static inline struct multicall_space xen_mc_entry(size_t args)
{
	xen_mc_batch();
	return __xen_mc_entry(args);
}

/*
 * For an mmu_update entry of more than one update, whose updates start at
 * mc->args[0]: the success count to give Xen, so that a failure names the
 * update that failed and the updates after it are issued again.
 */
unsigned int *xen_mc_done(struct multicall_entry *mc);

/*
 * Grow the arguments of the last queued entry by size bytes, if its op
 * is op and there is room: mc is that entry, args the new space.
 * Otherwise mc is NULL and the caller queues a new entry.
 */
struct multicall_space xen_mc_extend_args(unsigned long op, size_t size);

/*
 * The last queued entry, if its op is op, for a caller that folds its
 * call into it; NULL otherwise. Interrupts off.
 */
struct multicall_entry *xen_mc_last_entry(unsigned long op);

/* Queue fn(data), to run after the batch has been issued. */
void xen_mc_callback(void (*fn)(void *), void *data);

/* Issue the batch now. */
void xen_mc_flush(void);

/* Issue the batch at the end of a lazy MMU or CPU section. */
void xen_mc_flush_lazy_end(void);

/*
 * Close a batch: issue it unless in lazy mode (one of mode's), restore
 * interrupts. Mode 0: always issue, without asking the mode.
 */
static inline void xen_mc_issue(unsigned int mode)
{
	trace_xen_mc_issue(mode);

	if (!mode || (paravirt_get_lazy_mode() & mode) == 0)
		xen_mc_flush();

	local_irq_restore(this_cpu_read(xen_mc_irq_flags));
}

#endif /* _XEN_MULTICALLS_H */
