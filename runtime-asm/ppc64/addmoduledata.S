/* ppc64 (ELFv1, big-endian): the registration entry points called by every
 * module's stub.
 *
 * The module data pointer arrives in r3, the first argument register.  The
 * stub reached us through its PLT stub, which saved the stub's r2 at 40(r1)
 * and loaded r2 from our function descriptor, so r2 is already our TOC
 * (ELFv1 has no global entry: the caller sets r2).  The C function is
 * hidden and uses the same TOC: a plain branch to its code, and its blr
 * returns to the stub directly.
 *
 * ELFv1 function symbols name descriptors in .opd (entry, TOC, environment);
 * the code has a local label, and ld turns a branch to the descriptor
 * symbol into a branch to its entry. */
	.macro	entry name, target
	.section ".opd","aw"
	.balign	8
	.globl	\name
	.type	\name, @function
\name:	.quad	.L.\name, .TOC.@tocbase, 0	/* descriptor: entry, TOC, environment */
	.text
	.balign	4
.L.\name:
	b	\target			/* sibling call: same module, same TOC */
	.size	\name, .-.L.\name
	.endm

	entry	modlink_addmoduledata, modlink__register
	entry	modlink_delmoduledata, modlink__deregister

	.section .note.GNU-stack,"",@progbits
