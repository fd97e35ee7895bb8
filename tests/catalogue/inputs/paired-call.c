/* One deferred call: the plugin pairs the call to modlink_deferreturn at
   f's return, so an option that changes the form of calls shows here. */
#include <modlink.h>
static void cleanup(void *p) { (void)p; }
int f(void) {
  modlink_defer(cleanup, 0);
  return 1;
}
