/* riscv64 (GCC's riscv backend): the forms a paired call takes in linked
 * code, written down once for every part that needs them.
 *
 * A deferred function returns to the paired call itself, so that the call
 * runs again.  GCC writes every paired call "call SYM" (or "call SYM@plt"):
 * the assembler makes it auipc ra + jalr ra with an R_RISCV_CALL(_PLT)
 * relocation, and, unless the code was assembled with -mno-relax (or
 * ".option norelax"), marks it R_RISCV_RELAX, so that ld may replace the
 * pair by one jal when SYM (or its PLT entry) is within +-1 MiB.  Which
 * form a site ends up in is only known after the link, and one module
 * holds both.  The runtime therefore reads the form back from the code:
 *
 *   auipc ra,hi20 ; jalr ra,lo12(ra)   8 bytes, the call is at ret-8
 *   jal ra,SYM                         4 bytes, the call is at ret-4
 *
 * Both end with a 32-bit instruction at ret-4 (RV64 has no c.jal, and a
 * c.jalr calls through a register, never the form of a paired call), so
 * the halfword at ret-4 is the start of an instruction, 2-byte aligned as
 * every instruction is with the C extension, and holds its major opcode
 * in bits 6:0 (the base ISA's instructions are little-endian): 0x6f
 * (JAL) or 0x67 (JALR).  The rule: the call is 4 bytes when ret-4 holds a
 * jal, else 8.
 *
 * Who keeps to these forms:
 *   runtime-asm/riscv64/deferreturn.S  the rewind: MODLINK_RISCV_REWIND
 *   tests/toc-proof/rewind-riscv64.S   the same rewind, before any runtime
 *   tests/defer/landing.c              where deferred calls return to:
 *                                      modlink_riscv_paired_call_at
 *   verify/arch-riscv.cpp              modlink-verify accepts these two
 *   gcc-plugin/target-riscv.cc         makes every paired call "call SYM"
 *
 * The pairing's nop is "addi x0,x0,0" (00000013) or, where the C
 * extension is on (Debian's rv64gc default), the assembler's compressed
 * c.nop (0001).  Its length does not matter: nothing rewinds past the
 * call, and ret-1 of a rewound frame lies in the nop either way.
 *
 * This file is C and assembly: the constants serve both, the macro only
 * preprocessed assembly (.S), the function only C. */
#ifndef MODLINK_CALL_FORMS_RISCV_H
#define MODLINK_CALL_FORMS_RISCV_H

#define MODLINK_RISCV_OPCODE_MASK 0x7f       /* bits 6:0 of a 32-bit instruction */
#define MODLINK_RISCV_JAL         0x6f       /* jal rd, offset */
#define MODLINK_RISCV_JALR        0x67       /* jalr rd, offset(rs1) */
#define MODLINK_RISCV_AUIPC       0x17       /* auipc rd, hi20 */
#define MODLINK_RISCV_NOP         0x00000013 /* addi x0, x0, 0 */
#define MODLINK_RISCV_C_NOP       0x0001     /* c.nop */
#define MODLINK_RISCV_SHORT_CALL  4          /* jal */
#define MODLINK_RISCV_LONG_CALL   8          /* auipc + jalr */

#ifdef __ASSEMBLER__
/* MODLINK_RISCV_REWIND ret, out, tmp: OUT = the address of the call that
   returned to RET.  OUT may be RET; TMP is clobbered. */
.macro MODLINK_RISCV_REWIND ret, out, tmp
	lhu	\tmp, -MODLINK_RISCV_SHORT_CALL(\ret)	/* low half of the insn before ret */
	andi	\tmp, \tmp, MODLINK_RISCV_OPCODE_MASK
	xori	\tmp, \tmp, MODLINK_RISCV_JAL
	seqz	\tmp, \tmp				/* 1: a jal, 0: auipc + jalr */
	slli	\tmp, \tmp, 2				/* 4 or 0 */
	addi	\out, \ret, -MODLINK_RISCV_LONG_CALL
	add	\out, \out, \tmp
.endm

#else

/* The length of the paired call that starts at CALL, with the pairing's
   nop right before it, or 0 where CALL holds no such call: what a rewound
   return address must point at (tests/defer/landing.c checks).  CALL[-4]
   to CALL[3] must be readable. */
static inline int modlink_riscv_paired_call_at(const unsigned char *call)
{
  unsigned low = call[0] | call[1] << 8;          /* opcode and rd: bits 11:0 */
  unsigned before = call[-2] | call[-1] << 8;
  unsigned long nop = call[-4] | call[-3] << 8 | (unsigned long)before << 16;
  int length = (low & 0xfff) == (1u << 7 | MODLINK_RISCV_JAL)     ? MODLINK_RISCV_SHORT_CALL
               : (low & 0xfff) == (1u << 7 | MODLINK_RISCV_AUIPC) ? MODLINK_RISCV_LONG_CALL
                                                                  : 0;
  return before == MODLINK_RISCV_C_NOP || nop == MODLINK_RISCV_NOP ? length : 0;
}

#endif
#endif
