/* cross: the deferring function, the deferred function and the runtime in
   three shared objects; the results must match a computation without defer. */
#include <stdio.h>

#include "cross.h"

#define ROUNDS 100

int main(void)
{
  printf("cross: start\n");
  fflush(stdout);
  /* The same arithmetic as cross_deferring.c, done here. */
  static const unsigned long weights[4] = {3, 5, 7, 11};
  unsigned long checksum = 17, visible = 1, sum = 0;
  for (unsigned r = 0; r < ROUNDS; r++) {
    sum += r * 4 + 3 + r * 4 + 2 + r * 4 + 1;
    checksum += r * weights[r & 3];
    unsigned long w = weights[r & 3] + visible;
    visible += w;
    checksum = checksum * 31 + weights[r & 3] + visible;
  }
  unsigned long got = deferring_run(ROUNDS);
  int ok = 1;
  if (got != checksum) {
    printf("FAIL: the deferring module's checksum is %lu, expected %lu\n", got, checksum);
    ok = 0;
  }
  if (deferred_calls() != 3 * ROUNDS || deferred_sum() != sum) {
    printf("FAIL: the deferred module saw %lu calls summing to %lu, expected %d and %lu\n",
           deferred_calls(), deferred_sum(), 3 * ROUNDS, sum);
    ok = 0;
  }
  if (ok)
    printf("cross: ok\n");
  return !ok;
}
