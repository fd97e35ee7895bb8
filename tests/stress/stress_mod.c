/* One of the eight modules the stress test (stress.c) loads and unloads
 * over and over.  Compiled with the plugin: it defers calls of its own,
 * and its functions are deferred by the program.  MOD_INDEX and MOD_FILE
 * come from the build. */
#include <modlink.h>

#include "stress.h"

static const struct stress_payload payload = {STRESS_MAGIC, MOD_INDEX,
                                              MOD_FILE};
MODLINK_ENTRY("stress", &payload);

__attribute__((visibility("default"))) void stress_mod_note(void *slot)
{
  stress_record(slot, MOD_INDEX + 1);
}

static void own_note(void *slot) { stress_record(slot, MOD_INDEX + 1); }

/* Defers back(&slots[0]), a function of the program, then k calls of its
   own: they run as k..1, then 0.  Returns this module's index. */
__attribute__((visibility("default"))) unsigned
stress_mod_round(struct stress_slot *slots, unsigned k, void (*back)(void *))
{
  modlink_defer(back, &slots[0]);
  for (unsigned j = 1; j <= k; j++)
    modlink_defer(own_note, &slots[j]);
  return MOD_INDEX;
}
