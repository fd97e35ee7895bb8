/* proof_rewind for riscv64: what jmpdefer does, in a few lines, without
   the rest of the defer runtime: the rewind is the runtime's own
   (MODLINK_RISCV_REWIND), which tells a relaxed call (jal, 4 bytes) from
   an unrelaxed one (auipc + jalr, 8 bytes).  Every odd call returns to
   the call itself, so the caller executes the call again; every even
   call returns normally.  It refuses (unimp) a call site without the
   pairing's nop, c.nop (0001) or nop (00000013), right before the call.
   MODLINK_NEGATIVE_CONTROL_REWIND=N rewinds a fixed N bytes instead: the
   negative controls (tests/toc-proof/CMakeLists.txt) see that fail on
   the link whose call form it misses.  */
#include "call-forms-riscv.h"	/* the call forms and their rewind */

	.text
	.globl	proof_rewind
	.type	proof_rewind, @function
	.balign	4
proof_rewind:
	la	t0, proof_calls			# our counter, through our GOT
	ld	t1, 0(t0)			# (it may be copied into the executable)
	addi	t1, t1, 1
	sd	t1, 0(t0)
	andi	t1, t1, 1
	beqz	t1, 1f				# even call: a plain return
#ifndef MODLINK_NEGATIVE_CONTROL_REWIND
	MODLINK_RISCV_REWIND ra, t0, t1		# the call, as the runtime finds it
#else
	addi	t0, ra, -MODLINK_NEGATIVE_CONTROL_REWIND
#endif
	lhu	t1, -2(t0)			# the pairing: c.nop right before it,
	li	t2, MODLINK_RISCV_C_NOP
	beq	t1, t2, 2f
	bnez	t1, 3f				# or nop: 0013 0000, low half first
	lhu	t1, -4(t0)
	li	t2, MODLINK_RISCV_NOP
	bne	t1, t2, 3f
2:	mv	ra, t0				# rewind
1:	ret
3:	unimp
	.size	proof_rewind, .-proof_rewind

	.bss
	.globl	proof_calls
	.type	proof_calls, @object
	.size	proof_calls, 8
	.p2align 3
proof_calls:
	.zero	8
	.section .note.GNU-stack,"",@progbits
