/* A module the stress test loads and unloads over and over.  Its entry
   points at memory of the module itself, which readers touch. */
#include <modlink.h>

struct payload {
  unsigned magic;
  const char *module;
};
static const struct payload payload = {0x5eedu, MOD_FILE};
MODLINK_ENTRY("stress", &payload);
