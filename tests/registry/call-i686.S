/* test_addmoduledata(md), test_delmoduledata(md): the registration entry
   points called from C with the stub's convention (i386: md in %eax, the
   GOT in %ebx for the PLT call). */
	.text
	.macro	entry name, target
	.globl	\name
	.type	\name, @function
\name:
	pushl	%ebx
	call	1f
1:	popl	%ebx
	addl	$_GLOBAL_OFFSET_TABLE_+[.-1b], %ebx
	movl	8(%esp), %eax		/* md: above the saved %ebx and the return address */
	call	\target@PLT
	popl	%ebx
	ret
	.size	\name, .-\name
	.endm
	entry	test_addmoduledata, modlink_addmoduledata
	entry	test_delmoduledata, modlink_delmoduledata
	.section .note.GNU-stack,"",@progbits
