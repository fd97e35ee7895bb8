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
 * The call forms (see gcc-plugin/target-i386.cc), told apart by their
 * bytes before the return address:
 *   e8 rel32         call SYM, call SYM@PLT                       5 bytes
 *   67 e8 rel32      addr32 call SYM (ld's relaxation of the next)  6 bytes
 *   ff 15 disp32     call *SYM@GOTPCREL(%rip)  (-fno-plt)           6 bytes
 * In the third, byte -5 is the ModRM 0x15, never 0xe8.
 *
 * CET: a rewound return is exactly what a shadow stack exists to stop.
 * This object therefore carries no .note.gnu.property: the linker ANDs the
 * x86 features of its inputs, so nothing linked with it is marked SHSTK
 * (nor IBT), and the loader leaves shadow stacks off.  Do not link it with
 * -z shstk.  */
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
	movq	8(%rax), %rdi		/* the deferred call's argument */
	cmpq	$0, 16(%rax)		/* F's last call? */
	movq	(%rax), %rax		/* its function */
	jne	3f			/* last: it returns where we would have */
	movq	(%rsp), %rcx
	leaq	-6(%rcx), %rdx		/* 6-byte forms by default */
	cmpb	$0xe8, -5(%rcx)
	jne	2f
	cmpb	$0x67, -6(%rcx)
	je	2f
	leaq	-5(%rcx), %rdx		/* e8 rel32 without a prefix */
2:	movq	%rdx, (%rsp)		/* rewind: it returns into the call */
3:	jmp	*%rax			/* its frame replaces ours */
1:	ret
	.cfi_endproc
	.size	modlink_deferreturn, .-modlink_deferreturn

	.section .note.GNU-stack,"",@progbits
