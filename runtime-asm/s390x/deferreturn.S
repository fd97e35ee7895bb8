/* s390x: modlink_deferreturn, and the jmpdefer step.
 *
 * The plugin calls it as "nop ; brasl %r14,modlink_deferreturn" at every
 * return of a deferring function F, with F's frame word in %r2.  Each
 * entry asks C for F's next deferred call; if there is one, we jump to it
 * with %r14 rewound by 6, the length of the brasl, as Go's jmpdefer did:
 * the deferred function returns to the brasl, which runs us again.  The
 * call form is fixed (the plugin allows no other), so the distance is.
 * %r15 is F's on every entry and does not grow with the number of
 * deferred calls.  The deferred-call record's offsets come from
 * runtime/defer-record.h, which defer.c checks against its struct.
 *
 * The ABI: F, our caller, provided the 160-byte register save area at
 * 0(%r15); a callee stores %r6-%r15 at 48..159 of it, %r14 at 112.  The
 * CFA at entry is %r15 + 160 (the CIE says so), so that slot is CFA - 48.
 * We make the same 160-byte area for the C function we call. */
#include "defer-record.h"

	.text
	.globl	modlink_deferreturn
	.type	modlink_deferreturn, %function
	.balign	8
modlink_deferreturn:
	.cfi_startproc
	stg	%r14, 112(%r15)		/* our return address, in F's save area */
	.cfi_offset %r14, -48
	lgr	%r3, %r14		/* arg 2: our return address */
	lgr	%r4, %r15		/* arg 3: the paired call's %r15 */
	lghi	%r5, 1			/* arg 4: no TOC here, so F's last call may
					   return straight to our return address */
					/* arg 1: %r2, the frame word, as we got it */
	aghi	%r15, -160		/* the callee's save area; 8-byte aligned */
	.cfi_adjust_cfa_offset 160
	stg	%r4, 0(%r15)		/* back chain, for -mbackchain unwinders */
	brasl	%r14, modlink__deferreturn_next	/* hidden: a direct call */
	aghi	%r15, 160
	.cfi_adjust_cfa_offset -160
	lg	%r14, 112(%r15)
	.cfi_restore %r14
	ltgr	%r1, %r2		/* the record, or NULL */
	ber	%r14			/* no call left: return to F */
	lg	%r2, MODLINK_DEFERRED_ARG(%r1)	/* the deferred call's argument */
	ltg	%r0, MODLINK_DEFERRED_LAST(%r1)	/* F's last call? (sets the CC) */
	lg	%r1, MODLINK_DEFERRED_FN(%r1)	/* its function (lg keeps the CC) */
	bnzr	%r1			/* last: it returns where we would have */
	aghi	%r14, -6		/* rewind: it returns to the brasl */
	br	%r1			/* its frame replaces ours */
	.cfi_endproc
	.size	modlink_deferreturn, .-modlink_deferreturn

	.section .note.GNU-stack,"",%progbits
