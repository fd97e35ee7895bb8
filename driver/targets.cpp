// The targets modlink-cc builds for, where modlink is installed, and the
// target toolchains (Debian's gcc-12 and its cross compilers).
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "driver.hpp"

namespace modlink::driver {

const std::vector<Target> &all_targets()
{
    static const std::vector<Target> targets = {
        {"x86_64-linux-gnu", "x86_64-linux-gnu-gcc-12", "gcc-12", "-m64",
         {{"-m32", "i686-linux-gnu", ""}, {"-mx32", "", "the x32 ABI"}}, false},
        {"i686-linux-gnu", "i686-linux-gnu-gcc-12", "gcc-12-i686-linux-gnu", "-m32",
         {{"-m64", "x86_64-linux-gnu", ""}, {"-mx32", "", "the x32 ABI"}}, false},
        {"powerpc64le-linux-gnu", "powerpc64le-linux-gnu-gcc-12", "gcc-12-powerpc64le-linux-gnu", "-m64",
         {{"-m32", "", "32-bit PowerPC"}}, true},
    };
    return targets;
}

std::string supported_targets()
{
    std::string names;
    for (const Target &t : all_targets())
        names += (names.empty() ? "" : ", ") + t.triple;
    return names;
}

const Target &find_target(const std::string &triple)
{
    for (const Target &t : all_targets())
        if (t.triple == triple)
            return t;
    throw DriverError("unknown target '" + triple + "'; supported: " + supported_targets());
}

std::string triple_from_program_name(const std::string &argv0)
{
    std::string base = argv0.substr(argv0.rfind('/') + 1);
    const std::string suffix = "-modlink-cc";
    if (base.size() <= suffix.size() || base.compare(base.size() - suffix.size(), suffix.size(), suffix) != 0)
        return "";
    return base.substr(0, base.size() - suffix.size());
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

// PROGRAM as execvp would find it, or "".
std::string find_on_path(const std::string &program)
{
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

std::string query(const std::string &gcc, const std::string &option)
{
    std::string command = "'" + gcc + "' " + option + " 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE *)> pipe(popen(command.c_str(), "r"), pclose);
    std::string out;
    char buf[4096];
    while (pipe && fgets(buf, sizeof buf, pipe.get()))
        out += buf;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    return out;
}

}  // namespace

Toolchain find_toolchain(const Target &target)
{
    Toolchain tc{&target, find_on_path(target.gcc), ""};
    if (tc.gcc.empty())
        throw DriverError(target.gcc + " not found; install the Debian package " + target.gcc_package);
    tc.as = query(tc.gcc, "-print-prog-name=as");
    if (tc.as.empty())
        tc.as = "as";
    return tc;
}

}  // namespace modlink::driver
