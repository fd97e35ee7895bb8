/* The semantics of modlink_defer, as the README states them, at whatever
 * optimisation level and code model this file is built with: order, loops,
 * return values, recursion, deferred calls that defer, longjmp, moving
 * stack pointers, locals that outlive the deferred calls, inlining, and
 * calls written by hand.  exit() is checked
 * by semantics_exit(), run in its own process.
 *
 * Built into the executable (PIE, non-PIE) or into a shared object (PIC);
 * semantics_main.c calls it. */
#include <alloca.h>
#include <malloc.h>
#include <modlink.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "semantics.h"
#include "trace.h"

#define NOINLINE __attribute__((noinline, noclone))
#define P(n) ((void *)(uintptr_t)(n))

/* Clobbers every call-clobbered register it can, and the stack below. */
static void clobber(void *unused)
{
  volatile char buf[512];
  char text[64];
  (void)unused;
  memset((char *)buf, 0x5a, sizeof buf);
  snprintf(text, sizeof text, "%f %d %s", 2.75, 12345, "clobber");
  CHECK(strcmp(text, "2.750000 12345 clobber") == 0);
}

/* ---- order ---------------------------------------------------------- */
NOINLINE static void three(void)
{
  modlink_defer(note, "a");
  modlink_defer(note, "b");
  modlink_defer(note, "c");
  note("body,");
}

/* ---- loops ---------------------------------------------------------- */
static unsigned loop_seen[1000], loop_next;

static void loop_step(void *n)
{
  if (loop_next < 1000)
    loop_seen[loop_next] = (unsigned)(uintptr_t)n;
  loop_next++;
}

NOINLINE static int loop_1000(void)
{
  for (unsigned i = 0; i < 1000; i++)
    modlink_defer(loop_step, P(i));
  return 7;
}

/* ---- return values -------------------------------------------------- */
static void set_99(void *p) { *(int *)p = 99; }

NOINLINE static int ret_int(int x)
{
  int local = x * 3 + 1;
  modlink_defer(clobber, 0);
  modlink_defer(set_99, &local); /* runs after the value was taken */
  return local;
}

NOINLINE static double ret_double(double x)
{
  modlink_defer(clobber, 0);
  return x * 1.5;
}

struct big {
  long v[9];
};

NOINLINE static struct big ret_big(long seed)
{
  struct big b;
  for (int i = 0; i < 9; i++)
    b.v[i] = seed + i;
  modlink_defer(clobber, 0);
  modlink_defer(note, "big");
  return b;
}

/* ---- recursion ------------------------------------------------------ */
static unsigned rec_next, rec_bad;

static void rec_step(void *n)
{
  if ((unsigned)(uintptr_t)n != rec_next)
    rec_bad++;
  rec_next++;
}

NOINLINE static unsigned recurse(unsigned n)
{
  modlink_defer(rec_step, P(n));
  if (n == 0)
    return 0;
  return recurse(n - 1) + 1;
}

/* ---- deferred calls that defer -------------------------------------- */
static void defers_more(void *s)
{
  modlink_defer(note, "x");
  modlink_defer(note, "y");
  note(s);
}

NOINLINE static void nested_defers(void)
{
  modlink_defer(note, "1");
  modlink_defer(defers_more, "2");
  note("0");
}

/* ---- longjmp -------------------------------------------------------- */
static jmp_buf jump;

NOINLINE static void inner_jumps(void)
{
  modlink_defer(note, "C");
  longjmp(jump, 1);
}

NOINLINE static void middle(void)
{
  modlink_defer(note, "B");
  inner_jumps();
  note("unreachable");
}

NOINLINE static int catcher(void)
{
  if (setjmp(jump) == 0) {
    middle();
    return 0;
  }
  return 1;
}

NOINLINE static void outer(void)
{
  modlink_defer(note, "A");
  note(catcher() ? "J" : "N");
  modlink_defer(note, "D");
}

/* The same function at the same depth, first left by longjmp, then
   returning normally: the dead activation's calls must not run. */
NOINLINE static void same_place(int leave)
{
  modlink_defer(note, leave ? "X" : "Y");
  if (leave)
    longjmp(jump, 1);
}

NOINLINE static void dead_twin(void)
{
  for (volatile int i = 0; i < 200; i++)
    if (setjmp(jump) == 0)
      same_place(1);
  same_place(0);
}

/* Dead records do not pile up: a longjmp loop that leaves a deferring
   frame at the same depth every time keeps the record stack small (each
   record is four words: without the dropping, the heap would grow by
   640 KiB on a 64-bit target). */
NOINLINE static int dead_records_stay_bounded(void)
{
  struct mallinfo2 m = mallinfo2();
  size_t before = m.uordblks + m.hblkhd; /* large blocks are mmapped */
  for (volatile int i = 0; i < 20000; i++)
    if (setjmp(jump) == 0)
      same_place(1);
  m = mallinfo2();
  size_t grown = m.uordblks + m.hblkhd - before;
  if (grown >= 64 * 1024)
    printf("FAIL: the heap grew by %zu bytes over 20000 dead activations\n", grown);
  return grown < 64 * 1024;
}

/* A deferred call leaves by longjmp: the calls it skips never run. */
static void leave_now(void *unused)
{
  (void)unused;
  longjmp(jump, 1);
}

NOINLINE static void deferred_jumps(void)
{
  modlink_defer(note, "P");
  modlink_defer(leave_now, 0);
  modlink_defer(note, "Q");
}

NOINLINE static int run_deferred_jumps(void)
{
  if (setjmp(jump) == 0) {
    deferred_jumps();
    return 0;
  }
  return 1;
}

/* A deferred call runs code that leaves deferring frames by longjmp, then
   returns normally: their dead records lie above the running call's. */
