/* riscv64: modlink_deferreturn, and the jmpdefer step.
 *
 * The plugin calls it as "nop ; call modlink_deferreturn" at every return
 * of a deferring function F, with F's frame word in a0.  Each entry asks
 * C for F's next deferred call; if there is one, we jump to it with ra
 * rewound to the call, so that the deferred function "returns" into the
 * call, which runs us again.  sp is the same on every entry and does not
 * grow with the number of deferred calls.
 *
 * The call is auipc+jalr (8 bytes) or, where ld relaxed it, jal (4
 * bytes); the rewind reads which from the code (runtime-asm/
 * call-forms-riscv.h).  The deferred-call record's offsets come from
 * runtime/defer-record.h, which defer.c checks against its struct.
 *
 * MODLINK_NEGATIVE_CONTROL_REWIND=N: the tests' negative controls
 * (tests/defer/CMakeLists.txt) build this file with a fixed rewind of N
 * bytes instead, and see it fail on the link whose form it misses. */
#include "call-forms-riscv.h"
#include "defer-record.h"

	.text
	.globl	modlink_deferreturn
	.type	modlink_deferreturn, @function
	.balign	4
modlink_deferreturn:
	.cfi_startproc
	addi	sp, sp, -16		/* psABI: sp stays 16-byte aligned */
	.cfi_def_cfa_offset 16
	sd	ra, 8(sp)
	.cfi_offset ra, -8
	mv	a1, ra			/* arg 2: our return address */
	addi	a2, sp, 16		/* arg 3: the paired call's sp */
	li	a3, 1			/* arg 4: no TOC here, so F's last call may
					   return straight to our return address */
					/* arg 1: a0, the frame word, as we got it */
	call	modlink__deferreturn_next	/* hidden: a direct call */
	ld	ra, 8(sp)
	.cfi_restore ra
	addi	sp, sp, 16
	.cfi_def_cfa_offset 0
	beqz	a0, 1f			/* no call left: return to F */
	ld	t0, MODLINK_DEFERRED_FN(a0)	/* its function: t0, call-clobbered */
	ld	t1, MODLINK_DEFERRED_LAST(a0)	/* F's last call? */
	ld	a0, MODLINK_DEFERRED_ARG(a0)	/* its argument */
	bnez	t1, 3f			/* last: it returns where we would have */
#ifndef MODLINK_NEGATIVE_CONTROL_REWIND
	MODLINK_RISCV_REWIND ra, ra, t1	/* rewind: it returns into the call */
#else
	addi	ra, ra, -MODLINK_NEGATIVE_CONTROL_REWIND
#endif
3:	jr	t0			/* its frame replaces ours */
1:	ret
	.cfi_endproc
	.size	modlink_deferreturn, .-modlink_deferreturn

	.section .note.GNU-stack,"",@progbits
