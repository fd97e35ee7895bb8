/* proof_rewind for powerpc64le (ELFv2): what jmpdefer will do, in a few
   lines.  Every odd call returns to "return address - 8", the pairing's
   ld 2,24(1), with r2 still holding *this* module's TOC, exactly as a
   deferred function from another module would; every even call returns
   normally.  Only the caller's pairing puts its own TOC back in r2.  */
	.abiversion 2
	.text
	.globl	proof_rewind
	.type	proof_rewind, @function
	.p2align 4
proof_rewind:
0:	addis	2,12,.TOC.-0b@ha		# global entry: r2 = our TOC, from r12
	addi	2,2,.TOC.-0b@l
	.localentry proof_rewind, .-proof_rewind
	addis	9,2,proof_calls@got@ha		# our counter, through our GOT
	ld	9,proof_calls@got@l(9)		# (it may be copied into the executable)
	ld	10,0(9)
	addi	10,10,1
	std	10,0(9)
	andi.	10,10,1
	beqlr	0				# even call: a plain return
	mflr	11
	addi	11,11,-8			# return address - 8 (not r0: addi 0 reads as 0)
	mtlr	11
	blr					# "return" there, r2 = our TOC
	.size	proof_rewind, .-proof_rewind

	.bss
	.globl	proof_calls
	.type	proof_calls, @object
	.size	proof_calls, 8
	.p2align 3
proof_calls:
	.zero	8
	.section .note.GNU-stack,"",@progbits
