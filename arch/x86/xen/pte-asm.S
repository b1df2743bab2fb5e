/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ptep_set_wrprotect(), ptep_get_and_clear() and
 * ptep_modify_prot_commit() sites call on a Xen PV guest
 * (asm/paravirt.h): one thunk per register that can hold the PTE
 * pointer, so that the native site keeps the register the compiler
 * chose. A thunk saves the registers the C function may clobber, but
 * %rax where the site lets it (it returns the PTE there, or the commit
 * passes the new PTE there), and calls xen_ptep_set_wrprotect(),
 * xen_ptep_get_and_clear() or xen_ptep_modify_prot_commit() (mmu_pte.c)
 * with the pointer, the new PTE for the commit, and the site's return
 * address, which xen/mmu/pte_hypercall_callers names.
 */
#include <linux/linkage.h>
#include <asm/frame.h>

/*
 * name_reg: fn(%reg, caller), or with pte set fn(%reg, %rax, caller);
 * %rax is saved if keep_rax is set.
 */
.macro XEN_PTE_THUNK name, fn, reg, keep_rax, pte=0
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
	.if \pte
	mov %rax, %rsi
	mov \keep_rax * 8 + 64(%rsp), %rdx
	.else
	mov \keep_rax * 8 + 64(%rsp), %rsi
	.endif
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

/* The new PTE is in %rax, which the site lets the thunk clobber. */
.irp reg, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15
XEN_PTE_THUNK __xen_ptep_modify_prot_commit, xen_ptep_modify_prot_commit, \reg, 0, 1
.endr
