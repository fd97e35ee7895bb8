/* plugin.so: loaded with dlopen, it adds a shape while it is loaded. */
#include <modlink.h>

#include "shapes.h"

static double circle(double r) { return 3.14159265 * r * r; }
static const struct shape circle_shape = {"circle", circle};
MODLINK_ENTRY("shape", &circle_shape);
