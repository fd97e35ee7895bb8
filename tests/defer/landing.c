/* landing: where a deferred call returns to.  Every deferred call but a
   function's last one must return to the paired call itself, with the
   pairing's nop right before it, whatever form the link gave the call
   (riscv64: jal where ld relaxed it, auipc + jalr where not).  A rewind
   that misses the call can still look right to the semantics checks,
   when the bytes it lands on happen to be harmless to run again (riscv64:
   a compressed "mv a0,REG" before the c.nop); this checks the landing
   point itself.  Prints "landing: ok", or FAIL lines. */
#include <stdio.h>

#include <modlink.h>

#include MODLINK_CALL_FORMS	/* runtime-asm/call-forms-<backend>.h */

static int failures, runs;

static void __attribute__((noinline)) check(void *arg)
{
  const unsigned char *ret = __builtin_return_address(0);
  int last = arg == NULL;	/* deferred first, so run last: may return past */
  runs++;
  if (!last && !MODLINK_PAIRED_CALL_AT(ret)) {
    printf("FAIL: deferred call %p returns to %p, which is no paired call: %02x %02x | %02x %02x %02x %02x\n",
           arg, (const void *)ret, ret[-2], ret[-1], ret[0], ret[1], ret[2], ret[3]);
    failures++;
  }
}

static int __attribute__((noinline)) three(int x)
{
  modlink_defer(check, NULL);
  modlink_defer(check, (void *)1);
  modlink_defer(check, (void *)2);
  return x + 1;
}

static int __attribute__((noinline)) in_loop(int n)
{
  for (long i = 0; i <= n; i++)
    modlink_defer(check, (void *)i);	/* i == 0 first: runs last */
  return n;
}

int main(void)
{
  printf("landing: start\n");
  fflush(stdout);
  int r = three(1) + in_loop(5);
  if (r != 7 || runs != 9) {
    printf("FAIL: results %d, %d deferred calls ran\n", r, runs);
    failures++;
  }
  if (failures)
    return 1;
  printf("landing: ok\n");
  return 0;
}
