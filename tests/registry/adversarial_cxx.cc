// C++ exceptions thrown through the registry: from a foreach callback, and
// from a listener while modlink_on_change tells it of the modules already
// there.  The exception reaches the caller, and nothing of the registry
// stays held: the module the callback was handed can leave from another
// thread, and another thread can dlopen (the writer lock was released).
//
//   registry_adversarial_cxx DIR   (DIR holds libregistry_plugin.so)
#include <dlfcn.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "modlink.h"

static int failures;
#define CHECK(e) \
  ((e) ? (void)0 : (void)(std::printf("FAIL: %s:%d: %s\n", __FILE__, __LINE__, #e), failures++))

static int entry_throws(const modlink_module *m, const void *, void *)
{
  throw std::runtime_error(modlink_module_name(m));
}

static int module_throws(const modlink_module *m, void *)
{
  throw std::runtime_error(modlink_module_name(m));
}

static bool thrown_once;
static void listener_throws(const modlink_module *m, int, void *)
{
  if (!thrown_once) {
    thrown_once = true;
    throw std::runtime_error(modlink_module_name(m));
  }
}

static void *closes(void *handle)
{
  CHECK(dlclose(handle) == 0);
  return nullptr;
}

static void *opens_and_closes(void *path)
{
  void *h = dlopen(static_cast<const char *>(path), RTLD_NOW);
  CHECK(h != nullptr);
  CHECK(h && dlclose(h) == 0);
  return nullptr;
}

static void in_a_thread(void *(*fn)(void *), void *arg)
{
  pthread_t t;
  CHECK(pthread_create(&t, nullptr, fn, arg) == 0);
  CHECK(pthread_join(t, nullptr) == 0);
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  alarm(60);
  std::string plugin = std::string(argv[1]) + "/libregistry_plugin.so";
  size_t base = modlink_module_count();
  void *p = dlopen(plugin.c_str(), RTLD_NOW);
  CHECK(p != nullptr);

  std::string caught;
  try {
    modlink_foreach_entry("registry.test", entry_throws, nullptr);
  } catch (const std::runtime_error &e) {
    caught = e.what();
  }
  CHECK(caught == "libregistry_plugin.so");
  in_a_thread(closes, p); // the plugin was pinned while the callback ran
  CHECK(modlink_module_count() == base);

  caught.clear();
  try {
    modlink_foreach_module(module_throws, nullptr);
  } catch (const std::runtime_error &e) {
    caught = e.what();
  }
  CHECK(!caught.empty());

  caught.clear();
  try {
    modlink_on_change(listener_throws, nullptr);
  } catch (const std::runtime_error &e) {
    caught = e.what();
  }
  CHECK(!caught.empty());
  in_a_thread(opens_and_closes, const_cast<char *>(plugin.c_str()));
  CHECK(modlink_module_count() == base);

  if (!failures)
    std::printf("cxx-exceptions: ok\n");
  return failures != 0;
}
