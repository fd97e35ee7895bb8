/* The defer lowering refuses code compiled with -fsplit-stack. */
#include <modlink.h>
static void cleanup(void *p) { (void)p; }
int f(void) {
  modlink_defer(cleanup, 0);
  return 1;
}
