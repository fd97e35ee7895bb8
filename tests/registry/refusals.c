/* Verification: double registration, bad magic, a foreign ABI version and
 * overlapping modules are refused with one line on stderr and not added;
 * module data whose own ranges nest is found, refuses what overlaps it, and
 * leaves entirely (the registry merges a module's overlapping ranges).
 * "refusals strict" stops at the first refusal: run it with MODLINK_STRICT=1,
 * which must abort. */
#include <modlink.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"
#include "moduledata.h"

void __modlink_init(void) __attribute__((visibility("hidden")));
void test_addmoduledata(const struct modlink_moduledata *md);
void test_delmoduledata(const struct modlink_moduledata *md);

#define SELF "registry_refusals"

/* Runs fn with stderr sent to a file; returns what it wrote. */
static const char *stderr_of(void (*fn)(const void *), const void *arg)
{
  static char buf[1024];
  FILE *tmp = tmpfile();
  int saved = dup(2);
  fflush(stderr);
  dup2(fileno(tmp), 2);
  fn(arg);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  rewind(tmp);
  size_t n = fread(buf, 1, sizeof buf - 1, tmp);
  buf[n] = 0;
  fclose(tmp);
  return buf;
}

static void call_own_init(const void *unused)
{
  (void)unused;
  __modlink_init();
}

static void add(const void *md) { test_addmoduledata(md); }
static void del(const void *md) { test_delmoduledata(md); }

/* A module data object shaped like this module's own. */
static struct modlink_moduledata fake_like_self(const char *name)
{
  const struct modlink_moduledata *own =
      (const struct modlink_moduledata *)(const void *)__modlink_moduledata;
  struct modlink_moduledata md = *own;
  md.name = name;
  md.flags = 0;
  return md;
}

static void check_refused(const struct modlink_moduledata *md,
                          const char *expected)
{
  size_t before = modlink_module_count();
  CHECK_STR(stderr_of(add, md), expected);
  CHECK(modlink_module_count() == before);
  /* Deregistering what was never added is a quiet no-op. */
  CHECK_STR(stderr_of(del, md), "");
  CHECK(modlink_module_count() == before);
}

