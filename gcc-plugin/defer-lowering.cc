/* modlink plugin: the lowering of modlink_defer (-fplugin-arg-modlink-defer).

   In every function F that calls modlink_defer, right after GCC lowered
   its control flow (all returns are then GIMPLE_RETURNs at the end of one
   flat sequence, after the scopes and their cleanups were left):

     modlink_frame = 0;                          at F's entry
     modlink_defer (fn, arg);              ->    modlink__defer (&modlink_frame, fn, arg);
     return x;                             ->    if (modlink_frame != 0)
                                                   modlink_deferreturn (&modlink_frame);
                                                 return x;

   The frame word's address names F's activation for the runtime, and its
   value says whether the activation deferred yet (runtime/defer.c).  The
   return value is computed before the call and kept across it; the
   deferred calls run after F's cleanups (__attribute__((cleanup))), but
   before F's locals die: F loses its end-of-scope clobbers (and ASan's
   poisoning), and the stack restore of its outermost scope, so that a
   deferred call may use any local, VLA or alloca block of F.  The
   calls to modlink_deferreturn are paired by the RTL passes like any paired
   call.  Since this runs before inlining, an inlined F keeps its own frame
   word and its own deferreturn at the end of its inlined body.

   A call to modlink_deferreturn written by hand is given a null frame, and
   runs nothing.  What cannot be lowered is refused with one error naming
   the function and the reason.  */

#include "modlink-plugin.h"
#include "langhooks.h"
#include "gimple-walk.h"
#include "cgraph.h"
#include "asan.h"

#define DEFER "modlink_defer"
#define DEFER_LOWERED "modlink__defer"
#define DEFERRETURN "modlink_deferreturn"

static bool
named_function_p (tree decl, const char *name)
{
  return (decl && TREE_CODE (decl) == FUNCTION_DECL && TREE_PUBLIC (decl)
	  && DECL_NAME (decl) && id_equal (DECL_NAME (decl), name));
}

/* The runtime's function NAME: the unit's own declaration if it has one
   already known to the symbol table, else a new external one.  */
static tree
runtime_function (const char *name, tree type)
{
  symtab_node *node = symtab_node::get_for_asmname (get_identifier (name));
  if (node && TREE_CODE (node->decl) == FUNCTION_DECL)
    return node->decl;
  return build_fn_decl (name, type);
}

static tree
frame_word_pointer_type (void)
{
  return build_pointer_type (pointer_sized_int_node);
}

/* void modlink__defer (uintptr_t *, void (*) (void *), void *)  */
static tree
defer_lowered_type (void)
{
  tree fn_ptr = build_pointer_type (build_function_type_list
				    (void_type_node, ptr_type_node,
				     NULL_TREE));
  return build_function_type_list (void_type_node, frame_word_pointer_type (),
				   fn_ptr, ptr_type_node, NULL_TREE);
}

/* The paired call, as the plugin makes it: one argument, the frame word's
   address (which on i386 is also the stack slot the deferred function
   gets as its own, see runtime-asm/i686/deferreturn.S).  */
static tree
deferreturn_type (void)
{
  return build_function_type_list (void_type_node, frame_word_pointer_type (),
				   NULL_TREE);
}

static gcall *
build_runtime_call (const char *name, tree type, vec<tree> &args,
		    location_t loc)
{
  gcall *call = gimple_build_call_vec (runtime_function (name, type), args);
  gimple_call_set_fntype (call, type);
  gimple_call_set_nothrow (call, true);
  gimple_set_location (call, loc);
  return call;
}

/* ------------------------------------------------------------------ */
/* What a function holds, found in one walk.                          */

struct defer_scan
{
  unsigned defers;		/* calls to modlink_defer */
  unsigned returns;
  /* The first construct that rules lowering out, and where it is.  */
  const char *refusal;
  const char *refusal_arg;
  location_t refusal_loc;
};

static void
refuse (defer_scan *scan, location_t loc, const char *why, const char *arg)
{
  if (LOCATION_LOCUS (loc) <= BUILTINS_LOCATION)
    loc = DECL_SOURCE_LOCATION (current_function_decl);
  if (!scan->refusal)
    {
      scan->refusal = why;
      scan->refusal_arg = arg;
      scan->refusal_loc = loc;
    }
}

static const char *
callee_name (gcall *call)
{
  tree decl = gimple_call_fndecl (call);
  return decl && DECL_NAME (decl) ? IDENTIFIER_POINTER (DECL_NAME (decl))
				  : "(indirect)";
}

