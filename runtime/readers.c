/* Readers and grace periods; the design is in readers.h. */
#define _GNU_SOURCE
#include "readers.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "instance.h"

enum { NSLOTS = 16, CACHE_LINE = 128 };

struct slot {
  unsigned long count[2]; /* open sections, per phase */
} __attribute__((aligned(CACHE_LINE)));

static struct slot slots[NSLOTS];
static unsigned phase; /* only its low bit matters */

/* The calling thread's holds, newest first.  Initial-exec: one pointer
   that the loader's static TLS reserve holds even when libmodlink.so is
   dlopened, reached without a call (a signal handler may not call
   __tls_get_addr, which can allocate). */
static __thread struct modlink__hold *innermost
    __attribute__((tls_model("initial-exec")));

/* A signal handler runs on this thread between any two instructions: the
   list must be whole at each store, and the compiler must not move the
   stores across the updates around them. */
#define SIGNAL_FENCE() __atomic_signal_fence(__ATOMIC_SEQ_CST)

void modlink__hold(struct modlink__hold *h)
{
  h->prev = innermost;
  SIGNAL_FENCE();
  innermost = h;
  SIGNAL_FENCE();
}

static bool listed(const struct modlink__hold *h)
{
  for (const struct modlink__hold *x = innermost; x; x = x->prev)
    if (x == h)
      return true;
  return false;
}

void modlink__release(struct modlink__hold *h)
{
  /* H was released for its thread already: a stack-switching caller made
     it look abandoned.  Nothing is left to release. */
  if (__builtin_expect(innermost != h, 0) && !listed(h))
    return;
  /* Holds taken after H and still listed were left by longjmp: their
     frames lay below H's, and are gone now that H's frame runs. */
  for (struct modlink__hold *x = innermost; x != h;) {
    struct modlink__hold *older = x->prev;
    innermost = older;
    SIGNAL_FENCE();
    x->release(x);
    x = older;
  }
  innermost = h->prev;
  SIGNAL_FENCE();
  h->release(h);
}

const struct modlink__hold *modlink__holds(void) { return innermost; }

static struct slot *slot_of_this_thread(void)
{
  /* Threads run on different stacks; a multiplicative hash of the stack
     page spreads them over the slots.  Any slot is correct, a distinct
     one only avoids sharing a cache line. */
  uintptr_t sp = (uintptr_t)__builtin_frame_address(0) >> 12;
  return &slots[(uint32_t)(sp * 2654435761u) >> 28];
}

static void leave_section(struct modlink__hold *h)
{
  struct modlink__section *s = (struct modlink__section *)h;
  __atomic_fetch_sub(s->count, 1, __ATOMIC_RELEASE);
}

void modlink__read_begin(struct modlink__section *s)
{
  s->phase = __atomic_load_n(&phase, __ATOMIC_SEQ_CST) & 1;
  s->count = &slot_of_this_thread()->count[s->phase];
  s->hold.release = leave_section;
  /* Sequentially consistent: the writer that scans the counters after this
     increment sees it, or this reader's next load sees the writer's table. */
  __atomic_fetch_add(s->count, 1, __ATOMIC_SEQ_CST);
  modlink__hold(&s->hold);
}

void modlink__read_end(struct modlink__section *s)
{
  modlink__release(&s->hold);
}

/* ---- sections whose frames are gone ------------------------------------- */

/* This thread's stack, [lo, hi), found once per thread and only when a
   section was left open (pthread_getattr_np reads /proc for the main
   thread).  lo == hi == 0 when it cannot be known. */
static __thread uintptr_t stack_lo, stack_hi;
static __thread bool stack_known;

static void find_this_stack(void)
{
  pthread_attr_t attr;
  void *addr;
  size_t size;
  stack_known = true;
  if (pthread_getattr_np(pthread_self(), &attr) != 0)
    return;
  if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
    stack_lo = (uintptr_t)addr;
    stack_hi = (uintptr_t)addr + size;
  }
  pthread_attr_destroy(&attr);
}

static bool on_this_stack(uintptr_t a) { return stack_lo <= a && a < stack_hi; }

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static __thread bool exit_hooked;

/* The thread exits: whatever it left open is abandoned. */
static void close_at_thread_exit(void *unused)
{
  (void)unused;
  while (innermost)
    modlink__release(innermost);
}

