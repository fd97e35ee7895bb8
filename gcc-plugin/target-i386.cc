/* modlink plugin hooks for x86: x86_64 and i386 (one GCC backend).

   The shape.  A paired call is "nop ; call SYM".  The defer runtime makes
   a deferred function return to the call instruction itself, so the call
   runs again; its address is "return address - length of the call".  The
   nop keeps "return address - 1" of the rewound frame inside the caller's
   call site, where unwinders and symbolizers look.

   The call forms, and how the runtime tells their lengths apart, are one
   table for the plugin, the runtime and modlink-verify:
   runtime-asm/call-forms-i386.h.  This file leaves every paired call in
   one of its rewindable forms; it works on RTL and never sees the bytes,
   so it does not include the table.

   Why the forms are forced.  A re-executed call must find its target
   again after the deferred function returned, and that function may
   clobber every call-clobbered register:
   - i386 PIC with -fno-plt would be "call *SYM@GOT(%reg)" with the GOT
     pointer in any register GCC chose, %eax included.  The paired call
     goes through the PLT instead, with the GOT in %ebx, which the i386
     psABI makes callee-saved, so the rewound call finds it intact.
   - A GOT load hoisted out of a loop gives "call *%reg".  After register
     allocation the call is put back into the memory form above, which
     needs no register at all (RIP-relative on x86_64).  */

#include "modlink-plugin.h"

/* (mem (const (unspec [SYM] UNSPEC_GOTPCREL))): SYM's GOT slot.  */
static rtx
x86_64_got_slot (rtx sym)
{
  return gen_const_mem (Pmode,
			gen_rtx_CONST (Pmode,
				       gen_rtx_UNSPEC (Pmode, gen_rtvec (1, sym),
						       UNSPEC_GOTPCREL)));
}

static bool
x86_64_got_slot_p (rtx x)
{
  if (!MEM_P (x) || GET_CODE (XEXP (x, 0)) != CONST)
    return false;
  rtx unspec = XEXP (XEXP (x, 0), 0);
  return (GET_CODE (unspec) == UNSPEC
	  && XINT (unspec, 1) == UNSPEC_GOTPCREL
	  && SYMBOL_REF_P (XVECEXP (unspec, 0, 0)));
}

/* i386 PIC: "call SYM@PLT" with %ebx = GOT, as ix86_expand_call emits
   when PLT calls are allowed.  */
static void
x86_canonicalize_call_early (rtx_insn *insn)
{
  if (TARGET_64BIT || !flag_pic)
    return;
  rtx *loc = modlink_call_address_loc (insn);
  rtx sym = modlink_call_symbol (insn);
  if (*loc == sym || !validate_change (insn, loc, sym, false))
    return;
  if (SYMBOL_REF_LOCAL_P (sym))
    return;
  rtx ebx = gen_rtx_REG (Pmode, REAL_PIC_OFFSET_TABLE_REGNUM);
  emit_insn_before (gen_move_insn (ebx, pic_offset_table_rtx), insn);
  use_reg (&CALL_INSN_FUNCTION_USAGE (insn), ebx);
}

/* A direct SYMBOL_REF call that ix86_output_call_insn still prints as
   "call *SYM@GOTPCREL(%rip)" or "call *SYM@GOT": non-PIC -fno-plt.  */
static bool
printed_through_got_p (rtx sym)
{
  tree decl = SYMBOL_REF_DECL (sym);
  return (!flag_pic && !SYMBOL_REF_LOCAL_P (sym)
	  && (!flag_plt
	      || (decl && lookup_attribute ("noplt", DECL_ATTRIBUTES (decl)))));
}

/* -mcmodel=large calls through a register loaded with movabs, and no
   32-bit displacement may reach the target: there is no safe form.  */
static bool
x86_pairing_possible (void)
{
  return !(TARGET_64BIT
	   && (ix86_cmodel == CM_LARGE || ix86_cmodel == CM_LARGE_PIC));
}

static bool
x86_canonicalize_call_late (rtx_insn *insn)
{
  if (!x86_pairing_possible ())
    return false;
  rtx *loc = modlink_call_address_loc (insn);
  rtx sym = modlink_call_symbol (insn);
  if (!SYMBOL_REF_P (*loc))
    {
      if (!TARGET_64BIT)
	return false;
      if (REG_P (*loc))
	{
	  /* A register holding what the GOT slot (or the symbol) gives.  */
	  rtx direct = SYMBOL_REF_LOCAL_P (sym) ? sym : x86_64_got_slot (sym);
	  if (!validate_change (insn, loc, direct, false))
	    return false;
	}
      else if (!x86_64_got_slot_p (*loc))
	return false;
    }
  /* -mindirect-branch=thunk*: a call through the GOT becomes a retpoline
     sequence ("jmp .LIND1 ... call .LIND0"), which cannot be rewound.  */
  bool through_got = !SYMBOL_REF_P (*loc) || printed_through_got_p (*loc);
  return !(through_got
	   && cfun->machine->indirect_branch_type != indirect_branch_keep);
}

static void
x86_emit_pairing (rtx_insn *insn)
{
  emit_insn_before (gen_nop (), insn);			/* 90  nop */
}

/* Filled by field name (in declaration order, as C++ requires); the
   members not named here are null: no TOC on x86.  */
const struct modlink_target modlink_target_hooks = {
  .name = "x86",
  .pairing_possible = x86_pairing_possible,
  .canonicalize_call_early = x86_canonicalize_call_early,
  .canonicalize_call_late = x86_canonicalize_call_late,
  .emit_pairing = x86_emit_pairing,
  .pairing_length = 1,	/* nop */
};
