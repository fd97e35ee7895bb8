// The plugin's defer lowering, seen from the command line: what it makes of
// a deferring function, the exact one-line refusal for every construct it
// cannot lower, modlink.h without the plugin, and verbose output.
#define BOOST_TEST_MODULE defer_lowering
#define BOOST_TEST_DYN_LINK
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "asmshape.hpp"
#include "process.hpp"
#include "test-config.hpp"

#include <filesystem>
#include <fstream>
#include <regex>

using namespace modlink::test;
namespace data = boost::unit_test::data;

namespace {

struct Compile {
    ProcessResult result;
    bool output_exists;
    std::string output;  // the assembly, for -S
    std::string command;
};

Compile compile(const TargetTools &t, const std::string &source, std::vector<std::string> args,
                const std::string &ext = ".c", bool with_plugin = true)
{
    TempDir tmp;
    std::string src = tmp.file("input" + ext);
    std::ofstream(src) << source;
    std::vector<std::string> cmd = {ext == ".cc" ? t.cxx : t.cc, "-fno-diagnostics-show-caret",
                                    std::string("-I") + MODLINK_STAGE_INCLUDE_DIR};
    if (with_plugin)
        cmd.push_back(std::string("-fplugin=") + t.plugin);
    cmd.insert(cmd.end(), args.begin(), args.end());
    cmd.insert(cmd.end(), {"-S", "-o", "out.s", "input" + ext});
    Compile c{run_process(cmd, {"LC_ALL=C"}, tmp.path()), std::filesystem::exists(tmp.file("out.s")), "",
              "cd " + tmp.path() + " && " + shell_quote(cmd)};
    if (c.output_exists) {
        std::ifstream in(tmp.file("out.s"));
        c.output.assign(std::istreambuf_iterator<char>(in), {});
    }
    return c;
}

bool has_naked(const TargetTools &t) { return target_of(t).has("naked"); }

std::string text_of(const AsmFunction &fn)
{
    std::string text;
    for (const std::string &line : fn.raw)
        text += line + "\n";
    return text;
}

struct Refusal {
    const char *what;
    const char *source;
    const char *message;  // after "input.c:LINE:COL: error: "
    const char *ext;
};

std::ostream &operator<<(std::ostream &os, const Refusal &r) { return os << r.what; }

const Refusal kRefusals[] = {
    {"setjmp",
     "#include <modlink.h>\n#include <setjmp.h>\nstatic jmp_buf env;\nstatic void g(void *p) {}\n"
     "int f(void) {\n  modlink_defer(g, 0);\n  return setjmp(env);\n}\n",
     "input.c:7:10: error: modlink: cannot defer in 'f': it calls '_setjmp', which returns twice", ".c"},
    {"vfork",
     "#include <modlink.h>\n#include <unistd.h>\nstatic void g(void *p) {}\n"
     "int f(void) {\n  modlink_defer(g, 0);\n  return vfork();\n}\n",
     "input.c:6:10: error: modlink: cannot defer in 'f': it calls 'vfork', which returns twice", ".c"},
    {"non-local goto",
     "#include <modlink.h>\nstatic void g(void *p) {}\n"
     "int f(void) {\n  __label__ out;\n  void jump(void) { goto out; }\n  modlink_defer(g, 0);\n"
     "  jump();\n  return 0;\nout:\n  return 1;\n}\n",
     "input.c:3:5: error: modlink: cannot defer in 'f': a nested function jumps to one of its labels", ".c"},
    {"__builtin_return",
     "#include <modlink.h>\nstatic void g(void *p) {}\n"
     "void f(void *r) {\n  modlink_defer(g, 0);\n  __builtin_return(r);\n}\n",
     "input.c:5:3: error: modlink: cannot defer in 'f': it calls '__builtin_return', which returns past "
     "the deferred calls",
     ".c"},
    {"C++ like C",
     "#include <modlink.h>\n#include <unistd.h>\nstatic void g(void *p) {}\n"
     "struct S { int f(); };\nint S::f() {\n  modlink_defer(g, 0);\n  return vfork();\n}\n",
     "input.cc:7:15: error: modlink: cannot defer in 'S::f': it calls 'vfork', which returns twice",
     ".cc"},
    {"address taken",
     "#include <modlink.h>\nvoid (*d)(void (*)(void *), void *);\n"
     "void f(void) {\n  d = modlink_defer;\n}\n",
     "input.c:4:5: error: modlink: the address of 'modlink_defer' is taken in 'f'; only direct calls can be "
     "lowered",
     ".c"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(refusals)

BOOST_DATA_TEST_CASE(one_exact_line, data::make(kRefusals), r)
{
    for (const TargetTools &t : kTargets) {
        Compile c = compile(t, r.source, {"-O2"}, r.ext);
        BOOST_TEST_CONTEXT(target_name(t) << ": " << c.command) {
            BOOST_TEST(c.result.exit_code != 0);
            BOOST_TEST(c.result.err.find(std::string(r.message) + "\n") != std::string::npos, c.result.err);
            BOOST_TEST(!c.output_exists);
        }
    }
}

BOOST_AUTO_TEST_CASE(naked_on_x86)
{
    for (const TargetTools &t : kTargets) {
        if (!has_naked(t))
            continue;  // GCC has no naked attribute there
        Compile c = compile(t,
                            "#include <modlink.h>\nstatic void g(void *p) {}\n"
                            "__attribute__((naked)) void f(void) {\n  modlink_defer(g, 0);\n}\n",
                            {"-O2"});
        BOOST_TEST_CONTEXT(target_name(t) << ": " << c.command) {
            BOOST_TEST(c.result.exit_code != 0);
            BOOST_TEST(c.result.err.find("input.c:3:29: error: modlink: cannot defer in 'f': it is 'naked', "
                                         "without a frame to run them from\n") != std::string::npos,
                       c.result.err);
        }
    }
}

BOOST_AUTO_TEST_CASE(not_refused_without_defer)
{
    // setjmp, naked and C++ are fine in functions that do not defer.
    for (const TargetTools &t : kTargets) {
        Compile c = compile(t, "#include <setjmp.h>\nstatic jmp_buf env;\nint f(void) { return setjmp(env); }\n",
                            {"-O2"});
        BOOST_TEST(c.result.exit_code == 0, target_name(t) << ": " << c.result.err);
        c = compile(t, "#include <modlink.h>\nint f() { return 1; }\n", {"-O2"}, ".cc");
        BOOST_TEST(c.result.exit_code == 0, target_name(t) << ": " << c.result.err);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(header)

const char *kUsesDefer = "#include <modlink.h>\nstatic void g(void *p) {}\nvoid f(void) { modlink_defer(g, 0); }\n";

BOOST_AUTO_TEST_CASE(modlink_defer_needs_the_plugin)
{
    for (const TargetTools &t : kTargets) {
        for (const char *opt : {"-O0", "-O2"}) {
            Compile c = compile(t, kUsesDefer, {opt}, ".c", false);
            BOOST_TEST_CONTEXT(target_name(t) << ": " << c.command) {
                BOOST_TEST(c.result.exit_code != 0);
                BOOST_TEST(c.result.err.find("error: call to 'modlink_defer' declared with attribute error: "
                                             "modlink_defer needs the modlink GCC plugin: compile with "
                                             "modlink-cc\n") != std::string::npos,
                           c.result.err);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(including_it_is_fine)
{
    for (const TargetTools &t : kTargets) {
        Compile c = compile(t, "#include <modlink.h>\nint f(void) { return modlink_module_count() > 0; }\n", {"-O2"},
                            ".c", false);
        BOOST_TEST(c.result.exit_code == 0, target_name(t) << ": " << c.result.err);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lowering)

const char *kTwoDefers =
    "#include <modlink.h>\nstatic void g(void *p) {}\n"
    "int f(int n) {\n  modlink_defer(g, 0);\n  if (n > 3)\n    return n * 2;\n"
    "  modlink_defer(g, &n);\n  return n + 1;\n}\n"
    "int plain(int n) { return n + 1; }\n";

// The runtime path (open-coded=off): every defer a call into the runtime,
// every return a paired call.
BOOST_AUTO_TEST_CASE(calls_and_pairing)
{
    for (const TargetTools &t : kTargets) {
        for (const char *opt : {"-O0", "-O2", "-O3"}) {
            Compile c = compile(t, kTwoDefers, {opt, "-fPIC", "-fplugin-arg-modlink-open-coded=off"});
            BOOST_TEST_CONTEXT(target_name(t) << " " << opt << ": " << c.command) {
                BOOST_REQUIRE(c.result.exit_code == 0);
                auto fns = parse_functions(c.output);
                const AsmFunction *f = find_function(fns, "f");
                const AsmFunction *plain = find_function(fns, "plain");
                BOOST_REQUIRE(f && plain);
                // Both defers lowered, none left as modlink_defer.
                BOOST_TEST(c.output.find("modlink__defer") != std::string::npos);
                BOOST_TEST(!std::regex_search(c.output, std::regex(R"(\bmodlink_defer\b)")));
                // Every deferreturn call is paired.
                ShapeReport report = check_shape(*f, shape_of(target_of(t)), {"modlink_deferreturn"}, {});
                BOOST_TEST(report.paired_calls >= 1);
                for (const std::string &problem : report.problems)
                    BOOST_TEST_ERROR(problem);
                // A function that does not defer pays nothing.
                BOOST_TEST(text_of(*plain).find("modlink") == std::string::npos);
            }
        }
    }
}

// The open-coded path (the default): no call into the runtime at all in a
// function whose defers are not in a loop; a function of the same file with
// a defer in a loop still goes through the runtime.
BOOST_AUTO_TEST_CASE(open_coded_makes_no_runtime_call)
{
    const std::string source = std::string(kTwoDefers) +
                               "int looping(int n) {\n  for (int i = 0; i < n; i++)\n"
                               "    modlink_defer(g, &n);\n  return n;\n}\n";
    for (const TargetTools &t : kTargets) {
        for (const char *opt : {"-O0", "-O1", "-O2", "-O3"}) {
            Compile c = compile(t, source, {opt, "-fPIC"});
            BOOST_TEST_CONTEXT(target_name(t) << " " << opt << ": " << c.command) {
                BOOST_REQUIRE(c.result.exit_code == 0);
                auto fns = parse_functions(c.output);
                const AsmFunction *f = find_function(fns, "f");
                const AsmFunction *looping = find_function(fns, "looping");
                BOOST_REQUIRE(f && looping);
                BOOST_TEST(text_of(*f).find("modlink") == std::string::npos, text_of(*f));
                BOOST_TEST(text_of(*looping).find("modlink__defer") != std::string::npos);
                ShapeReport report = check_shape(*looping, shape_of(target_of(t)), {"modlink_deferreturn"}, {});
                BOOST_TEST(report.paired_calls >= 1);
                for (const std::string &problem : report.problems)
                    BOOST_TEST_ERROR(problem);
                BOOST_TEST(!std::regex_search(c.output, std::regex(R"(\bmodlink_defer\b)")));
            }
        }
    }
}

// C++: lowered in member functions, templates and lambdas, with an
// exception cleanup that calls the runtime's terminate for a deferred call
// that throws while unwinding.
BOOST_AUTO_TEST_CASE(cxx_is_lowered)
{
    const char *source =
        "#include <modlink.h>\nstatic void g(void *p) {}\n"
        "struct S { int v; int get(); };\nint S::get() {\n  modlink_defer(g, this);\n  return v;\n}\n"
        "template <typename T> T twice(T x) {\n  modlink_defer(g, &x);\n  return x + x;\n}\n"
        "template int twice<int>(int);\ntemplate long twice<long>(long);\n"
        "int lambda(int x) {\n  auto l = [](int y) {\n    modlink_defer(g, 0);\n    return y;\n  };\n"
        "  return l(x);\n}\n";
    for (const TargetTools &t : kTargets) {
        for (const char *path : {"on", "off"}) {
            Compile c = compile(t, source,
                                {"-O0", "-fplugin-arg-modlink-verbose",
                                 std::string("-fplugin-arg-modlink-open-coded=") + path},
                                ".cc");
            BOOST_TEST_CONTEXT(target_name(t) << " open-coded=" << path << ": " << c.command) {
                BOOST_REQUIRE(c.result.exit_code == 0);
                std::string how = std::string(path) == "on" ? "open-coded" : "through the runtime (open-coded=off)";
                for (const char *fn : {"S::get", "twice<int>", "twice<long int>", "lambda(int)::<lambda(int)>::operator()"})
                    BOOST_TEST(c.result.err.find(std::string("modlink: ") + fn + ": 1 defer " + how + ", 1 return\n") !=
                                   std::string::npos,
                               fn << ": " << c.result.err);
                BOOST_TEST(c.output.find("modlink__terminate") != std::string::npos);
                BOOST_TEST(!std::regex_search(c.output, std::regex(R"(\bmodlink_defer\b)")));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(defer_off_leaves_the_calls_alone)
{
    for (const TargetTools &t : kTargets) {
        Compile c = compile(t, kTwoDefers, {"-O2", "-fplugin-arg-modlink-defer=off"});
        BOOST_TEST_CONTEXT(target_name(t) << ": " << c.command) {
            BOOST_REQUIRE(c.result.exit_code == 0);
            BOOST_TEST(std::regex_search(c.output, std::regex(R"(\bmodlink_defer\b)")));
            BOOST_TEST(c.output.find("modlink__defer") == std::string::npos);
            BOOST_TEST(c.output.find("modlink_deferreturn") == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(verbose_names_each_lowered_function)
{
    for (const TargetTools &t : kTargets) {
        Compile c = compile(t, kTwoDefers, {"-O2", "-fplugin-arg-modlink-verbose"});
        BOOST_TEST_CONTEXT(target_name(t) << ": " << c.command) {
            BOOST_TEST(c.result.exit_code == 0);
            BOOST_TEST(c.result.err.find("modlink: f: 2 defers open-coded, 1 return\n") != std::string::npos,
                       c.result.err);
        }
        c = compile(t, kTwoDefers, {"-O2", "-fplugin-arg-modlink-verbose", "-fplugin-arg-modlink-open-coded=off"});
        BOOST_TEST_CONTEXT(target_name(t) << ": " << c.command) {
            BOOST_TEST(c.result.exit_code == 0);
            BOOST_TEST(c.result.err.find("modlink: f: 2 defers through the runtime (open-coded=off), 1 return\n") !=
                           std::string::npos,
                       c.result.err);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
