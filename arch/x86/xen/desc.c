// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptors, segment bases and the context switch of a 64-bit Xen PV
 * guest.
 *
 * A PV guest's GDT and LDT pages are read-only to it: a descriptor is
 * written with the update_descriptor hypercall, a segment base with
 * set_segment_base. A context switch writes the next task's TLS
 * descriptors, its %gs selector, its FS and user GS bases, the kernel
 * stack Xen enters it on (stack_switch) and, between processes, the page
 * table base (mmuext_op): one entry into Xen each when issued one by one.
 *
 * Here the whole switch is one multicall. From arch_start_context_switch()
 * to arch_end_context_switch(), which __switch_to() calls once the
 * segments and the stack are loaded, the CPU is in lazy CPU mode, and each
 * of those writes is queued in the CPU's batch (multicalls.c), in program
 * order; the end of the switch issues the batch. Of the TLS descriptors,
 * only those that differ from a per-CPU shadow of what this CPU's GDT
 * holds are queued.
 *
 * One case issues the batch early: a task with a selector of its own in
 * %fs, %ds or %es (a 32-bit task, a TLS or LDT selector). __switch_to()
 * loads those with a mov, which reads the descriptor from the GDT or LDT
 * there and then, so the batch goes to Xen first. %gs needs no such care:
 * it is loaded with set_segment_base, queued behind the descriptors.
 *
 * On a CPU with X86_BUG_NULL_SEG (AMD before Zen 3, and any AMD CPU that
 * does not say otherwise to a guest), loading a null selector leaves the
 * old base, so __switch_to() loads __USER_DS into %gs and then the null
 * selector: two set_segment_base(SEGBASE_GS_USER_SEL) in a row. Since
 * Xen 4.15 that hypercall does the same itself for a null selector on
 * such a CPU, and it never fails (a selector it cannot load leaves the
 * null one). A %gs selector queued straight after another therefore
 * replaces it in the batch: the switch makes one sub-call for %gs.
 *
 * Statistics: xen/tls/ (Documentation/xen/pvstats.rst), and
 * Documentation/xen/pv-desc.rst.
 */
#include <linux/bitops.h>
#include <linux/lockdep.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/string.h>

#include <asm/desc.h>
#include <asm/paravirt.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include <xen/pvstats.h>
#include <xen/xen.h>
#include <xen/xen-ops.h>

#include "multicalls.h"
#include "xen-ops.h"

/* What this CPU's GDT holds in its TLS slots, as we asked Xen to write it. */
struct xen_tls_shadow {
	struct desc_struct desc[GDT_ENTRY_TLS_ENTRIES];
};

static DEFINE_PER_CPU(struct xen_tls_shadow, xen_tls_shadow);

/*
 * Xen clears the user GS base itself when SEGBASE_GS_USER_SEL loads a
 * null selector (Xen 4.15 and later): a queued %gs selector load may
 * replace the one queued before it.
 */
static bool xen_gs_sel_folds __ro_after_init;

static int __init xen_desc_init(void)
{
	if (xen_pv_domain() && xen_running_on_version_or_later(4, 15))
		xen_gs_sel_folds = true;
	return 0;
}
early_initcall(xen_desc_init);

/*
 * The TLS slots whose descriptor differs between the shadow and tls, the
 * descriptors a task needs: bit i for slot i. The shadow, not the GDT, is
 * compared, since Xen may store a descriptor other than the one it was
 * given (the accessed bit).
 */
static __always_inline unsigned int
xen_tls_changed(const struct desc_struct *shadow,
		const struct desc_struct *tls)
{
	unsigned int i, changed = 0;

	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++)
		if (memcmp(&shadow[i], &tls[i], sizeof(tls[i])))
			changed |= BIT(i);
	return changed;
}

/*
 * Whether a task loads, in __switch_to(), a selector that reads a
 * descriptor: %fs, %ds or %es above the null selectors 0-3.
 */
static __always_inline bool xen_task_loads_selectors(struct thread_struct *t)
{
	return (t->fsindex | t->ds | t->es) > 3;
}

#ifdef CONFIG_XEN_DEBUG_FS
/* The direct hypercalls issued when this CPU's context switch started. */
static DEFINE_PER_CPU(u64, xen_switch_start);

/* A load_tls that writes descriptors: which slots, which not. */
static noinline void xen_tls_count_changed(unsigned int changed)
{
	unsigned int i;

	BUILD_BUG_ON(XEN_PVSTAT_tls_slot2_updated !=
		     XEN_PVSTAT_tls_slot0_updated + 2);
	BUILD_BUG_ON(XEN_PVSTAT_tls_slot2_skipped !=
		     XEN_PVSTAT_tls_slot0_skipped + 2);
	BUILD_BUG_ON(GDT_ENTRY_TLS_ENTRIES != 3);

	__xen_pvstat_add(tls, desc_updated, hweight32(changed));
	__xen_pvstat_add(tls, desc_skipped,
			 GDT_ENTRY_TLS_ENTRIES - hweight32(changed));
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++)
		__xen_pvstat_add_idx((changed & BIT(i) ?
				      XEN_PVSTAT_tls_slot0_updated :
				      XEN_PVSTAT_tls_slot0_skipped) + i, 1);
}

