// libcxx_deferring.so: functions that defer calls into another module,
// then call a third one that throws.
#include <modlink.h>

#include "cxx_cross.h"

#define S(text) const_cast<char *>(text)

int cxx_defers_then_throws(int code)
{
  modlink_defer(cross_note, S("1"));
  modlink_defer(cross_note, S("2"));
  cross_throw(code);
  return 0;
}

int cxx_loop_defers_then_throws(int n, int code)
{
  for (int i = 0; i < n; i++)
    modlink_defer(cross_note, S(i == 0 ? "a" : i == 1 ? "b" : "c"));
  cross_throw(code);
  return 0;
}
