/* The defer lowering refuses: modlink_defer used as a value. */
#include <modlink.h>
void (*later)(void (*)(void *), void *);
void f(void) {
  later = modlink_defer;
}
