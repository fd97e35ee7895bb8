// The targets modlink-cc builds for (platform/targets.conf), where modlink
// is installed, and stage 2: the choice of the target's compiler, and of
// the plugin that goes with its GCC major.
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "driver.hpp"

namespace modlink::driver {

const Target &find_target(const std::string &triple)
{
    if (const Target *t = platform::find(triple))
        return *t;
    throw DriverError(platform::unknown_target_message(triple));
}

std::string default_triple()
{
    for (const Target &t : platform::targets())
        if (t.native)
            return t.triple;
    return "";
}

const Personality &c_personality()
{
    static const Personality c{"modlink-cc", "gcc", "MODLINK_GCC"};
    return c;
}

const Personality &cxx_personality()
{
    static const Personality cxx{"modlink-c++", "g++", "MODLINK_GXX"};
    return cxx;
}

ProgramName parse_program_name(const std::string &argv0)
{
    std::string base = argv0.substr(argv0.rfind('/') + 1);
    for (const Personality *p : {&c_personality(), &cxx_personality()}) {
        const std::string suffix = "-" + p->name;
        if (base == p->name)
            return {p, ""};
        if (base.size() > suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0)
            return {p, base.substr(0, base.size() - suffix.size())};
    }
    return {&c_personality(), ""};  // another name (a copy, a test's): modlink-cc
}

Install locate_install()
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        throw DriverError("cannot find this program's path (/proc/self/exe)");
    buf[n] = 0;
    Install install;
    install.self = buf;
    std::string bin = install.self.substr(0, install.self.rfind('/'));
    install.prefix = bin.substr(0, bin.rfind('/'));
    return install;
}

