/* The defer lowering refuses: defer is for C only in this release. */
#include <modlink.h>
static void cleanup(void *p) { (void)p; }
int f() {
  modlink_defer(cleanup, 0);
  return 0;
}
