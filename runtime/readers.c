/* Readers and grace periods; the design is in readers.h. */
#define _GNU_SOURCE
#include "readers.h"

#include <stdint.h>
#include <time.h>

enum { NSLOTS = 16, CACHE_LINE = 128 };

struct slot {
  unsigned long count[2]; /* readers inside, per phase */
} __attribute__((aligned(CACHE_LINE)));

static struct slot slots[NSLOTS];
static unsigned phase; /* only its low bit matters */

/* The calling thread's read section: nested sections count once.
   Initial-exec: a few bytes that the loader's static TLS reserve holds even
   when libmodlink.so is dlopened, reached without a call. */
static __thread struct {
  unsigned depth;
  unsigned phase;
  struct slot *slot;
} self __attribute__((tls_model("initial-exec")));

static struct slot *slot_of_this_thread(void)
{
  /* Threads run on different stacks; a multiplicative hash of the stack
     page spreads them over the slots.  Any slot is correct, a distinct
     one only avoids sharing a cache line. */
  uintptr_t sp = (uintptr_t)__builtin_frame_address(0) >> 12;
  return &slots[(uint32_t)(sp * 2654435761u) >> 28];
}

void modlink__read_begin(void)
{
  if (self.depth++)
    return;
  self.phase = __atomic_load_n(&phase, __ATOMIC_SEQ_CST) & 1;
  self.slot = slot_of_this_thread();
  /* Sequentially consistent: the writer that scans the counters after this
     increment sees it, or this reader's next load sees the writer's table. */
  __atomic_fetch_add(&self.slot->count[self.phase], 1, __ATOMIC_SEQ_CST);
}

void modlink__read_end(void)
{
  if (--self.depth)
    return;
  __atomic_fetch_sub(&self.slot->count[self.phase], 1, __ATOMIC_RELEASE);
}

static unsigned long readers_in(unsigned p)
{
  unsigned long n = 0;
  for (int i = 0; i < NSLOTS; i++)
    n += __atomic_load_n(&slots[i].count[p], __ATOMIC_SEQ_CST);
  return n;
}

static void backoff(unsigned round)
{
  if (round < 64) {
    __asm__ volatile("" ::: "memory"); /* spin: the loads above re-read */
    return;
  }
  struct timespec ts = {0, round < 1024 ? 1000 : 1000000};
  nanosleep(&ts, 0);
}

static void wait_for_phase(unsigned p)
{
  unsigned long mine = (self.depth && self.phase == p) ? 1 : 0;
  for (unsigned round = 0; readers_in(p) > mine; round++)
    backoff(round);
}

void modlink__readers_after_fork(void)
{
  for (int i = 0; i < NSLOTS; i++)
    slots[i].count[0] = slots[i].count[1] = 0;
  if (self.depth)
    self.slot->count[self.phase] = 1;
}

/* Called with the registry's writer lock held, after publishing. */
bool modlink__synchronize(void)
{
#ifdef MODLINK_NEGATIVE_CONTROL_NO_GRACE_PERIOD
  /* Built only for the tests' negative control: publish without waiting,
     to show what the grace period prevents. */
  return self.depth == 0;
#endif
  for (int flip = 0; flip < 2; flip++) {
    unsigned old = __atomic_load_n(&phase, __ATOMIC_SEQ_CST) & 1;
    __atomic_store_n(&phase, old ^ 1, __ATOMIC_SEQ_CST);
    wait_for_phase(old);
  }
  return self.depth == 0;
}
