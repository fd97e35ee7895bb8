/* The defer lowering refuses: a nested function jumps to a label of the deferring one. */
#include <modlink.h>
static void cleanup(void *p) { (void)p; }
int f(void) {
  __label__ out;
  void jump(void) { goto out; }
  modlink_defer(cleanup, 0);
  jump();
  return 0;
out:
  return 1;
}
