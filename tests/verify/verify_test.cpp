// modlink-verify on binaries built here for every target: good ones pass
// with no output; each broken pairing gives its one line and exit status 1;
// bad input gives one error line and exit status 2.
#define BOOST_TEST_MODULE verify
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "process.hpp"
#include "test-config.hpp"

#include <filesystem>
#include <fstream>
#include <regex>

using namespace modlink::test;

namespace {

const std::string kVerify = MODLINK_STAGE_DIR "/bin/modlink-verify";

bool is_ppc(const TargetTools &t) { return std::string(t.arch) == "rs6000"; }

const char *kDeferring =
    "#include <modlink.h>\nstatic void g(void *p) { (void)p; }\n"
    "int deferring(int n) {\n  for (int i = 0; i < n; i++)\n    modlink_defer(g, 0);\n  return n;\n}\n";

const char *kUnpaired = "extern void modlink_deferreturn(void);\nvoid unpaired(void) { modlink_deferreturn(); }\n";

// Builds SOURCE into a shared object (or, with more args, whatever they
// say) in DIR; returns its path.
std::string build(const TargetTools &t, TempDir &dir, const std::string &name, const std::string &source,
                  std::vector<std::string> flags)
{
    std::string src = dir.file(name + ".c");
    std::ofstream(src) << source;
    std::vector<std::string> cmd = {t.cc, "-O2", std::string("-I") + MODLINK_STAGE_DIR "/include"};
    cmd.insert(cmd.end(), flags.begin(), flags.end());
    cmd.insert(cmd.end(), {"-o", name, src});
    ProcessResult r = run_process(cmd, {"LC_ALL=C"}, dir.path());
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, shell_quote(cmd) << "\n" << r.err);
    return dir.file(name);
}

std::vector<std::string> with_plugin(const TargetTools &t, std::vector<std::string> more)
{
    more.insert(more.begin(), std::string("-fplugin=") + t.plugin);
    return more;
}

ProcessResult verify(std::vector<std::string> args)
{
    args.insert(args.begin(), kVerify);
    return run_process(args, {"LC_ALL=C"});
}

std::string pairing_text(const TargetTools &t) { return is_ppc(t) ? "nop; ld r2,24\\(r1\\)" : "nop"; }

}  // namespace

