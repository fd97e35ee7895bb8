/* arm (EABI, hard float): modlink_deferreturn, and the jmpdefer step.
 *
 * The plugin calls it as "nop ; bl modlink_deferreturn" at every return of
 * a deferring function F, with F's frame word in r0.  F may be Thumb-2 or
 * ARM code: its bl (blx once ld saw that we are Thumb, or that the PLT
 * entry is ARM) is 4 bytes either way.  Each entry asks C for F's next
 * deferred call; if there is one, we branch to it with LR rewound by 4, to
 * the bl, as Go's jmpdefer did.  LR keeps bit 0: odd when F is Thumb, so
 * the deferred function's return (bx lr, or pop {pc}, which interworks on
 * Armv5T and later) goes back to F's instruction set.  We reach the
 * deferred function with bx, so it may be of either set too.  SP is the
 * same on every entry and does not grow with the number of deferred calls.
 * The deferred-call record's offsets come from runtime/defer-record.h,
 * which defer.c checks against its struct.
 *
 * Unwinding: EHABI (.ARM.exidx) for C++ exceptions and _Unwind_Backtrace,
 * and CFI for debuggers.  Neither ever sees this frame while a deferred
 * function runs: its return address is F's. */
#include "defer-record.h"

	.syntax	unified
	.thumb
	.text
	.globl	modlink_deferreturn
	.type	modlink_deferreturn, %function
	.p2align 2
	.thumb_func
modlink_deferreturn:
	.fnstart
	.cfi_startproc
	.save	{r4, lr}
	push	{r4, lr}		/* LR across the C call; r4 keeps SP 8-aligned (AAPCS) */
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset r4, 0
	.cfi_rel_offset lr, 4
	mov	r1, lr			/* arg 2: our return address, Thumb bit and all */
	add	r2, sp, #8		/* arg 3: the paired call's SP (bl pushes nothing) */
	movs	r3, #1			/* arg 4: no TOC here, so F's last call may
					   return straight to our return address */
					/* arg 1: r0, the frame word, as we got it */
	bl	modlink__deferreturn_next	/* hidden: direct, no PLT */
	pop	{r4, lr}
	.cfi_adjust_cfa_offset -8
	.cfi_restore r4
	.cfi_restore lr
	cbz	r0, 1f			/* no call left: return to F */
	ldr	r3, [r0, #MODLINK_DEFERRED_LAST]	/* F's last call? */
	ldr	ip, [r0, #MODLINK_DEFERRED_FN]		/* its function (bit 0: Thumb) */
	ldr	r0, [r0, #MODLINK_DEFERRED_ARG]		/* its argument */
	cbnz	r3, 3f			/* last: it returns where we would have */
	sub	lr, lr, #4		/* rewind: it returns to the bl; bit 0 stays */
3:	bx	ip			/* its frame replaces ours; bx picks its set */
1:	bx	lr
	.cfi_endproc
	.fnend
	.size	modlink_deferreturn, .-modlink_deferreturn

	.section .note.GNU-stack,"",%progbits
