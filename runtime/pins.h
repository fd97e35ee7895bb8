/* Pins: what a thread holds while a foreach callback runs.
 *
 * modlink_foreach_module and modlink_foreach_entry hand each module to the
 * callback pinned: the registry counts the pin in the module's record
 * (registry.c), and a departing module waits until the pins of other
 * threads are gone before ld.so may unmap it.  The thread's own pins are
 * not waited for: a callback may dlclose the module it was handed, or call
 * exit().
 *
 * Each thread's pins form a stack in thread-local storage, not in the
 * callers' frames: a callback left by longjmp leaves its frame to be
 * reused, and the stack must outlive that.  Pins that are never dropped
 * (a callback left by longjmp) are found and dropped:
 *   - when an older pin of the same thread is dropped: every pin taken
 *     after it and still there was abandoned;
 *   - by modlink__pins_drop_abandoned(), called where the thread runs in
 *     normal flow (writers, foreach), for a pin whose frame on this
 *     thread's stack
 *       . lies below the caller's frame (that frame returned),
 *       . or at or below a new foreach step's record (a live foreach that
 *         the new one runs inside lies strictly above it),
 *       . or no longer holds the cookie the pin wrote into it (the frame
 *         was reused),
 *       . or, by the unwinder, lies in a frame of another function than
 *         the pinning one (reused, the cookie left as it was);
 *   - when the thread exits.
 * A callback that throws (C++), or whose thread is cancelled or calls
 * pthread_exit, drops its pin on the way out (a cleanup in foreach). */
#ifndef MODLINK_PINS_H
#define MODLINK_PINS_H

#include <stddef.h>
#include <stdint.h>

#define MODLINK_PINS_HIDDEN __attribute__((visibility("hidden")))

/* Pins OBJECT for the frame that holds COOKIE, a local of the pinning
   function that the pin writes and checks (see above); CODE is an address
   in that function.  Returns the pin's place, for modlink__unpin.  The pin
   is counted by the caller; dropping it calls modlink__pin_dropped(OBJECT). */
size_t modlink__pin(void *object, uintptr_t *cookie, const void *code)
    MODLINK_PINS_HIDDEN;
/* Drops the pin at PLACE and every newer one still there. */
void modlink__unpin(size_t place) MODLINK_PINS_HIDDEN;
/* How many of the calling thread's pins hold OBJECT. */
size_t modlink__pins_on(const void *object) MODLINK_PINS_HIDDEN;
/* FLOOR: the address of a new foreach step's record, or 0. */
void modlink__pins_drop_abandoned(uintptr_t floor) MODLINK_PINS_HIDDEN;

/* Defined by the registry: OBJECT lost one pin. */
void modlink__pin_dropped(void *object) MODLINK_PINS_HIDDEN;

/* What modlink__pin returns when the pin could not be recorded (out of
   memory): the caller must not go on as if OBJECT were pinned. */
#define MODLINK_UNTRACKED ((size_t)-1)

#endif
