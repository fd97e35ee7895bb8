/* libshapes.so: a shared library, linked by the program. */
#include <modlink.h>

#include "shapes.h"

static double square(double s) { return s * s; }
static double triangle(double s) { return s * s * 0.4330127; }

static const struct shape square_shape = {"square", square};
static const struct shape triangle_shape = {"triangle", triangle};
MODLINK_ENTRY("shape", &square_shape);
MODLINK_ENTRY("shape", &triangle_shape);

int shapes_in_library(void) { return 2; }
