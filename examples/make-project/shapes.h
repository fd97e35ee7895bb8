/* A shape, as every module contributes them: MODLINK_ENTRY("shape", &s). */
#ifndef SHAPES_H
#define SHAPES_H
struct shape {
  const char *name;
  double (*area)(double size);
};
int shapes_in_library(void); /* libshapes.so */
#endif
