/* libgreet.so: linked into the demo (DT_NEEDED); contributes a greeting. */
#include <modlink.h>

#include "greeting.h"

static const struct greeting hello = {"hello from a library"};
MODLINK_ENTRY("demo.greeting", &hello);

/* The demo calls this, so that the linker keeps libgreet.so as DT_NEEDED
   (the toolchain links with --as-needed). */
const char *greet_module(void)
{
  return modlink_module_name(modlink_self());
}
