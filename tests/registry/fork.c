/* fork() while a reader is inside a read section (a foreach callback):
 *
 *   registry_fork PLUGIN.so thread     another thread is the reader; in the
 *                                      child it does not exist
 *   registry_fork PLUGIN.so callback   fork() from inside the callback; in
 *                                      the child the reader is the caller
 *   registry_fork PLUGIN.so pinned     the other thread's callback was
 *                                      handed the plugin, which the child
 *                                      then unloads
 *
 * Either way the child's dlopen and dlclose must not wait for a reader that
 * will never leave.  The child has 20 seconds (SIGALRM) to load and unload
 * a module. */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "modlink.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int inside, release;

static const char *held_name; /* hold on this module only, if set */

static int hold(const struct modlink_module *m, void *ctx)
{
  (void)ctx;
  if (held_name && strcmp(modlink_module_name(m), held_name) != 0)
    return 0;
  pthread_mutex_lock(&mu);
  inside = 1;
  pthread_cond_broadcast(&cv);
  while (!release)
    pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  return 1; /* one module is enough */
}

static void *reader(void *arg)
{
  (void)arg;
  modlink_foreach_module(hold, 0);
  return 0;
}

static const char *plugin;
static void *pinned_plugin; /* loaded by the parent, unloaded by the child */

/* The child's job: load and unload a module. */
static void check_in_child(size_t base)
{
  size_t before = modlink_module_count();
  pid_t pid = fork();
  if (pid == 0) {
    alarm(20);
    if (pinned_plugin) {
      dlclose(pinned_plugin);
      _exit(modlink_module_count() == before - 1 ? 0 : 5);
    }
    void *h = dlopen(plugin, RTLD_NOW);
    if (!h || modlink_module_count() != before + 1)
      _exit(3);
    dlclose(h);
    _exit(modlink_module_count() == before ? 0 : 4);
  }
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  if (WIFSIGNALED(status))
    printf("FAIL: the child died of signal %d\n", WTERMSIG(status));
  CHECK(before == base + (pinned_plugin != 0));
}

static int fork_inside(const struct modlink_module *m, void *ctx)
{
  (void)m;
  check_in_child(*(size_t *)ctx);
  return 1;
}

int main(int argc, char **argv)
{
  if (argc != 3)
    return 2;
  plugin = argv[1];
  size_t base = modlink_module_count();
  if (strcmp(argv[2], "callback") == 0) {
    CHECK(modlink_foreach_module(fork_inside, &base) == 1);
    if (check_failures)
      return 1;
    printf("fork: ok\n");
    return 0;
  }

  if (strcmp(argv[2], "pinned") == 0) {
    CHECK((pinned_plugin = dlopen(plugin, RTLD_NOW)) != 0);
    const char *slash = strrchr(plugin, '/');
    held_name = slash ? slash + 1 : plugin;
  }
  pthread_t t;
  pthread_create(&t, 0, reader, 0);
  pthread_mutex_lock(&mu);
  while (!inside)
    pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);

  check_in_child(base);

  pthread_mutex_lock(&mu);
  release = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
  pthread_join(t, 0);
  if (pinned_plugin)
    CHECK(dlclose(pinned_plugin) == 0);
  /* The parent's own reader left: its writers do not hang either. */
  void *h = dlopen(argv[1], RTLD_NOW);
  CHECK(h && modlink_module_count() == base + 1);
  dlclose(h);
  CHECK(modlink_module_count() == base);
  if (check_failures)
    return 1;
  printf("fork: ok\n");
  return 0;
}
