/* The deferred-call record at the seam between C and assembly.
 *
 * modlink__deferreturn_next (defer.c) returns a pointer to one;
 * modlink_deferreturn (runtime-asm/<arch>/deferreturn.S) loads its fields
 * at the offsets below.  Both include this header: the .S files use the
 * names, and defer.h checks them against struct modlink__deferred with
 * _Static_assert, so that a change to either side that the other does not
 * follow stops the build instead of jumping through the wrong word.
 *
 * Every field is one pointer-sized word, so that one load instruction per
 * field fits every target; __SIZEOF_POINTER__ is GCC's, predefined for C
 * and for preprocessed assembly alike. */
#ifndef MODLINK_DEFER_RECORD_H
#define MODLINK_DEFER_RECORD_H

#define MODLINK_DEFERRED_FN   (0 * __SIZEOF_POINTER__) /* void (*)(void *): the function */
#define MODLINK_DEFERRED_ARG  (1 * __SIZEOF_POINTER__) /* void *: its argument */
#define MODLINK_DEFERRED_LAST (2 * __SIZEOF_POINTER__) /* uintptr_t: 1 = F's last call,
                                                          which runs without a rewind */
#define MODLINK_DEFERRED_SIZE (3 * __SIZEOF_POINTER__)

#endif
