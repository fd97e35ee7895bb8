// modlink-cc's plans (-###) for each target and each kind of step, and
// every error path: the exact one line, a non-zero exit, nothing run.
#define BOOST_TEST_MODULE driver
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "process.hpp"
#include "test-config.hpp"

#include <filesystem>
#include <fstream>

using namespace modlink::test;

namespace {

const std::string kStage = MODLINK_STAGE_DIR;
const std::string kDriver = kStage + "/bin/modlink-cc";

std::string replace_all(std::string s, const std::string &from, const std::string &to)
{
    for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
        s.replace(at, from.size(), to);
    return s;
}

struct Plan {
    ProcessResult result;
    std::string text;  // stderr with @PREFIX@, @GCC@, @AS@ and @TMP@ put back
};

// The -### plan of `modlink-cc ARGS` for T, run in DIR as <triple>-modlink-cc.
Plan plan(const TargetTools &t, std::vector<std::string> args, const TempDir &dir,
          std::vector<std::string> env = {})
{
    args.insert(args.begin(), {kStage + "/bin/" + t.triple + "-modlink-cc", "-###"});
    env.push_back("TMPDIR=" + dir.path());
    Plan p{run_process(args, env, dir.path()), ""};
    std::string as = run_process({t.cc, "-print-prog-name=as"}).out;
    as.pop_back();
    p.text = replace_all(p.result.err, dir.path() + "/modlink-cc-XXXXXX", "@TMP@");
    p.text = replace_all(p.text, "\"" + std::string("/usr/bin/") + t.cc + "\"", "\"@GCC@\"");
    p.text = replace_all(p.text, "\"" + as + "\"", "\"@AS@\"");
    p.text = replace_all(p.text, kStage, "@PREFIX@");
    return p;
}

std::string expand(const TargetTools &t, std::string golden)
{
    return replace_all(golden, "@T@", t.triple);
}

const char kCompiler[] = "\"-fplugin=@PREFIX@/lib/modlink/@T@/modlink.so\" \"-isystem\" \"@PREFIX@/include\"";
const char kRuntime[] = "\"-L@PREFIX@/lib/modlink/@T@\" \"-Wl,-rpath,@PREFIX@/lib/modlink/@T@\" \"-lmodlink\"";

std::string stub_steps(const std::string &name, const std::string &dir = "@TMP@", const std::string &extra = "")
{
    std::string s = dir == "@TMP@" ? "@TMP@/stub" : dir + ".modlink-stub";
    std::string ld = dir == "@TMP@" ? "@TMP@/modlink.ld" : dir + ".modlink.ld";
    return " \"@PREFIX@/bin/modlink-cc\" \"--modlink-genstub\" \"--target=@T@\" \"--name=" + name + "\"" + extra +
           " \"-o\" \"" + s + ".s\" \"--ld-fragment=" + ld + "\"\n" + " \"@AS@\" \"-o\" \"" + s + ".o\" \"" + s +
           ".s\"\n";
}

// The link command: the stub object and libmodlink.so before the user's
// ARGS (early in the loader's search scope), the fragment after them.
std::string link(const std::string &args, const std::string &stub = "@TMP@/stub.o",
                 const std::string &ld = "@TMP@/modlink.ld")
{
    return std::string(" \"@GCC@\" ") + kCompiler + " \"" + stub + "\" " + kRuntime + " " + args + " \"-Wl,-T," +
           ld + "\"\n";
}

void check_plan(const TargetTools &t, const std::vector<std::string> &args, const std::string &golden,
                std::vector<std::string> env = {})
{
    TempDir dir;
    Plan p = plan(t, args, dir, env);
    BOOST_TEST_CONTEXT(t.triple << ": modlink-cc -### " << shell_quote(args)) {
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

BOOST_AUTO_TEST_CASE(target_from_the_options)
{
    TempDir dir;
    for (std::vector<std::string> args : {std::vector<std::string>{"--target=i686-linux-gnu", "-c", "a.c"},
                                          std::vector<std::string>{"-target", "i686-linux-gnu", "-c", "a.c"}}) {
        args.insert(args.begin(), {kDriver, "-###"});
        ProcessResult r = run_process(args, {}, dir.path());
        BOOST_TEST(r.exit_code == 0);
        BOOST_TEST(r.err.find("/i686-linux-gnu-gcc-12\" \"-fplugin=" + kStage +
                              "/lib/modlink/i686-linux-gnu/modlink.so\"") != std::string::npos,
                   r.err);
        BOOST_TEST(r.err.find("-target") == std::string::npos);
    }
    ProcessResult r = run_process({kDriver, "-###", "-c", "a.c"}, {}, dir.path());
    BOOST_TEST(r.err.find("/x86_64-linux-gnu-gcc-12\"") != std::string::npos, "the default target");
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
    TempDir dir;
    std::ofstream(dir.file("a.c")) << "int f(void) { return 1; }\n";
    ProcessResult r = run_process({kDriver, "-v", "-c", "a.c", "-o", "a.o"}, {}, dir.path());
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.err.rfind(" \"/usr/bin/x86_64-linux-gnu-gcc-12\" \"-fplugin=", 0) == 0, r.err);
    BOOST_TEST(r.err.find("gcc version 12") != std::string::npos, "gcc's own -v output");
    BOOST_TEST(std::filesystem::exists(dir.file("a.o")));
}

BOOST_AUTO_TEST_CASE(queries)
{
    for (const TargetTools &t : kTargets) {
        std::string driver = kStage + "/bin/" + t.triple + "-modlink-cc";
        BOOST_TEST(run_process({driver, "--print-plugin"}).out == kStage + "/lib/modlink/" + t.triple + "/modlink.so\n");
        BOOST_TEST(run_process({driver, "--print-runtime-dir"}).out == kStage + "/lib/modlink/" + t.triple + "\n");
        BOOST_TEST(run_process({driver, "-dumpmachine"}).out == std::string(t.triple) + "\n");
        BOOST_TEST(run_process({driver, "-dumpversion"}).out == "12\n");
        ProcessResult v = run_process({driver, "--version"});
        BOOST_TEST(v.exit_code == 0);
        BOOST_TEST(v.out.rfind("modlink-cc (modlink ", 0) == 0, v.out);
        BOOST_TEST(v.out.find(std::string(t.cc) + " (Debian") != std::string::npos, v.out);
    }
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
    const std::string supported = "supported: x86_64-linux-gnu, i686-linux-gnu, powerpc64le-linux-gnu";
    check_error({"--target=sparc64-linux-gnu", "a.c"}, "unknown target 'sparc64-linux-gnu'; " + supported);
    check_error({"-target", "arm", "a.c"}, "unknown target 'arm'; " + supported);
    // A bogus triple in the program name.
    TempDir dir;
    std::string bogus = dir.file("sparc-sun-solaris-modlink-cc");
    std::filesystem::create_symlink(kDriver, bogus);
    check_error({"a.c"}, "unknown target 'sparc-sun-solaris'; " + supported, {}, bogus);
}

BOOST_AUTO_TEST_CASE(missing_toolchain)
{
    for (const TargetTools &t : kTargets) {
        std::string package = std::string(t.triple) == "x86_64-linux-gnu"
                                  ? "gcc-12"
                                  : std::string("gcc-12-") + t.triple;
        check_error({"--target=" + std::string(t.triple), "a.c"},
                    std::string(t.cc) + " not found; install the Debian package " + package, {"PATH=/nonexistent"});
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
