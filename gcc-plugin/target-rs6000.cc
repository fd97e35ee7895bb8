/* modlink plugin hooks for 64-bit PowerPC: powerpc64le (ELFv2) and
   big-endian powerpc64 (ELFv1).  What follows is told with ELFv2's
   numbers; ELFv1 differs where noted at the end.

   Why r2 matters.  Before Power10 there is no PC-relative load, so every
   function that touches global data addresses it through the TOC pointer
   in r2.  Each module (executable or shared object) has its own TOC, and
   r2 is set at a function's global entry point from r12:
       addis 2,12,.TOC.-f@ha ; addi 2,2,.TOC.-f@l
   A call into another module goes through a linker stub that saves the
   caller's r2 in the caller's frame, at 24(r1), before it switches TOCs;
   the linker turns the nop that GCC leaves after such a "bl" into
   "ld 2,24(1)", which puts the caller's TOC back when the callee returns.

   What breaks that.  The defer runtime makes a deferred function return
   not to the runtime but to "return address - 8" of the call to
   modlink_deferreturn.  If the deferred function lives in another module,
   it returns with *its* TOC in r2 and no stub restores ours.  So the call
   site carries its own reload, executed before every (re-)execution of
   the call:
       nop                  ; symbolizers look at "return address - 1"
       ld 2,24(1)           ; <- the rewind lands here: our TOC back in r2
       bl modlink_deferreturn
       nop                  ; GCC's, for the linker (non-local callee only)
   and the function stores its r2 in its own frame once the frame exists:
   std 2,24(1) right after the prologue.  Shrink-wrapping puts the
   prologue on one edge that dominates every call, and the store is a
   volatile MEM, so neither DSE nor the scheduler moves it past a call.
   (The backend's own cfun->machine->save_toc_in_prologue cannot be used:
   under separate shrink-wrapping it becomes component 2, placed only
   in blocks where r2 is DF-live, and an incoming r2 never is.)

   When r1 moves (alloca, VLAs), 24(r1) is a different, unwritten slot
   after the move, so such functions store r2 right before each call that
   reads the slot instead, as rs6000_call_aix does for indirect calls.

   No TOC.  A fully static program (-fplugin-arg-modlink-static) has one
   TOC, and Power10 PC-relative code (-mpcrel, default with -mcpu=power10
   on ELFv2) does not keep r2 at all (.localentry f,1; calls are
   "bl f@notoc").  Both pair with two nops, so the rewind distance stays 8.

   Direct calls only.  -fno-plt and -mlongcall turn calls into
   "mtctr 12 ; bctrl", and CTR does not survive the deferred function, so a
   rewound bctrl would jump anywhere.  The paired call's function type gets
   the "plt" and "shortcall" attributes that init_cumulative_args reads,
   which keeps it a "bl".

   ELFv1.  The TOC save slot is 40(r1) (RS6000_TOC_SAVE_SLOT, which asks
   DEFAULT_ABI), so the pairing is "nop ; ld 2,40(1)" and the store
   "std 2,40(1)".  There is no global entry: a function pointer is the
   address of a descriptor (entry, TOC, environment) in .opd, and the
   caller loads r2 from it, so every function keeps a TOC.  There is no
   pc-relative code.  */

#include "modlink-plugin.h"

/* The TOC save doubleword of the frame header: 24 on ELFv2, 40 on ELFv1.
   GCC's own macro reads DEFAULT_ABI, which is a member of global_options
   (rs6000_current_abi), not a symbol of cc1.  */
#define TOC_SLOT RS6000_TOC_SAVE_SLOT

/* rs6000_pcrel_p () without calling into cc1: the plugin must load into a
   compiler for another target far enough to fail its version check, so it
   references no target-specific symbol.  rs6000_isa_flags follows the
   current function's target attributes.  */
static bool
function_is_pcrel (void)
{
  return (rs6000_isa_flags & OPTION_MASK_PCREL) != 0;
}

static bool
function_keeps_toc (void)
{
  return !function_is_pcrel ();
}

/* 24(1).  Volatile, as rs6000_call_aix makes its own TOC stores: the
   slot is read back by code the compiler does not see (the linker's
   ld 2,24(1) after a stub call, and the rewound pairing).  */
static rtx
toc_slot (void)
{
  rtx mem = gen_frame_mem (DImode, plus_constant (DImode, stack_pointer_rtx,
						  TOC_SLOT));
  MEM_VOLATILE_P (mem) = 1;
  return mem;
}

/* ld 2,24(1) */
static rtx
gen_toc_reload (void)
{
  return gen_rtx_SET (gen_rtx_REG (DImode, TOC_REGNUM), toc_slot ());
}

/* std 2,24(1) */
static rtx
gen_toc_store (void)
{
  return gen_rtx_SET (toc_slot (), gen_rtx_REG (DImode, TOC_REGNUM));
}

static tree
add_type_attribute (tree type, const char *name)
{
  if (lookup_attribute (name, TYPE_ATTRIBUTES (type)))
    return type;
  return build_type_attribute_variant
    (type, tree_cons (get_identifier (name), NULL_TREE,
		      TYPE_ATTRIBUTES (type)));
}

static void
rs6000_force_direct_call (gcall *stmt)
{
  tree fntype = gimple_call_fntype (stmt);
  if (!fntype)
    return;
  fntype = add_type_attribute (fntype, "shortcall");	/* beats -mlongcall */
  fntype = add_type_attribute (fntype, "plt");		/* beats -fno-plt */
  gimple_call_set_fntype (stmt, fntype);
}

static bool
rs6000_canonicalize_call_late (rtx_insn *insn)
{
  /* Only "bl SYM" can be rewound: anything else went through CTR.  */
  return modlink_call_is_direct (insn);
}

static void
rs6000_emit_toc_save (rtx_insn *prologue_end)
{
  if (!function_keeps_toc ())
    return;
  if (!cfun->calls_alloca)
    {
      emit_insn_after (gen_toc_store (), prologue_end);		/* std 2,24(1) */
      return;
    }
  /* r1 moves: store right before each call that needs the slot, with r1
     as that call sees it.  */
  for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
    if (CALL_P (insn) && !SIBLING_CALL_P (insn)
	&& (modlink_opts.toc_save == TOC_SAVE_ALL
	    || modlink_call_reads_toc_slot (insn)))
      emit_insn_before (gen_toc_store (), insn);		/* std 2,24(1) */
}

static void
rs6000_emit_pairing (rtx_insn *insn)
{
  bool reload = function_keeps_toc () && !modlink_opts.static_link;
  emit_insn_before (gen_nop (), insn);				/* nop */
  emit_insn_before (reload ? gen_toc_reload () : gen_nop (), insn);
  /* ld 2,24(1) -- or nop: static or pcrel */
}

static void
rs6000_emit_reload_after (rtx_insn *insn)
{
  if (!function_keeps_toc ())
    return;
  emit_insn_after (gen_toc_reload (), insn);			/* ld 2,24(1) */
}

/* Filled by field name (in declaration order, as C++ requires); the
   members not named here are null.  */
const struct modlink_target modlink_target_hooks = {
  .name = "rs6000",
  .force_direct_call = rs6000_force_direct_call,
  .canonicalize_call_late = rs6000_canonicalize_call_late,
  .emit_toc_save = rs6000_emit_toc_save,
  .emit_pairing = rs6000_emit_pairing,
  .emit_reload_after = rs6000_emit_reload_after,
  .pairing_length = 2,	/* nop ; ld 2,24(1) */
};
