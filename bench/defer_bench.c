/* P1: one deferred call per call of a tiny function, against a direct call
 * and __attribute__((cleanup)) doing the same work.
 *
 *   defer_bench modlink|direct|cleanup ITERATIONS
 * prints "ns_per_op <float>". */
#include <modlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile long sink_count;

__attribute__((noinline)) static void sink(void *unused)
{
  (void)unused;
  sink_count++;
}

__attribute__((noinline)) static int with_modlink(int x)
{
  modlink_defer(sink, 0);
  return x + 1;
}

__attribute__((noinline)) static int with_direct(int x)
{
  sink(0);
  return x + 1;
}

static void cleanup_sink(int *unused) { sink(unused); }

__attribute__((noinline)) static int with_cleanup(int x)
{
  int guard __attribute__((cleanup(cleanup_sink))) = 0;
  (void)guard;
  return x + 1;
}

int main(int argc, char **argv)
{
  if (argc != 3)
    return 2;
  int (*fn)(int) = !strcmp(argv[1], "modlink") ? with_modlink
                   : !strcmp(argv[1], "direct") ? with_direct
                   : !strcmp(argv[1], "cleanup") ? with_cleanup
                                                 : NULL;
  long n = atol(argv[2]);
  if (!fn || n <= 0)
    return 2;
  struct timespec t0, t1;
  int acc = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++)
    acc += fn((int)i);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
  if (sink_count != n)
    return 1;
  printf("ns_per_op %.4f\n", ns / n);
  return acc == 42; /* keeps acc alive */
}
