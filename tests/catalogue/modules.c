/* The catalogue's module checker: every module it is told about must be
 * registered under exactly the basename of its file.
 *
 *   modules [LIB...]
 *
 * It checks its own module against the basename of argv[0], then dlopens
 * each LIB and checks the module that holds its catalogue_probe function
 * against the basename of LIB.  It prints "modules: ok" and exits 0, or
 * one line per problem on stdout and exits 1: stderr stays the runtime's,
 * so that the catalogue can compare it exactly (tests/catalogue/cases.txt). */
#include <dlfcn.h>
#include <modlink.h>
#include <stdio.h>
#include <string.h>

static const char *basename_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static int check(const struct modlink_module *m, const char *file)
{
  if (!m) {
    printf("modules: %s is not registered\n", file);
    return 1;
  }
  const char *name = modlink_module_name(m);
  if (strcmp(name, basename_of(file)) != 0) {
    printf("modules: %s is registered as '%s'\n", file, name);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  int failures = check(modlink_self(), argv[0]);
  for (int i = 1; i < argc; i++) {
    void *lib = dlopen(argv[i], RTLD_NOW);
    void *probe = lib ? dlsym(lib, "catalogue_probe") : 0;
    if (!probe) {
      printf("modules: cannot load %s: %s\n", argv[i], dlerror());
      failures++;
      continue;
    }
    failures += check(modlink_find_module(probe), argv[i]);
  }
  if (failures)
    return 1;
  printf("modules: ok\n");
  return 0;
}
