/* modlink plugin: the lowering of modlink_defer (-fplugin-arg-modlink-defer).

   In every function F that calls modlink_defer, right after GCC lowered
   its control flow (all returns are then GIMPLE_RETURNs at the end of one
   flat sequence, after the scopes and their cleanups were left), F takes
   one of two paths.

   Open-coded (Go 1.14's open-coded defers), when F's defers are not in a
   loop, there are at most MAX_OPEN_CODED of them, and F has no computed
   goto.  Each defer site i gets two slots in F's frame and one bit in a
   mask; nothing calls the runtime:

     modlink_mask = 0;                           at F's entry
     modlink_defer (fn, arg);              ->    modlink_fn_i = fn;
                                                 modlink_arg_i = arg;
                                                 modlink_mask |= 1 << i;
     return x;                             ->    for i from the last site down:
                                                   if (modlink_mask & 1 << i)
                                                     {
                                                       modlink_mask &= ~(1 << i);
                                                       modlink_fn_i (modlink_arg_i);
                                                     }
                                                 return x;

   Without a loop, the sites run in the order of their positions in the
   sequence (every jump goes forward), so "last deferred first" is "last
   site first".  The bit is cleared before the call, so that a deferred
   call that throws is not run again by the exception path below.

   Through the runtime (defers in a loop, and whatever the rules above
   exclude, or -fplugin-arg-modlink-open-coded=off):

     modlink_frame = 0;                          at F's entry
     modlink_defer (fn, arg);              ->    modlink__defer (&modlink_frame, fn, arg);
     return x;                             ->    if (modlink_frame != 0)
                                                   modlink_deferreturn (&modlink_frame);
                                                 return x;

   The frame word's address names F's activation for the runtime, and its
   value says whether the activation deferred yet (runtime/defer.c).  The
   calls to modlink_deferreturn are paired by the RTL passes like any
   paired call.

   On both paths the return value is computed before the deferred calls
   and kept across them; the deferred calls run after F's cleanups
   (__attribute__((cleanup)), C++ destructors), but before F's storage
   dies: F loses its end-of-scope clobbers (and ASan's poisoning), and the
   stack restore of its outermost scope, so that a deferred call may use
   any local, VLA or alloca block of F.  Since this runs before inlining,
   an inlined F keeps its own state and runs its deferred calls at the end
   of its inlined body.

   Exceptions (C++, or C with -fexceptions): F's body is wrapped in a
   try-finally whose exception path runs the same sequence as a return, so
   that an exception leaving F runs F's pending calls, last deferred
   first, as destructors run, and then goes on.  That sequence is itself
   wrapped in a cleanup that calls modlink__terminate: a deferred call that
   throws while an exception unwinds ends the program, as a throwing
   destructor would.  The normal-return sequence lies inside the try, so a
   deferred call that throws at a normal return still lets the remaining
   ones run.  Without exceptions none of this is built.

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
#define TERMINATE "modlink__terminate"

/* Open-coding limits, as Go's: one bit per site in a small mask, and the
   code each return grows by bounded (sites x returns).  Beyond them the
   runtime's one call per return is the smaller code.  */
#define MAX_OPEN_CODED 8
#define MAX_OPEN_CODED_CALLS 16

/* modlink_defer, as the program declares it: by its symbol, so that a C++
   function of the same name in a namespace is not taken for it.  */
static bool
named_function_p (tree decl, const char *name)
{
  return (decl && TREE_CODE (decl) == FUNCTION_DECL && TREE_PUBLIC (decl)
	  && DECL_NAME (decl)
	  && id_equal (DECL_ASSEMBLER_NAME (decl), name));
}

/* The runtime's function NAME: the unit's own declaration if it has one
   already known to the symbol table, else a new external one, with NAME
   as its symbol (C++ would mangle it).  */
static tree
runtime_function (const char *name, tree type)
{
  tree id = get_identifier (name);
  symtab_node *node = symtab_node::get_for_asmname (id);
  if (node && TREE_CODE (node->decl) == FUNCTION_DECL)
    return node->decl;
  tree decl = build_fn_decl (name, type);
  SET_DECL_ASSEMBLER_NAME (decl, id);
  return decl;
}

