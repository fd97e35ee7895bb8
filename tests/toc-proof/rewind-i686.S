/* proof_rewind for i386: what jmpdefer will do, in a few lines.  Every
   odd call returns to the call instruction itself, every even call
   returns normally.  %ebx (the caller's GOT pointer for "call f@PLT") is
   callee-saved and left alone, so the re-executed call still works.  */
	.text
	.globl	proof_rewind
	.type	proof_rewind, @function
proof_rewind:
	call	.Lpc				# %ecx = our GOT (PIC, no %ebx needed)
.Lpc:	popl	%ecx
	addl	$_GLOBAL_OFFSET_TABLE_+[.-.Lpc], %ecx
	movl	proof_calls@GOT(%ecx), %eax	# our counter
	movl	(%eax), %ecx
	addl	$1, %ecx
	movl	%ecx, (%eax)
	testb	$1, %cl
	jz	1f				# even call: a plain return
	movl	(%esp), %edx			# the return address
	movl	$6, %ecx			# ff 15 abs32: call *SYM@GOT, or
	cmpb	$0xe8, -5(%edx)			# 67 e8 rel32: the same relaxed by ld to a
	jne	2f				# local symbol (addr32 call SYM)
	cmpb	$0x67, -6(%edx)			# (a 5-byte call has the nop there)
	je	2f
	movl	$5, %ecx			# e8 rel32: call SYM / SYM@PLT
2:	subl	%ecx, %edx			# the call instruction
	cmpb	$0x90, -1(%edx)			# the pairing: nop right before it
	jne	3f
	movl	%edx, (%esp)			# rewind
1:	ret
3:	ud2
	.size	proof_rewind, .-proof_rewind

	.bss
	.globl	proof_calls
	.type	proof_calls, @object
	.size	proof_calls, 4
	.p2align 2
proof_calls:
	.zero	4
	.section .note.GNU-stack,"",@progbits
