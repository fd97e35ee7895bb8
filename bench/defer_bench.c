/* P1: deferred calls in a tiny function, against a direct call and
 * __attribute__((cleanup)) doing the same work.
 *
 *   defer_bench modlink|direct|cleanup ITERATIONS
 *       one modlink_defer per call (open-coded by default; the runtime path
 *       when the file is compiled with -fplugin-arg-modlink-open-coded=off),
 *       the same call made directly, the same call from a cleanup attribute.
 *   defer_bench loop ITERATIONS N
 *       modlink_defer in a loop of N iterations per call (always the
 *       runtime path: the plugin does not open-code a defer in a loop), as
 *       bench/go/defer_test.go's withLoopDefer does for Go.
 *   defer_bench direct-loop ITERATIONS N
 *       the same N calls made directly.
 *
 * Every variant calls sink() the same number of times per op; prints
 * "ns_per_op <float>", the time of one call of the tiny function. */
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

/* noipa: the loop count stays a run-time value, as in Go's benchmark
   (where the compiler sees a loop it cannot open-code). */
__attribute__((noipa)) static int with_modlink(int x, int n)
{
  (void)n;
  modlink_defer(sink, 0);
  return x + 1;
}

__attribute__((noipa)) static int with_direct(int x, int n)
{
  (void)n;
  sink(0);
  return x + 1;
}

static void cleanup_sink(int *unused) { sink(unused); }

__attribute__((noipa)) static int with_cleanup(int x, int n)
{
  (void)n;
  int guard __attribute__((cleanup(cleanup_sink))) = 0;
  (void)guard;
  return x + 1;
}

__attribute__((noipa)) static int with_loop(int x, int n)
{
  for (int i = 0; i < n; i++)
    modlink_defer(sink, 0);
  return x + 1;
}

__attribute__((noipa)) static int with_direct_loop(int x, int n)
{
  for (int i = 0; i < n; i++)
    sink(0);
  return x + 1;
}

int main(int argc, char **argv)
{
  if (argc != 3 && argc != 4)
    return 2;
  int (*fn)(int, int) = !strcmp(argv[1], "modlink")       ? with_modlink
                        : !strcmp(argv[1], "direct")      ? with_direct
                        : !strcmp(argv[1], "cleanup")     ? with_cleanup
                        : !strcmp(argv[1], "loop")        ? with_loop
                        : !strcmp(argv[1], "direct-loop") ? with_direct_loop
                                                          : NULL;
  long n = atol(argv[2]);
  int per = argc == 4 ? atoi(argv[3]) : 1;
  if (!fn || n <= 0 || per <= 0 || (argc == 4) != (fn == with_loop || fn == with_direct_loop))
    return 2;
  struct timespec t0, t1;
  int acc = 0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; i++)
    acc += fn((int)i, per);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
  if (sink_count != n * per)
    return 1;
  printf("ns_per_op %.4f\n", ns / n);
  return acc == 42; /* keeps acc alive */
}
