/* Readers and grace periods: how the registry publishes a new module table
 * without making readers wait for dlopen or dlclose.
 *
 * Readers take no lock and make no atomic read-modify-write.  Each thread
 * owns a record, claimed at its first section and found again through an
 * initial-exec thread-local pointer.  A read section stores into its own
 * record the phase it entered under and how deep it nests, then loads the
 * published table; leaving stores the record back.  A writer that must
 * know that no reader still uses something it unpublished waits for a
 * grace period, as userspace RCU's membarrier flavour does: membarrier(2)
 * makes every running thread of the process pass a full barrier, so that
 * a reader's record store cannot hide behind its table load, and the
 * writer flips the phase twice, each time waiting until no record shows a
 * section entered under the old phase.
 *
 * Why this and not liburcu itself: readers here are any thread, never
 * registered (a signal handler's thread, a thread the host made), and
 * liburcu's readers must register.  A record claimed lazily, with no
 * allocation but mmap, and reclaimed once its thread is gone (tgkill says
 * ESRCH), gives the same read side to every thread.
 *
 * A section is a record in its caller's frame that holds the thread's
 * record, and nesting is counted in the word: a signal handler that reads
 * the registry while its thread is inside a section opens and closes a
 * section of its own and leaves the word as it found it.  Sections are
 * short and run no user code (foreach callbacks run outside them, under
 * pins: pins.h), so a writer never runs inside a section of its own
 * thread, no section is left open by longjmp, and no thread exits inside
 * one. */
#ifndef MODLINK_READERS_H
#define MODLINK_READERS_H

#include <stdbool.h>

#define MODLINK_HIDDEN __attribute__((visibility("hidden")))

/* A thread's record.  WORD: how deep its sections nest (low bits) and the
   phase it entered the outermost one under (MODLINK__PHASE).  Only its
   thread writes it. */
struct modlink__reader {
  unsigned long word;
  int owner; /* thread id; 0 when free */
} __attribute__((aligned(128)));

#define MODLINK__NEST_MASK 0xffffUL
#define MODLINK__PHASE (MODLINK__NEST_MASK + 1)

struct modlink__section {
  struct modlink__reader *reader; /* the record this section counts in */
};

/* This thread's record, or NULL before its first section.  Initial-exec:
   the thread pointer plus an offset, with no call that could allocate (a
   dynamic TLS block is allocated at its first use, which a signal handler
   must not do).  glibc reserves static TLS for a dlopened library's few
   initial-exec bytes. */
extern __thread struct modlink__reader *modlink__this_reader
    __attribute__((tls_model("initial-exec"))) MODLINK_HIDDEN;
/* The word a new outermost section stores: the current phase, nest 1. */
extern unsigned long modlink__entry_word MODLINK_HIDDEN;
/* Whether readers fence, because membarrier(2) does not order them. */
extern int modlink__readers_fence MODLINK_HIDDEN;

/* A thread's first section: claims its record, then enters.  Returns the
   record the section counts in.  Async-signal-safe. */
struct modlink__reader *modlink__read_enter_first(void) MODLINK_HIDDEN;
void modlink__read_leave_overflow(struct modlink__reader *r) MODLINK_HIDDEN;

/* Enters a read section; returns the record to leave it with.
   Async-signal-safe: plain loads and stores to this thread's record. */
static inline struct modlink__reader *modlink__read_enter(void)
{
  struct modlink__reader *r = modlink__this_reader;
  if (__builtin_expect(!r, 0))
    return modlink__read_enter_first();
  /* Between this load and the store below, a signal handler's section
     returns the word to what it was. */
  unsigned long word = __atomic_load_n(&r->word, __ATOMIC_RELAXED);
  unsigned long entered =
      word & MODLINK__NEST_MASK
          ? word + 1
          : __atomic_load_n(&modlink__entry_word, __ATOMIC_RELAXED);
  /* The store must be visible before the table is loaded: the writer's
     membarrier orders the two when it must (modlink__grace_period), else
     a fence does.  ThreadSanitizer does not see fences, and its runtime
     never stops fencing: a sequentially consistent exchange is its full
     barrier. */
#ifdef __SANITIZE_THREAD__
  __atomic_exchange_n(&r->word, entered, __ATOMIC_SEQ_CST);
#else
  __atomic_store_n(&r->word, entered, __ATOMIC_RELAXED);
  if (__builtin_expect(
          __atomic_load_n(&modlink__readers_fence, __ATOMIC_RELAXED), 0))
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
  else
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
  return r;
}

static inline void modlink__read_leave(struct modlink__reader *r)
{
  unsigned long word = __atomic_load_n(&r->word, __ATOMIC_RELAXED);
  if (__builtin_expect(r->owner < 0, 0)) {
    modlink__read_leave_overflow(r);
    return;
  }
  /* Release: the section's loads happen before the writer, which reads
     this word with acquire, frees what they read. */
  __atomic_store_n(&r->word, word - 1, __ATOMIC_RELEASE);
}

/* The same, for a section that ends with its scope (READ_SECTION). */
static inline void modlink__read_end(struct modlink__section *s)
{
  modlink__read_leave(s->reader);
}

/* How long a writer waits for the readers of other threads. */
enum modlink__patience {
  MODLINK_WAIT_BRIEFLY, /* a few microseconds, then give up */
  MODLINK_WAIT_FOREVER, /* until they leave */
};

/* Registers the process with membarrier(2) once (again after a fork), so
   that readers stop fencing even while no grace period is needed.  With
   the writer lock held. */
void modlink__readers_writer_started(void) MODLINK_HIDDEN;

/* Waits for every reader that may hold something unpublished before the
   call.  Returns false when a brief wait gave up.  Called with the
   registry's writer lock held. */
bool modlink__grace_period(enum modlink__patience patience) MODLINK_HIDDEN;

/* A writer's waits: the time now, in seconds, and the pause after ROUND
   rounds of a wait (spins, then ever longer sleeps). */
double modlink__now(void) MODLINK_HIDDEN;
void modlink__pause(unsigned round) MODLINK_HIDDEN;

/* In the child of fork(): only the forking thread exists.  Its own open
   sections (it forked from a signal handler that interrupted one) still
   count, and end as they would have in the parent. */
void modlink__readers_after_fork(void) MODLINK_HIDDEN;

#endif
