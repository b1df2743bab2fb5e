// SPDX-License-Identifier: GPL-2.0
/*
 * The irq-flag pv_ops of a Xen PV guest: its interrupts are Xen's event
 * upcalls, masked by the evtchn_upcall_mask byte of the CPU's vcpu_info.
 *
 * save_fl, irq_disable and irq_enable are short bodies on the per-CPU
 * xen_vcpu_info (asm/xen/irqflags.h). With X86_FEATURE_XENPV_INLINE_IRQ,
 * forced here unless xen_inline_irq=off, apply_alternatives() copies them
 * into every call site; otherwise the sites call the direct functions
 * below. irq_enable enters Xen only when an event came while events were
 * masked. See Documentation/xen/pv-irq.rst.
 */
#define pr_fmt(fmt) "xen:irq: " fmt

#include <linux/cpufeature.h>
#include <linux/debugfs.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include <asm/alternative.h>
#include <asm/paravirt.h>
#include <asm/x86_init.h>

#include <xen/interface/xen.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>
#include <xen/events.h>
#include <xen/pvstats.h>

#include <asm/xen/hypercall.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/irqflags.h>

#include "xen-ops.h"

static_assert(offsetof(struct vcpu_info, evtchn_upcall_pending) ==
	      XEN_VCPU_INFO_PENDING);
static_assert(offsetof(struct vcpu_info, evtchn_upcall_mask) ==
	      XEN_VCPU_INFO_MASK);

/* The bodies reach the vcpu_info from the sites of every module too. */
EXPORT_PER_CPU_SYMBOL(xen_vcpu_info);

/*
 * irq_enable found an event pending: any hypercall makes Xen deliver it
 * on the way back to the guest; xen_version(0) does nothing else. The
 * irq_enable body calls it through the thunk below, which saves every
 * register the body may not clobber (exported in irq-asm.S).
 */
noinstr void xen_irq_check_events(void)
{
	xen_pvstat_inc(irq, event_check_hypercalls);
	(void)HYPERVISOR_xen_version(0, NULL);
}

__PV_CALLEE_SAVE_REGS_THUNK(xen_irq_check_events, ".noinstr.text");

/* safe_halt: wait for an event. Blocking unmasks events, as sti; hlt does. */
static void xen_irq_safe_halt(void)
{
	xen_pvstat_inc(irq, block);
	WARN_ON_ONCE(HYPERVISOR_sched_op(SCHEDOP_block, NULL));
}

/* halt: with events masked no event could wake the vCPU: take it down. */
static void xen_irq_halt(void)
{
	if (!irqs_disabled()) {
		xen_irq_safe_halt();
		return;
	}
	xen_pvstat_inc(irq, halt);
	HYPERVISOR_vcpu_op(VCPUOP_down, xen_vcpu_nr(smp_processor_id()), NULL);
}

void __init xen_init_irq_ops(void)
{
	/*
	 * Early boot runs with events masked and without a vcpu_info of its
	 * own: the flags read "off", masking changes nothing and unmasking
	 * would be a bug, until xen_irq_setup_direct().
	 */
	pv_ops.irq.save_fl = __PV_IS_CALLEE_SAVE(paravirt_ret0);
	pv_ops.irq.irq_disable = __PV_IS_CALLEE_SAVE(paravirt_nop);
	pv_ops.irq.irq_enable = __PV_IS_CALLEE_SAVE(paravirt_BUG);
	pv_ops.irq.safe_halt = xen_irq_safe_halt;
	pv_ops.irq.halt = xen_irq_halt;
	x86_init.irqs.intr_init = xen_init_IRQ;
}

static bool xen_inline_irq __initdata = true;

static int __init xen_inline_irq_param(char *arg)
{
	xen_onoff_param("xen_inline_irq", arg, &xen_inline_irq);
	return 0;
}
early_param("xen_inline_irq", xen_inline_irq_param);

/*
 * Called once every CPU's vcpu_info is its xen_vcpu_info, before the
 * alternatives are applied.
 */
void __init xen_irq_setup_direct(void)
{
	pv_ops.irq.save_fl = __PV_IS_CALLEE_SAVE(xen_save_fl_direct);
	pv_ops.irq.irq_disable = __PV_IS_CALLEE_SAVE(xen_irq_disable_direct);
	pv_ops.irq.irq_enable = __PV_IS_CALLEE_SAVE(xen_irq_enable_direct);
	if (xen_inline_irq)
		setup_force_cpu_cap(X86_FEATURE_XENPV_INLINE_IRQ);
}

enum { XEN_IRQ_SAVE_FL, XEN_IRQ_DISABLE, XEN_IRQ_ENABLE, XEN_IRQ_OPS };

static const char * const xen_irq_op_names[XEN_IRQ_OPS] = {
	"save_fl", "irq_disable", "irq_enable",
};

/* The kernel's irq-flag sites by operation: [op][0] inline, [op][1] call. */
static unsigned int xen_irq_sites[XEN_IRQ_OPS][2] __ro_after_init;

/* Sites of the kernel image only; a module's are patched when it loads. */
static int __init xen_irq_count_sites(void)
{
	const u8 len[XEN_IRQ_OPS] = {
		xen_save_fl_direct_len, xen_irq_disable_direct_len,
		xen_irq_enable_direct_len,
	};
	bool inl = boot_cpu_has(X86_FEATURE_XENPV_INLINE_IRQ);
	struct alt_instr *a;
	int op;

	if (!xen_pv_domain())
		return 0;
	if (len[0] == len[1] || len[1] == len[2] || len[0] == len[2]) {
		pr_warn("bodies of equal length (%u, %u, %u): sites not counted\n",
			len[0], len[1], len[2]);
		return 0;
	}
	for (a = __alt_instructions; a < __alt_instructions_end; a++) {
		if (a->cpuid != X86_FEATURE_XENPV_INLINE_IRQ)
			continue;
		for (op = 0; op < XEN_IRQ_OPS; op++)
			if (a->replacementlen == len[op])
				xen_irq_sites[op][!inl]++;
	}
	pr_info("irq-flag sites: %u save_fl, %u irq_disable, %u irq_enable, %s\n",
		xen_irq_sites[0][!inl], xen_irq_sites[1][!inl],
		xen_irq_sites[2][!inl],
		inl ? "bodies inline" : "direct calls (xen_inline_irq=off)");
	return 0;
}
early_initcall(xen_irq_count_sites);

#ifdef CONFIG_XEN_DEBUG_FS
static int xen_irq_sites_show(struct seq_file *m, void *v)
{
	int op;

	seq_printf(m, "%-12s %8s %8s\n", "op", "inline", "call");
	for (op = 0; op < XEN_IRQ_OPS; op++)
		seq_printf(m, "%-12s %8u %8u\n", xen_irq_op_names[op],
			   xen_irq_sites[op][0], xen_irq_sites[op][1]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xen_irq_sites);

/* xen/irq/sites: the counts above. */
static int __init xen_irq_debugfs_init(void)
{
	if (xen_pv_domain())
		debugfs_create_file("sites", 0444, xen_debugfs_dir("irq"), NULL,
				    &xen_irq_sites_fops);
	return 0;
}
fs_initcall(xen_irq_debugfs_init);
#endif

#ifdef CONFIG_XEN_PVPERF_KUNIT_TEST
#include "irq-test.h"
#endif
