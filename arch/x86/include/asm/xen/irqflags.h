/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_XEN_IRQFLAGS_H
#define _ASM_X86_XEN_IRQFLAGS_H

/*
 * The bodies of the Xen PV irq-flag operations. A PV guest's interrupts
 * are Xen's event upcalls, turned off by the evtchn_upcall_mask byte of
 * its vcpu_info and announced by evtchn_upcall_pending. Each CPU's
 * vcpu_info is the per-CPU xen_vcpu_info (registered with Xen by
 * xen_vcpu_setup()), so a body reaches it %gs-relative with an absolute
 * offset and runs unchanged wherever it is copied: into every
 * local_irq_save(), local_irq_disable() and local_irq_enable() site
 * (X86_FEATURE_XENPV_INLINE_IRQ), and into the direct functions the
 * sites call with xen_inline_irq=off (arch/x86/xen/irq-asm.S). Only %rax
 * and the flags change. See Documentation/xen/pv-irq.rst.
 *
 * Each body is written twice: below as a string for the call sites, and
 * as an assembler macro in irq-asm.S for the direct functions; the KUnit
 * suite xen_irq checks that a site and its direct function hold the same
 * bytes.
 */

/* Offsets in struct vcpu_info (Xen's ABI; checked in irq.c). */
#define XEN_VCPU_INFO_PENDING	0
#define XEN_VCPU_INFO_MASK	1

#ifndef __ASSEMBLY__

#include <linux/stringify.h>
#include <asm/processor-flags.h>

#define XEN_VCPU_MASK	"%%gs:xen_vcpu_info + " __stringify(XEN_VCPU_INFO_MASK)
#define XEN_VCPU_PENDING "%%gs:xen_vcpu_info + " __stringify(XEN_VCPU_INFO_PENDING)

/* %rax = X86_EFLAGS_IF while events are unmasked, 0 while masked. */
#define XEN_PV_SAVE_FL							\
	"cmpb $1, " XEN_VCPU_MASK ";"					\
	"sbb %%eax, %%eax;"						\
	"and $(1 << " __stringify(X86_EFLAGS_IF_BIT) "), %%eax;"

#define XEN_PV_IRQ_DISABLE						\
	"movb $1, " XEN_VCPU_MASK ";"

/*
 * Unmask, then enter Xen only if an event came while masked: Xen delivers
 * it on the way back from the event check. An event that comes after the
 * test is delivered at once, as events are unmasked by then.
 */
#define XEN_PV_IRQ_ENABLE						\
	"movb $0, " XEN_VCPU_MASK ";"					\
	"testb $0xff, " XEN_VCPU_PENDING ";"				\
	"jz 1f;"							\
	"call __raw_callee_save_xen_irq_check_events;"			\
	"1:"

#endif /* !__ASSEMBLY__ */

#endif /* _ASM_X86_XEN_IRQFLAGS_H */