int main(int argc, char **argv)
{
  const struct modlink_module *self = modlink_self();
  CHECK(self && strcmp(modlink_module_name(self), SELF) == 0);
  if (argc == 2 && strcmp(argv[1], "strict") == 0) {
    printf("refusals: start\n");
    fflush(stdout);
    __modlink_init(); /* MODLINK_STRICT=1: aborts here */
    printf("refusals: ok\n");
    return 0;
  }

  size_t base = modlink_module_count();
  char line[512];

  /* The module's own init function, run a second time. */
  CHECK_STR(stderr_of(call_own_init, 0),
            "modlink: refusing module '" SELF "': already registered\n");
  CHECK(modlink_module_count() == base);

  static struct modlink_moduledata bad_magic;
  bad_magic = fake_like_self("unused");
  bad_magic.magic = 0xdeadbeef;
  snprintf(line, sizeof line,
           "modlink: refusing module '" SELF "' (module data at %p): bad magic "
           "0xdeadbeef, expected 0x4b4e4c4d\n",
           (void *)&bad_magic);
  check_refused(&bad_magic, line);

  struct modlink_moduledata abi = fake_like_self("fake-abi");
  abi.abi_version = 9;
  check_refused(&abi, "modlink: refusing module 'fake-abi': module ABI "
                      "version 9, this runtime supports 1\n");

  struct modlink_moduledata overlap = fake_like_self("fake-overlap");
  snprintf(line, sizeof line,
           "modlink: refusing module 'fake-overlap': its text [%#lx, %#lx) "
           "overlaps module '" SELF "'\n",
           (unsigned long)overlap.text_start, (unsigned long)overlap.text_end);
  check_refused(&overlap, line);

  /* Only the data overlaps, and with another module. */
  const struct modlink_module *rt = modlink_find_module((void *)&modlink_module_count);
  CHECK(rt != 0);
  struct modlink_moduledata data_overlap = fake_like_self("fake-data");
  data_overlap.text_start = data_overlap.text_end = 0;
  data_overlap.rodata_start = data_overlap.rodata_end = 0;
  uintptr_t ds, de;
  modlink_module_data(rt, &ds, &de);
  data_overlap.data_start = ds + 1;
  data_overlap.data_end = ds + 2;
  snprintf(line, sizeof line,
           "modlink: refusing module 'fake-data': its data [%#lx, %#lx) "
           "overlaps module '%s'\n",
           (unsigned long)ds + 1, (unsigned long)ds + 2, modlink_module_name(rt));
  check_refused(&data_overlap, line);

  /* A well-formed module in memory nobody owns registers and leaves
     through the same entry points, quietly. */
  char *heap = malloc(256);
  struct modlink_moduledata ok = fake_like_self("fake-ok");
  ok.text_start = (uintptr_t)heap;
  ok.text_end = (uintptr_t)heap + 256;
  ok.rodata_start = ok.rodata_end = 0;
  ok.data_start = ok.data_end = 0;
  ok.entries_start = ok.entries_end = 0;
  CHECK_STR(stderr_of(add, &ok), "");
  CHECK(modlink_module_count() == base + 1);
  const struct modlink_module *found = modlink_find_module(heap + 100);
  CHECK(found && strcmp(modlink_module_name(found), "fake-ok") == 0);
  CHECK_STR(stderr_of(del, &ok), "");
  CHECK(modlink_module_count() == base);
  CHECK(modlink_find_module(heap + 100) == 0);
  free(heap);

  /* Module data made by hand whose ranges nest (text holds the read-only
     data, which starts with it, and the data) is found through each, also
     after more registrations fill the table and it is rebuilt; a module
     inside its text, past the others, is refused; once it leaves, nothing
     of it is found and that module registers. */
  enum { FILLERS = 40 };
  char *nest = malloc(512), *fill = malloc(FILLERS * 64);
  struct modlink_moduledata nested = fake_like_self("fake-nested"),
                            fillers[FILLERS], after = fake_like_self("fake-after");
  nested.text_start = (uintptr_t)nest;
  nested.text_end = (uintptr_t)nest + 256;
  nested.rodata_start = (uintptr_t)nest;
  nested.rodata_end = (uintptr_t)nest + 64;
  nested.data_start = (uintptr_t)nest + 160;
  nested.data_end = (uintptr_t)nest + 170;
  nested.entries_start = nested.entries_end = 0;
  CHECK_STR(stderr_of(add, &nested), "");
  for (int i = 0; i < FILLERS; i++) {
    fillers[i] = ok;
    fillers[i].name = "fake-filler";
    fillers[i].text_start = (uintptr_t)fill + 64 * i;
    fillers[i].text_end = (uintptr_t)fill + 64 * i + 32;
    CHECK_STR(stderr_of(add, &fillers[i]), "");
  }
  CHECK(modlink_module_count() == base + 1 + FILLERS);
  for (int off = 0; off < 256; off += 50) {
    found = modlink_find_module(nest + off);
    CHECK(found && strcmp(modlink_module_name(found), "fake-nested") == 0);
  }
  after.text_start = (uintptr_t)nest + 140;
  after.text_end = (uintptr_t)nest + 150;
  after.rodata_start = after.rodata_end = 0;
  after.data_start = after.data_end = 0;
  after.entries_start = after.entries_end = 0;
  snprintf(line, sizeof line,
           "modlink: refusing module 'fake-after': its text [%#lx, %#lx) "
           "overlaps module 'fake-nested'\n",
           (unsigned long)after.text_start, (unsigned long)after.text_end);
  check_refused(&after, line);
  CHECK_STR(stderr_of(del, &nested), "");
  for (int off = 0; off < 256; off += 50)
    CHECK(modlink_find_module(nest + off) == 0);
  CHECK_STR(stderr_of(add, &after), "");
  CHECK_STR(stderr_of(del, &after), "");
  for (int i = 0; i < FILLERS; i++)
    CHECK_STR(stderr_of(del, &fillers[i]), "");
  CHECK(modlink_module_count() == base);
  free(nest);
  free(fill);

  if (check_failures)
    return 1;
  printf("refusals: ok\n");
  return 0;
}