static tree
scan_stmt (gimple_stmt_iterator *gsi, bool *handled, struct walk_stmt_info *wi)
{
  defer_scan *scan = (defer_scan *) wi->info;
  gimple *stmt = gsi_stmt (*gsi);
  location_t loc = gimple_location (stmt);
  *handled = false;

  if (greturn *ret = dyn_cast <greturn *> (stmt))
    {
      (void) ret;
      scan->returns++;
    }
  else if (glabel *label = dyn_cast <glabel *> (stmt))
    {
      if (DECL_NONLOCAL (gimple_label_label (label)))
	refuse (scan, DECL_SOURCE_LOCATION (gimple_label_label (label)), "a nested function jumps to one of its labels",
		NULL);
    }
  else if (gcall *call = dyn_cast <gcall *> (stmt))
    {
      tree decl = gimple_call_fndecl (call);
      if (named_function_p (decl, DEFER))
	scan->defers++;
      else if (gimple_call_flags (call) & ECF_RETURNS_TWICE)
	refuse (scan, loc, "it calls '%s', which returns twice",
		callee_name (call));
      else if (decl && fndecl_built_in_p (decl, BUILT_IN_RETURN))
	refuse (scan, loc, "it calls '%s', which returns past the deferred "
		"calls", "__builtin_return");
    }
  return NULL_TREE;
}

/* &modlink_defer anywhere but as a direct callee: a call through that
   pointer could not be lowered.  */
static tree
scan_operand (tree *tp, int *walk_subtrees, void *data)
{
  struct walk_stmt_info *wi = (struct walk_stmt_info *) data;
  if (TREE_CODE (*tp) == ADDR_EXPR
      && named_function_p (TREE_OPERAND (*tp, 0), DEFER))
    {
      gcall *call = dyn_cast <gcall *> (gsi_stmt (wi->gsi));
      if (!call || gimple_call_fn (call) != *tp)
	error_at (gimple_location (gsi_stmt (wi->gsi)),
		  "modlink: the address of '%s' is taken in '%s'; only direct "
		  "calls can be lowered", DEFER, function_name (cfun));
    }
  if (TYPE_P (*tp))
    *walk_subtrees = 0;
  return NULL_TREE;
}

/* Refusals that hold for the function as a whole.  */
static void
scan_function (function *fun, defer_scan *scan)
{
  location_t loc = DECL_SOURCE_LOCATION (fun->decl);
  if (lang_GNU_CXX ())
    refuse (scan, loc, "it is C++, and defer is for C only in this release",
	    NULL);
  else if (lookup_attribute ("naked", DECL_ATTRIBUTES (fun->decl)))
    refuse (scan, loc, "it is 'naked', without a frame to run them from",
	    NULL);
  else if (fun->has_nonlocal_label)
    refuse (scan, loc, "a nested function jumps to one of its labels", NULL);
  /* The runtime tells live deferred-call records from dead ones by their
     frames' addresses on one contiguous stack; split-stack segments break
     that order, and records would be dropped as dead.  Every function is
     refused, not only those that split: the order breaks along the whole
     chain of callers.  */
  else if (flag_split_stack)
    refuse (scan, loc, "it is compiled with -fsplit-stack, whose stack "
	    "segments the deferred calls cannot follow", NULL);
}

/* ------------------------------------------------------------------ */
/* The rewriting.                                                     */

struct defer_rewrite
{
  tree frame;			/* the frame word; NULL: F does not defer */
  location_t end_loc;		/* F's closing brace */
};

static gimple_seq
deferreturn_before_return (tree frame, location_t loc)
{
  gimple_seq seq = NULL;
  tree deferred = create_tmp_var (TREE_TYPE (frame), "modlink_deferred");
  tree call_label = create_artificial_label (loc);
  tree ret_label = create_artificial_label (loc);
  auto_vec<tree, 1> args;
  args.quick_push (build_fold_addr_expr (frame));

  gimple *load = gimple_build_assign (deferred, frame);
  gimple_set_location (load, loc);
  gimple_seq_add_stmt (&seq, load);
  gcond *cond = gimple_build_cond (NE_EXPR, deferred,
				   build_zero_cst (TREE_TYPE (deferred)),
				   call_label, ret_label);
  gimple_set_location (cond, loc);
  gimple_seq_add_stmt (&seq, cond);
  gimple_seq_add_stmt (&seq, gimple_build_label (call_label));
  gimple_seq_add_stmt (&seq, build_runtime_call (DEFERRETURN,
						 deferreturn_type (), args,
						 loc));
  gimple_seq_add_stmt (&seq, gimple_build_label (ret_label));
  return seq;
}

static tree
rewrite_stmt (gimple_stmt_iterator *gsi, bool *handled,
	      struct walk_stmt_info *wi)
{
  defer_rewrite *rw = (defer_rewrite *) wi->info;
  gimple *stmt = gsi_stmt (*gsi);
  location_t loc = gimple_location (stmt);
  *handled = false;