static void catches(void *unused)
{
  (void)unused;
  note(catcher() ? "j" : "n");
}

NOINLINE static void deferred_catches(void)
{
  modlink_defer(note, "K");
  modlink_defer(catches, 0);
  modlink_defer(note, "L");
}

/* ---- moving stack pointers ------------------------------------------ */
NOINLINE static int with_vla(int n)
{
  char vla[n];
  memset(vla, 'v', n);
  modlink_defer(note, "V");
  {
    char *a = alloca(2 * n);
    memset(a, 1, 2 * n);
    modlink_defer(note, "W");
    modlink_defer(clobber, 0);
  }
  return vla[n - 1];
}

NOINLINE static int vla_scopes(int n)
{
  int sum = 0;
  for (int k = 0; k < 3; k++) {
    char vla[n + k];
    vla[n + k - 1] = (char)k;
    modlink_defer(note, "S");
    sum += vla[n + k - 1];
  }
  return sum;
}

/* ---- F's locals outlive its deferred calls --------------------------- */
/* The stores after modlink_defer are read only by the deferred calls: they
   must not be dead, nor may another variable take the locals' slots. */
static void sees_42(void *p)
{
  note(*(int *)p == 42 ? "x" : "X(x not 42)");
  *(int *)p = -1;
}

static void sees_final(void *p) { note(strcmp(p, "final") == 0 ? "f" : "X(buf not final)"); }

static void frees_heap(void *pp)
{
  char **p = pp;
  note(*p && strcmp(*p, "heap") == 0 ? "p" : "X(p not set)");
  free(*p);
}

NOINLINE static int locals_outlive(int a)
{
  int x = 0;
  char buf[16] = "first";
  char *p = 0;
  modlink_defer(sees_42, &x);
  modlink_defer(sees_final, buf);
  modlink_defer(frees_heap, &p);
  x = a * 2;
  strcpy(buf, "final");
  p = strdup("heap");
  return a + 1;
}

/* The outermost scope's VLA is still allocated while clobber() writes the
   stack below the deferred calls' frames. */
NOINLINE static int vla_outlives(int n)
{
  char vla[n];
  modlink_defer(sees_final, vla);
  modlink_defer(clobber, 0);
  snprintf(vla, n, "final");
  return n;
}

/* ---- inlining and GNU C nested functions ---------------------------- */
static inline void inlined(void *s)
{
  modlink_defer(note, s);
  note("i");
}

NOINLINE static void calls_inlined(void)
{
  modlink_defer(note, "U");
  inlined("1");
  inlined("2");
  note("e");
}

NOINLINE static void has_nested(void)
{
  void nested(void)
  {
    modlink_defer(note, "n");
    note("m");
  }
  nested();
  note("o");
}

/* ---- conditional defers, calls written by hand ---------------------- */
NOINLINE static int maybe(int d)
{
  if (d)
    modlink_defer(note, "M");
  return d + 1;
}

NOINLINE static void by_hand(void)
{
  modlink_defer(note, "H");
  modlink_deferreturn(); /* runs nothing */
  note("h");
}

NOINLINE static void no_defer_by_hand(void) { modlink_deferreturn(); }

int semantics_run(void)
{
  EXPECT_TRACE(three(), "body,cba");

  CHECK(loop_1000() == 7);
  CHECK(loop_next == 1000);
  for (unsigned k = 0; k < 1000 && k < loop_next; k++)
    if (loop_seen[k] != 999 - k) {
      CHECK(loop_seen[k] == 999 - k);
      break;
    }

  CHECK(ret_int(4) == 13);
  CHECK(ret_double(3.0) == 4.5);
  trace_reset();
  struct big b = ret_big(1000);
  for (int i = 0; i < 9; i++)
    CHECK(b.v[i] == 1000 + i);
  CHECK_STR(trace, "big");

  CHECK(recurse(9999) == 9999);
  CHECK(rec_next == 10000);
  CHECK(rec_bad == 0);

  EXPECT_TRACE(nested_defers(), "02yx1");
  EXPECT_TRACE(outer(), "JDA");
  EXPECT_TRACE(dead_twin(), "Y");
  EXPECT_TRACE(CHECK(run_deferred_jumps() == 1), "Q");
  EXPECT_TRACE(deferred_catches(), "LjK");
  CHECK(dead_records_stay_bounded());
  EXPECT_TRACE(three(), "body,cba"); /* after all that */

  EXPECT_TRACE(CHECK(with_vla(40) == 'v'), "WV");
  EXPECT_TRACE(CHECK(vla_scopes(8) == 3), "SSS");
  EXPECT_TRACE(CHECK(locals_outlive(21) == 22), "pfx");
  EXPECT_TRACE(CHECK(vla_outlives(64) == 64), "f");
  EXPECT_TRACE(calls_inlined(), "i1i2eU");
  EXPECT_TRACE(has_nested(), "mno");
  EXPECT_TRACE((CHECK(maybe(0) == 1), CHECK(maybe(1) == 2)), "M");
  EXPECT_TRACE(by_hand(), "hH");
  EXPECT_TRACE(no_defer_by_hand(), "");
  return check_failures;
}

/* exit() skips the pending calls: they would print. */
static void must_not_run(void *s)
{
  printf("%s\n", (const char *)s);
  fflush(stdout);
}

NOINLINE static void exits(void)
{
  modlink_defer(must_not_run, "FAIL: a deferred call ran at exit");
  printf("exit: leaving\n");
  fflush(stdout);
  exit(0);
}

void semantics_exit(void)
{
  modlink_defer(must_not_run, "FAIL: the caller's deferred call ran at exit");
  exits();
}
