/* Unwinding through a rewound frame.  While a deferred function runs, its
 * return address points at the deferring function's paired call; glibc's
 * backtrace(), libgcc's _Unwind_Backtrace and dladdr must show that
 * function as its caller, unwind on past it to main (its CFI at
 * "return address - 1" must be the call's), and addr2line must map
 * "return address - 1" to the line of its return statement.
 * CheckUnwind.cmake runs this and addr2line. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <modlink.h>
#include <stdint.h>
#include <stdio.h>
#include <unwind.h>

#define MAX_FRAMES 8

static const char *name_of(void *return_address)
{
  Dl_info info;
  if (dladdr((char *)return_address - 1, &info) && info.dli_sname)
    return info.dli_sname;
  return "?";
}

static void report(const char *how, void **frames, int n)
{
  printf("unwind: %s:", how);
  for (int i = 0; i < n && i < 3; i++)
    printf(" %s", name_of(frames[i]));
  printf("\n");
}

struct collected {
  void *ip[MAX_FRAMES];
  int n;
};

static _Unwind_Reason_Code collect(struct _Unwind_Context *ctx, void *p)
{
  struct collected *c = p;
  if (c->n < MAX_FRAMES)
    c->ip[c->n++] = (void *)_Unwind_GetIP(ctx);
  return _URC_NO_REASON;
}

__attribute__((noinline)) void unwind_probe(void *unused)
{
  (void)unused;
  void *frames[MAX_FRAMES];
  int n = backtrace(frames, MAX_FRAMES);
  report("backtrace", frames, n);

  struct collected c = {.n = 0};
  _Unwind_Backtrace(collect, &c);
  report("_Unwind_Backtrace", c.ip, c.n);

  Dl_info info;
  if (n > 1 && dladdr((char *)frames[1] - 1, &info))
    printf("unwind: return address - 1 = %#lx\n",
           (unsigned long)((uintptr_t)frames[1] - 1 - (uintptr_t)info.dli_fbase));
  fflush(stdout);
}

int counter;

__attribute__((noinline)) int deferring_function(int x)
{
  modlink_defer(unwind_probe, 0);
  counter += x;
  return counter * 2; /* UNWIND-LINE */
}

int main(void)
{
  int r = deferring_function(21);
  printf("unwind: result %d\n", r);
  return r != 42;
}
