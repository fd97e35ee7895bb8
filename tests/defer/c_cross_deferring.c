/* libc_deferring.so, C compiled with -fexceptions: a C++ exception that
   unwinds through a deferring C function runs its pending calls. */
#include <modlink.h>

#include "cxx_cross.h"

void c_defers_then_calls(void (*thrower)(int), int code)
{
  modlink_defer(cross_note, "x");
  for (int i = 0; i < 2; i++)
    ; /* no defer in this loop: the function stays open-coded */
  modlink_defer(cross_note, "y");
  thrower(code);
  modlink_defer(cross_note, "FAIL(never deferred)");
}