  if (rw->frame && (gimple_clobber_p (stmt)
		    || asan_mark_p (stmt, ASAN_MARK_POISON)))
    {
      /* F's locals outlive F's deferred calls, which may read or write
	 them (modlink_defer (fn, &local)): without the end-of-scope
	 clobbers no store a deferred call reads is dead, and no other
	 variable shares a local's stack slot.  */
      gsi_replace (gsi, gimple_build_nop (), false);
      return NULL_TREE;
    }
  if (is_a <greturn *> (stmt) && rw->frame)
    {
      /* Merged returns have no location of their own.  */
      if (loc == UNKNOWN_LOCATION)
	loc = rw->end_loc;
      gsi_insert_seq_before (gsi, deferreturn_before_return (rw->frame, loc),
			     GSI_SAME_STMT);
      return NULL_TREE;
    }
  gcall *call = dyn_cast <gcall *> (stmt);
  if (!call)
    return NULL_TREE;
  tree decl = gimple_call_fndecl (call);
  auto_vec<tree, 3> args;
  if (named_function_p (decl, DEFER) && gimple_call_num_args (call) == 2)
    {
      args.quick_push (build_fold_addr_expr (rw->frame));
      args.quick_push (gimple_call_arg (call, 0));
      args.quick_push (gimple_call_arg (call, 1));
      gsi_replace (gsi, build_runtime_call (DEFER_LOWERED,
					    defer_lowered_type (), args, loc),
		   false);
    }
  else if (named_function_p (decl, DEFERRETURN)
	   && gimple_call_num_args (call) == 0)
    {
      /* Written by hand: a null frame, so that the runtime finds nothing
	 to run, instead of whatever the argument register holds.  */
      args.quick_push (build_int_cst (frame_word_pointer_type (), 0));
      gsi_replace (gsi, build_runtime_call (DEFERRETURN, deferreturn_type (),
					    args, loc), false);
    }
  return NULL_TREE;
}

/* The VLAs and alloca blocks of F's outermost scope, too, outlive F's
   deferred calls: the stack pointer is restored by F's epilogue instead
   of at the end of that scope, in the cleanup of a try at the top of F's
   body.  Inner scopes keep their restores, so that a VLA in a loop does
   not grow the stack with every iteration.  */
static void
keep_outer_stack (gimple_seq body)
{
  for (gimple_stmt_iterator gsi = gsi_start (body); !gsi_end_p (gsi);
       gsi_next (&gsi))
    {
      gtry *try_stmt = dyn_cast <gtry *> (gsi_stmt (gsi));
      if (!try_stmt || gimple_try_kind (try_stmt) != GIMPLE_TRY_FINALLY)
	continue;
      gimple_seq *cleanup = gimple_try_cleanup_ptr (try_stmt);
      for (gimple_stmt_iterator c = gsi_start (*cleanup); !gsi_end_p (c);
	   gsi_next (&c))
	if (gimple_call_builtin_p (gsi_stmt (c), BUILT_IN_STACK_RESTORE))
	  gsi_replace (&c, gimple_build_nop (), false);
    }
}

static void
lower_defers (function *fun, tree frame)
{
  gimple_seq body = gimple_body (fun->decl);
  defer_rewrite rw = { frame, fun->function_end_locus };
  struct walk_stmt_info wi;
  memset (&wi, 0, sizeof wi);
  wi.info = &rw;
  walk_gimple_seq_mod (&body, rewrite_stmt, NULL, &wi);
  if (frame)
    {
      keep_outer_stack (body);
      gimple *init = gimple_build_assign (frame,
					  build_zero_cst (TREE_TYPE (frame)));
      gimple_set_location (init, DECL_SOURCE_LOCATION (fun->decl));
      gimple_stmt_iterator gsi = gsi_start (body);
      gsi_insert_before (&gsi, init, GSI_SAME_STMT);
    }
  gimple_set_body (fun->decl, body);
}

/* ------------------------------------------------------------------ */

static const pass_data modlink_defer_pass_data = {
  GIMPLE_PASS, "modlink_defer", OPTGROUP_NONE, TV_NONE,
  PROP_gimple_lcf, 0, 0, 0, 0
};

class modlink_defer_pass : public gimple_opt_pass
{
public:
  modlink_defer_pass () : gimple_opt_pass (modlink_defer_pass_data, g) {}
  opt_pass *clone () final override { return this; }
  bool gate (function *) final override { return modlink_opts.defer; }
  unsigned int execute (function *fun) final override
  {
    defer_scan scan = {};
    struct walk_stmt_info wi;
    memset (&wi, 0, sizeof wi);
    wi.info = &scan;
    gimple_seq body = gimple_body (fun->decl);
    walk_gimple_seq (body, scan_stmt, scan_operand, &wi);

    if (!scan.defers)
      {
	lower_defers (fun, NULL_TREE);
	return 0;
      }
    scan_function (fun, &scan);
    if (scan.refusal)
      {
	char *why = xasprintf (scan.refusal, scan.refusal_arg);
	error_at (scan.refusal_loc, "modlink: cannot defer in '%s': %s",
		  function_name (fun), why);
	free (why);
	return 0;
      }

    tree frame = create_tmp_var (pointer_sized_int_node, "modlink_frame");
    TREE_ADDRESSABLE (frame) = 1;
    lower_defers (fun, frame);
    if (modlink_opts.verbose)
      fprintf (stderr, "modlink: %s: %u defer%s lowered, %u return%s\n",
	       function_name (fun), scan.defers, scan.defers == 1 ? "" : "s",
	       scan.returns, scan.returns == 1 ? "" : "s");
    return 0;
  }
};

opt_pass *
make_modlink_defer_pass (void)
{
  return new modlink_defer_pass ();
}
