/* proof_rewind for powerpc64 (ELFv1): what jmpdefer will do, in a few
   lines.  Every odd call returns to "return address - 8", the pairing's
   ld 2,40(1), with r2 still holding *this* module's TOC, exactly as a
   deferred function from another module would; every even call returns
   normally.  Only the caller's pairing puts its own TOC back in r2.  */
	.section ".opd","aw"
	.balign	8
	.globl	proof_rewind
	.type	proof_rewind, @function
proof_rewind:
	.quad	.L.proof_rewind, .TOC.@tocbase, 0	# ELFv1 descriptor: the caller
	.text						# loads r2 = our TOC from it
	.p2align 4
.L.proof_rewind:
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
	.size	proof_rewind, .-.L.proof_rewind

	.bss
	.globl	proof_calls
	.type	proof_calls, @object
	.size	proof_calls, 8
	.p2align 3
proof_calls:
	.zero	8
	.section .note.GNU-stack,"",@progbits
