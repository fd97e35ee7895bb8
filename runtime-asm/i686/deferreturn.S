/* i386: modlink_deferreturn, and the jmpdefer step.
 *
 * The plugin calls it as "nop ; call modlink_deferreturn" at every return
 * of a deferring function F, with the address of F's frame word as its one
 * cdecl argument.  That argument slot is what the deferred function gets
 * as its own: arguments live on the stack, and a call without one would
 * leave the deferred function none to own (Go's deferreturn had a dummy
 * argument for this).  Each entry asks C for F's next deferred call; if
 * there is one, we store its argument in the slot and jump to it with our
 * return address rewound to the call instruction, so that it "returns"
 * into the call, which runs us again with the same %esp.
 *
 * The call forms, and how the rewind tells their lengths apart by the
 * bytes before the return address, are x86's one table:
 * runtime-asm/call-forms-i386.h.  A PIC call goes through the PLT with
 * the GOT in %ebx, callee-saved, so the rewound call finds it again.  The
 * deferred-call record's offsets come from runtime/defer-record.h, which
 * defer.c checks against its struct.
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
	pushl	%ebp
	.cfi_adjust_cfa_offset 4
	.cfi_rel_offset %ebp, 0
	movl	%esp, %ebp
	.cfi_def_cfa_register %ebp
	andl	$-16, %esp		/* %esp 16-byte aligned at the call */
	pushl	$1			/* arg 4: no TOC here, so F's last call may
					   return straight to our return address */
	leal	8(%ebp), %eax
	pushl	%eax			/* arg 3: the paired call's %esp */
	pushl	4(%ebp)			/* arg 2: our return address */
	pushl	8(%ebp)			/* arg 1: the frame word (first entry only) */
	call	modlink__deferreturn_next	/* hidden: direct, no GOT in %ebx */
	leave				/* %ebx, %esi, %edi: callee-saved in C */
	.cfi_def_cfa %esp, 4
	.cfi_restore %ebp
	testl	%eax, %eax
	jz	1f			/* no call left: return to F */
	movl	MODLINK_DEFERRED_ARG(%eax), %ecx
	movl	%ecx, 4(%esp)		/* the deferred call's argument, in the slot */
	cmpl	$0, MODLINK_DEFERRED_LAST(%eax)		/* F's last call? */
	movl	MODLINK_DEFERRED_FN(%eax), %eax		/* its function */
	jne	3f			/* last: it returns where we would have */
	movl	(%esp), %ecx
	MODLINK_X86_REWIND %ecx, %edx	/* the paired call's address */
	movl	%edx, (%esp)		/* rewind: it returns into the call */
3:	jmp	*%eax			/* its frame replaces ours */
1:	ret
	.cfi_endproc
	.size	modlink_deferreturn, .-modlink_deferreturn

	.section .note.GNU-stack,"",@progbits
