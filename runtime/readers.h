/* Readers and grace periods: how the registry publishes a new module table
 * without making readers wait for dlopen or dlclose.
 *
 * Readers take no lock.  A reader announces itself in one of NSLOTS padded
 * counters (picked from its stack address, so threads rarely share one),
 * under the current phase, then loads the published table.  A writer
 * publishes a new table, then waits for a grace period: it flips the phase
 * so that new readers count elsewhere, waits until the old phase's counters
 * drain, and does the same for the other phase.  After that no reader can
 * still hold a table published before the writer's store, so the old table
 * can be freed, and a departing module's memory is no longer read.
 *
 * A thread that is itself inside a read section (a foreach callback that
 * calls dlopen or dlclose) is not waited for: its own count is excluded,
 * and tables it may still hold are freed by a later grace period. */
#ifndef MODLINK_READERS_H
#define MODLINK_READERS_H

#include <stdbool.h>

void modlink__read_begin(void) __attribute__((visibility("hidden")));
void modlink__read_end(void) __attribute__((visibility("hidden")));
/* Waits for every reader that may hold something published before the
   call.  Returns false when the calling thread is itself a reader, so that
   what it may still hold must not be freed yet. */
bool modlink__synchronize(void) __attribute__((visibility("hidden")));
/* In the child of fork(): only the forking thread exists, so only its own
   read section (if fork was called inside one) still counts. */
void modlink__readers_after_fork(void) __attribute__((visibility("hidden")));

#endif
