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
 * A section is a record in its caller's frame that holds the counter the
 * section raised, so that leaving it never depends on state that a signal
 * handler's own section may change in between: a handler that reads the
 * registry while its thread is inside a section opens and closes a section
 * of its own.  Sections are short and run no user code (foreach callbacks
 * run outside them, under pins: pins.h), so a writer never runs inside a
 * section of its own thread, and no section is left open by longjmp. */
#ifndef MODLINK_READERS_H
#define MODLINK_READERS_H

#include <stdbool.h>

#define MODLINK_HIDDEN __attribute__((visibility("hidden")))

struct modlink__section {
  unsigned long *count; /* the counter this section raised */
};

/* Async-signal-safe. */
void modlink__read_begin(struct modlink__section *s) MODLINK_HIDDEN;
void modlink__read_end(struct modlink__section *s) MODLINK_HIDDEN;

/* How long a writer waits for the readers of other threads. */
enum modlink__patience {
  MODLINK_WAIT_BRIEFLY, /* a few microseconds, then give up */
  MODLINK_WAIT_FOREVER, /* until they leave */
};

/* Waits for every reader that may hold something unpublished before the
   call.  Returns false when a brief wait gave up.  Called with the
   registry's writer lock held. */
bool modlink__grace_period(enum modlink__patience patience) MODLINK_HIDDEN;

/* A writer's waits: the time now, in seconds, and the pause after ROUND
   rounds of a wait (spins, then ever longer sleeps). */
double modlink__now(void) MODLINK_HIDDEN;
void modlink__pause(unsigned round) MODLINK_HIDDEN;

/* In the child of fork(): only the forking thread exists, and it is in no
   section. */
void modlink__readers_after_fork(void) MODLINK_HIDDEN;

#endif
