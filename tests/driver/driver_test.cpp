// modlink-cc's plans (-###) for each target, compiler and kind of step,
// every error path (the exact one line, a non-zero exit, nothing run), and
// the compiler choice (driver/targets.cpp) as a function, on a fake system.
#define BOOST_TEST_MODULE driver
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "driver.hpp"
#include "platform.hpp"
#include "process.hpp"
#include "test-config.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace modlink::test;
namespace platform = modlink::platform;
namespace driver = modlink::driver;

namespace {

const std::string kStage = MODLINK_STAGE_DIR;
const std::string kDriver = kStage + "/bin/modlink-cc";

std::string replace_all(std::string s, const std::string &from, const std::string &to)
{
    for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
        s.replace(at, from.size(), to);
    return s;
}

// PROGRAM's path on PATH, or "".
std::string on_path(const std::string &program)
{
    const char *path = getenv("PATH");
    std::string dirs = path ? path : "";
    for (size_t start = 0;;) {
        size_t end = dirs.find(':', start);
        std::string candidate = dirs.substr(start, end - start) + "/" + program;
        if (access(candidate.c_str(), X_OK) == 0)
            return candidate;
        if (end == std::string::npos)
            return "";
        start = end + 1;
    }
}

// The targets the tests run for, each once, in the table's order.
std::vector<std::string> triples()
{
    std::vector<std::string> list;
    for (const TargetTools &t : kTargets)
        if (std::find(list.begin(), list.end(), t.triple) == list.end())
            list.push_back(t.triple);
    return list;
}

// The GCC majors built for TRIPLE (a plugin each), oldest first.
std::vector<int> majors(const std::string &triple)
{
    std::vector<int> list;
    for (const TargetTools &t : kTargets)
        if (t.triple == triple)
            list.push_back(t.gcc_major);
    std::sort(list.begin(), list.end());
    return list;
}

// The compiler modlink-cc.1 (COMPILER) says modlink-cc drives for TRIPLE when none is
// named: <triple>-gcc where it exists, else the newest <triple>-gcc-N
// with a plugin.
struct Compiler {
    std::string name, path;
    int major = 0;
};
Compiler default_compiler(const std::string &triple)
{
    Compiler c{triple + "-gcc", on_path(triple + "-gcc")};
    if (!c.path.empty()) {
        c.major = std::stoi(run_process({c.path, "-dumpversion"}).out);
        return c;
    }
    std::vector<int> built = majors(triple);
    for (auto n = built.rbegin(); n != built.rend(); ++n)
        if (std::string path = on_path(triple + "-gcc-" + std::to_string(*n)); !path.empty())
            return {triple + "-gcc-" + std::to_string(*n), path, *n};
    return {};
}

// The build machine's own target: modlink-cc's default one.
std::string native_triple()
{
    for (const platform::Target &t : platform::targets())
        if (t.native)
            return t.triple;
    return "";
}

std::string plugin_path(const std::string &triple, int major)
{
    return kStage + "/lib/modlink/" + triple + "/gcc-" + std::to_string(major) + "/modlink.so";
}

// A script that answers as a gcc would: -dumpversion VERSION, -dumpmachine
// MACHINE, and fails for anything else.
std::string fake_gcc(const TempDir &dir, const std::string &name, const std::string &version,
                     const std::string &machine)
{
    std::string path = dir.file(name);
    std::ofstream(path) << "#!/bin/sh\ncase \"$1\" in\n  -dumpversion) echo " << version
                        << " ;;\n  -dumpmachine) echo " << machine << " ;;\n  *) exit 1 ;;\nesac\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
}

struct Plan {
    ProcessResult result;
    std::string text;  // stderr with @PREFIX@, @GCC@, @AS@ and @TMP@ put back
};

// The -### plan of `modlink-cc --gcc=<T's compiler> ARGS` for T, run in DIR
// as <triple>-modlink-cc.
Plan plan(const TargetTools &t, std::vector<std::string> args, const TempDir &dir,
          std::vector<std::string> env = {})
{
    args.insert(args.begin(), {kStage + "/bin/" + t.triple + "-modlink-cc", "-###", std::string("--gcc=") + t.cc});
    env.push_back("TMPDIR=" + dir.path());
    Plan p{run_process(args, env, dir.path()), ""};
    std::string as = run_process({t.cc, "-print-prog-name=as"}).out;
    as.pop_back();
    p.text = replace_all(p.result.err, dir.path() + "/modlink-cc-XXXXXX", "@TMP@");
    p.text = replace_all(p.text, "\"" + on_path(t.cc) + "\"", "\"@GCC@\"");
    p.text = replace_all(p.text, "\"" + as + "\"", "\"@AS@\"");
    p.text = replace_all(p.text, kStage, "@PREFIX@");
    return p;
}

std::string expand(const TargetTools &t, std::string golden)
{
    return replace_all(replace_all(golden, "@T@", t.triple), "@N@", std::to_string(t.gcc_major));
}

const char kCompiler[] =
    "\"-fplugin=@PREFIX@/lib/modlink/@T@/gcc-@N@/modlink.so\" \"-isystem\" \"@PREFIX@/lib/modlink/include\"";
const char kRuntime[] = "\"-L@PREFIX@/lib/modlink/@T@\" \"-lmodlink\"";
const char kRuntimeRpath[] = "\"-Wl,-rpath,@PREFIX@/lib/modlink/@T@\"";

std::string stub_steps(const std::string &name, const std::string &dir = "@TMP@", const std::string &extra = "")
{
    std::string s = dir == "@TMP@" ? "@TMP@/stub" : dir + ".modlink-stub";
    std::string ld = dir == "@TMP@" ? "@TMP@/modlink.ld" : dir + ".modlink.ld";
    return " \"@PREFIX@/bin/modlink-cc\" \"--modlink-genstub\" \"--target=@T@\" \"--name=" + name + "\"" + extra +
           " \"-o\" \"" + s + ".s\" \"--ld-fragment=" + ld + "\"\n" + " \"@AS@\" \"-o\" \"" + s + ".o\" \"" + s +
           ".s\"\n";
}

// The link command: the stub object and libmodlink.so before the user's
// ARGS (early in the loader's search scope), the fragment and the
// runtime's rpath after them (after the user's rpaths).
std::string link(const std::string &args, const std::string &stub = "@TMP@/stub.o",
                 const std::string &ld = "@TMP@/modlink.ld")
{
    return std::string(" \"@GCC@\" ") + kCompiler + " \"" + stub + "\" " + kRuntime + " " + args + " \"-Wl,-T," +
           ld + "\" " + kRuntimeRpath + "\n";
}

void check_plan(const TargetTools &t, const std::vector<std::string> &args, const std::string &golden,
                std::vector<std::string> env = {})
{
    TempDir dir;
    Plan p = plan(t, args, dir, env);
    BOOST_TEST_CONTEXT(t.triple << ": modlink-cc -### --gcc=" << t.cc << " " << shell_quote(args)) {
        BOOST_TEST(p.result.exit_code == 0);
        BOOST_TEST(p.text == expand(t, golden));
        BOOST_TEST(p.result.out.empty());
        BOOST_TEST(std::filesystem::is_empty(dir.path()), "-### created files");
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plans)

BOOST_AUTO_TEST_CASE(compile)
{
    for (const TargetTools &t : kTargets)
        check_plan(t, {"-c", "-O2", "a.c", "-o", "a.o"},
                   std::string(" \"@GCC@\" ") + kCompiler + " \"-c\" \"-O2\" \"a.c\" \"-o\" \"a.o\"\n");
}

// As in gcc: the last -fuse-ld= and the last of -z shstk/noshstk count,
// and only a link uses them.
BOOST_AUTO_TEST_CASE(linker_options_count_where_they_link)
{
    for (const TargetTools &t : kTargets) {
        check_plan(t, {"-c", "-fuse-ld=gold", "a.c"},
                   std::string(" \"@GCC@\" ") + kCompiler + " \"-c\" \"-fuse-ld=gold\" \"a.c\"\n");
        check_plan(t, {"-fuse-ld=gold", "-fuse-ld=bfd", "a.o", "-o", "prog"},
                   stub_steps("prog") + link("\"-fuse-ld=gold\" \"-fuse-ld=bfd\" \"a.o\" \"-o\" \"prog\""));
        check_plan(t, {"-Wl,-z,shstk", "-Wl,-z,noshstk", "a.o", "-o", "prog"},
                   stub_steps("prog") + link("\"-Wl,-z,shstk\" \"-Wl,-z,noshstk\" \"a.o\" \"-o\" \"prog\""));
    }
}

// gcc's long spelling of -o names the module too; $ is escaped in a plan,
// as gcc -### does, so that the printed line runs in a shell.
BOOST_AUTO_TEST_CASE(long_output_option_and_dollar_quoting)
{
    for (const TargetTools &t : kTargets) {
        check_plan(t, {"a.o", "--output=prog"}, stub_steps("prog") + link("\"a.o\" \"--output=prog\""));
        check_plan(t, {"a.o", "--output", "prog"}, stub_steps("prog") + link("\"a.o\" \"--output\" \"prog\""));
        check_plan(t, {"-c", "-DX=$HOME", "a.c"},
                   std::string(" \"@GCC@\" ") + kCompiler + " \"-c\" \"-DX=\\$HOME\" \"a.c\"\n");
    }
}

BOOST_AUTO_TEST_CASE(syntax_only_is_a_compile)
{
    for (const TargetTools &t : kTargets)
        check_plan(t, {"-fsyntax-only", "a.c"},
                   std::string(" \"@GCC@\" ") + kCompiler + " \"-fsyntax-only\" \"a.c\"\n");
}

BOOST_AUTO_TEST_CASE(compile_with_a_launcher)
{
    for (const TargetTools &t : kTargets)
        check_plan(t, {"-c", "a.c"}, std::string(" \"ccache\" \"@GCC@\" ") + kCompiler + " \"-c\" \"a.c\"\n",
                   {"MODLINK_LAUNCHER=ccache"});
}

BOOST_AUTO_TEST_CASE(link_shared)
{
    for (const TargetTools &t : kTargets)
        check_plan(t, {"-shared", "-fPIC", "a.o", "-o", "lib/libx.so"},
                   stub_steps("libx.so") + link("\"-shared\" \"-fPIC\" \"a.o\" \"-o\" \"lib/libx.so\""));
}

BOOST_AUTO_TEST_CASE(link_pie_and_executable)
{
    for (const TargetTools &t : kTargets) {
        check_plan(t, {"-pie", "a.o", "-o", "prog"},
                   stub_steps("prog") + link("\"-pie\" \"a.o\" \"-o\" \"prog\""));
        check_plan(t, {"-no-pie", "a.o", "-lm"},
                   stub_steps("a.out") + link("\"-no-pie\" \"a.o\" \"-lm\""));
    }
}

BOOST_AUTO_TEST_CASE(relocatable_link_adds_no_stub)
{
    for (const TargetTools &t : kTargets)
        check_plan(t, {"-r", "a.o", "b.o", "-o", "ab.o"}, " \"@GCC@\" \"-r\" \"a.o\" \"b.o\" \"-o\" \"ab.o\"\n");
}

BOOST_AUTO_TEST_CASE(compile_and_link_in_one_command)
{
    for (const TargetTools &t : kTargets)
        check_plan(t, {"a.c", "b.o", "-o", "prog"},
                   stub_steps("prog") + link("\"a.c\" \"b.o\" \"-o\" \"prog\""));
}

BOOST_AUTO_TEST_CASE(launcher_only_where_something_compiles)
{
    const TargetTools &t = kTargets[0];
    check_plan(t, {"a.o", "-o", "prog"},
               stub_steps("prog") + link("\"a.o\" \"-o\" \"prog\""),
               {"MODLINK_LAUNCHER=ccache"});
}

BOOST_AUTO_TEST_CASE(response_files)
{
    for (const TargetTools &t : kTargets) {
        TempDir dir;
        std::ofstream(dir.file("args")) << "-c 'a b.c'\n  -o \"out dir/a.o\" @" << dir.file("more") << "\n";
        std::ofstream(dir.file("more")) << "-DX=\\\"1\\\"\n";
        check_plan(t, {"@" + dir.file("args")},
                   std::string(" \"@GCC@\" ") + kCompiler +
                       " \"-c\" \"a b.c\" \"-o\" \"out dir/a.o\" \"-DX=\\\"1\\\"\"\n");
    }
}

BOOST_AUTO_TEST_CASE(save_temps_keeps_the_stub_next_to_the_output)
{
    for (const TargetTools &t : kTargets)
        check_plan(t, {"-save-temps", "a.o", "-o", "out/prog"},
                   stub_steps("prog", "out/prog") + link("\"-save-temps\" \"a.o\" \"-o\" \"out/prog\"", "out/prog.modlink-stub.o", "out/prog.modlink.ld"));
}

BOOST_AUTO_TEST_CASE(static_runtime)
{
    for (const TargetTools &t : kTargets)
        check_plan(t, {"--modlink-static-runtime", "a.o", "-o", "prog"},
                   stub_steps("prog", "@TMP@", " \"--runtime-module\"") + " \"@GCC@\" " + kCompiler +
                       " \"a.o\" \"-o\" \"prog\" \"-x\" \"none\" \"@TMP@/stub.o\" \"-Wl,-T,@TMP@/modlink.ld\" "
                       "\"@PREFIX@/lib/modlink/@T@/libmodlink.a\" \"-lpthread\" "
                       "\"-Wl,--export-dynamic-symbol=modlink_*\"\n");
}

// --modlink-no-rpath leaves the runtime's directory out of the module's
// RUNPATH (the runtime is then found as the system finds libraries); the
// last of it and --modlink-rpath counts.
BOOST_AUTO_TEST_CASE(runtime_rpath_on_and_off)
{
    for (const TargetTools &t : kTargets) {
        std::string without = replace_all(link("\"a.o\" \"-o\" \"prog\""), std::string(" ") + kRuntimeRpath, "");
        check_plan(t, {"--modlink-no-rpath", "a.o", "-o", "prog"}, stub_steps("prog") + without);
        check_plan(t, {"--modlink-rpath", "--modlink-no-rpath", "a.o", "-o", "prog"}, stub_steps("prog") + without);
        check_plan(t, {"--modlink-no-rpath", "--modlink-rpath", "a.o", "-o", "prog"},
                   stub_steps("prog") + link("\"a.o\" \"-o\" \"prog\""));
    }
}

// By default the rpath is left out where the runtime, its symlinks
// followed, is in a directory the target's loader searches unaided: an
// install laid out as the Debian packages lay it out (lib/modlink/<triple>/
// libmodlink.so a symlink into /usr/<triple>/lib or /usr/lib/<multiarch>).
// --modlink-rpath still adds it.  The install is a copy of modlink-cc,
// which finds its install from its own path, with the plugin and a
// symlink standing for the packaged runtime: the C library, which lives
// in such a directory.
BOOST_AUTO_TEST_CASE(runtime_rpath_left_out_for_a_packaged_runtime)
{
    for (const TargetTools &t : kTargets) {
        const platform::Target &target = *platform::find(t.triple);
        const std::string triple = t.triple;
        std::string libc = "/usr/" + triple + "/lib/libc.so.6";
        if (target.native)
            libc = "/usr/lib/" + target.multiarch + "/libc.so.6";
        BOOST_TEST_CONTEXT(t.triple << ", runtime " << libc) {
            BOOST_TEST_REQUIRE(std::filesystem::exists(libc));
            TempDir install;
            std::string lib = install.file("lib/modlink/" + triple);
            std::filesystem::create_directories(lib + "/gcc-" + std::to_string(t.gcc_major));
            std::filesystem::create_directories(install.file("bin"));
            std::filesystem::copy_file(kDriver, install.file("bin/modlink-cc"));
            std::filesystem::create_symlink(plugin_path(t.triple, t.gcc_major),
                                            lib + "/gcc-" + std::to_string(t.gcc_major) + "/modlink.so");
            std::filesystem::create_symlink(libc, lib + "/libmodlink.so");
            TempDir work;
            auto link_plan = [&](std::vector<std::string> args) {
                args.insert(args.begin(), {install.file("bin/modlink-cc"), "-###", "--target=" + triple,
                                           "--gcc=" + std::string(t.cc)});
                return run_process(args, {"TMPDIR=" + work.path()}, work.path());
            };
            ProcessResult automatic = link_plan({"a.o", "-o", "prog"});
            BOOST_TEST(automatic.exit_code == 0, automatic.err);
            BOOST_TEST(automatic.err.find("\"-L" + lib + "\" \"-lmodlink\"") != std::string::npos, automatic.err);
            BOOST_TEST(automatic.err.find("-rpath") == std::string::npos, automatic.err);
            ProcessResult forced = link_plan({"--modlink-rpath", "a.o", "-o", "prog"});
            BOOST_TEST(forced.err.find("\"-Wl,-rpath," + lib + "\"") != std::string::npos, forced.err);
        }
    }
}

// The directories each target's loader searches without being told.
BOOST_AUTO_TEST_CASE(loader_search_directories)
{
    for (const platform::Target &t : platform::targets()) {
        BOOST_TEST_CONTEXT(t.triple) {
            for (const std::string &dir : {"/lib/" + t.multiarch, "/usr/lib/" + t.multiarch, std::string("/usr/lib"),
                                           "/usr/" + t.triple + "/lib"})
                BOOST_TEST(driver::loader_searches(t, dir), dir);
            for (const std::string &dir : {"/usr/lib/modlink/" + t.triple, std::string("/usr/local/lib"),
                                           "/usr/lib/" + t.multiarch + "/", "/usr/" + t.triple, std::string("")})
                BOOST_TEST(!driver::loader_searches(t, dir), dir);
            // Where the multiarch tuple is not the triple (i686: i386-linux-gnu),
            // the triple names no loader directory.
            if (t.multiarch != t.triple)
                BOOST_TEST(!driver::loader_searches(t, "/usr/lib/" + t.triple), "/usr/lib/" + t.triple);
        }
    }
}

// The target's default compiler, and the plugin for its GCC major.
BOOST_AUTO_TEST_CASE(target_from_the_options)
{
    TempDir dir;
    for (const std::string &triple : triples()) {
        Compiler gcc = default_compiler(triple);
        std::string expected = " \"" + gcc.path + "\" \"-fplugin=" + plugin_path(triple, gcc.major) + "\"";
        for (std::vector<std::string> args : {std::vector<std::string>{"--target=" + triple, "-c", "a.c"},
                                              std::vector<std::string>{"-target", triple, "-c", "a.c"}}) {
            args.insert(args.begin(), {kDriver, "-###"});
            ProcessResult r = run_process(args, {}, dir.path());
            BOOST_TEST_CONTEXT(shell_quote(args)) {
                BOOST_TEST(r.exit_code == 0);
                BOOST_TEST(r.err.rfind(expected, 0) == 0, r.err);
                BOOST_TEST(r.err.find("-target") == std::string::npos);
            }
        }
    }
    std::string native = native_triple();
    if (native.empty() || majors(native).empty())
        return;
    ProcessResult r = run_process({kDriver, "-###", "-c", "a.c"}, {}, dir.path());
    BOOST_TEST(r.err.rfind(" \"" + default_compiler(native).path + "\" ", 0) == 0, "the default target: " + r.err);
}

BOOST_AUTO_TEST_CASE(gcc_options_pass_through)
{
    for (const TargetTools &t : kTargets) {
        check_plan(t, {"-E", "-x", "c", "in", "-MD", "-MF", "in.d", "-Wa,--noexecstack"},
                   std::string(" \"@GCC@\" ") + kCompiler +
                       " \"-E\" \"-x\" \"c\" \"in\" \"-MD\" \"-MF\" \"in.d\" \"-Wa,--noexecstack\"\n");
        // Only the arguments that gcc does not treat as inputs are options.
        check_plan(t, {"-o", "prog", "-x", "none", "-Xlinker", "--no-undefined", "-L", "lib", "-l", "m", "main.o"},
                   stub_steps("prog") + link("\"-o\" \"prog\" \"-x\" \"none\" \"-Xlinker\" \"--no-undefined\" "
                                             "\"-L\" \"lib\" \"-l\" \"m\" \"main.o\""));
    }
}

BOOST_AUTO_TEST_CASE(verbose_prints_each_command_before_running_it)
{
    std::string native = native_triple();
    if (native.empty() || majors(native).empty())
        return;
    Compiler gcc = default_compiler(native);
    TempDir dir;
    std::ofstream(dir.file("a.c")) << "int f(void) { return 1; }\n";
    ProcessResult r = run_process({kDriver, "-v", "-c", "a.c", "-o", "a.o"}, {}, dir.path());
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.err.rfind(" \"" + gcc.path + "\" \"-fplugin=" + plugin_path(native, gcc.major) + "\"", 0) == 0,
               r.err);
    BOOST_TEST(r.err.find("gcc version " + std::to_string(gcc.major) + ".") != std::string::npos,
               "gcc's own -v output");
    BOOST_TEST(std::filesystem::exists(dir.file("a.o")));
}

// --print-plugin follows the compiler choice; the rest is the target's or
// the chosen gcc's.
BOOST_AUTO_TEST_CASE(queries)
{
    for (const TargetTools &t : kTargets) {
        std::string driver = kStage + "/bin/" + t.triple + "-modlink-cc";
        std::string gcc = std::string("--gcc=") + t.cc;
        BOOST_TEST_CONTEXT(driver << " " << gcc) {
            BOOST_TEST(run_process({driver, gcc, "--print-plugin"}).out == plugin_path(t.triple, t.gcc_major) + "\n");
            BOOST_TEST(run_process({driver, "--print-plugin"}, {"MODLINK_GCC=" + std::string(t.cc)}).out ==
                       plugin_path(t.triple, t.gcc_major) + "\n");
            BOOST_TEST(run_process({driver, gcc, "--print-runtime-dir"}).out ==
                       kStage + "/lib/modlink/" + t.triple + "\n");
            BOOST_TEST(run_process({driver, gcc, "-dumpmachine"}).out == std::string(t.triple) + "\n");
            BOOST_TEST(run_process({driver, gcc, "-dumpversion"}).out == run_process({t.cc, "-dumpversion"}).out);
            ProcessResult v = run_process({driver, gcc, "--version"});
            BOOST_TEST(v.exit_code == 0);
            BOOST_TEST(v.out.rfind("modlink-cc (modlink ", 0) == 0, v.out);
            BOOST_TEST(v.out.find(std::string(t.cc) + " (Debian") != std::string::npos, v.out);
        }
    }
    for (const std::string &triple : triples()) {
        std::string driver = kStage + "/bin/" + triple + "-modlink-cc";
        BOOST_TEST(run_process({driver, "--print-plugin"}).out ==
                       plugin_path(triple, default_compiler(triple).major) + "\n",
                   "the default compiler's plugin for " << triple);
        // The plugin modlink.so links to is that of the build's default compiler.
        BOOST_TEST(std::filesystem::exists(kStage + "/lib/modlink/" + triple + "/modlink.so"));
    }
}

// --gcc=PROGRAM, else MODLINK_GCC, else the default; the option wins.
BOOST_AUTO_TEST_CASE(compiler_choice)
{
    TempDir fakes;
    for (const TargetTools &t : kTargets) {
        TempDir dir;
        std::string unusable = fake_gcc(fakes, std::string(t.triple) + "-gcc-99", "99", t.triple);
        std::string driver = kStage + "/bin/" + t.triple + "-modlink-cc";
        std::string expected = " \"" + on_path(t.cc) + "\" \"-fplugin=" + plugin_path(t.triple, t.gcc_major) + "\"";
        for (const auto &[args, env] :
             std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>{
                 {{"--gcc=" + std::string(t.cc)}, {}},
                 {{}, {"MODLINK_GCC=" + std::string(t.cc)}},
                 {{"--gcc=" + std::string(t.cc)}, {"MODLINK_GCC=" + unusable}},
                 {{"--gcc=" + unusable, "--gcc=" + std::string(t.cc)}, {}},  // the last one counts
             }) {
            std::vector<std::string> argv = {driver, "-###", "-c", "a.c"};
            argv.insert(argv.end(), args.begin(), args.end());
            ProcessResult r = run_process(argv, env, dir.path());
            BOOST_TEST_CONTEXT(shell_quote(env) << " " << shell_quote(argv)) {
                BOOST_TEST(r.exit_code == 0);
                BOOST_TEST(r.err.rfind(expected, 0) == 0, r.err);
                BOOST_TEST(r.err.find("--gcc") == std::string::npos, "--gcc is not gcc's: " + r.err);
            }
        }
        // The option wins over the environment, also when it names a compiler that cannot be used.
        ProcessResult r = run_process({driver, "-###", "-c", "a.c", "--gcc=" + unusable},
                                      {"MODLINK_GCC=" + std::string(t.cc)}, dir.path());
        BOOST_TEST(r.exit_code == 1);
        BOOST_TEST(r.err.find("modlink-cc: error: " + unusable + " is GCC 99") == 0, r.err);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// The choice as a function, on a fake system: PATH and what each compiler
// answers.
BOOST_AUTO_TEST_SUITE(choice)

struct FakeSystem {
    std::map<std::string, std::string> path;  // program -> its path
    std::map<std::string, std::map<std::string, std::string>> answers;  // path -> option -> answer
    std::vector<std::string> asked;

    void add(const std::string &program, const std::string &version, const std::string &machine)
    {
        path[program] = "/usr/bin/" + program;
        answers[path[program]] = {{"-dumpversion", version}, {"-dumpmachine", machine}};
    }
    driver::CompilerProbe probe()
    {
        return {[this](const std::string &program) { return path.count(program) ? path[program] : ""; },
                [this](const std::string &gcc, const std::string &option) {
                    asked.push_back(gcc + " " + option);
                    return answers[gcc][option];
                }};
    }
};

const driver::Install kInstall{"/opt/modlink", "/opt/modlink/bin/modlink-cc"};

driver::Toolchain choose(FakeSystem &system, const platform::Target &t, const std::vector<int> &plugins,
                         const driver::CompilerRequest &request = {})
{
    return driver::choose_compiler(t, request, plugins, kInstall, system.probe());
}

std::string choice_error(FakeSystem &system, const platform::Target &t, const std::vector<int> &plugins,
                         const driver::CompilerRequest &request = {})
{
    try {
        choose(system, t, plugins, request);
    } catch (const driver::DriverError &e) {
        return e.what();
    }
    return "(no error)";
}

BOOST_AUTO_TEST_CASE(request_precedence)
{
    driver::CompilerRequest r = driver::requested_compiler("gcc-14", "gcc-13");
    BOOST_TEST(r.program == "gcc-14");
    BOOST_TEST(r.from == "--gcc");
    r = driver::requested_compiler("", "gcc-13");
    BOOST_TEST(r.program == "gcc-13");
    BOOST_TEST(r.from == "MODLINK_GCC");
    BOOST_TEST(driver::requested_compiler("", "").program == "");
    BOOST_TEST(driver::requested_compiler("", nullptr).program == "");
}

BOOST_AUTO_TEST_CASE(default_is_triple_gcc_where_it_exists)
{
    for (const platform::Target &t : platform::targets()) {
        FakeSystem system;
        system.add(t.triple + "-gcc", "13", t.triple);
        system.add(t.triple + "-gcc-14", "14", t.triple);
        driver::Toolchain tc = choose(system, t, {12, 13, 14});
        BOOST_TEST(tc.gcc == "/usr/bin/" + t.triple + "-gcc");
        BOOST_TEST(tc.major == 13);
        BOOST_TEST(tc.plugin == "/opt/modlink/lib/modlink/" + t.triple + "/gcc-13/modlink.so");
        BOOST_TEST(tc.target == &t);
    }
}

BOOST_AUTO_TEST_CASE(default_is_else_the_newest_with_a_plugin)
{
    for (const platform::Target &t : platform::targets()) {
        FakeSystem system;
        for (const char *n : {"12", "14", "15"})
            system.add(t.triple + "-gcc-" + n, n, t.triple);
        driver::Toolchain tc = choose(system, t, {12, 13, 14});  // no plugin for 15, no gcc-13
        BOOST_TEST(tc.gcc == "/usr/bin/" + t.triple + "-gcc-14");
        BOOST_TEST(tc.major == 14);
        BOOST_TEST(tc.plugin == "/opt/modlink/lib/modlink/" + t.triple + "/gcc-14/modlink.so");
        system.path.erase(t.triple + "-gcc-14");
        BOOST_TEST(choose(system, t, {12, 13, 14}).gcc == "/usr/bin/" + t.triple + "-gcc-12");
    }
}

BOOST_AUTO_TEST_CASE(the_plugin_follows_the_version_not_the_name)
{
    const platform::Target &t = platform::targets().front();
    FakeSystem system;
    system.add("my-gcc", "14.2.0", t.triple);
    driver::Toolchain tc = choose(system, t, {12, 14}, {"my-gcc", "--gcc"});
    BOOST_TEST(tc.major == 14);
    BOOST_TEST(tc.plugin == "/opt/modlink/lib/modlink/" + t.triple + "/gcc-14/modlink.so");
    BOOST_TEST(std::count(system.asked.begin(), system.asked.end(), "/usr/bin/my-gcc -dumpmachine") == 1);
}

BOOST_AUTO_TEST_CASE(errors)
{
    for (const platform::Target &t : platform::targets()) {
        FakeSystem system;
        BOOST_TEST(choice_error(system, t, {}) == "no modlink plugin for " + t.triple +
                                                      " in /opt/modlink/lib/modlink/" + t.triple +
                                                      "; this modlink install is incomplete");
        BOOST_TEST(choice_error(system, t, {12, 14}) == t.triple + "-gcc-14 not found; install the Debian package " +
                                                            t.gcc_package(14));
        BOOST_TEST(choice_error(system, t, {12}, {"gcc-13", "--gcc"}) ==
                   "gcc-13 not found (from --gcc); install the Debian package " + t.gcc_package(13));
        BOOST_TEST(choice_error(system, t, {12, 14}, {"/opt/cc", "MODLINK_GCC"}) ==
                   "/opt/cc not found (from MODLINK_GCC); install the Debian package " + t.gcc_package(14));

        system.add(t.triple + "-gcc", "15", t.triple);
        BOOST_TEST(choice_error(system, t, {12, 14}) ==
                   t.triple + "-gcc is GCC 15, which this modlink has no plugin for; install the Debian package " +
                       t.plugin_dev_package(15) + " and rebuild modlink");
        system.add("other-gcc", "12", "sparc64-linux-gnu");
        BOOST_TEST(choice_error(system, t, {12}, {"other-gcc", "--gcc"}) ==
                   "other-gcc builds for sparc64-linux-gnu, not " + t.triple);
        system.add("silent-gcc", "", "");
        BOOST_TEST(choice_error(system, t, {12}, {"silent-gcc", "--gcc"}) ==
                   "cannot tell which target silent-gcc builds for (silent-gcc -dumpmachine printed nothing)");
        system.add("odd-gcc", "x.y", t.triple);
        BOOST_TEST(choice_error(system, t, {12}, {"odd-gcc", "--gcc"}) ==
                   "cannot tell odd-gcc's GCC version (odd-gcc -dumpversion printed 'x.y')");
        for (const platform::Target &other : platform::targets()) {
            if (other.triple == t.triple)
                continue;
            system.add(other.triple + "-gcc-12", "12", other.triple);
            BOOST_TEST(choice_error(system, t, {12}, {other.triple + "-gcc-12", "--gcc"}) ==
                       other.triple + "-gcc-12 builds for " + other.triple + ", not " + t.triple +
                           "; use --target=" + other.triple + " with it");
        }
    }
}

BOOST_AUTO_TEST_CASE(installed_plugins)
{
    TempDir prefix;
    driver::Install install{prefix.path(), prefix.file("bin/modlink-cc")};
    const std::string triple = platform::targets().front().triple;
    BOOST_TEST(driver::installed_plugins(install, triple).empty());
    for (const char *dir : {"gcc-9", "gcc-12", "gcc-13", "gcc-014", "gcc-x", "gcc-", "12"}) {
        std::filesystem::create_directories(install.target_dir(triple) + "/" + dir);
        if (std::string(dir) != "gcc-13")  // a directory without the plugin
            std::ofstream(install.target_dir(triple) + "/" + dir + "/modlink.so") << "";
    }
    BOOST_TEST((driver::installed_plugins(install, triple) == std::vector<int>{9, 12}));
}

// A target is needed: the build machine's, or one named.
BOOST_AUTO_TEST_CASE(no_default_target)
{
    const std::string triple = platform::targets().back().triple;
    try {
        driver::parse_command_line({"-c", "a.c"}, "");
        BOOST_FAIL("no error");
    } catch (const driver::DriverError &e) {
        BOOST_TEST(std::string(e.what()) == "no default target here; use --target=TRIPLE");
    }
    BOOST_TEST(driver::parse_command_line({"--target=" + triple, "-c", "a.c"}, "").triple == triple);
    BOOST_TEST(driver::default_triple() == native_triple());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(errors)

struct Error {
    std::vector<std::string> args;
    std::string message;  // after "modlink-cc: error: "
};

void check_error(const std::vector<std::string> &args, const std::string &message,
                 const std::vector<std::string> &env = {}, const std::string &driver = kDriver)
{
    TempDir dir;
    std::ofstream(dir.file("a.c")) << "int main(void) { return 0; }\n";
    std::ofstream(dir.file("file")) << "x\n";
    std::vector<std::string> argv = {driver};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult r = run_process(argv, env, dir.path());
    BOOST_TEST_CONTEXT(shell_quote(argv)) {
        BOOST_TEST(r.exit_code != 0);
        BOOST_TEST(r.err == "modlink-cc: error: " + message + "\n");
        BOOST_TEST(r.out.empty());
        BOOST_TEST(!std::filesystem::exists(dir.file("a.out")));
    }
}

BOOST_AUTO_TEST_CASE(unknown_target)
{
    const std::string supported = "supported: " + platform::supported();
    check_error({"--target=sparc64-linux-gnu", "a.c"}, "unknown target 'sparc64-linux-gnu'; " + supported);
    check_error({"-target", "arm", "a.c"}, "unknown target 'arm'; " + supported);
    check_error({"--target=", "a.c"}, "missing argument to '--target='");
    // A bogus triple in the program name.
    TempDir dir;
    std::string bogus = dir.file("sparc-sun-solaris-modlink-cc");
    std::filesystem::create_symlink(kDriver, bogus);
    check_error({"a.c"}, "unknown target 'sparc-sun-solaris'; " + supported, {}, bogus);
}

// Nothing on PATH: the newest compiler modlink has a plugin for is named.
BOOST_AUTO_TEST_CASE(missing_toolchain)
{
    for (const std::string &triple : triples()) {
        int newest = majors(triple).back();
        check_error({"--target=" + triple, "a.c"},
                    triple + "-gcc-" + std::to_string(newest) + " not found; install the Debian package " +
                        platform::find(triple)->gcc_package(newest),
                    {"PATH=/nonexistent"});
    }
}

BOOST_AUTO_TEST_CASE(unusable_compiler)
{
    TempDir fakes;
    for (const std::string &triple : triples()) {
        const platform::Target &t = *platform::find(triple);
        std::string target = "--target=" + triple;
        std::string gcc99 = fake_gcc(fakes, triple + "-gcc-99", "99", triple);
        std::string no_plugin = gcc99 + " is GCC 99, which this modlink has no plugin for; install the Debian "
                                        "package " + t.plugin_dev_package(99) + " and rebuild modlink";
        check_error({target, "--gcc=" + gcc99, "a.c"}, no_plugin);
        check_error({target, "a.c"}, no_plugin, {"MODLINK_GCC=" + gcc99});
        check_error({target, "--print-plugin", "--gcc=" + gcc99}, no_plugin);
        check_error({target, "--gcc=nosuch-gcc-13", "a.c"},
                    "nosuch-gcc-13 not found (from --gcc); install the Debian package " + t.gcc_package(13));
        check_error({target, "a.c"},
                    "nosuch-gcc not found (from MODLINK_GCC); install the Debian package " +
                        t.gcc_package(majors(triple).back()),
                    {"MODLINK_GCC=nosuch-gcc"});
        std::string sparc = fake_gcc(fakes, "sparc-gcc", "12", "sparc64-linux-gnu");
        check_error({target, "--gcc=" + sparc, "a.c"}, sparc + " builds for sparc64-linux-gnu, not " + triple);
        for (const TargetTools &other : kTargets)
            if (other.triple != triple)
                check_error({target, "--gcc=" + std::string(other.cc), "-c", "a.c"},
                            std::string(other.cc) + " builds for " + other.triple + ", not " + triple +
                                "; use --target=" + other.triple + " with it");
        check_error({target, "--gcc=", "a.c"}, "missing argument to '--gcc='");
    }
}

BOOST_AUTO_TEST_CASE(what_modlink_cannot_link)
{
    const std::string gold = "-fuse-ld=gold cannot link modlink modules: gold does not support INSERT in linker "
                             "scripts; use bfd (the default) or lld";
    check_error({"-fuse-ld=gold", "a.c"}, gold);
    check_error({"-fuse-ld=mold", "a.c"}, "-fuse-ld=mold cannot link modlink modules: mold does not support "
                                          "INSERT in linker scripts; use bfd (the default) or lld");
    const std::string shstk = "-z shstk would turn on CET shadow stacks, which reject the return addresses that "
                              "modlink_defer rewinds";
    check_error({"-Wl,-z,shstk", "a.c"}, shstk);
    check_error({"-Xlinker", "-z", "-Xlinker", "shstk", "a.c"}, shstk);
    check_error({"-z", "shstk", "a.c"}, shstk);
    check_error({"-Wl,-z,noshstk", "-Wl,-z,shstk", "a.c"}, shstk);
    check_error({"-fuse-ld=bfd", "-fuse-ld=gold", "a.c"}, gold);
    check_error({"-shared", "--modlink-static-runtime", "a.c"},
                "--modlink-static-runtime is for executables; a shared object uses the runtime of the program "
                "that loads it");
    for (const char *option : {"-static", "-static-pie"})
        check_error({"-shared", option, "a.c"}, std::string(option) + " is for executables; a shared object uses the "
                                                                       "runtime of the program that loads it");
}

BOOST_AUTO_TEST_CASE(files)
{
    check_error({"nosuch.c"}, "nosuch.c: No such file or directory");
    check_error({"a.c", "-o", "file/prog"}, "cannot write 'file/prog': file: Not a directory");
    check_error({"a.c", "-o", "nosuchdir/"}, "cannot write 'nosuchdir/': Is a directory");
    check_error({"a.c", "-o", "/nonexistent/prog"}, "cannot write '/nonexistent/prog': /nonexistent: No such file "
                                                    "or directory");
    check_error({"@nosuch.rsp"}, "cannot read response file 'nosuch.rsp': No such file or directory");
    check_error({"a.c", "-o"}, "missing argument to '-o'");
    check_error({"a.c", "-o", "."}, "cannot write '.': Is a directory");
    const std::string too_long(256, 'n');  // NAME_MAX is 255
    check_error({"a.c", "-o", too_long}, "cannot write '" + too_long + "': File name too long");
}

BOOST_AUTO_TEST_SUITE_END()

// modlink-c++: the same driver with g++'s conventions, chosen by argv[0]
// (modlink-c++, <triple>-modlink-c++).  It drives <triple>-g++[-N], named
// by --gcc or MODLINK_GXX, with the plugin for its major.
BOOST_AUTO_TEST_SUITE(cxx)

std::string cxx_driver(const std::string &triple) { return kStage + "/bin/" + triple + "-modlink-c++"; }

// TRIPLE's default C++ compiler: <triple>-g++, else the newest <triple>-g++-N with a plugin.
Compiler default_cxx_compiler(const std::string &triple)
{
    std::vector<int> built = majors(triple);
    std::vector<std::string> names = {triple + "-g++"};
    for (auto n = built.rbegin(); n != built.rend(); ++n)
        names.push_back(triple + "-g++-" + std::to_string(*n));
    for (const std::string &name : names)
        if (std::string path = on_path(name); !path.empty())
            return {name, path, std::stoi(run_process({path, "-dumpversion"}).out)};
    return {};
}

BOOST_AUTO_TEST_CASE(plans_drive_gxx)
{
    for (const TargetTools &t : kTargets) {
        TempDir dir;
        std::string gxx = on_path(t.cxx);
        std::string flags = expand(t, kCompiler);
        flags = replace_all(flags, "@PREFIX@", kStage);
        ProcessResult compile =
            run_process({cxx_driver(t.triple), "-###", std::string("--gcc=") + t.cxx, "-c", "a.cc", "-o", "a.o"},
                        {}, dir.path());
        BOOST_TEST_CONTEXT(t.triple << "-modlink-c++ --gcc=" << t.cxx) {
            BOOST_TEST(compile.exit_code == 0);
            BOOST_TEST(compile.err == " \"" + gxx + "\" " + flags + " \"-c\" \"a.cc\" \"-o\" \"a.o\"\n");
            ProcessResult link = run_process(
                {cxx_driver(t.triple), "-###", std::string("--gcc=") + t.cxx, "-shared", "a.o", "-o", "libx.so"},
                {"TMPDIR=" + dir.path()}, dir.path());
            BOOST_TEST(link.exit_code == 0);
            // The stub's steps, then g++ (which links libstdc++) with the runtime.
            BOOST_TEST(link.err.find("\"--modlink-genstub\" \"--target=" + std::string(t.triple) +
                                     "\" \"--name=libx.so\"") != std::string::npos,
                       link.err);
            BOOST_TEST(link.err.find("\n \"" + gxx + "\" " + flags) != std::string::npos, link.err);
            BOOST_TEST(link.err.find("\"-lmodlink\"") != std::string::npos, link.err);
            BOOST_TEST(std::filesystem::is_empty(dir.path()), "-### created files");
        }
    }
}

BOOST_AUTO_TEST_CASE(default_and_requested_compilers)
{
    TempDir dir;
    for (const std::string &triple : triples()) {
        Compiler gxx = default_cxx_compiler(triple);
        BOOST_TEST_REQUIRE(!gxx.path.empty(), "no C++ compiler for " << triple);
        std::string expected = " \"" + gxx.path + "\" \"-fplugin=" + plugin_path(triple, gxx.major) + "\"";
        // MODLINK_GCC is modlink-cc's: modlink-c++ does not read it.
        ProcessResult r = run_process({cxx_driver(triple), "-###", "-c", "a.cc"}, {"MODLINK_GCC=nosuch-gcc"},
                                      dir.path());
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.err.rfind(expected, 0) == 0, triple << ": " << r.err);
        r = run_process({kStage + "/bin/modlink-c++", "--target=" + triple, "-###", "-c", "a.cc"}, {}, dir.path());
        BOOST_TEST(r.err.rfind(expected, 0) == 0, "modlink-c++ --target=" << triple << ": " << r.err);
    }
    for (const TargetTools &t : kTargets) {
        std::string expected = " \"" + on_path(t.cxx) + "\" \"-fplugin=" + plugin_path(t.triple, t.gcc_major) + "\"";
        ProcessResult r = run_process({cxx_driver(t.triple), "-###", "-c", "a.cc"},
                                      {"MODLINK_GXX=" + std::string(t.cxx)}, dir.path());
        BOOST_TEST(r.err.rfind(expected, 0) == 0, "MODLINK_GXX=" << t.cxx << ": " << r.err);
        ProcessResult v = run_process({cxx_driver(t.triple), std::string("--gcc=") + t.cxx, "--version"});
        BOOST_TEST(v.out.rfind("modlink-c++ (modlink ", 0) == 0, v.out);
        BOOST_TEST(v.out.find(std::string(t.cxx) + " (Debian") != std::string::npos, v.out);
    }
}

BOOST_AUTO_TEST_CASE(errors_name_modlink_cxx_and_gxx_packages)
{
    TempDir dir;
    std::ofstream(dir.file("a.cc")) << "int main() {}\n";
    for (const std::string &triple : triples()) {
        const platform::Target &t = *platform::find(triple);
        int newest = majors(triple).back();
        ProcessResult r = run_process({cxx_driver(triple), "a.cc"}, {"PATH=/nonexistent"}, dir.path());
        BOOST_TEST(r.exit_code == 1);
        BOOST_TEST(r.err == "modlink-c++: error: " + triple + "-g++-" + std::to_string(newest) +
                                " not found; install the Debian package " + t.compiler_package("g++", newest) +
                                "\n");
        r = run_process({cxx_driver(triple), "a.cc"}, {"MODLINK_GXX=nosuch-g++-13"}, dir.path());
        BOOST_TEST(r.err == "modlink-c++: error: nosuch-g++-13 not found (from MODLINK_GXX); install the Debian "
                            "package " + t.compiler_package("g++", 13) + "\n");
        BOOST_TEST(!std::filesystem::exists(dir.file("a.out")));
    }
}

BOOST_AUTO_TEST_CASE(program_names)
{
    using driver::parse_program_name;
    BOOST_TEST(parse_program_name("/p/bin/modlink-cc").personality == &driver::c_personality());
    BOOST_TEST(parse_program_name("modlink-c++").personality == &driver::cxx_personality());
    BOOST_TEST(parse_program_name("modlink-c++").triple == "");
    for (const platform::Target &t : platform::targets()) {
        driver::ProgramName n = parse_program_name("/p/bin/" + t.triple + "-modlink-c++");
        BOOST_TEST(n.personality == &driver::cxx_personality());
        BOOST_TEST(n.triple == t.triple);
        n = parse_program_name(t.triple + "-modlink-cc");
        BOOST_TEST(n.personality == &driver::c_personality());
        BOOST_TEST(n.triple == t.triple);
    }
    // Any other name (a copy of the program) is modlink-cc's.
    BOOST_TEST(parse_program_name("/tmp/driver").personality == &driver::c_personality());
    BOOST_TEST(parse_program_name("/tmp/driver").triple == "");
}

BOOST_AUTO_TEST_SUITE_END()
