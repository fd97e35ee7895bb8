/* The defer lowering refuses: a naked function has no frame (x86 only). */
#include <modlink.h>
static void cleanup(void *p) { (void)p; }
__attribute__((naked)) void f(void) {
  modlink_defer(cleanup, 0);
}
