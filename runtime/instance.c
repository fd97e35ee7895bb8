/* One runtime per process; the design is in instance.h. */
#define _GNU_SOURCE
#include "instance.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NT_MODLINK_RUNTIME 1

/* The note: name "modlink", one 32-bit word holding the distance from
   the word itself to this copy's instance record.  PC-relative, so the
   note needs no dynamic relocation and can live in read-only PT_NOTE. */
__asm__(".pushsection .note.modlink,\"aR\",%note\n"
        "\t.balign 4\n"
        "\t.long 8\n"                      /* n_namesz: "modlink\0" */
        "\t.long 4\n"                      /* n_descsz */
        "\t.long 1\n"                      /* n_type: NT_MODLINK_RUNTIME */
        "\t.asciz \"modlink\"\n"
        "\t.balign 4\n"
        "0:\t.long modlink__this_instance - 0b\n"
        "\t.popsection");

static int note_is_runtime(const ElfW(Nhdr) *n)
{
  return n->n_type == NT_MODLINK_RUNTIME && n->n_namesz == 8 &&
         n->n_descsz == 4 && memcmp(n + 1, "modlink", 8) == 0;
}

static const struct modlink_instance *instance_in_notes(const char *p,
                                                        size_t size)
{
  const char *end = p + size;
  while (p + sizeof(ElfW(Nhdr)) <= end) {
    const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
    const char *desc = p + sizeof *n + ((n->n_namesz + 3) & ~3u);
    if (note_is_runtime(n)) {
      int32_t off;
      memcpy(&off, desc, sizeof off);
      const struct modlink_instance *in =
          (const struct modlink_instance *)(desc + off);
      if (in->magic == MODLINK_INSTANCE_MAGIC)
        return in;
    }
    p = desc + ((n->n_descsz + 3) & ~3u);
  }
  return 0;
}

static int first_instance(struct dl_phdr_info *info, size_t size, void *out)
{
  (void)size;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_NOTE)
      continue;
    const struct modlink_instance *in = instance_in_notes(
        (const char *)(info->dlpi_addr + ph->p_vaddr), ph->p_memsz);
    if (in) {
      *(const struct modlink_instance **)out = in;
      return 1;
    }
  }
  return 0;
}

const struct modlink_instance *modlink__the_runtime;
static pthread_once_t runtime_once = PTHREAD_ONCE_INIT;

/* The link-map namespace this copy was loaded into (LM_ID_BASE unless by
   dlmopen). */
static Lmid_t namespace_of_this_copy(void)
{
  Dl_info info;
  struct link_map *map = 0;
  Lmid_t ns = LM_ID_BASE;
  /* glibc's dlopen handles are link maps, so dlinfo takes one. */
  if (dladdr1(&modlink__this_instance, &info, (void **)&map,
              RTLD_DL_LINKMAP) && map)
    dlinfo(map, RTLD_DI_LMID, &ns);
  return ns;
}

static void resolve_runtime(void)
{
  const struct modlink_instance *first = 0;
  dl_iterate_phdr(first_instance, &first);
  if (!first || first == &modlink__this_instance ||
      first->version != MODLINK_INSTANCE_VERSION) {
    __atomic_store_n(&modlink__the_runtime, &modlink__this_instance,
                     __ATOMIC_RELEASE);
    /* dl_iterate_phdr sees the caller's namespace only: a module loaded
       by dlmopen into a new one brings a registry of its own. */
    Lmid_t ns = namespace_of_this_copy();
    if (ns != LM_ID_BASE)
      modlink__complain("runtime in '%s' loaded into link-map namespace %ld "
                        "(dlmopen): the modules there form a registry of "
                        "their own, which the other namespaces do not see",
                        modlink__name_of(modlink__this_instance.module),
                        (long)ns);
    return;
  }
  __atomic_store_n(&modlink__the_runtime, first, __ATOMIC_RELEASE);
  const struct modlink_moduledata *own = modlink__this_instance.module;
  modlink__complain("second runtime instance in '%s' (the process's runtime "
                    "is in '%s'); forwarding to it",
                    modlink__name_of(own), modlink__name_of(first->module));
  /* What this copy would have registered statically moves to the
     process's runtime. */
  if (own->magic == MODLINK_MAGIC && (own->flags & MODLINK_MD_STATIC))
    first->register_module(own);
}

const struct modlink_instance *modlink__runtime_resolve(void)
{
  pthread_once(&runtime_once, resolve_runtime);
  return __atomic_load_n(&modlink__the_runtime, __ATOMIC_ACQUIRE);
}

/* Before main: a signal handler's first lookup must not resolve (which
   takes the loader's lock). */
__attribute__((constructor)) static void resolve_early(void)
{
  modlink__runtime();
}

static int strict(void)
{
  const char *s = getenv("MODLINK_STRICT");
  return s && strcmp(s, "1") == 0;
}

static void say(const char *fmt, va_list ap)
{
  char line[512];
  vsnprintf(line, sizeof line, fmt, ap);
  fprintf(stderr, "modlink: %s\n", line);
}

void modlink__complain(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  say(fmt, ap);
  va_end(ap);
  if (strict())
    abort();
}

void modlink__notice(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  say(fmt, ap);
  va_end(ap);
}

const char *modlink__name_of(const struct modlink_moduledata *md)
{
  if (md->magic == MODLINK_MAGIC && md->name)
    return md->name;
  /* The module data is not trustworthy: name the file that holds it. */
  Dl_info info;
  if (dladdr(md, &info) && info.dli_fname && *info.dli_fname) {
    const char *slash = strrchr(info.dli_fname, '/');
    return slash ? slash + 1 : info.dli_fname;
  }
  return program_invocation_short_name;
}
