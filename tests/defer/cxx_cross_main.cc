// Exceptions across modules: thrown in libcxx_thrower.so, through the
// deferring functions of libcxx_deferring.so and libc_deferring.so, caught
// here.  Each deferring function's pending calls run as the exception
// passes, last deferred first.
#include <cstdio>
#include <cstring>

#include "check.h"
#include "cxx_cross.h"

template <typename F> static int caught_code(F f)
{
  try {
    f();
  } catch (const cross_error &e) {
    return e.code;
  }
  return -1;
}

#define EXPECT(call, code, expected)      \
  do {                                    \
    cross_reset();                        \
    CHECK(caught_code(call) == (code));   \
    CHECK_STR(cross_trace(), expected);   \
  } while (0)

int main()
{
  printf("cxx-cross: start\n");
  fflush(stdout);
  EXPECT([] { cxx_defers_then_throws(7); }, 7, "t21");
  EXPECT([] { cxx_loop_defers_then_throws(3, 8); }, 8, "tcba");
  EXPECT([] { c_defers_then_calls(cross_throw, 9); }, 9, "tyx");
  EXPECT([] { cxx_defers_then_throws(10); }, 10, "t21");
  if (check_failures == 0)
    printf("cxx-cross: ok\n");
  return check_failures != 0;
}
