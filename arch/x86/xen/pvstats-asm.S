/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypercall entry of a PV guest while the statistics count.
 *
 * Every hypercall of the kernel goes through the static call xen_hypercall.
 * While counting is on it points here (see debugfs.c): count the hypercall
 * by number in the "direct" row of xen_pvstats_calls, then make it through
 * xen_hypercall_pv. While counting is off it points at xen_hypercall_pv
 * itself, so the hypercall sites carry no counting code at all.
 *
 * set_segment_base is not counted: the kernel issues it while its GS base,
 * and with it every per-cpu access, may be invalid (load_percpu_segment()
 * on a CPU coming up).
 *
 * Input and output as xen_hypercall_pv: %eax the hypercall number, %rdi,
 * %rsi, %rdx, %r10, %r8 its arguments; %rcx and %r11 preserved.
 */
#include <asm/percpu.h>
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <xen/interface/xen.h>
#include <xen/pvstats.h>

.pushsection .noinstr.text, "ax"
SYM_FUNC_START(xen_hypercall_pv_counted)
	ANNOTATE_NOENDBR
	cmpl $__HYPERVISOR_set_segment_base, %eax
	je 1f
	cmpl $XEN_PVSTATS_NR_HYPERCALLS, %eax
	jae 1f
	push %r11
	movl %eax, %r11d
	incq PER_CPU_VAR(xen_pvstats_calls)(, %r11, 8)
	pop %r11
1:	jmp xen_hypercall_pv
SYM_FUNC_END(xen_hypercall_pv_counted)
.popsection
