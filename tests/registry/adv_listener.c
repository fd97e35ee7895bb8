/* A module that installs a listener whose code lives in it: when the
 * module is dlclosed, the registry drops the listener. */
#include <modlink.h>

static int heard;
static void listener(const struct modlink_module *m, int loaded, void *ctx)
{
  (void)m;
  (void)loaded;
  (void)ctx;
  heard++;
}

int adv_listen(void) { return modlink_on_change(listener, 0); }
