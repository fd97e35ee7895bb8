// modlink-cc and modlink-c++: a drop-in CC and CXX for modlink modules.
// See driver.hpp for the pipeline, docs/reference.md and modlink-cc.1 for the
// user's view.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <sstream>
#include <sys/stat.h>

#include "driver.hpp"
#include "stubgen.hpp"

using namespace modlink::driver;

namespace {

std::vector<std::string> launcher_words()
{
    const char *env = getenv("MODLINK_LAUNCHER");
    std::vector<std::string> words;
    std::istringstream in(env ? env : "");
    for (std::string w; in >> w;)
        words.push_back(w);
    return words;
}

// icecream (MODLINK_LAUNCHER=icecc, or ccache with CCACHE_PREFIX=icecc)
// compiles again locally, and succeeds, whenever a remote compile wrote to
// stderr, so a compile node whose environment lacks the plugin ("cannot
// load plugin") would go unnoticed.  Without that workaround its error
// stops the build.  The user's own setting counts.
void make_remote_failures_loud()
{
    setenv("ICECC_CARET_WORKAROUND", "0", /*overwrite=*/0);
}

// 0 if files can be created in DIR, else the reason (an errno value).
int unusable_directory(const std::string &dir)
{
    struct stat st;
    if (stat(dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
        return ENOTDIR;
    return access(dir.c_str(), W_OK | X_OK) == 0 ? 0 : errno;
}

// $TMPDIR if it is a directory we can write, else /tmp, as gcc does.
std::string temp_dir_template()
{
    const char *tmp = getenv("TMPDIR");
    bool usable = tmp && *tmp && unusable_directory(tmp) == 0;
    return std::string(usable ? tmp : "/tmp") + "/modlink-cc-XXXXXX";
}

std::string make_temp_dir()
{
    std::string path = temp_dir_template();
    if (!mkdtemp(path.data()))
        throw DriverError("cannot create a temporary directory '" + path + "': " + strerror(errno));
    return path;
}

// Before anything runs: every input exists, and the output can be written.
// The linker would otherwise say it last, in two lines, after the stub steps.
void check_files(const Invocation &inv)
{
    for (const std::string &input : inv.inputs) {
        struct stat st;
        if (stat(input.c_str(), &st) != 0)
            throw DriverError(input + ": " + strerror(errno));
    }
    if (inv.output.empty() || inv.output == "-")
        return;
    size_t slash = inv.output.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : inv.output.substr(0, slash);
    if (int reason = unusable_directory(dir))
        throw DriverError("cannot write '" + inv.output + "': " + dir + ": " + strerror(reason));
    // The output itself: not a directory, and a name the file system takes.
    std::string name = inv.output.substr(slash == std::string::npos ? 0 : slash + 1);
    long name_max = pathconf(dir.c_str(), _PC_NAME_MAX);
    struct stat st;
    int reason = 0;
    if (stat(inv.output.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        reason = EISDIR;
    else if (name_max > 0 && name.size() > static_cast<size_t>(name_max))
        reason = ENAMETOOLONG;
    if (reason)
        throw DriverError("cannot write '" + inv.output + "': " + strerror(reason));
}

int drive(const ProgramName &name, int argc, char **argv)
{
    Install install = locate_install();
    std::vector<std::string> args = expand_response_files(std::vector<std::string>(argv + 1, argv + argc));
    const Personality &personality = *name.personality;
    Invocation inv = parse_command_line(args, name.triple.empty() ? default_triple() : name.triple, personality);

    // --print-runtime-dir alone needs no compiler.
    Toolchain tc;
    tc.target = &find_target(inv.triple);
    if (inv.print_plugin || !inv.print_runtime_dir) {
        CompilerProbe probe = system_probe();
        tc = choose_compiler(*tc.target,
                             requested_compiler(inv.gcc, getenv(personality.environment.c_str()), personality),
                             installed_plugins(install, inv.triple), install, probe);
        if (inv.mode == Mode::Link) {
            tc.as = find_assembler(tc, probe);
            tc.loader_finds_runtime = runtime_on_loader_path(install, *tc.target);
        }
    }
    if (!inv.dry_run && !inv.print_plugin && !inv.print_runtime_dir)
        check_files(inv);

    bool needs_temp = inv.mode == Mode::Link && !inv.save_temps;
    std::string temp_dir = !needs_temp ? "" : inv.dry_run ? temp_dir_template() : make_temp_dir();
    Plan plan = make_plan(inv, tc, install, temp_dir, launcher_words());
    for (const std::string &line : plan.echo)
        printf("%s\n", line.c_str());
    fflush(stdout);
    if (inv.dry_run) {
        for (const Command &c : plan.commands)
            fprintf(stderr, "%s\n", quote_command(c.argv).c_str());
        return 0;
    }
    make_remote_failures_loud();
    return run_plan(plan, inv.verbose);
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--modlink-genstub") == 0)
        return modlink::genstub_main("modlink-cc --modlink-genstub", argc - 1, argv + 1);
    ProgramName name = parse_program_name(argv[0]);
    try {
        return drive(name, argc, argv);
    } catch (const DriverError &e) {
        fprintf(stderr, "%s: error: %s\n", name.personality->name.c_str(), e.what());
        return 1;
    }
}
