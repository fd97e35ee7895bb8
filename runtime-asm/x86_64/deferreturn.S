/* x86_64: modlink_deferreturn, and the jmpdefer step.
 *
 * The plugin calls it as "nop ; call modlink_deferreturn" at every return
 * of a deferring function F, with F's frame word in %rdi.  Each entry asks
 * C for F's next deferred call; if there is one, we jump to it with our
 * return address rewound to that call instruction, so the deferred
 * function "returns" into the call, which runs us again.  The stack
 * pointer is the same on every entry, and does not grow with the number
 * of deferred calls.
 *
 * The call forms, and how the rewind tells their lengths apart by the
 * bytes before the return address, are x86's one table:
 * runtime-asm/call-forms-i386.h.  The deferred-call record's offsets come
 * from runtime/defer-record.h, which defer.c checks against its struct.
 *
 * CET: a rewound return is exactly what a shadow stack exists to stop.
 * This object therefore carries no .note.gnu.property: the linker ANDs the
 * x86 features of its inputs, so nothing linked with it is marked SHSTK
 * (nor IBT), and the loader leaves shadow stacks off.  Do not link it with
 * -z shstk.  */
#include "call-forms-i386.h"
#include "defer-record.h"

	.text
	.globl	modlink_deferreturn
	.type	modlink_deferreturn, @function
	.balign	16
modlink_deferreturn:
	.cfi_startproc
	movq	(%rsp), %rsi		/* arg 2: our return address */
	leaq	8(%rsp), %rdx		/* arg 3: the paired call's %rsp */
	movl	$1, %ecx		/* arg 4: no TOC here, so F's last call may
					   return straight to our return address */
					/* arg 1: %rdi, the frame word, as we got it */
	subq	$8, %rsp		/* SysV: %rsp 16-byte aligned at the call */
	.cfi_adjust_cfa_offset 8
	call	modlink__deferreturn_next	/* hidden: a direct call */
	addq	$8, %rsp
	.cfi_adjust_cfa_offset -8
	testq	%rax, %rax
	jz	1f			/* no call left: return to F */
	movq	MODLINK_DEFERRED_ARG(%rax), %rdi	/* the deferred call's argument */
	cmpq	$0, MODLINK_DEFERRED_LAST(%rax)		/* F's last call? */
	movq	MODLINK_DEFERRED_FN(%rax), %rax		/* its function */
	jne	3f			/* last: it returns where we would have */
	movq	(%rsp), %rcx
	MODLINK_X86_REWIND %rcx, %rdx	/* the paired call's address */
	movq	%rdx, (%rsp)		/* rewind: it returns into the call */
3:	jmp	*%rax			/* its frame replaces ours */
1:	ret
	.cfi_endproc
	.size	modlink_deferreturn, .-modlink_deferreturn

	.section .note.GNU-stack,"",@progbits
