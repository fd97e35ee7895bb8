/* What the stress test's program (stress.c) and its eight modules
 * (stress_mod.c) share: each module's entry, and the per-thread log that
 * deferred calls write to, so that the caller can check their order. */
#ifndef MODLINK_TEST_STRESS_H
#define MODLINK_TEST_STRESS_H

#define STRESS_MAGIC 0x5eed8u
#define STRESS_MAX_DEFERS 16

/* The entry of kind "stress" each module contributes; it lives in the
   module's read-only data, so readers touch the module's memory. */
struct stress_payload {
  unsigned magic;
  unsigned index;     /* 0..7 */
  const char *module; /* the module's file name */
};

/* A thread's log of deferred calls, in the order they ran. */
struct stress_log {
  unsigned n;
  unsigned ids[2 * STRESS_MAX_DEFERS];
  unsigned long ran;
};

/* The argument of one deferred call: where it logs, and what. */
struct stress_slot {
  struct stress_log *log;
  unsigned id;
};

/* A deferred call logs its slot's id, tagged with the module it ran in
   (0 for the program, index + 1 for a module). */
static inline void stress_record(void *p, unsigned tag)
{
  struct stress_slot *s = p;
  if (s->log->n < sizeof s->log->ids / sizeof s->log->ids[0])
    s->log->ids[s->log->n] = tag << 8 | s->id;
  s->log->n++;
  s->log->ran++;
}

/* Exported by every module, found with dlsym in a pinned module. */
typedef void stress_note_fn(void *slot);
typedef unsigned stress_round_fn(struct stress_slot *slots, unsigned k,
                                 void (*back)(void *));

#endif
