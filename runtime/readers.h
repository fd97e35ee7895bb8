/* Readers and grace periods: how the registry publishes a new module table
 * without making readers wait for dlopen or dlclose.
 *
 * Readers take no lock.  A read section raises one of NSLOTS padded
 * counters (picked from its stack address, so threads rarely share one),
 * under the current phase, then loads the published table.  A writer that
 * must know that no reader still uses something it unpublished waits for a
 * grace period: it flips the phase so that new readers count elsewhere,
 * waits until the old phase's counters drain, and does the same for the
 * other phase.  After that no reader can still hold what the writer
 * unpublished before it started.
 *
 * What a thread holds from the registry (its open read sections, and the
 * modules it pins while a foreach callback runs on them, registry.c) is a
 * record in the holder's frame, on a per-thread list (newest first) in
 * thread-local storage.  A section's record holds the counter the section
 * raised, so that leaving it never depends on state that a signal
 * handler's own section may change in between: a handler that reads the
 * registry while its thread is inside a section opens and closes a section
 * of its own.
 *
 * Holds that are never released (a foreach callback left by longjmp) are
 * found and released:
 *   - when an older hold of the same thread is released: every hold taken
 *     after it and still listed was abandoned;
 *   - by modlink__close_abandoned(), called where the thread is known to
 *     run in normal flow (writers, foreach): a listed record that lies on
 *     this thread's stack below the caller's frame belongs to a frame that
 *     no longer exists;
 *   - when the thread exits.
 * A thread never waits for its own sections: a foreach callback may call
 * dlopen or dlclose, or exit().  What such a thread may still hold is
 * freed by a later grace period. */
#ifndef MODLINK_READERS_H
#define MODLINK_READERS_H

#include <stdbool.h>

#define MODLINK_HIDDEN __attribute__((visibility("hidden")))

struct modlink__hold {
  struct modlink__hold *prev; /* the thread's next older hold */
  void (*release)(struct modlink__hold *);
};

/* Takes H on the calling thread's list; modlink__release lets it go, and
   with it every newer hold still listed (abandoned).  Async-signal-safe. */
void modlink__hold(struct modlink__hold *h) MODLINK_HIDDEN;
void modlink__release(struct modlink__hold *h) MODLINK_HIDDEN;
/* The calling thread's holds, newest first. */
const struct modlink__hold *modlink__holds(void) MODLINK_HIDDEN;

struct modlink__section {
  struct modlink__hold hold;
  unsigned long *count; /* the counter this section raised */
  unsigned phase;       /* the phase it counts under */
};

/* Async-signal-safe. */
void modlink__read_begin(struct modlink__section *s) MODLINK_HIDDEN;
void modlink__read_end(struct modlink__section *s) MODLINK_HIDDEN;

/* Not async-signal-safe: closes this thread's sections whose frames are
   gone (see above), and arranges for the thread's sections to be closed
   when it exits. */
void modlink__close_abandoned(void) MODLINK_HIDDEN;

/* How long a writer waits for the readers of other threads. */
enum modlink__patience {
  MODLINK_WAIT_BRIEFLY, /* a few microseconds: readers that run no callback */
  MODLINK_WAIT_FOREVER, /* until they leave */
};

/* Waits for every reader of another thread that may hold something
   unpublished before the call.  Returns true when they are gone and the
   calling thread holds no section, so that what was unpublished may be
   freed; false otherwise (a brief wait that gave up, or a caller that is
   itself a reader).  NAME is the module whose departure waits (for
   modlink__pause).  Called with the registry's writer lock held. */
bool modlink__grace_period(enum modlink__patience patience, const char *name)
    MODLINK_HIDDEN;

/* A writer's waits: the time now, in seconds, and one round of a wait
   that began at START (spins, then sleeps).  After a second it says once
   that module NAME, leaving, waits for another thread. */
double modlink__now(void) MODLINK_HIDDEN;
void modlink__pause(unsigned round, double start, bool *told,
                    const char *name) MODLINK_HIDDEN;

/* In the child of fork(): only the forking thread exists, so only its own
   open sections still count. */
void modlink__readers_after_fork(void) MODLINK_HIDDEN;

#endif