static tree
frame_word_pointer_type (void)
{
  return build_pointer_type (pointer_sized_int_node);
}

/* void (*) (void *): the deferred function.  */
static tree
deferred_fn_type (void)
{
  return build_pointer_type (build_function_type_list
			     (void_type_node, ptr_type_node, NULL_TREE));
}

/* void modlink__defer (uintptr_t *, void (*) (void *), void *)  */
static tree
defer_lowered_type (void)
{
  return build_function_type_list (void_type_node, frame_word_pointer_type (),
				   deferred_fn_type (), ptr_type_node,
				   NULL_TREE);
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

/* A call to the runtime.  MAY_THROW: the call runs deferred calls, which
   may throw; it then gets F's exception regions like any call.  */
static gcall *
build_runtime_call (const char *name, tree type, vec<tree> &args,
		    location_t loc, bool may_throw)
{
  tree decl = runtime_function (name, type);
  if (may_throw)
    TREE_NOTHROW (decl) = 0;
  gcall *call = gimple_build_call_vec (decl, args);
  gimple_call_set_fntype (call, type);
  gimple_call_set_nothrow (call, !may_throw);
  gimple_set_location (call, loc);
  return call;
}

/* ------------------------------------------------------------------ */
/* What a function holds, found in one walk.                          */

/* A jump at position FROM to LABEL, resolved after the walk.  */
struct defer_jump
{
  unsigned from;
  tree label;
};

struct defer_scan
{
  unsigned defers = 0;		/* calls to modlink_defer */
  unsigned returns = 0;
  /* Positions, in walk order, of every statement, of the defer sites, of
     the labels and of the jumps to them.  */
  unsigned position = 0;
  auto_vec<unsigned> defer_at;
  hash_map<tree, unsigned> label_at;
  auto_vec<defer_jump> jumps;
  bool computed_goto = false;
  /* The first construct that rules lowering out, and where it is.  */
  const char *refusal = NULL;
  const char *refusal_arg = NULL;
  location_t refusal_loc = UNKNOWN_LOCATION;
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

static void
note_jump (defer_scan *scan, tree label)
{
  if (label && TREE_CODE (label) == LABEL_DECL)
    scan->jumps.safe_push ({ scan->position, label });
  else if (label)
    scan->computed_goto = true;
}

/* Every label a statement may jump to.  */
static void
note_jumps (defer_scan *scan, gimple *stmt)
{
  if (ggoto *jump = dyn_cast <ggoto *> (stmt))
    note_jump (scan, gimple_goto_dest (jump));
  else if (gcond *cond = dyn_cast <gcond *> (stmt))
    {
      note_jump (scan, gimple_cond_true_label (cond));
      note_jump (scan, gimple_cond_false_label (cond));
    }
  else if (gswitch *sw = dyn_cast <gswitch *> (stmt))
    for (unsigned i = 0; i < gimple_switch_num_labels (sw); i++)
      note_jump (scan, CASE_LABEL (gimple_switch_label (sw, i)));
  else if (gasm *as = dyn_cast <gasm *> (stmt))
    for (unsigned i = 0; i < gimple_asm_nlabels (as); i++)
      note_jump (scan, TREE_VALUE (gimple_asm_label_op (as, i)));
}

static tree
scan_stmt (gimple_stmt_iterator *gsi, bool *handled, struct walk_stmt_info *wi)
{
  defer_scan *scan = (defer_scan *) wi->info;
  gimple *stmt = gsi_stmt (*gsi);
  location_t loc = gimple_location (stmt);
  *handled = false;
  scan->position++;
  note_jumps (scan, stmt);

  if (is_a <greturn *> (stmt))
    scan->returns++;
  else if (glabel *label = dyn_cast <glabel *> (stmt))
    {
      scan->label_at.put (gimple_label_label (label), scan->position);
      if (DECL_NONLOCAL (gimple_label_label (label)))
	refuse (scan, DECL_SOURCE_LOCATION (gimple_label_label (label)),
		"a nested function jumps to one of its labels", NULL);
    }
  else if (gcall *call = dyn_cast <gcall *> (stmt))
    {
      tree decl = gimple_call_fndecl (call);
      if (named_function_p (decl, DEFER))
	{
	  scan->defers++;
	  scan->defer_at.safe_push (scan->position);
	}
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
  if (lookup_attribute ("naked", DECL_ATTRIBUTES (fun->decl)))
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

/* Is a defer site inside a loop: between a label and a later jump back
   to it?  (In the lowered sequence every cycle has such a jump.)  */
static bool
defer_in_loop_p (defer_scan *scan)
{
  for (const defer_jump &jump : scan->jumps)
    {
      unsigned *to = scan->label_at.get (jump.label);
      if (!to || *to > jump.from)
	continue;
      for (unsigned at : scan->defer_at)
	if (at >= *to && at <= jump.from)
	  return true;
    }
  return false;
}

/* Why F takes the runtime path, or NULL: it is open-coded.  */
static const char *
runtime_path_reason (defer_scan *scan)
{
  if (!modlink_opts.open_coded)
    return "open-coded=off";
  if (scan->computed_goto)
    return "a computed goto";
  if (scan->defers > MAX_OPEN_CODED)
    return "more than 8 defers";
  if (scan->defers * scan->returns > MAX_OPEN_CODED_CALLS)
    return "defers times returns above 16";
  if (defer_in_loop_p (scan))
    return "a defer in a loop";
  return NULL;
}

/* ------------------------------------------------------------------ */
/* The rewriting.                                                     */

struct defer_rewrite
{
  /* Runtime path: the frame word.  */
  tree frame = NULL_TREE;
  /* Open-coded path: the mask, and each site's function and argument.  */
  tree mask = NULL_TREE;
  auto_vec<tree> fns, args;
  unsigned next_site = 0;
  location_t end_loc = UNKNOWN_LOCATION;	/* F's closing brace */
};

static bool
defers_p (const defer_rewrite *rw)
{
  return rw->frame || rw->mask;
}

/* Runtime path: what runs the deferred calls at a return, and on the
   exception path.  With exceptions on, the call may throw (a deferred call
   that throws returns through it), so it gets F's exception regions.  */
static gimple_seq
deferreturn_sequence (tree frame, location_t loc)
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
						 loc, flag_exceptions));
  gimple_seq_add_stmt (&seq, gimple_build_label (ret_label));
  return seq;
}

/* Open-coded path: each set bit, last site first, cleared, then its call.  */
static gimple_seq
open_coded_sequence (defer_rewrite *rw, location_t loc)
{
  gimple_seq seq = NULL;
  tree type = TREE_TYPE (rw->mask);
  for (unsigned i = rw->fns.length (); i-- > 0;)
    {
      tree bit = build_int_cst (type, HOST_WIDE_INT_1U << i);
      tree set = create_tmp_var (type, "modlink_bit");
      tree call_label = create_artificial_label (loc);
      tree next_label = create_artificial_label (loc);
      gimple *stmt = gimple_build_assign (set, BIT_AND_EXPR, rw->mask, bit);
      gimple_set_location (stmt, loc);
      gimple_seq_add_stmt (&seq, stmt);
      stmt = gimple_build_cond (NE_EXPR, set, build_zero_cst (type),
				call_label, next_label);
      gimple_set_location (stmt, loc);
      gimple_seq_add_stmt (&seq, stmt);
      gimple_seq_add_stmt (&seq, gimple_build_label (call_label));
      stmt = gimple_build_assign (rw->mask, BIT_AND_EXPR, rw->mask,
				  build_int_cst (type, ~(HOST_WIDE_INT_1U << i)));
      gimple_set_location (stmt, loc);
      gimple_seq_add_stmt (&seq, stmt);
      gcall *call = gimple_build_call (rw->fns[i], 1, rw->args[i]);
      gimple_call_set_fntype (call, TREE_TYPE (deferred_fn_type ()));
      gimple_set_location (call, loc);
      gimple_seq_add_stmt (&seq, call);
      gimple_seq_add_stmt (&seq, gimple_build_label (next_label));
    }
  return seq;
}

static gimple_seq
run_deferred_sequence (defer_rewrite *rw, location_t loc)
{
  return rw->frame ? deferreturn_sequence (rw->frame, loc)
		   : open_coded_sequence (rw, loc);
}

/* modlink_defer (fn, arg) at site I, open-coded.  */
static gimple_seq
open_coded_defer (defer_rewrite *rw, gcall *call, location_t loc)
{
  unsigned i = rw->next_site++;
  gimple_seq seq = NULL;
  gimple *stmt = gimple_build_assign (rw->fns[i], gimple_call_arg (call, 0));
  gimple_set_location (stmt, loc);
  gimple_seq_add_stmt (&seq, stmt);
  stmt = gimple_build_assign (rw->args[i], gimple_call_arg (call, 1));
  gimple_set_location (stmt, loc);
  gimple_seq_add_stmt (&seq, stmt);
  stmt = gimple_build_assign (rw->mask, BIT_IOR_EXPR, rw->mask,
			      build_int_cst (TREE_TYPE (rw->mask),
					     HOST_WIDE_INT_1U << i));
  gimple_set_location (stmt, loc);
  gimple_seq_add_stmt (&seq, stmt);
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

  if (defers_p (rw) && (gimple_clobber_p (stmt)
			|| asan_mark_p (stmt, ASAN_MARK_POISON)))
    {
      /* F's locals outlive F's deferred calls, which may read or write
	 them (modlink_defer (fn, &local)): without the end-of-scope
	 clobbers no store a deferred call reads is dead, and no other
	 variable shares a local's stack slot.  */
      gsi_replace (gsi, gimple_build_nop (), false);
      return NULL_TREE;
    }
  if (is_a <greturn *> (stmt) && defers_p (rw))
    {
      /* Merged returns have no location of their own.  */
      if (loc == UNKNOWN_LOCATION)
	loc = rw->end_loc;
      gsi_insert_seq_before (gsi, run_deferred_sequence (rw, loc),
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
      if (rw->mask)
	{
	  gimple_seq seq = open_coded_defer (rw, call, loc);
	  gsi_insert_seq_before (gsi, seq, GSI_SAME_STMT);
	  gsi_remove (gsi, true);
	  wi->removed_stmt = true;
	  return NULL_TREE;
	}
      args.quick_push (build_fold_addr_expr (rw->frame));
      args.quick_push (gimple_call_arg (call, 0));
      args.quick_push (gimple_call_arg (call, 1));
      gsi_replace (gsi, build_runtime_call (DEFER_LOWERED,
					    defer_lowered_type (), args, loc,
					    false),
		   false);
    }
  else if (named_function_p (decl, DEFERRETURN)
	   && gimple_call_num_args (call) == 0)
    {
      /* Written by hand: a null frame, so that the runtime finds nothing
	 to run, instead of whatever the argument register holds.  */
      args.quick_push (build_int_cst (frame_word_pointer_type (), 0));
      gsi_replace (gsi, build_runtime_call (DEFERRETURN, deferreturn_type (),
					    args, loc, false), false);
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

/* BODY inside a try-finally whose finally runs nothing on the normal path
   (the returns run F's calls themselves) and, on the exception path, F's
   pending calls, each of which ends the program if it throws (see the top
   of the file).  GIMPLE_EH_ELSE separates the two paths, and GCC's EH
   lowering resumes the exception after the exception path, in C as in
   C++; the guard's cleanup ends in a noreturn call, so it needs no
   resume of its own.  */
static gimple_seq
run_deferred_on_exception (defer_rewrite *rw, gimple_seq body,
			   location_t loc)
{
  auto_vec<tree, 1> no_args;
  gcall *terminate
    = build_runtime_call (TERMINATE,
			  build_function_type_list (void_type_node, NULL_TREE),
			  no_args, loc, false);
  TREE_THIS_VOLATILE (gimple_call_fndecl (terminate)) = 1;  /* noreturn */
  gimple_seq on_throw = NULL;
  gimple_seq_add_stmt (&on_throw, terminate);
  gimple *guarded = gimple_build_try (run_deferred_sequence (rw, loc),
				      on_throw, GIMPLE_TRY_CATCH);
  gimple_set_location (guarded, loc);
  gimple_seq exception_path = NULL;
  gimple_seq_add_stmt (&exception_path, guarded);
  /* Not an empty normal path: GCC 12's lowering reads its first
     statement.  */
  gimple_seq normal_path = NULL;
  gimple_seq_add_stmt (&normal_path, gimple_build_nop ());
  gimple *paths = gimple_build_eh_else (normal_path, exception_path);
  gimple_set_location (paths, loc);
  gimple *outer = gimple_build_try (body, paths, GIMPLE_TRY_FINALLY);
  gimple_set_location (outer, loc);
  return outer;
}

static void
lower_defers (function *fun, defer_rewrite *rw)
{
  gimple_seq body = gimple_body (fun->decl);
  struct walk_stmt_info wi;
  memset (&wi, 0, sizeof wi);
  wi.info = rw;
  walk_gimple_seq_mod (&body, rewrite_stmt, NULL, &wi);
  if (defers_p (rw))
    {
      keep_outer_stack (body);
      if (flag_exceptions)
	body = run_deferred_on_exception (rw, body, rw->end_loc);
      tree state = rw->frame ? rw->frame : rw->mask;
      gimple *init = gimple_build_assign (state,
					  build_zero_cst (TREE_TYPE (state)));
      gimple_set_location (init, DECL_SOURCE_LOCATION (fun->decl));
      gimple_seq start = NULL;
      gimple_seq_add_stmt (&start, init);
      /* The slots of sites not reached stay defined: no uninitialized
	 read on paths that never set their bit.  */
      for (unsigned i = 0; i < rw->fns.length (); i++)
	{
	  gimple_seq_add_stmt (&start, gimple_build_assign
			       (rw->fns[i], build_zero_cst
				(TREE_TYPE (rw->fns[i]))));
	  gimple_seq_add_stmt (&start, gimple_build_assign
			       (rw->args[i], build_zero_cst
				(TREE_TYPE (rw->args[i]))));
	}
      gimple_seq_add_seq (&start, body);
      body = start;
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
    defer_scan scan;
    struct walk_stmt_info wi;
    memset (&wi, 0, sizeof wi);
    wi.info = &scan;
    gimple_seq body = gimple_body (fun->decl);
    walk_gimple_seq (body, scan_stmt, scan_operand, &wi);

    defer_rewrite rw;
    rw.end_loc = fun->function_end_locus;
    if (!scan.defers)
      {
	lower_defers (fun, &rw);
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

    const char *reason = runtime_path_reason (&scan);
    if (reason)
      {
	rw.frame = create_tmp_var (pointer_sized_int_node, "modlink_frame");
	TREE_ADDRESSABLE (rw.frame) = 1;
      }
    else
      {
	rw.mask = create_tmp_var (unsigned_type_node, "modlink_mask");
	for (unsigned i = 0; i < scan.defers; i++)
	  {
	    rw.fns.safe_push (create_tmp_var (deferred_fn_type (),
					      "modlink_fn"));
	    rw.args.safe_push (create_tmp_var (ptr_type_node, "modlink_arg"));
	  }
      }
    lower_defers (fun, &rw);
    if (modlink_opts.verbose)
      {
	fprintf (stderr, "modlink: %s: %u defer%s ", function_name (fun),
		 scan.defers, scan.defers == 1 ? "" : "s");
	if (reason)
	  fprintf (stderr, "through the runtime (%s)", reason);
	else
	  fprintf (stderr, "open-coded");
	fprintf (stderr, ", %u return%s\n", scan.returns,
		 scan.returns == 1 ? "" : "s");
      }
    return 0;
  }
};

opt_pass *
make_modlink_defer_pass (void)
{
  return new modlink_defer_pass ();
}
