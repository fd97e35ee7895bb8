/* i386: the registration entry points called by every module's stub.
 *
 * As in the seed's runtime.addmoduledata, the module data pointer arrives
 * in %eax, not on the stack: the stub has no frame to pass it in.  Each
 * entry point moves it to the cdecl argument slot and calls C. */
	.text

	.globl	modlink_addmoduledata
	.type	modlink_addmoduledata, @function
	.balign	16
modlink_addmoduledata:
	pushl	%ebp
	movl	%esp, %ebp
	andl	$-16, %esp		/* GCC's i386 ABI: %esp 16-byte aligned at a call */
	subl	$12, %esp
	pushl	%eax			/* the one cdecl argument */
	call	modlink__register	/* hidden: direct, needs no GOT in %ebx */
	leave				/* %ebx, %esi, %edi are callee-saved in C */
	ret
	.size	modlink_addmoduledata, .-modlink_addmoduledata

	.globl	modlink_delmoduledata
	.type	modlink_delmoduledata, @function
	.balign	16
modlink_delmoduledata:
	pushl	%ebp
	movl	%esp, %ebp
	andl	$-16, %esp
	subl	$12, %esp
	pushl	%eax
	call	modlink__deregister
	leave
	ret
	.size	modlink_delmoduledata, .-modlink_delmoduledata

	.section .note.GNU-stack,"",@progbits
