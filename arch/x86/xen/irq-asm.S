/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The direct irq-flag functions of a Xen PV guest: what the pv_ops call
 * sites call with xen_inline_irq=off, and before the alternatives are
 * applied. Each is its body and a return; the bodies are those of the
 * call sites, written as strings in asm/xen/irqflags.h. In .rodata,
 * NAME_len is the body's length, by which xen_irq_count_sites() (irq.c)
 * tells a site's operation, and NAME_body where it starts, which the
 * KUnit suite compares with the sites. See Documentation/xen/pv-irq.rst.
 */
#include <linux/linkage.h>
#include <asm/export.h>
#include <asm/frame.h>
#include <asm/percpu.h>
#include <asm/processor-flags.h>
#include <asm/xen/irqflags.h>

/* %rax = X86_EFLAGS_IF while events are unmasked, 0 while masked. */
.macro XEN_PV_SAVE_FL
	cmpb $1, PER_CPU_VAR(xen_vcpu_info) + XEN_VCPU_INFO_MASK
	sbb %eax, %eax
	and $(1 << X86_EFLAGS_IF_BIT), %eax
.endm

.macro XEN_PV_IRQ_DISABLE
	movb $1, PER_CPU_VAR(xen_vcpu_info) + XEN_VCPU_INFO_MASK
.endm

/* Unmask; enter Xen only if an event came while masked. */
.macro XEN_PV_IRQ_ENABLE
	movb $0, PER_CPU_VAR(xen_vcpu_info) + XEN_VCPU_INFO_MASK
	testb $0xff, PER_CPU_VAR(xen_vcpu_info) + XEN_VCPU_INFO_PENDING
	jz 1f
	call __raw_callee_save_xen_irq_check_events
1:
.endm

.macro XEN_PV_IRQ_DIRECT name, body
	.pushsection .noinstr.text, "ax"
SYM_FUNC_START(\name)
	FRAME_BEGIN
.L\name\()_body:
	\body
.L\name\()_end:
	FRAME_END
	RET
SYM_FUNC_END(\name)
	.popsection
	.pushsection .rodata, "a"
SYM_DATA(\name\()_len, .byte .L\name\()_end - .L\name\()_body)
SYM_DATA(\name\()_body, .quad .L\name\()_body)
	.popsection
.endm

XEN_PV_IRQ_DIRECT xen_save_fl_direct, XEN_PV_SAVE_FL
XEN_PV_IRQ_DIRECT xen_irq_disable_direct, XEN_PV_IRQ_DISABLE
XEN_PV_IRQ_DIRECT xen_irq_enable_direct, XEN_PV_IRQ_ENABLE

/*
 * What the irq_enable body calls when an event is pending: the register
 * saving thunk of xen_irq_check_events() (irq.c). Modules' sites call it
 * too.
 */
EXPORT_SYMBOL(__raw_callee_save_xen_irq_check_events)
