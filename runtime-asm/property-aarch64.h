/* aarch64: the GNU property note of the runtime's assembly, for
 * #include from each .S file that defines code (runtime-asm/aarch64/).
 *
 * The linker ANDs GNU_PROPERTY_AARCH64_FEATURE_1_AND over its inputs: an
 * output is marked BTI (and the loader maps its text with PROT_BTI) only
 * when every input says it has landing pads where indirect branches land.
 * An object without the note would unmark every module linked with it,
 * so each .S file that has them says so: BTI (its entry points start
 * with "bti c" or paciasp) and PAC (return addresses it saves are
 * signed).  Both are only promises about this file's own code, which
 * the rewind keeps: see deferreturn.S.
 *
 * GCS (bit 2, value 4: the Guarded Control Stack, which GCC 15's
 * -mbranch-protection=standard turns on) is left out on purpose.  A GCS
 * checks every ret against the return addresses bl pushed, and a rewound
 * return goes where no bl returns: as x86's shadow stacks (CET), it would
 * fault.  Leaving the bit out keeps every module linked with the runtime
 * unmarked, so the loader never enables GCS for the process. */
#define MODLINK_GNU_PROPERTY_AARCH64_FEATURE_1_AND 0xc0000000
#define MODLINK_GNU_PROPERTY_AARCH64_FEATURE_1_BTI 1
#define MODLINK_GNU_PROPERTY_AARCH64_FEATURE_1_PAC 2

	.macro	modlink_aarch64_property_note
	.pushsection .note.gnu.property, "a", %note
	.balign	8
	.long	4				/* n_namesz: "GNU\0" */
	.long	16				/* n_descsz: one property */
	.long	5				/* n_type: NT_GNU_PROPERTY_TYPE_0 */
	.asciz	"GNU"
	.long	MODLINK_GNU_PROPERTY_AARCH64_FEATURE_1_AND	/* pr_type */
	.long	4				/* pr_datasz */
	.long	MODLINK_GNU_PROPERTY_AARCH64_FEATURE_1_BTI | MODLINK_GNU_PROPERTY_AARCH64_FEATURE_1_PAC
	.long	0				/* pad to 8 bytes (ELFCLASS64) */
	.popsection
	.endm
