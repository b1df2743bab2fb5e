/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ptep_set_wrprotect() and ptep_get_and_clear() sites call on a
 * Xen PV guest (asm/paravirt.h): one thunk per register that can hold the
 * PTE pointer, so that the native site keeps the register the compiler
 * chose. A thunk saves the registers the C function may clobber, but the
 * one the site returns in, and calls xen_ptep_set_wrprotect() or
 * xen_ptep_get_and_clear() (mmu_pte.c) with the pointer and the site's
 * return address, which xen/mmu/pte_hypercall_callers names.
 */
#include <linux/linkage.h>
#include <asm/frame.h>

/* name_reg: fn(%reg, caller); %rax is saved unless fn returns in it. */
.macro XEN_PTE_THUNK name, fn, reg, keep_rax
SYM_FUNC_START(\name\()_\reg)
	.if \keep_rax
	push %rax
	.endif
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	.ifnc \reg, rdi
	mov %\reg, %rdi
	.endif
	mov \keep_rax * 8 + 64(%rsp), %rsi
	FRAME_BEGIN
	call \fn
	FRAME_END
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	.if \keep_rax
	pop %rax
	.endif
	RET
SYM_FUNC_END(\name\()_\reg)
.endm

.irp reg, rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
XEN_PTE_THUNK __xen_ptep_set_wrprotect, xen_ptep_set_wrprotect, \reg, 1
.endr

/* The site returns the PTE in %rax: the pointer is in another register. */
.irp reg, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
XEN_PTE_THUNK __xen_ptep_get_and_clear, xen_ptep_get_and_clear, \reg, 0
.endr
