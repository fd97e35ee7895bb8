/* Readers and grace periods; the design is in readers.h. */
#define _GNU_SOURCE
#include "readers.h"

#include <stdint.h>
#include <time.h>

enum { NSLOTS = 16, CACHE_LINE = 128 };

struct slot {
  unsigned long count[2]; /* open sections, per phase */
} __attribute__((aligned(CACHE_LINE)));

static struct slot slots[NSLOTS];
static unsigned phase; /* only its low bit matters */

static struct slot *slot_of_this_thread(void)
{
  /* Threads run on different stacks; a multiplicative hash of the stack
     page spreads them over the slots.  Any slot is correct, a distinct
     one only avoids sharing a cache line. */
  uintptr_t sp = (uintptr_t)__builtin_frame_address(0) >> 12;
  return &slots[(uint32_t)(sp * 2654435761u) >> 28];
}

void modlink__read_begin(struct modlink__section *s)
{
  unsigned p = __atomic_load_n(&phase, __ATOMIC_SEQ_CST) & 1;
  s->count = &slot_of_this_thread()->count[p];
  /* Sequentially consistent: the writer that scans the counters after this
     increment sees it, or this reader's next load sees the writer's table. */
  __atomic_fetch_add(s->count, 1, __ATOMIC_SEQ_CST);
}

void modlink__read_end(struct modlink__section *s)
{
  __atomic_fetch_sub(s->count, 1, __ATOMIC_RELEASE);
}

static unsigned long readers_in(unsigned p)
{
  unsigned long n = 0;
  for (int i = 0; i < NSLOTS; i++)
    n += __atomic_load_n(&slots[i].count[p], __ATOMIC_SEQ_CST);
  return n;
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

bool modlink__grace_period(enum modlink__patience patience)
{
#ifdef MODLINK_NEGATIVE_CONTROL_NO_GRACE_PERIOD
  /* Built only for the tests' negative control: publish without waiting,
     to show what the grace period prevents. */
  (void)patience;
  return true;
#endif
  double start = modlink__now();
  for (int flip = 0; flip < 2; flip++) {
    unsigned old = __atomic_load_n(&phase, __ATOMIC_SEQ_CST) & 1;
    __atomic_store_n(&phase, old ^ 1, __ATOMIC_SEQ_CST);
    for (unsigned round = 0; readers_in(old) > 0; round++) {
      if (round >= SPINS && patience == MODLINK_WAIT_BRIEFLY &&
          modlink__now() - start > BRIEF_SECONDS)
        return false;
      modlink__pause(round);
    }
  }
  return true;
}

void modlink__readers_after_fork(void)
{
  for (int i = 0; i < NSLOTS; i++)
    slots[i].count[0] = slots[i].count[1] = 0;
}
