/* Readers and grace periods; the design is in readers.h. */
#define _GNU_SOURCE
#include "readers.h"

#include <errno.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { FIRST_RECORDS = 64, CHUNK_RECORDS = 64 };

#define NEST_MASK MODLINK__NEST_MASK
#define PHASE MODLINK__PHASE

struct chunk {
  struct chunk *next;
  struct modlink__reader records[CHUNK_RECORDS];
};

static struct modlink__reader first_records[FIRST_RECORDS];
static struct chunk *chunks; /* more records, pushed, never unmapped */

unsigned long modlink__entry_word = 1;

/* Readers fence until membarrier(2) can order them for the writer: at
   first, in a fork child (whose memory map is not registered), and for
   good where the kernel refuses. */
int modlink__readers_fence = 1;
static int membarrier_state; /* 0: not tried, 1: registered, -1: refused */

__thread struct modlink__reader *modlink__this_reader;

static pid_t this_thread(void) { return (pid_t)syscall(SYS_gettid); }

static bool thread_gone(pid_t tid)
{
  return syscall(SYS_tgkill, getpid(), tid, 0) != 0 && errno == ESRCH;
}

/* The first record, the static ones then each chunk's, for which VISIT
   returns true; NULL when there is none. */
static struct modlink__reader *
find_record(bool (*visit)(struct modlink__reader *r, void *arg), void *arg)
{
  for (int i = 0; i < FIRST_RECORDS; i++)
    if (visit(&first_records[i], arg))
      return &first_records[i];
  for (struct chunk *c = __atomic_load_n(&chunks, __ATOMIC_ACQUIRE); c;
       c = c->next)
    for (int i = 0; i < CHUNK_RECORDS; i++)
      if (visit(&c->records[i], arg))
        return &c->records[i];
  return 0;
}

struct claimant {
  pid_t me;
  bool reclaim; /* also records whose thread has exited */
};

/* A record nobody owns, or one whose thread has exited (a thread that
   exits is in no section: sections run no user code). */