/*
 * Most switches change no TLS descriptor (64-bit tasks use the FS base):
 * that case is five increments in line, the rest goes out of line.
 */
static __always_inline void xen_tls_count(unsigned int changed)
{
	__xen_pvstat_inc(tls, load_tls);
	if (likely(!changed)) {
		__xen_pvstat_add(tls, desc_skipped, GDT_ENTRY_TLS_ENTRIES);
		__xen_pvstat_inc(tls, slot0_skipped);
		__xen_pvstat_inc(tls, slot1_skipped);
		__xen_pvstat_inc(tls, slot2_skipped);
	} else {
		xen_tls_count_changed(changed);
	}
}

static __always_inline void xen_switch_mark(void)
{
	__this_cpu_write(xen_switch_start,
			 __this_cpu_read(xen_hypercalls_issued));
}

/* The end of a switch: how many hypercalls it issued, all told. */
static noinline void xen_switch_count(void)
{
	u64 issued = __this_cpu_read(xen_hypercalls_issued) -
		     __this_cpu_read(xen_switch_start);

	__xen_pvstat_inc(tls, switches);
	__xen_pvstat_hist(tls, switch_hypercalls, issued);
}

/*
 * A set_segment_base issued now, counted here: the counting of the
 * hypercalls as they are issued (xen-asm.S) leaves it out, since the GS
 * base is not valid around a SEGBASE_GS_KERNEL write. So is that one here.
 */
static noinline void xen_segbase_count_direct(void)
{
	__xen_pvstat_inc(tls, segbase_direct);
	__xen_pvstats_call(__HYPERVISOR_set_segment_base,
			   XEN_PVSTATS_CALL_DIRECT);
	__this_cpu_inc(xen_hypercalls_issued);
}
#else
static inline void xen_tls_count(unsigned int changed)
{
}

static inline void xen_switch_mark(void)
{
}

static inline void xen_switch_count(void)
{
}

static inline void xen_segbase_count_direct(void)
{
}
#endif

/*
 * Set from the start of a context switch to its end, where the lazy mode
 * is PARAVIRT_LAZY_CPU (nothing else enters that mode): the switch's own
 * hooks below test it in line instead of calling paravirt_get_lazy_mode().
 */
static DEFINE_PER_CPU(bool, xen_switching);

/* paravirt_get_lazy_mode() == PARAVIRT_LAZY_CPU, without the call. */
static __always_inline bool xen_lazy_cpu(void)
{
	return this_cpu_read(xen_switching) && !in_interrupt();
}

/*
 * Counting on, the switch's hypercalls are counted from here to the end of
 * xen_end_context_switch(): xen/tls/switch_hypercalls.
 */
void xen_start_context_switch(struct task_struct *prev)
{
	if (xen_pvstats_enabled())
		xen_switch_mark();
	paravirt_start_context_switch(prev);
	this_cpu_write(xen_switching, true);
}

void xen_end_context_switch(struct task_struct *next)
{
	xen_mc_flush_lazy_end();
	this_cpu_write(xen_switching, false);
	if (xen_pvstats_enabled())
		xen_switch_count();
	paravirt_end_context_switch(next);
}

/*
 * One entry in the context switch's batch. In lazy CPU mode interrupts are
 * off and the batch stays open until the switch ends: no xen_mc_batch()
 * and xen_mc_issue() around it.
 */
static __always_inline struct multicall_entry *xen_switch_entry(void)
{
	lockdep_assert_irqs_disabled();
	return __xen_mc_entry(0).mc;
}

/* Queue the TLS slots in changed, recording them in the shadow. */
static void xen_queue_tls(const struct desc_struct *tls, unsigned int cpu,
			  unsigned int changed, bool lazy)
{
	struct desc_struct *shadow = per_cpu(xen_tls_shadow, cpu).desc;
	struct desc_struct *gdt = get_cpu_gdt_rw(cpu);
	xmaddr_t maddr;
	unsigned int i;

	if (!lazy)
		xen_mc_batch();
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) {
		if (!(changed & BIT(i)))
			continue;
		shadow[i] = tls[i];
		maddr = arbitrary_virt_to_machine(&gdt[GDT_ENTRY_TLS_MIN + i]);
		MULTI_update_descriptor(__xen_mc_entry(0).mc, maddr.maddr,
					tls[i]);
	}
	if (!lazy)
		xen_mc_issue(0);
}

