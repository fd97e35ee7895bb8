/* x86 (GCC's i386 backend: the x86_64 and i686 targets): the forms a
 * paired call may take, written down once for every part that needs them.
 *
 * A deferred function returns to the paired call instruction itself, at
 * "return address - length of the call", so that the call runs again.  The
 * runtime has no disassembler: it tells the length from the bytes just
 * before the return address.  The forms below are what it can tell apart,
 * and what every other part keeps to:
 *
 *   runtime-asm/x86_64/deferreturn.S   the rewind: MODLINK_X86_REWIND
 *   runtime-asm/i686/deferreturn.S
 *   tests/toc-proof/rewind-x86_64.S    the same rewind, proven before any
 *   tests/toc-proof/rewind-i686.S      runtime exists
 *   verify/arch-i386.cpp               modlink-verify: a paired call in
 *                                      linked code has a rewindable form
 *   tests/support/asmshape.cpp         the assembly tests: GCC's spelling
 *                                      of a paired call is a rewindable form
 *   gcc-plugin/target-i386.cc          puts every paired call into one of
 *                                      these forms.  It works on RTL and
 *                                      never sees bytes, so it does not
 *                                      include this file; its comments
 *                                      point here.
 *
 * The forms, byte by byte ("ret" is the return address):
 *
 *   e8 rel32        call SYM, call SYM@PLT                       5 bytes
 *                   every code model; ret-5 holds the e8
 *   ff 15 disp32    call *SYM@GOTPCREL(%rip)  x86_64, -fno-plt   6 bytes
 *   ff 15 abs32     call *SYM@GOT             i386, -fno-pic -fno-plt
 *                   ff /2 is "call r/m"; ModRM 15 is mod 00, reg 2, r/m
 *                   101: RIP-relative on x86_64, absolute on i386.
 *                   ret-5 holds the 15
 *   67 e8 rel32     addr32 call SYM                               6 bytes
 *                   what ld makes of the ff 15 form when SYM turns out
 *                   local to the module; ret-6 holds the 67
 *
 * The rule: the call is 5 bytes long when ret-5 is e8 and ret-6 is not
 * the 67 prefix, else 6.  It never errs on these forms: ret-5 is the
 * ModRM byte 15 in the ff 15 form, and before an e8 rel32 stands the
 * pairing's nop (90), never 67.
 *
 * Not rewindable, so never the form of a paired call (the plugin avoids
 * it, modlink-verify and the assembly tests report it):
 *
 *   ff 90+r disp32  call *SYM@GOT(%reg)       i386 PIC with -fno-plt
 *                   the GOT pointer in a register GCC chose: a call-
 *                   clobbered one (r = 0, 1, 2: %eax, %ecx, %edx) holds
 *                   whatever the deferred function left there when the
 *                   call runs again.  The plugin calls through the PLT
 *                   instead, with the GOT in %ebx, which the psABI makes
 *                   callee-saved.
 *
 * This file is C and assembly: the constants serve both, the macro only
 * preprocessed assembly (.S), the table only C and C++. */
#ifndef MODLINK_CALL_FORMS_I386_H
#define MODLINK_CALL_FORMS_I386_H

#define MODLINK_X86_NOP          0x90 /* nop: the pairing, 1 byte */
#define MODLINK_X86_CALL_REL32   0xe8 /* call rel32 */
#define MODLINK_X86_ADDR32       0x67 /* the address-size prefix */
#define MODLINK_X86_GROUP5       0xff /* ff /2: call r/m */
#define MODLINK_X86_MODRM_DISP32 0x15 /* mod 00, reg 2, r/m 101 */
#define MODLINK_X86_MODRM_GOTREG 0x90 /* mod 10, reg 2, r/m = the register */
#define MODLINK_X86_SHORT_CALL   5    /* e8 rel32 */
#define MODLINK_X86_LONG_CALL    6    /* ff 15 disp32, 67 e8 rel32 */

#ifdef __ASSEMBLER__
/* MODLINK_X86_REWIND ret, out: OUT = the address of the call that
   returned to RET (both registers of the pointer's width; RET is kept). */
.macro MODLINK_X86_REWIND ret, out
	lea	-MODLINK_X86_LONG_CALL(\ret), \out	/* 6-byte forms by default */
	cmpb	$MODLINK_X86_CALL_REL32, -MODLINK_X86_SHORT_CALL(\ret)
	jne	.Lmodlink_rewind_\@			/* ret-5 is a ModRM byte: ff 15 */
	cmpb	$MODLINK_X86_ADDR32, -MODLINK_X86_LONG_CALL(\ret)
	je	.Lmodlink_rewind_\@			/* 67 e8 rel32 */
	lea	-MODLINK_X86_SHORT_CALL(\ret), \out	/* e8 rel32 after the nop */
.Lmodlink_rewind_\@:
.endm

#else

/* The length of the call that returned to RET, as MODLINK_X86_REWIND
   computes it: RET[-6] and RET[-5] must be readable. */
static inline int modlink_x86_call_length(const unsigned char *ret)
{
  return ret[-MODLINK_X86_SHORT_CALL] == MODLINK_X86_CALL_REL32 &&
                 ret[-MODLINK_X86_LONG_CALL] != MODLINK_X86_ADDR32
             ? MODLINK_X86_SHORT_CALL
             : MODLINK_X86_LONG_CALL;
}

/* The forms above, as data.  An instruction has a form when its first
   NBYTES bytes, under MASK, equal BYTES and it is LENGTH bytes long. */
struct modlink_x86_call_form {
  unsigned char bytes[2];
  unsigned char mask[2];
  unsigned char nbytes;
  unsigned char length;
  unsigned char rewindable;
  const char *spelling; /* the operand as GCC prints it (SYM: the symbol,
                           REG: a register), or 0 where only ld makes it */
};

static const struct modlink_x86_call_form modlink_x86_call_forms[]
    __attribute__((unused)) = {
  /* e8 rel32: call SYM */
  {{MODLINK_X86_CALL_REL32}, {0xff}, 1, MODLINK_X86_SHORT_CALL, 1, "SYM"},
  /* e8 rel32: call SYM@PLT */
  {{MODLINK_X86_CALL_REL32}, {0xff}, 1, MODLINK_X86_SHORT_CALL, 1, "SYM@PLT"},
  /* ff 15 disp32: call *SYM@GOTPCREL(%rip) */
  {{MODLINK_X86_GROUP5, MODLINK_X86_MODRM_DISP32}, {0xff, 0xff}, 2,
   MODLINK_X86_LONG_CALL, 1, "*SYM@GOTPCREL(%rip)"},
  /* ff 15 abs32: call *SYM@GOT */
  {{MODLINK_X86_GROUP5, MODLINK_X86_MODRM_DISP32}, {0xff, 0xff}, 2,
   MODLINK_X86_LONG_CALL, 1, "*SYM@GOT"},
  /* 67 e8 rel32: addr32 call SYM, from ld */
  {{MODLINK_X86_ADDR32, MODLINK_X86_CALL_REL32}, {0xff, 0xff}, 2,
   MODLINK_X86_LONG_CALL, 1, 0},
  /* ff 90+r disp32: call *SYM@GOT(%reg), not rewindable */
  {{MODLINK_X86_GROUP5, MODLINK_X86_MODRM_GOTREG}, {0xff, 0xf8}, 2,
   MODLINK_X86_LONG_CALL, 0, "*SYM@GOT(REG)"},
};

#endif
#endif