static bool claim(struct modlink__reader *r, void *arg)
{
  const struct claimant *who = arg;
  pid_t owner = __atomic_load_n(&r->owner, __ATOMIC_RELAXED);
  if (owner != 0 && !(who->reclaim && thread_gone(owner)))
    return false;
  if (!__atomic_compare_exchange_n(&r->owner, &owner, who->me, false,
                                   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
    return false;
  __atomic_store_n(&r->word, 0, __ATOMIC_RELAXED);
  return true;
}

/* Once per thread, async-signal-safe: free records first, then those of
   exited threads, then a new chunk (mmap, which a signal handler may call).
   Returns NULL only when memory is exhausted. */
static struct modlink__reader *record_for_this_thread(void)
{
  int saved_errno = errno; /* tgkill's, in a signal handler */
  pid_t me = this_thread();
  struct claimant free_only = {me, false}, or_exited = {me, true};
  struct modlink__reader *r = find_record(claim, &free_only);
  if (!r)
    r = find_record(claim, &or_exited);
  if (!r) {
    struct chunk *c = mmap(0, sizeof *c, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED) {
      errno = saved_errno;
      return 0;
    }
    c->records[0].owner = me;
    c->next = __atomic_load_n(&chunks, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(&chunks, &c->next, c, true,
                                        __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
      ;
    r = &c->records[0];
  }
  errno = saved_errno;
  modlink__this_reader = r;
  return r;
}

/* This thread's full barrier (ThreadSanitizer does not see fences, but
   it sees a sequentially consistent read-modify-write). */
static void barrier_here(void)
{
#ifdef __SANITIZE_THREAD__
  __atomic_fetch_add(&modlink__entry_word, 0, __ATOMIC_SEQ_CST);
#else
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* The section of a thread that has no record and cannot get one counts
   here, with atomic updates: only when mmap fails.  Its owner is -1, which
   no thread id is. */
static struct modlink__reader overflow = {.owner = -1};

struct modlink__reader *modlink__read_enter_first(void)
{
  if (record_for_this_thread()) {
    /* The claim is seen by a writer's scan, or this section sees what
       that writer published (other_threads_read). */
    barrier_here();
    return modlink__read_enter();
  }
  __atomic_fetch_add(&overflow.word, 1, __ATOMIC_SEQ_CST);
  return &overflow;
}

void modlink__read_leave_overflow(struct modlink__reader *r)
{
  __atomic_fetch_sub(&r->word, 1, __ATOMIC_RELEASE);
}

/* Registers the process with membarrier(2), once (or once again after a
   fork); from then on readers stop fencing.  With the writer lock held. */
static bool membarrier_ready(void)
{
#ifdef __SANITIZE_THREAD__
  return false; /* readers always make a barrier ThreadSanitizer sees */
#else
  if (membarrier_state == 0) {
    membarrier_state = syscall(SYS_membarrier,
                               MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0,
                               0) == 0
                           ? 1
                           : -1;
    if (membarrier_state == 1)
      __atomic_store_n(&modlink__readers_fence, 0, __ATOMIC_SEQ_CST);
  }
  return membarrier_state == 1;
#endif
}

void modlink__readers_writer_started(void) { membarrier_ready(); }

static void barrier_everywhere(void)
{
  if (membarrier_ready()) {
    if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
      return;
    /* Refused after it was accepted (a seccomp filter installed since):
       readers fence from now on, but the readers of this moment are not
       ordered, a limit docs/design.md names. */
    membarrier_state = -1;
    __atomic_store_n(&modlink__readers_fence, 1, __ATOMIC_SEQ_CST);
  }
  barrier_here();
}

static bool in_old_phase(struct modlink__reader *r, void *old)
{
  unsigned long word = __atomic_load_n(&r->word, __ATOMIC_ACQUIRE);
  return (word & NEST_MASK) && (word & PHASE) == *(unsigned long *)old;
}

/* Whether some reader still is in a section it entered under phase OLD. */
static bool readers_in(unsigned long old)
{
  return find_record(in_old_phase, &old) ||
         __atomic_load_n(&overflow.word, __ATOMIC_ACQUIRE) != 0;
}

static bool other_owner(struct modlink__reader *r, void *unused)
{
  (void)unused;
  return __atomic_load_n(&r->owner, __ATOMIC_SEQ_CST) != 0 &&
         r != modlink__this_reader;
}

/* Whether a thread other than this one has a record.  Until one has, no
   section of another thread can hold anything, and a grace period has
   nothing to wait for: in a program that reads the registry from one
   thread only (any program while the loader starts it), registrations
   make no system call but the first writer's membarrier registration.  A
   thread claims its record with a sequentially consistent exchange and
   fences before its first table load; the writer published with a
   sequentially consistent store and fences before this scan: one of the
   two sees the other. */
static bool other_threads_read(void)
{
  return find_record(other_owner, 0) ||
         __atomic_load_n(&overflow.word, __ATOMIC_SEQ_CST) != 0;
}

double modlink__now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

enum { SPINS = 64 };
static const double BRIEF_SECONDS = 100e-6;

void modlink__pause(unsigned round)
{
  if (round < SPINS) {
    __asm__ volatile("" ::: "memory"); /* spin: the loads re-read */
    return;
  }
  struct timespec ts = {0, round < 1024 ? 1000 : 1000000};
  nanosleep(&ts, 0);
}

/* As userspace RCU does it: a reader whose section began before the
   grace period holds the phase it loaded, or is caught by the barrier in
   its thread between its word's store and its table's load.  Two flips,
   because a reader may load the entry word just before a flip and store
   it after the wait looked: it holds the new table, but its word names
   the old phase, which the next grace period's single flip would make the
   current one again. */
bool modlink__grace_period(enum modlink__patience patience)
{
#ifdef MODLINK_NEGATIVE_CONTROL_NO_GRACE_PERIOD
  /* Built only for the tests' negative control: publish without waiting,
     to show what the grace period prevents. */
  (void)patience;
  return true;
#endif
  membarrier_ready();
  barrier_here();
  if (!other_threads_read())
    return true;
  double start = modlink__now();
  bool done = true;
  barrier_everywhere();
  for (int flip = 0; flip < 2 && done; flip++) {
    unsigned long old = __atomic_load_n(&modlink__entry_word, __ATOMIC_RELAXED) & PHASE;
    __atomic_store_n(&modlink__entry_word, (old ^ PHASE) | 1, __ATOMIC_SEQ_CST);
    barrier_here();
    for (unsigned round = 0; readers_in(old); round++) {
      if (round >= SPINS && patience == MODLINK_WAIT_BRIEFLY &&
          modlink__now() - start > BRIEF_SECONDS) {
        done = false;
        break;
      }
      modlink__pause(round);
    }
  }
  barrier_everywhere();
  return done;
}

/* Frees a record of a thread that does not exist in a fork child. */
static bool free_unless_kept(struct modlink__reader *r, void *kept)
{
  if (r != kept)
    r->owner = 0, r->word = 0;
  return false;
}

void modlink__readers_after_fork(void)
{
  struct modlink__reader *kept = modlink__this_reader;
  find_record(free_unless_kept, kept);
  overflow.word = 0;
  /* The forking thread keeps its word: a fork from a signal handler that
     interrupted a section ends that section in the child too. */
  if (kept)
    kept->owner = this_thread();
  /* The child's memory map is not registered with membarrier. */
  membarrier_state = 0;
  modlink__readers_fence = 1;
}
