/* The defer lowering refuses: vfork returns twice in a deferring function. */
#include <modlink.h>
#include <unistd.h>
static void cleanup(void *p) { (void)p; }
int f(void) {
  modlink_defer(cleanup, 0);
  return vfork();
}