namespace {

// N for "<PREFIX>N" (no sign, no leading zero), else 0.
int major_after(const std::string &name, const std::string &prefix)
{
    std::string digits = name.substr(std::min(name.size(), prefix.size()));
    if (name.compare(0, prefix.size(), prefix) != 0 || digits.empty() || digits.size() > 4 || digits[0] == '0' ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return 0;
    return std::stoi(digits);
}

// N for the directory "gcc-N", else 0.
int major_of_dir(const std::string &name) { return major_after(name, "gcc-"); }

// The first number of VERSION ("14" of "14.2.0"), else 0.
int leading_major(const std::string &version)
{
    size_t digits = 0;
    while (digits < version.size() && digits < 4 && version[digits] >= '0' && version[digits] <= '9')
        digits++;
    return digits == 0 ? 0 : std::stoi(version.substr(0, digits));
}

// N for a program named ".../<anything>gcc-N" (g++-N for COMPILER g++), else 0.
int major_of_program(const std::string &program, const std::string &compiler)
{
    std::string base = program.substr(program.rfind('/') + 1);
    size_t at = base.rfind(compiler + "-");
    return at == std::string::npos ? 0 : major_after(base.substr(at), compiler + "-");
}

// PROGRAM as execvp would find it, or "".
std::string find_on_path(const std::string &program)
{
    if (program.empty())
        return "";
    if (program.find('/') != std::string::npos)
        return access(program.c_str(), X_OK) == 0 ? program : "";
    const char *path = getenv("PATH");
    std::string dirs = path ? path : "";
    for (size_t start = 0;;) {
        size_t end = dirs.find(':', start);
        std::string dir = dirs.substr(start, end - start);
        std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
        if (access(candidate.c_str(), X_OK) == 0)
            return candidate;
        if (end == std::string::npos)
            return "";
        start = end + 1;
    }
}

// GCC's stdout for `GCC OPTION`, without its final newline; its stderr is
// dropped.  "" when it cannot run.
std::string ask_gcc(const std::string &gcc, const std::string &option)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0)
        return "";
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(out[1], 1);
        if (null >= 0)
            dup2(null, 2);
        execl(gcc.c_str(), gcc.c_str(), option.c_str(), static_cast<char *>(nullptr));
        _exit(127);
    }
    close(out[1]);
    std::string text;
    char buf[4096];
    for (ssize_t n; pid > 0 && ((n = read(out[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR));)
        if (n > 0)
            text.append(buf, n);
    close(out[0]);
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return "";
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

// "nothing" or 'TEXT', for what a compiler printed.
std::string printed(const std::string &text) { return text.empty() ? "nothing" : "'" + text + "'"; }

// The compiler NAME, found at PATH, with the plugin for its major.  The
// plugin's headers come with gcc-N-plugin-dev for gcc and g++ alike.
Toolchain with_plugin(const Target &target, const std::string &name, const std::string &path,
                      const std::vector<int> &plugins, const Install &install, const CompilerProbe &probe)
{
    std::string version = probe.ask(path, "-dumpversion");
    int major = leading_major(version);
    if (major == 0)
        throw DriverError("cannot tell " + name + "'s GCC version (" + name + " -dumpversion printed " +
                          printed(version) + ")");
    if (std::find(plugins.begin(), plugins.end(), major) == plugins.end())
        throw DriverError(name + " is GCC " + std::to_string(major) +
                          ", which this modlink has no plugin for; install the Debian package " +
                          target.plugin_dev_package(major) + " and rebuild modlink");
    return {&target, path, major, install.plugin(target.triple, major), ""};
}

// A compiler the user named: it must exist, build for the target and
// have a plugin.
Toolchain requested(const Target &target, const CompilerRequest &request, const std::vector<int> &plugins,
                    const Install &install, const CompilerProbe &probe)
{
    const std::string &name = request.program;
    std::string path = probe.find(name);
    if (path.empty()) {
        int major = major_of_program(name, request.compiler);
        throw DriverError(name + " not found (from " + request.from + "); install the Debian package " +
                          target.compiler_package(request.compiler, major ? major : plugins.back()));
    }
    std::string machine = probe.ask(path, "-dumpmachine");
    if (machine.empty())
        throw DriverError("cannot tell which target " + name + " builds for (" + name +
                          " -dumpmachine printed nothing)");
    if (machine != target.triple) {
        std::string hint = platform::find(machine) ? "; use --target=" + machine + " with it" : "";
        throw DriverError(name + " builds for " + machine + ", not " + target.triple + hint);
    }
    return with_plugin(target, name, path, plugins, install, probe);
}

}  // namespace

std::vector<int> installed_plugins(const Install &install, const std::string &triple)
{
    std::vector<int> majors;
    std::error_code error;
    for (const auto &entry : std::filesystem::directory_iterator(install.target_dir(triple), error)) {
        int major = major_of_dir(entry.path().filename().string());
        if (major && access(install.plugin(triple, major).c_str(), R_OK) == 0)
            majors.push_back(major);
    }
    std::sort(majors.begin(), majors.end());
    return majors;
}

bool loader_searches(const Target &target, const std::string &dir)
{
    for (const std::string &searched : {"/lib/" + target.multiarch, "/usr/lib/" + target.multiarch,
                                        std::string("/lib"), std::string("/usr/lib"),
                                        "/usr/" + target.triple + "/lib"})
        if (dir == searched)
            return true;
    return false;
}

bool runtime_on_loader_path(const Install &install, const Target &target)
{
    std::error_code error;
    std::filesystem::path runtime =
        std::filesystem::canonical(install.target_dir(target.triple) + "/libmodlink.so", error);
    return !error && loader_searches(target, runtime.parent_path().string());
}

CompilerRequest requested_compiler(const std::string &option, const char *environment,
                                   const Personality &personality)
{
    if (!option.empty())
        return {option, "--gcc", personality.compiler};
    if (environment && *environment)
        return {environment, personality.environment, personality.compiler};
    return {"", "", personality.compiler};
}

CompilerProbe system_probe() { return {find_on_path, ask_gcc}; }

Toolchain choose_compiler(const Target &target, const CompilerRequest &request, const std::vector<int> &plugins,
                          const Install &install, const CompilerProbe &probe)
{
    if (plugins.empty())
        throw DriverError("no modlink plugin for " + target.triple + " in " + install.target_dir(target.triple) +
                          "; this modlink install is incomplete");
    if (!request.program.empty())
        return requested(target, request, plugins, install, probe);
    std::string plain = target.triple + "-" + request.compiler;
    if (std::string path = probe.find(plain); !path.empty())
        return with_plugin(target, plain, path, plugins, install, probe);
    for (auto major = plugins.rbegin(); major != plugins.rend(); ++major) {
        std::string name = plain + "-" + std::to_string(*major);
        if (std::string path = probe.find(name); !path.empty())
            return with_plugin(target, name, path, plugins, install, probe);
    }
    int newest = plugins.back();
    throw DriverError(plain + "-" + std::to_string(newest) + " not found; install the Debian package " +
                      target.compiler_package(request.compiler, newest));
}

std::string find_assembler(const Toolchain &tc, const CompilerProbe &probe)
{
    std::string as = probe.ask(tc.gcc, "-print-prog-name=as");
    return as.empty() ? "as" : as;
}

}  // namespace modlink::driver