void xen_load_tls(struct thread_struct *t, unsigned int cpu)
{
	bool lazy = xen_lazy_cpu();
	unsigned int changed;

	changed = xen_tls_changed(per_cpu(xen_tls_shadow, cpu).desc,
				  t->tls_array);
	if (xen_pvstats_enabled())
		xen_tls_count(changed);

	if (changed) {
		/*
		 * %fs may still hold the previous task's selector of a
		 * descriptor about to change, until __switch_to() loads the
		 * next one: Xen, reloading it meanwhile, would find it
		 * invalid. The null selector is safe; __switch_to() loads
		 * %fs whenever the previous selector was not null.
		 */
		if (lazy)
			loadsegment(fs, 0);
		xen_queue_tls(t->tls_array, cpu, changed, lazy);
	}

	if (lazy && unlikely(xen_task_loads_selectors(t))) {
		xen_pvstat_inc(tls, switch_flush_early);
		xen_mc_flush();
	}
}

/*
 * set_segment_base, for the segment MSR writes and load_gs_index: queued
 * in the context switch's batch in lazy CPU mode, issued now otherwise.
 * Returns 0 when queued; a queued one that fails is reported when the
 * batch is issued, naming its caller. The kernel's own GS base is never
 * queued: per-CPU data depends on it.
 */
static __always_inline int
__xen_set_segment_base(unsigned int which, unsigned long value)
{
	struct multicall_entry *mc;

	if (which != SEGBASE_GS_KERNEL && xen_lazy_cpu()) {
		if (which == SEGBASE_GS_USER_SEL && xen_gs_sel_folds) {
			mc = xen_mc_last_entry(__HYPERVISOR_set_segment_base);
			if (mc && mc->args[0] == SEGBASE_GS_USER_SEL) {
				mc->args[1] = value;
				xen_pvstat_inc(tls, gs_sel_folded);
				return 0;
			}
		}
		mc = xen_switch_entry();
		mc->op = __HYPERVISOR_set_segment_base;
		mc->args[0] = which;
		mc->args[1] = value;
		return 0;
	}

	if (xen_pvstats_enabled() && which != SEGBASE_GS_KERNEL)
		xen_segbase_count_direct();
	return HYPERVISOR_set_segment_base(which, value);
}

int xen_set_segment_base(unsigned int which, unsigned long value)
{
	return __xen_set_segment_base(which, value);
}

/* The kernel stack Xen enters the current task on from user mode. */
void xen_load_sp0(unsigned long sp0)
{
	struct multicall_space mc;

	if (xen_lazy_cpu()) {
		MULTI_stack_switch(xen_switch_entry(), __KERNEL_DS, sp0);
	} else {
		mc = xen_mc_entry(0);
		MULTI_stack_switch(mc.mc, __KERNEL_DS, sp0);
		xen_mc_issue(0);
	}
	this_cpu_write(cpu_tss_rw.x86_tss.sp0, sp0);
}

/*
 * A selector Xen refuses leaves the null selector in %gs. In line here, so
 * that the queueing of a switch's %gs loads is the same code with the
 * statistics compiled in or out (the compiler inlined it only without).
 */
void xen_load_gs_index(unsigned int idx)
{
	int rc = __xen_set_segment_base(SEGBASE_GS_USER_SEL, idx);

	if (WARN_ONCE(rc, "xen: loading %#x into %%gs failed: %d\n", idx, rc))
		xen_set_segment_base(SEGBASE_GS_USER_SEL, 0);
}

/*
 * One GDT or LDT entry: anything queued goes first, in case it maps the
 * table's page read-only. The kernel checked the descriptor; should Xen
 * still refuse it, the entry keeps its old value.
 */
static void xen_write_desc(struct desc_struct *d, u64 entry)
{
	xmaddr_t maddr = arbitrary_virt_to_machine(d);
	int rc;

	preempt_disable();
	xen_mc_flush();
	rc = HYPERVISOR_update_descriptor(maddr.maddr, entry);
	preempt_enable();
	WARN_ONCE(rc, "xen: descriptor %#llx at machine address %#llx refused: %d\n",
		  entry, maddr.maddr, rc);
}

void xen_write_ldt_entry(struct desc_struct *dt, int entrynum,
			 const void *ptr)
{
	u64 entry = *(const u64 *)ptr;

	trace_xen_cpu_write_ldt_entry(dt, entrynum, entry);
	xen_pvstat_inc(tls, ldt_writes);
	xen_write_desc(&dt[entrynum], entry);
}

/* LDT and TSS descriptors are Xen's business: it keeps them itself. */
void xen_write_gdt_entry(struct desc_struct *dt, int entry, const void *desc,
			 int type)
{
	trace_xen_cpu_write_gdt_entry(dt, entry, desc, type);
	if (type == DESC_LDT || type == DESC_TSS)
		return;
	xen_pvstat_inc(tls, gdt_writes);
	xen_write_desc(&dt[entry], *(const u64 *)desc);
}

#ifdef CONFIG_XEN_PVPERF_KUNIT_TEST
#include "desc-test.h"
#endif
