/* A module that installs a listener whose code lives in it: when the
 * module is dlclosed, the registry drops the listener. */
#include <modlink.h>

static int heard;
#ifdef LISTENER_IN_OWN_SECTION
/* Outside .text, as code placed by section attributes (or lld's
   -z keep-text-section-prefix) is. */
__attribute__((section("adv_hooks"), noinline))
#endif
static void listener(const struct modlink_module *m, int loaded, void *ctx)
{
  (void)m;
  (void)loaded;
  (void)ctx;
  heard++;
}

int adv_listen(void) { return modlink_on_change(listener, 0); }

#ifdef LISTEN_FROM_CONSTRUCTOR
/* Built so, and then refused by the registry (its module data patched to
   another ABI version): its listener must not outlive it all the same. */
__attribute__((constructor)) static void listen_at_load(void) { adv_listen(); }
#endif