static void make_exit_key(void)
{
  if (pthread_key_create(&exit_key, close_at_thread_exit) != 0)
    exit_key = (pthread_key_t)-1;
}

void modlink__close_abandoned(void)
{
  if (!exit_hooked) {
    pthread_once(&exit_key_once, make_exit_key);
    if (exit_key != (pthread_key_t)-1 &&
        pthread_setspecific(exit_key, (void *)1) == 0)
      exit_hooked = true;
  }
  if (!innermost)
    return;
  if (!stack_known)
    find_this_stack();
  /* Every listed hold older than one that is still live is live too (its
     frame lies above), so the abandoned ones are the newest. */
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  if (!on_this_stack(here))
    return; /* on another stack (a coroutine's): nothing can be told */
  struct modlink__hold *x = innermost;
  while (x && on_this_stack((uintptr_t)x) && (uintptr_t)x < here)
    x = x->prev;
  if (x != innermost) {
    /* Release the abandoned ones, newest first, through the oldest of them
       (X is live, or there is none). */
    struct modlink__hold *oldest = innermost;
    while (oldest->prev != x)
      oldest = oldest->prev;
    modlink__release(oldest);
  }
}

/* ---- grace periods ------------------------------------------------------ */

static unsigned long readers_in(unsigned p)
{
  unsigned long n = 0;
  for (int i = 0; i < NSLOTS; i++)
    n += __atomic_load_n(&slots[i].count[p], __ATOMIC_SEQ_CST);
  return n;
}

static unsigned long own_in(unsigned p)
{
  unsigned long n = 0;
  for (const struct modlink__hold *x = innermost; x; x = x->prev)
    n += x->release == leave_section &&
         ((const struct modlink__section *)x)->phase == p;
  return n;
}

double modlink__now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

enum { SPINS = 64 };
static const double BRIEF_SECONDS = 100e-6, NOTICE_SECONDS = 1.0;

void modlink__pause(unsigned round, double start, bool *told,
                    const char *name)
{
  if (round < SPINS) {
    __asm__ volatile("" ::: "memory"); /* spin: the loads re-read */
    return;
  }
  double waited = modlink__now() - start;
  if (!*told && waited > NOTICE_SECONDS) {
    *told = true;
    modlink__notice("module '%s' is leaving, and has waited %.0f s for "
                    "another thread: a modlink_foreach_module or "
                    "modlink_foreach_entry callback there has not returned, "
                    "or its thread left it by longjmp",
                    name, waited);
  }
  struct timespec ts = {0, round < 1024 ? 1000 : 1000000};
  nanosleep(&ts, 0);
}

/* Waits until phase P holds no section but this thread's own; a brief
   wait gives up after BRIEF_SECONDS. */
static bool drain(unsigned p, enum modlink__patience patience, double start,
                  bool *told, const char *name)
{
  unsigned long mine = own_in(p);
  for (unsigned round = 0; readers_in(p) > mine; round++) {
    if (round >= SPINS && patience == MODLINK_WAIT_BRIEFLY &&
        modlink__now() - start > BRIEF_SECONDS)
      return false;
    modlink__pause(round, start, told, name);
  }
  return true;
}

bool modlink__grace_period(enum modlink__patience patience, const char *name)
{
#ifdef MODLINK_NEGATIVE_CONTROL_NO_GRACE_PERIOD
  /* Built only for the tests' negative control: publish without waiting,
     to show what the grace period prevents. */
  (void)patience;
  (void)name;
  return own_in(0) + own_in(1) == 0;
#endif
  double start = modlink__now();
  bool told = false;
  for (int flip = 0; flip < 2; flip++) {
    unsigned old = __atomic_load_n(&phase, __ATOMIC_SEQ_CST) & 1;
    __atomic_store_n(&phase, old ^ 1, __ATOMIC_SEQ_CST);
    if (!drain(old, patience, start, &told, name))
      return false;
  }
  return own_in(0) + own_in(1) == 0;
}

void modlink__readers_after_fork(void)
{
  for (int i = 0; i < NSLOTS; i++)
    slots[i].count[0] = slots[i].count[1] = 0;
  for (struct modlink__hold *x = innermost; x; x = x->prev)
    if (x->release == leave_section)
      ++*((struct modlink__section *)x)->count;
}
