/* libdemo_plugin.so: dlopened by the demo; contributes a greeting while
   it is loaded. */
#include <modlink.h>

#include "greeting.h"

static const struct greeting hello = {"hello from a plugin"};
MODLINK_ENTRY("demo.greeting", &hello);

const char *demo_plugin_name(void)
{
  return modlink_module_name(modlink_self());
}
