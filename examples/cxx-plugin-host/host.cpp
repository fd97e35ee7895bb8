// cxx-plugin-host: a C++ plugin host.  It loads every plugin_*.so in a
// directory, finds the host::Plugin objects that every loaded module
// contributes (HOST_PLUGIN, a MODLINK_ENTRY), tells their classes apart
// with dynamic_cast across modules, runs a script of commands (a plugin's
// exception is caught here, after the deferred calls of the functions it
// left), and unloads and reloads a plugin.
//
//   host PLUGIN_DIR
//
// Every piece is built with modlink-c++ (and hostlog.c with modlink-cc):
// this PIE, libpluginapi.so (linked) and the plugins (dlopened).
#include <dirent.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>

#include "hostlog.h"
#include "plugin.hpp"

namespace {

// The host's own plugin: it is an entry of this module.
class Length : public host::TextPlugin {
public:
    const char *name() const override { return "length"; }

protected:
    std::string transform(const std::string &word) const override { return std::to_string(word.size()); }
};
const Length length;
HOST_PLUGIN(length);

struct Found {
    const host::Plugin *plugin;
    const modlink_module *module;
};

std::vector<Found> plugins()
{
    std::vector<Found> found;
    modlink_foreach_entry(
        "host::Plugin",
        [](const modlink_module *m, const void *value, void *ctx) {
            static_cast<std::vector<Found> *>(ctx)->push_back({static_cast<const host::Plugin *>(value), m});
            return 0;
        },
        &found);
    return found;
}

const char *class_of(const host::Plugin *p)
{
    if (dynamic_cast<const host::TextPlugin *>(p))
        return "TextPlugin";
    if (dynamic_cast<const host::NumberPlugin *>(p))
        return "NumberPlugin";
    return "Plugin";
}

void list_plugins()
{
    for (const Found &f : plugins()) {
        // The object's own address is in the module that contributed it.
        const modlink_module *holder = modlink_find_module(f.plugin);
        hostlog("%-8s %-13s from %s%s", f.plugin->name(), class_of(f.plugin), modlink_module_name(f.module),
                holder == f.module ? "" : " (but its object is elsewhere!)");
    }
}

void list_modules()
{
    hostlog("%zu modules:", modlink_module_count());
    modlink_foreach_module(
        [](const modlink_module *m, void *) {
            hostlog("  %s", modlink_module_name(m));
            return 0;
        },
        nullptr);
}

// Runs a plugin; its deferred note is logged when this function returns,
// also when the plugin throws.
std::string run_plugin(const host::Plugin &p, const std::vector<std::string> &args)
{
    modlink_defer(hostlog_end, const_cast<char *>(p.name()));
    return p.run(args);
}

void run_line(const std::string &line)
{
    std::printf("$ %s\n", line.c_str());
    std::istringstream in(line);
    std::string name;
    in >> name;
    std::vector<std::string> args;
    for (std::string word; in >> word;)
        args.push_back(word);
    for (const Found &f : plugins()) {
        if (name != f.plugin->name())
            continue;
        try {
            hostlog("= %s", run_plugin(*f.plugin, args).c_str());
        } catch (const host::Error &e) {
            hostlog("error: %s", e.what());
        }
        return;
    }
    hostlog("no plugin '%s'", name.c_str());
}

bool is_plugin(const char *file)
{
    size_t n = std::strlen(file);
    return std::strncmp(file, "plugin_", 7) == 0 && n > 3 && std::strcmp(file + n - 3, ".so") == 0;
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s PLUGIN_DIR\n", argv[0]);
        return 2;
    }
    std::printf("== modules at start\n");
    list_modules();

    std::printf("\n== loading the plugins\n");
    std::map<std::string, void *> loaded;  // by file name: a stable order
    struct dirent **entries;
    int n = scandir(argv[1], &entries, [](const struct dirent *e) { return is_plugin(e->d_name) ? 1 : 0; },
                    alphasort);
    if (n < 0) {
        std::perror(argv[1]);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        std::string path = std::string(argv[1]) + "/" + entries[i]->d_name;
        void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            std::printf("  cannot load %s: %s\n", entries[i]->d_name, dlerror());
            return 1;
        }
        loaded[entries[i]->d_name] = handle;
        hostlog("loaded %s", entries[i]->d_name);
        std::free(entries[i]);
    }
    std::free(entries);
    list_modules();

    std::printf("\n== plugins, from every module's entries\n");
    list_plugins();

    std::printf("\n== running them\n");
    for (const char *line : {"upper hello modlink", "reverse stressed desserts", "length a bb ccc", "sum 1 2 39",
                             "max 4 -2 9", "sum 1 x", "max", "nosuch 1"})
        run_line(line);

    std::printf("\n== unloading plugin_number.so\n");
    dlclose(loaded["plugin_number.so"]);
    list_plugins();
    run_line("sum 1 2");

    std::printf("\n== loading it again\n");
    std::string path = std::string(argv[1]) + "/plugin_number.so";
    if (!dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
        std::printf("  cannot load it again: %s\n", dlerror());
        return 1;
    }
    run_line("sum 1 2");

    std::size_t count = plugins().size();
    std::printf("\ncxx-plugin-host: %s\n", count == 5 ? "ok" : "FAILED");
    return count == 5 ? 0 : 1;
}
