/* proof_rewind for x86_64: what jmpdefer will do, in a few lines, before
   any defer runtime exists.  Every odd call returns to the call
   instruction itself ("return address - length of the call"), so the
   caller executes the call again; every even call returns normally.
   It refuses (ud2) a call site without the pairing's nop.  */
	.text
	.globl	proof_rewind
	.type	proof_rewind, @function
proof_rewind:
	movq	proof_calls@GOTPCREL(%rip), %rax	# our counter, through our GOT
	movq	(%rax), %rcx
	addq	$1, %rcx
	movq	%rcx, (%rax)
	testb	$1, %cl
	jz	1f				# even call: a plain return
	movq	(%rsp), %rdx			# the return address
	movl	$6, %ecx			# ff 15 rel32: call *SYM@GOTPCREL(%rip), or
	cmpb	$0xe8, -5(%rdx)			# 67 e8 rel32: the same relaxed by ld to a
	jne	2f				# local symbol (addr32 call SYM)
	cmpb	$0x67, -6(%rdx)			# (a 5-byte call has the nop there)
	je	2f
	movl	$5, %ecx			# e8 rel32: call SYM / SYM@PLT
2:	subq	%rcx, %rdx			# the call instruction
	cmpb	$0x90, -1(%rdx)			# the pairing: nop right before it
	jne	3f
	movq	%rdx, (%rsp)			# rewind
1:	ret
3:	ud2
	.size	proof_rewind, .-proof_rewind

	.bss
	.globl	proof_calls
	.type	proof_calls, @object
	.size	proof_calls, 8
	.p2align 3
proof_calls:
	.zero	8
	.section .note.GNU-stack,"",@progbits
