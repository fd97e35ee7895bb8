/* Deferred calls in a loop: the plugin lowers them through the runtime and
   pairs the call to modlink_deferreturn at f's return, so an option that
   changes the form of calls shows here. */
#include <modlink.h>
static void cleanup(void *p) { (void)p; }
int f(int n) {
  for (int i = 0; i < n; i++)
    modlink_defer(cleanup, 0);
  return 1;
}
