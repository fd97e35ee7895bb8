// modlink-verify on binaries built here for every target: good ones pass
// with no output; each broken pairing gives its one line and exit status 1;
// bad input gives one error line and exit status 2.  What to expect on a
// target comes from the platform table (its capabilities, TOC slot), and
// from per-arch inputs, verify/<name>-<arch>.s, where it has them.
#define BOOST_TEST_MODULE verify
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "process.hpp"
#include "test-config.hpp"

#include <elf.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

using namespace modlink::test;

namespace {

const std::string kVerify = MODLINK_STAGE_DIR "/bin/modlink-verify";

// Code that keeps a TOC pointer: paired calls reload it, functions store it.
bool keeps_toc(const TargetTools &t) { return target_of(t).has("toc"); }
std::string toc_slot(const TargetTools &t) { return std::to_string(target_of(t).toc_slot); }

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
    std::vector<std::string> cmd = {t.cc, "-O2", std::string("-I") + MODLINK_STAGE_INCLUDE_DIR};
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

std::string pairing_text(const TargetTools &t)
{
    return keeps_toc(t) ? "nop; ld r2," + toc_slot(t) + "\\(r1\\)" : "nop";
}

// "has a paired call but never stores r2 at 24(r1) (std r2,24(r1))", as a regex.
std::string no_store_text(const TargetTools &t)
{
    return "has a paired call but never stores r2 at " + toc_slot(t) + "\\(r1\\) \\(std r2," + toc_slot(t) +
           "\\(r1\\)\\)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(good_binaries_pass)
{
    for (const TargetTools &t : kTargets) {
        TempDir dir;
        std::vector<std::string> files = {
            build(t, dir, "libpic.so", kDeferring, with_plugin(t, {"-fPIC", "-shared"})),
            build(t, dir, "libpic-O0.so", kDeferring, with_plugin(t, {"-O0", "-fPIC", "-shared"}))};
        if (target_of(t).has("fno-plt"))
            files.push_back(build(t, dir, "libnoplt.so", kDeferring, with_plugin(t, {"-fPIC", "-fno-plt", "-shared"})));
        ProcessResult r = verify(files);
        BOOST_TEST_CONTEXT(target_name(t)) {
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
        if (keeps_toc(t))
            want += lib + ": unpaired: " + no_store_text(t) + "\n";
        BOOST_TEST_CONTEXT(target_name(t)) {
            BOOST_TEST(r.exit_code == 1);
            BOOST_TEST(std::regex_match(r.out, std::regex(want)), r.out);
        }
        // With another paired symbol, the same file is fine.
        r = verify({"--deferreturn=something_else", lib});
        BOOST_TEST(r.exit_code == 0, target_name(t) << ": " << r.out);
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
        if (!target_of(t).has("plt-sibcall"))
            continue;  // GCC makes no sibling call through the PLT there (the GOT pointer, the TOC)
        BOOST_TEST_CONTEXT(target_name(t)) {
            BOOST_TEST(r.exit_code == 1);
            BOOST_TEST(std::regex_match(r.out, std::regex(want)), r.out);
        }
    }
}

BOOST_AUTO_TEST_CASE(toc_code_needs_the_toc_store_and_the_reload)
{
    for (const TargetTools &t : kTargets) {
        if (!keeps_toc(t))
            continue;
        BOOST_TEST_CONTEXT(target_name(t)) {
        TempDir dir;
        std::string no_store = build(t, dir, "libnostore.so", kDeferring,
                                     with_plugin(t, {"-fPIC", "-shared", "-fplugin-arg-modlink-toc-save=none"}));
        ProcessResult r = verify({no_store});
        BOOST_TEST(r.exit_code == 1);
        BOOST_TEST(std::regex_match(r.out, std::regex(".*: deferring: " + no_store_text(t) + "\n")), r.out);

        // The static pairing (nop ; nop) in a shared object.
        std::string no_reload = build(t, dir, "libnoreload.so", kDeferring,
                                      with_plugin(t, {"-fPIC", "-shared", "-fplugin-arg-modlink-static",
                                                      "-fplugin-arg-modlink-toc-save=all"}));
        r = verify({no_reload});
        BOOST_TEST(r.exit_code == 1);
        BOOST_TEST(std::regex_match(r.out, std::regex(".*: call to modlink_deferreturn lacks its pairing: expected \"" +
                                                      pairing_text(t) + "\" right before it\n")),
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
}

// lld names its ppc64 stubs "__plt_SYM" where ld.bfd writes
// "0000001a.plt_call.SYM": both are calls to SYM.  Targets this machine's
// ld.lld does not know (LLD 14 has no SystemZ; LLD 18 added it) or whose
// ABI it does not link (ppc64 ELFv1: it refuses the C library's start
// files, and makes ELFv2-marked files of objects without them) are
// skipped, saying so.
BOOST_AUTO_TEST_CASE(lld_links_are_checked_too)
{
    for (const TargetTools &t : kTargets) {
        TempDir dir;
        std::filesystem::create_directory(dir.file("lld"));
        std::filesystem::create_symlink("/usr/bin/ld.lld", dir.file("lld/ld.lld"));
        std::ofstream(dir.file("probe.c")) << "int main(void) { return 0; }\n";
        std::vector<std::string> probe = {t.cc, "-B" + dir.file("lld") + "/", "-fuse-ld=lld",
                                          dir.file("probe.c"), "-o", dir.file("probe")};
        ProcessResult p = run_process(probe, {"LC_ALL=C"});
        if (p.exit_code != 0 && (p.err.find("unknown emulation") != std::string::npos ||
                                 p.err.find("is not supported") != std::string::npos)) {
            BOOST_TEST_MESSAGE(target_name(t) << ": skipped: ld.lld cannot link its code here: " << p.err);
            continue;
        }
        std::string lib = build(t, dir, "libunpaired.so", kUnpaired,
                                {"-O0", "-fPIC", "-shared", "-B" + dir.file("lld") + "/", "-fuse-ld=lld"});
        ProcessResult r = verify({lib});
        BOOST_TEST_CONTEXT(target_name(t)) {
            BOOST_TEST(r.exit_code == 1, r.out << r.err);
            BOOST_TEST(r.out.find(": call to modlink_deferreturn lacks its pairing") != std::string::npos, r.out);
        }
    }
}

// Stripped files: on x86 objdump still names the PLT entries, but code
// after the PLT shows as "SYM@plt+0x..." and must not count as calls to
// SYM; where the checks need the symbol table (ppc64's linker stubs,
// aarch64's and arm's veneers, arm's mapping symbols), it is an error.
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
        BOOST_TEST_CONTEXT(target_name(t)) {
            if (target_of(t).has("verify-symbols")) {
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
    // An ELF file of no target of the table: its header says SPARC V9.
    std::string sparc = dir.file("sparc.o");
    Elf64_Ehdr eh;
    memset(&eh, 0, sizeof eh);
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_REL;
    eh.e_machine = EM_SPARCV9;
    eh.e_version = EV_CURRENT;
    eh.e_ehsize = sizeof eh;
    std::ofstream(sparc, std::ios::binary).write(reinterpret_cast<const char *>(&eh), sizeof eh);
    ProcessResult r = verify({sparc});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err == "modlink-verify: error: " + sparc + ": not an ELF file of a supported target (" +
                            modlink::platform::supported() + ")\n");
}

// A call the pairing precedes, in a form the runtime cannot rewind: for the
// targets that have such a form, verify/unrewindable-<arch>.s (a shared
// object's source, the call in function "unrewindable").
BOOST_AUTO_TEST_CASE(an_unrewindable_call_form_is_reported)
{
    int checked = 0;
    for (const TargetTools &t : kTargets) {
        std::string source = MODLINK_TESTS_DIR "/verify/unrewindable-" + target_of(t).arch + ".s";
        if (!std::filesystem::exists(source))
            continue;
        TempDir dir;
        std::vector<std::string> cmd = {t.cc, "-shared", "-o", dir.file("libform.so"), source};
        ProcessResult b = run_process(cmd, {"LC_ALL=C"});
        BOOST_REQUIRE_MESSAGE(b.exit_code == 0, shell_quote(cmd) << "\n" << b.err);
        ProcessResult r = verify({dir.file("libform.so")});
        BOOST_TEST_CONTEXT(target_name(t)) {
            BOOST_TEST(r.exit_code == 1, r.out << r.err);
            BOOST_TEST(std::regex_match(r.out, std::regex(".*: unrewindable\\+0x[0-9a-f]+ \\(0x[0-9a-f]+\\): call to "
                                                          "modlink_deferreturn has a form the runtime cannot rewind: "
                                                          "[0-9a-f ]+ \\(.*\\)\n")),
                       r.out);
        }
        checked++;
    }
    BOOST_TEST_MESSAGE(checked << " targets have an unrewindable call form");
}
