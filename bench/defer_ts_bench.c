/* P1: the C2y defer TS (N3734; clang 22 and later with -fdefer-ts) in the
 * same tiny function as bench/defer_bench.c, and the same call made
 * directly, both compiled by that clang.
 *
 *   defer_ts_bench defer|direct ITERATIONS
 * prints "ns_per_op <float>". */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c2y */
#include <stddefer.h>
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

__attribute__((noinline)) static int with_defer(int x)
{
  defer sink(0);
  return x + 1;
}

__attribute__((noinline)) static int with_direct(int x)
{
  sink(0);
  return x + 1;
}

int main(int argc, char **argv)
{
  if (argc != 3)
    return 2;
  int (*fn)(int) = !strcmp(argv[1], "defer") ? with_defer : !strcmp(argv[1], "direct") ? with_direct : NULL;
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
