/* Deferred calls are per thread: 8 threads each defer 100,000 calls, in
 * frames of one and of nine, and check their own order and count while the
 * others do the same. */
#include <modlink.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 8
#define FRAMES 50000 /* x 2 defers on average: 100,000 per thread */

struct worker {
  pthread_t thread;
  unsigned id;
  unsigned long ran, bad;
  unsigned expect; /* the next value this frame's calls must see */
};

static void step(void *p)
{
  struct worker *w = p;
  w->ran++;
}

static void ordered(void *p)
{
  /* p encodes the worker and the position: (worker index << 8) | k */
  extern struct worker workers[THREADS];
  uintptr_t v = (uintptr_t)p;
  struct worker *w = &workers[v >> 8];
  if ((v & 0xff) != w->expect--)
    w->bad++;
  w->ran++;
}

struct worker workers[THREADS];

__attribute__((noinline)) static void frame(struct worker *w, unsigned i)
{
  modlink_defer(step, w);
  if (i % 8 == 0) { /* every eighth frame defers 8 more: 2 per frame on average */
    for (uintptr_t k = 1; k <= 8; k++)
      modlink_defer(ordered, (void *)((uintptr_t)w->id << 8 | k));
    w->expect = 8;
  }
}

static void *work(void *p)
{
  struct worker *w = p;
  for (unsigned i = 0; i < FRAMES; i++)
    frame(w, i);
  return NULL;
}

int main(void)
{
  for (unsigned t = 0; t < THREADS; t++) {
    workers[t].id = t;
    if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) {
      printf("FAIL: pthread_create\n");
      return 1;
    }
  }
  int failed = 0;
  const unsigned long expected = FRAMES + (FRAMES / 8) * 8;
  for (unsigned t = 0; t < THREADS; t++) {
    pthread_join(workers[t].thread, NULL);
    if (workers[t].ran != expected || workers[t].bad) {
      printf("FAIL: thread %u ran %lu deferred calls (expected %lu), %lu out of order\n",
             t, workers[t].ran, expected, workers[t].bad);
      failed = 1;
    }
  }
  if (!failed)
    printf("threads: %d x %lu deferred calls ok\n", THREADS, expected);
  return failed;
}