BOOST_AUTO_TEST_CASE(good_binaries_pass)
{
    for (const TargetTools &t : kTargets) {
        TempDir dir;
        std::vector<std::string> files = {
            build(t, dir, "libpic.so", kDeferring, with_plugin(t, {"-fPIC", "-shared"})),
            build(t, dir, "libpic-O0.so", kDeferring, with_plugin(t, {"-O0", "-fPIC", "-shared"}))};
        if (!is_ppc(t))
            files.push_back(build(t, dir, "libnoplt.so", kDeferring, with_plugin(t, {"-fPIC", "-fno-plt", "-shared"})));
        ProcessResult r = verify(files);
        BOOST_TEST_CONTEXT(t.triple) {
            BOOST_TEST(r.exit_code == 0, r.out << r.err);
            BOOST_TEST(r.out.empty());
            BOOST_TEST(r.err.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(an_unpaired_call_is_reported)
{
    for (const TargetTools &t : kTargets) {
        TempDir dir;
        std::string lib = build(t, dir, "libunpaired.so", kUnpaired, {"-O0", "-fPIC", "-shared"});
        ProcessResult r = verify({lib});
        std::string want = lib + ": unpaired\\+0x[0-9a-f]+ \\(0x[0-9a-f]+\\): call to modlink_deferreturn lacks "
                                 "its pairing: expected \"" + pairing_text(t) + "\" right before it\n";
        if (is_ppc(t))
            want += lib + ": unpaired: has a paired call but never stores r2 at 24\\(r1\\) \\(std r2,24\\(r1\\)\\)\n";
        BOOST_TEST_CONTEXT(t.triple) {
            BOOST_TEST(r.exit_code == 1);
            BOOST_TEST(std::regex_match(r.out, std::regex(want)), r.out);
        }
        // With another paired symbol, the same file is fine.
        r = verify({"--deferreturn=something_else", lib});
        BOOST_TEST(r.exit_code == 0, t.triple << ": " << r.out);
    }
}

BOOST_AUTO_TEST_CASE(a_tail_call_is_reported)
{
    for (const TargetTools &t : kTargets) {
        TempDir dir;
        std::string lib = build(t, dir, "libtail.so", kUnpaired, {"-O2", "-fPIC", "-shared"});
        ProcessResult r = verify({lib});
        std::string want = lib + ": unpaired\\+0x[0-9a-f]+ \\(0x[0-9a-f]+\\): tail call to modlink_deferreturn: "
                                 "a paired symbol must be called, so that it returns to its call site\n";
        if (std::string(t.triple) != "x86_64-linux-gnu")
            continue;  // i386 PIC (%ebx) and rs6000 (the TOC) do not sibcall through the PLT
        BOOST_TEST_CONTEXT(t.triple) {
            BOOST_TEST(r.exit_code == 1);
            BOOST_TEST(std::regex_match(r.out, std::regex(want)), r.out);
        }
    }
}

BOOST_AUTO_TEST_CASE(ppc64_needs_the_toc_store_and_the_reload)
{
    for (const TargetTools &t : kTargets) {
        if (!is_ppc(t))
            continue;
        TempDir dir;
        std::string no_store = build(t, dir, "libnostore.so", kDeferring,
                                     with_plugin(t, {"-fPIC", "-shared", "-fplugin-arg-modlink-toc-save=none"}));
        ProcessResult r = verify({no_store});
        BOOST_TEST(r.exit_code == 1);
        BOOST_TEST(r.out == no_store + ": deferring: has a paired call but never stores r2 at 24(r1) (std r2,24(r1))\n");

        // The static pairing (nop ; nop) in a shared object.
        std::string no_reload = build(t, dir, "libnoreload.so", kDeferring,
                                      with_plugin(t, {"-fPIC", "-shared", "-fplugin-arg-modlink-static",
                                                      "-fplugin-arg-modlink-toc-save=all"}));
        r = verify({no_reload});
        BOOST_TEST(r.exit_code == 1);
        BOOST_TEST(std::regex_match(r.out, std::regex(".*: call to modlink_deferreturn lacks its pairing: expected "
                                                      "\"nop; ld r2,24\\(r1\\)\" right before it\n")),
                   r.out);

        // ... which is right in a fully static program: one TOC.
        std::string runtime = dir.file("runtime.c");
        std::ofstream(runtime) << "#include <stdint.h>\nvoid modlink__defer(uintptr_t *w, void (*f)(void *), void *a) "
                                  "{ (void)w; (void)f; (void)a; }\nvoid modlink_deferreturn(uintptr_t *w) { (void)w; }\n";
        std::string exe = build(t, dir, "static-exe",
                                std::string(kDeferring) + "int main(void) { return deferring(1) != 1; }\n",
                                with_plugin(t, {"-static", "-fplugin-arg-modlink-static", runtime}));
        r = verify({exe});
        BOOST_TEST(r.exit_code == 0, r.out << r.err);
    }
}

// lld names its ppc64 stubs "__plt_SYM" where ld.bfd writes
// "0000001a.plt_call.SYM": both are calls to SYM.
BOOST_AUTO_TEST_CASE(lld_links_are_checked_too)
{
    for (const TargetTools &t : kTargets) {
        TempDir dir;
        std::filesystem::create_directory(dir.file("lld"));
        std::filesystem::create_symlink("/usr/bin/ld.lld", dir.file("lld/ld.lld"));
        std::string lib = build(t, dir, "libunpaired.so", kUnpaired,
                                {"-O0", "-fPIC", "-shared", "-B" + dir.file("lld") + "/", "-fuse-ld=lld"});
        ProcessResult r = verify({lib});
        BOOST_TEST_CONTEXT(t.triple) {
            BOOST_TEST(r.exit_code == 1, r.out << r.err);
            BOOST_TEST(r.out.find(": call to modlink_deferreturn lacks its pairing") != std::string::npos, r.out);
        }
    }
}

// Stripped files: on x86 objdump still names the PLT entries, but code
// after the PLT shows as "SYM@plt+0x..." and must not count as calls to
// SYM; on ppc64le the stubs have no names left, which is an error.
BOOST_AUTO_TEST_CASE(stripped_files)
{
    for (const TargetTools &t : kTargets) {
        TempDir dir;
        std::string runtime = std::string(MODLINK_STAGE_DIR "/lib/modlink/") + t.triple;
        std::string exe = build(t, dir, "prog",
                                std::string(kDeferring) + "int main(void) { return deferring(1) != 1; }\n",
                                with_plugin(t, {"-fno-pie", "-no-pie", "-Wl,--no-as-needed", runtime + "/libmodlink.so"}));
        std::string stripped = dir.file("prog.stripped");
        ProcessResult s = run_process({std::string(t.triple) + "-strip", "-o", stripped, exe});
        BOOST_REQUIRE_MESSAGE(s.exit_code == 0, s.err);
        ProcessResult r = verify({exe, stripped});
        BOOST_TEST_CONTEXT(t.triple) {
            if (is_ppc(t)) {
                BOOST_TEST(r.exit_code == 2);
                BOOST_TEST(r.err == "modlink-verify: error: " + stripped +
                                        ": no symbol table (stripped): the calls through linker stubs cannot be "
                                        "named\n");
            } else {
                BOOST_TEST(r.exit_code == 0, r.out << r.err);
                BOOST_TEST(r.out.empty());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_input_is_one_error_line)
{
    TempDir dir;
    std::string text = dir.file("text");
    std::ofstream(text) << "not ELF\n";
    struct {
        std::vector<std::string> args;
        std::string err;
    } cases[] = {
        {{}, "modlink-verify: error: no input files\n"},
        {{"--frobnicate", text}, "modlink-verify: error: unknown option '--frobnicate'\n"},
        {{"--deferreturn=a::b", text}, "modlink-verify: error: invalid symbol list in '--deferreturn=a::b'\n"},
        {{text}, "modlink-verify: error: " + text + ": not an ELF file\n"},
        {{dir.file("missing")}, "modlink-verify: error: " + dir.file("missing") + ": No such file or directory\n"},
        {{"/bin/sh.nonexistent.dir/x"}, "modlink-verify: error: /bin/sh.nonexistent.dir/x: No such file or directory\n"},
    };
    for (const auto &c : cases) {
        ProcessResult r = verify(c.args);
        BOOST_TEST(r.exit_code == 2, shell_quote(c.args));
        BOOST_TEST(r.err == c.err);
        BOOST_TEST(r.out.empty());
    }
    // An ELF file of another target.
    ProcessResult r = verify({"/usr/aarch64-linux-gnu/lib/libc.so.6"});
    if (r.exit_code != 2 || r.err.find("No such file") == std::string::npos)
        BOOST_TEST(r.err == "modlink-verify: error: /usr/aarch64-linux-gnu/lib/libc.so.6: not an ELF file of a "
                            "supported target (x86_64, i386, powerpc64le ELFv2)\n");
}
