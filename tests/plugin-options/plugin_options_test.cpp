// The plugin's command-line contract: exact one-line errors for every bad
// -fplugin-arg-modlink-* form, attribute misuse, __MODLINK__, verbose
// output, and GCC's version check when the plugin meets the wrong compiler.
#define BOOST_TEST_MODULE plugin_options
#define BOOST_TEST_DYN_LINK
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "process.hpp"
#include "test-config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace modlink::test;
namespace data = boost::unit_test::data;

namespace {

struct Compile {
    ProcessResult result;
    bool output_exists;
    std::string command;
};

Compile compile(const TargetTools &t, const std::string &source, const std::vector<std::string> &args,
                const std::string &ext = ".c", const std::string &mode = "-c")
{
    TempDir tmp;
    std::string src = tmp.file("input" + ext);
    std::ofstream(src) << source;
    std::vector<std::string> cmd = {ext == ".cc" ? t.cxx : t.cc, "-fno-diagnostics-show-caret",
                                    std::string("-fplugin=") + t.plugin};
    cmd.insert(cmd.end(), args.begin(), args.end());
    cmd.insert(cmd.end(), {mode, "-o", "out", "input" + ext});
    Compile c{run_process(cmd, {"LC_ALL=C"}, tmp.path()), std::filesystem::exists(tmp.file("out")),
              "cd " + tmp.path() + " && " + shell_quote(cmd)};
    return c;
}

const std::string kVerify = MODLINK_STAGE_DIR "/bin/modlink-verify";

const char *kSimple = "extern void modlink_deferreturn(void);\nvoid f(void) { modlink_deferreturn(); }\n";

struct BadOption {
    const char *option;
    const char *message;
};

std::ostream &operator<<(std::ostream &os, const BadOption &b) { return os << b.option; }

const BadOption kBadOptions[] = {
    {"-fplugin-arg-modlink-bogus", "unknown option '-fplugin-arg-modlink-bogus'"},
    {"-fplugin-arg-modlink-bogus=1", "unknown option '-fplugin-arg-modlink-bogus=1'"},
    {"-fplugin-arg-modlink-TOC-SAVE=all", "unknown option '-fplugin-arg-modlink-TOC-SAVE=all'"},
    {"-fplugin-arg-modlink-toc-save", "missing value in '-fplugin-arg-modlink-toc-save'"},
    {"-fplugin-arg-modlink-toc-save=", "missing value in '-fplugin-arg-modlink-toc-save='"},
    {"-fplugin-arg-modlink-deferreturn", "missing value in '-fplugin-arg-modlink-deferreturn'"},
    {"-fplugin-arg-modlink-deferreturn=", "missing value in '-fplugin-arg-modlink-deferreturn='"},
    {"-fplugin-arg-modlink-reload-toc", "missing value in '-fplugin-arg-modlink-reload-toc'"},
    {"-fplugin-arg-modlink-defer", "missing value in '-fplugin-arg-modlink-defer'"},
    {"-fplugin-arg-modlink-toc-save=sometimes",
     "invalid value in '-fplugin-arg-modlink-toc-save=sometimes'; expected 'auto', 'all' or 'none'"},
    {"-fplugin-arg-modlink-toc-save=ALL",
     "invalid value in '-fplugin-arg-modlink-toc-save=ALL'; expected 'auto', 'all' or 'none'"},
    {"-fplugin-arg-modlink-defer=yes",
     "invalid value in '-fplugin-arg-modlink-defer=yes'; expected 'on' or 'off'"},
    {"-fplugin-arg-modlink-open-coded", "missing value in '-fplugin-arg-modlink-open-coded'"},
    {"-fplugin-arg-modlink-open-coded=never",
     "invalid value in '-fplugin-arg-modlink-open-coded=never'; expected 'on' or 'off'"},
    {"-fplugin-arg-modlink-deferreturn=a::b", "invalid symbol list in '-fplugin-arg-modlink-deferreturn=a::b'"},
    {"-fplugin-arg-modlink-deferreturn=a:", "invalid symbol list in '-fplugin-arg-modlink-deferreturn=a:'"},
    {"-fplugin-arg-modlink-deferreturn=:a", "invalid symbol list in '-fplugin-arg-modlink-deferreturn=:a'"},
    {"-fplugin-arg-modlink-deferreturn=1st", "invalid symbol list in '-fplugin-arg-modlink-deferreturn=1st'"},
    {"-fplugin-arg-modlink-deferreturn=a b", "invalid symbol list in '-fplugin-arg-modlink-deferreturn=a b'"},
    {"-fplugin-arg-modlink-reload-toc=x;y", "invalid symbol list in '-fplugin-arg-modlink-reload-toc=x;y'"},
    {"-fplugin-arg-modlink-static=1", "option '-fplugin-arg-modlink-static=1' takes no value"},
    {"-fplugin-arg-modlink-verbose=yes", "option '-fplugin-arg-modlink-verbose=yes' takes no value"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(options)

BOOST_DATA_TEST_CASE(bad_option_is_one_exact_error, data::make(kBadOptions), bad)
{
    for (const TargetTools &t : kTargets) {
        Compile c = compile(t, kSimple, {bad.option});
        BOOST_TEST_CONTEXT(target_name(t) << ": " << c.command) {
            BOOST_TEST(c.result.exit_code != 0);
            BOOST_TEST(c.result.err == std::string("cc1: error: ") + bad.message + "\n");
            BOOST_TEST(!c.output_exists, "a failed compilation left its output behind");
        }
    }
}

BOOST_AUTO_TEST_CASE(long_options_are_named_whole)
{
    std::string list(300, 'x');
    std::string option = "-fplugin-arg-modlink-deferreturn=" + list + "::";
    Compile c = compile(kTargets[0], kSimple, {option});
    BOOST_TEST(c.result.err == "cc1: error: invalid symbol list in '" + option + "'\n");
}

BOOST_AUTO_TEST_CASE(every_error_is_reported_not_just_the_first)
{
    const TargetTools &t = kTargets[0];
    Compile c = compile(t, kSimple, {"-fplugin-arg-modlink-bogus", "-fplugin-arg-modlink-defer=maybe"});
    BOOST_TEST(c.result.exit_code != 0);
    BOOST_TEST(c.result.err ==
               "cc1: error: unknown option '-fplugin-arg-modlink-bogus'\n"
               "cc1: error: invalid value in '-fplugin-arg-modlink-defer=maybe'; expected 'on' or 'off'\n");
}

BOOST_AUTO_TEST_CASE(good_options_are_accepted)
{
    for (const TargetTools &t : kTargets) {
        Compile c = compile(t, kSimple,
                            {"-fplugin-arg-modlink-deferreturn=modlink_deferreturn:my_dr",
                             "-fplugin-arg-modlink-reload-toc=swapcontext",
                             "-fplugin-arg-modlink-toc-save=all", "-fplugin-arg-modlink-static",
                             "-fplugin-arg-modlink-defer=off", "-fplugin-arg-modlink-defer=on",
                             "-fplugin-arg-modlink-toc-save=none"});
        BOOST_TEST(c.result.exit_code == 0, target_name(t) << ": " << c.command << "\n" << c.result.err);
        BOOST_TEST(c.result.err.empty());
        BOOST_TEST(c.output_exists);
    }
}

BOOST_AUTO_TEST_CASE(errors_name_cc1plus_in_cxx)
{
    Compile c = compile(kTargets[0], "void f() {}\n", {"-fplugin-arg-modlink-nope"}, ".cc");
    BOOST_TEST(c.result.exit_code != 0);
    BOOST_TEST(c.result.err == "cc1plus: error: unknown option '-fplugin-arg-modlink-nope'\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(attributes)

BOOST_AUTO_TEST_CASE(on_a_variable)
{
    for (const TargetTools &t : kTargets)
        for (const char *attr : {"modlink_deferreturn", "modlink_reload_toc"}) {
            std::string src = std::string("int v __attribute__((") + attr + "));\n";
            Compile c = compile(t, src, {});
            BOOST_TEST_CONTEXT(target_name(t) << ": " << c.command) {
                BOOST_TEST(c.result.exit_code != 0);
                std::string want = std::string("input.c:1:5: error: '") + attr +
                                   "' attribute only applies to function declarations\n";
                BOOST_TEST(c.result.err == want);
                BOOST_TEST(!c.output_exists);
            }
        }
}

BOOST_AUTO_TEST_CASE(on_a_type)
{
    Compile c = compile(kTargets[0], "typedef void fn_t(void) __attribute__((modlink_deferreturn));\n", {});
    BOOST_TEST(c.result.exit_code != 0);
    BOOST_TEST(c.result.err ==
               "input.c:1:14: error: 'modlink_deferreturn' attribute only applies to function declarations\n");
    c = compile(kTargets[0], "void f(void *p) { ((void (__attribute__((modlink_reload_toc)) *)(void))p)(); }\n", {});
    BOOST_TEST(c.result.exit_code != 0);
    BOOST_TEST(c.result.err.find("error: 'modlink_reload_toc' attribute only applies to function declarations\n") !=
                   std::string::npos,
               c.result.err);
}

// A paired call may run again after a rewind, with whatever the deferred
// function left in the argument and return registers.
BOOST_AUTO_TEST_CASE(deferreturn_must_be_void_of_void)
{
    for (const TargetTools &t : kTargets)
        for (const char *decl : {"int g(void)", "void g(int)", "void g(int, ...)"}) {
            Compile c = compile(t, std::string(decl) + " __attribute__((modlink_deferreturn));\n", {});
            BOOST_TEST_CONTEXT(target_name(t) << ": " << c.command) {
                BOOST_TEST(c.result.exit_code != 0);
                BOOST_TEST(c.result.err.find("error: 'modlink_deferreturn' attribute on 'g', which is not "
                                             "'void g(void)'\n") != std::string::npos,
                           c.result.err);
                BOOST_TEST(std::count(c.result.err.begin(), c.result.err.end(), '\n') == 1);
            }
        }
}

BOOST_AUTO_TEST_CASE(reload_toc_takes_any_signature)
{
    Compile c = compile(kTargets[0], "int g(int, ...) __attribute__((modlink_reload_toc));\n", {});
    BOOST_TEST(c.result.exit_code == 0, c.result.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(macro_and_verbose)

BOOST_AUTO_TEST_CASE(modlink_macro_is_predefined_in_c_and_cxx)
{
    for (const TargetTools &t : kTargets)
        for (const char *ext : {".c", ".cc"}) {
            Compile c = compile(t, "", {"-dM"}, ext, "-E");
            BOOST_TEST(c.result.exit_code == 0, c.command << "\n" << c.result.err);
            BOOST_TEST(c.result.err.empty());
        }
    // -dM -E writes to -o; read it back through a fresh run to stdout.
    for (const TargetTools &t : kTargets) {
        TempDir tmp;
        std::string src = tmp.file("e.c");
        std::ofstream(src) << "";
        ProcessResult with = run_process({t.cc, std::string("-fplugin=") + t.plugin, "-dM", "-E", src});
        ProcessResult without = run_process({t.cc, "-dM", "-E", src});
        BOOST_TEST(with.out.find("#define __MODLINK__ 1\n") != std::string::npos, target_name(t));
        BOOST_TEST(without.out.find("__MODLINK__") == std::string::npos, target_name(t));
    }
}

// With -g3 every #define goes into the debug information; the plugin's
// definition comes before there is a line map for it, and must not crash
// cc1 or cc1plus.  -U still undoes it, and -D still overrides it.
BOOST_AUTO_TEST_CASE(modlink_macro_with_macro_debug_info)
{
    const char *src = "#if __MODLINK__ != 1\n#error __MODLINK__\n#endif\nint x;\n";
    for (const TargetTools &t : kTargets)
        for (const char *ext : {".c", ".cc"})
            for (const char *g : {"-g3", "-ggdb3"}) {
                Compile c = compile(t, src, {g, "-O2"}, ext);
                BOOST_TEST(c.result.exit_code == 0, c.command << "\n" << c.result.err);
                BOOST_TEST(c.output_exists, c.command);
            }
    for (const TargetTools &t : kTargets) {
        Compile undone = compile(t, "#ifdef __MODLINK__\n#error still defined\n#endif\n", {"-U__MODLINK__"});
        BOOST_TEST(undone.result.exit_code == 0, undone.command << "\n" << undone.result.err);
        Compile redefined = compile(t, "#if __MODLINK__ != 7\n#error not 7\n#endif\n", {"-D__MODLINK__=7"});
        BOOST_TEST(redefined.result.exit_code == 0, redefined.command << "\n" << redefined.result.err);
    }
}

// Preprocessed input (.i, -save-temps) has no macros to define.
BOOST_AUTO_TEST_CASE(preprocessed_input_compiles)
{
    for (const TargetTools &t : kTargets) {
        Compile c = compile(t, "int x;\n", {"-save-temps"});
        BOOST_TEST(c.result.exit_code == 0, target_name(t) << ": " << c.command << "\n" << c.result.err);
        c = compile(t, "int x;\n", {}, ".i");
        BOOST_TEST(c.result.exit_code == 0, target_name(t) << ": " << c.command << "\n" << c.result.err);
    }
}

BOOST_AUTO_TEST_CASE(verbose_prints_one_line_per_changed_function)
{
    const char *src =
        "extern void modlink_deferreturn(void);\nextern void rt_switch(void);\nint x;\n"
        "void a(void) { modlink_deferreturn(); x++; modlink_deferreturn(); }\n"
        "void b(void) { rt_switch(); x++; }\n"
        "int c(int v) { return v + x; }\n";
    for (const TargetTools &t : kTargets) {
        Compile c = compile(t, src, {"-O2", "-fplugin-arg-modlink-verbose",
                                     "-fplugin-arg-modlink-reload-toc=rt_switch"});
        bool toc = target_of(t).has("toc");
        std::string want = std::string("modlink: a: 2 paired calls, 0 toc reloads\n") +
                           (toc ? "modlink: b: 0 paired calls, 1 toc reload\n" : "");
        BOOST_TEST(c.result.err == want, target_name(t) << ": " << c.command);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(version_check)

// A plugin built against one target compiler's headers, loaded into
// another target's gcc-12: GCC's own version check refuses it.
BOOST_AUTO_TEST_CASE(plugin_for_another_target_is_refused)
{
    int pairs = 0;
    for (const TargetTools &host : kTargets)
        for (const TargetTools &plugin : kTargets) {
            if (&host == &plugin)
                continue;
            TempDir tmp;
            std::string src = tmp.file("v.c");
            std::ofstream(src) << "int x;\n";
            std::vector<std::string> cmd = {host.cc, std::string("-fplugin=") + plugin.plugin, "-c",
                                            "-o", tmp.file("v.o"), src};
            ProcessResult r = run_process(cmd, {"LC_ALL=C"});
            BOOST_TEST_CONTEXT(shell_quote(cmd)) {
                BOOST_TEST(r.exit_code != 0);
                BOOST_TEST(r.err.find("cc1: error: incompatible gcc/plugin versions\n") == 0, r.err);
                BOOST_TEST(!std::filesystem::exists(tmp.file("v.o")));
            }
            pairs++;
        }
    BOOST_TEST(pairs == static_cast<int>(std::size(kTargets) * (std::size(kTargets) - 1)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(code_models)

// Under -flto the code is generated in lto1, which loads the plugin from
// the link command: the pairing must be in the linked shared object, as
// modlink-verify finds it.  Linked without the plugin, the same object has
// its one call unpaired, which shows that the check sees the call.
BOOST_AUTO_TEST_CASE(lto_pairs_in_lto1)
{
    for (const TargetTools &t : kTargets) {
        TempDir tmp;
        std::string src = tmp.file("lto.c");
        std::ofstream(src) << "extern void modlink_deferreturn(void);\nextern int work(int);\n"
                              "int f(int a) { int r = work(a); modlink_deferreturn(); return r; }\n";
        std::string plugin = std::string("-fplugin=") + t.plugin;
        std::vector<std::string> compile = {t.cc, "-O2", "-fPIC", "-flto", plugin, "-c", "-o",
                                            tmp.file("lto.o"), src};
        std::vector<std::string> link = {t.cc, "-O2", "-fPIC", "-flto", plugin, "-shared", "-o",
                                         tmp.file("liblto.so"), tmp.file("lto.o")};
        std::vector<std::string> plain_link = {t.cc, "-O2", "-fPIC", "-flto", "-shared", "-o",
                                               tmp.file("libplain.so"), tmp.file("lto.o")};
        for (const auto &cmd : {compile, link, plain_link}) {
            ProcessResult r = run_process(cmd, {"LC_ALL=C"});
            BOOST_TEST_REQUIRE(r.exit_code == 0, shell_quote(cmd) << "\n" << r.err);
        }
        BOOST_TEST_CONTEXT(target_name(t)) {
            ProcessResult paired = run_process({kVerify, tmp.file("liblto.so")});
            BOOST_TEST(paired.exit_code == 0, paired.out << paired.err);
            ProcessResult plain = run_process({kVerify, tmp.file("libplain.so")});
            BOOST_TEST(plain.exit_code == 1, plain.out << plain.err);
            size_t unpaired = 0;
            for (size_t at = 0; (at = plain.out.find("lacks its pairing", at)) != std::string::npos; at++)
                unpaired++;
            BOOST_TEST(unpaired == 1u, plain.out);
        }
    }
}

// -mcmodel=large calls through a register: no re-executable form exists.
BOOST_AUTO_TEST_CASE(large_code_model_is_refused)
{
    for (const char *level : {"-O0", "-O1", "-O2", "-O3"}) {
        Compile c = compile(kTargets[0], kSimple, {"-mcmodel=large", level});
        BOOST_TEST(c.result.exit_code != 0, c.command);
        BOOST_TEST(c.result.err == "input.c: In function 'f':\n"
                                   "input.c:2:16: error: modlink: cannot pair the call to "
                                   "'modlink_deferreturn': unsupported call form\n",
                   c.command);
        BOOST_TEST(!c.output_exists, c.command);
    }
}

BOOST_AUTO_TEST_SUITE_END()
