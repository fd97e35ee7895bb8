// The call-site pairing in GCC's assembly output, for every target,
// optimisation level and code model (docs/reference.md, "What it does to the code").
//
// Each corpus file names its functions and what the plugin must do to them:
//   expect: NAME paired      every paired call has the exact pairing,
//                             none is a tail call (where code keeps a TOC:
//                             the TOC store too, std 2,24(1))
//   expect: NAME reload      where code keeps a TOC: the reload (ld
//                             2,24(1)) right after the call
//   expect: NAME untouched   the function's assembly is byte-identical to
//                             a build without the plugin
//   expect: NAME tocsave     where code keeps a TOC: the TOC store after
//                             the frame (toc-save=all); elsewhere untouched
//   expect: NAME nosave      paired, and no TOC store (toc-save=none)
//   modlink-options: ...     extra -fplugin-arg-modlink-... for the file
//
// The pairing, TOC slot and what else to try come from the platform table.
// Run one slice with --run_test=<triple>/<level> for a target's default
// compiler, e.g. x86_64_linux_gnu/O2, and --run_test=<triple>/gcc-<N>/<level>
// for another, e.g. x86_64_linux_gnu/gcc-13/O2.
#define BOOST_TEST_DYN_LINK
#define BOOST_TEST_ALTERNATIVE_INIT_API
#include <boost/test/unit_test.hpp>

#include "asmshape.hpp"
#include "process.hpp"
#include "test-config.hpp"

#include <filesystem>
#include <map>
#include <regex>

using namespace modlink::test;
namespace utf = boost::unit_test;

namespace {

// LINES with every local label (.L23, .LC4, .LFB7) renamed in order of first
// appearance: .L#0, .L#1, ...
std::vector<std::string> renumber_local_labels(const std::vector<std::string> &lines)
{
    static const std::regex label(R"(\.L[A-Z]*[0-9]+\b)");
    std::map<std::string, std::string> names;
    std::vector<std::string> out;
    for (const std::string &line : lines) {
        std::string renamed;
        auto last = line.cbegin();
        for (std::sregex_iterator it(line.begin(), line.end(), label), end; it != end; ++it) {
            renamed.append(last, line.cbegin() + it->position());
            auto [pos, fresh] = names.emplace(it->str(), ".L#" + std::to_string(names.size()));
            renamed += pos->second;
            last = line.cbegin() + it->position() + it->length();
        }
        renamed.append(last, line.cend());
        out.push_back(renamed);
    }
    return out;
}

const std::set<std::string> kPaired = {"modlink_deferreturn", "custom_return", "local_return",
                                       "rt_return", "rt_unwind", "_Z10cxx_returnv"};
const std::set<std::string> kReload = {"rt_switch", "rt_resume"};

struct Variant {
    std::string name;
    std::vector<std::string> flags;
    Shape shape;
    std::vector<std::string> plugin_args = {};
    bool keeps_toc = false;  // code that keeps a TOC pointer (not pcrel)
};

struct Expectation {
    std::string function, what;
};

struct CorpusFile {
    std::string path;
    bool cxx;
    std::vector<std::string> options;
    std::vector<Expectation> expect;
};

CorpusFile load_corpus_file(const std::string &path)
{
    CorpusFile f{path, path.size() > 3 && path.substr(path.size() - 3) == ".cc", {}, {}};
    std::string text = read_file(path);
    std::smatch m;
    static const std::regex expect_re(R"(expect: (\S+) (paired|reload|untouched|tocsave|nosave))");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), expect_re);
         it != std::sregex_iterator(); ++it)
        f.expect.push_back({(*it)[1].str(), (*it)[2].str()});
    static const std::regex options_re(R"(modlink-options: ([^\n*]*))");
    if (std::regex_search(text, m, options_re)) {
        std::istringstream words(m[1].str());
        for (std::string w; words >> w;)
            f.options.push_back(w);
    }
    return f;
}

std::vector<CorpusFile> corpus()
{
    std::vector<CorpusFile> files;
    for (const auto &e : std::filesystem::directory_iterator(MODLINK_TESTS_DIR "/asm-shape/corpus"))
        files.push_back(load_corpus_file(e.path().string()));
    std::sort(files.begin(), files.end(),
              [](const CorpusFile &a, const CorpusFile &b) { return a.path < b.path; });
    return files;
}

std::vector<std::string> compile_command(const TargetTools &t, const CorpusFile &f, const Variant &v,
                                         bool plugin, const std::string &out)
{
    std::vector<std::string> cmd = {f.cxx ? t.cxx : t.cc};
    cmd.insert(cmd.end(), v.flags.begin(), v.flags.end());
    if (plugin) {
        cmd.push_back(std::string("-fplugin=") + t.plugin);
        cmd.insert(cmd.end(), v.plugin_args.begin(), v.plugin_args.end());
        cmd.insert(cmd.end(), f.options.begin(), f.options.end());
    } else {
        cmd.push_back("-Wno-attributes");  // the modlink attributes, unknown without the plugin
    }
    cmd.insert(cmd.end(), {"-S", "-o", out, f.path});
    return cmd;
}

std::string compile(const std::vector<std::string> &cmd, const std::string &out)
{
    ProcessResult r = run_process(cmd, {"LC_ALL=C"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, "compile failed: " << shell_quote(cmd) << "\n" << r.err);
    BOOST_TEST(r.err.empty(), "unexpected diagnostics from " << shell_quote(cmd) << "\n" << r.err);
    return read_file(out);
}

int count_insns(const AsmFunction &fn, const std::string &text)
{
    return static_cast<int>(std::count_if(fn.insns.begin(), fn.insns.end(),
                                          [&](const Insn &i) { return i.text == text; }));
}

bool expects_toc_store(const Variant &v, const std::vector<std::string> &options)
{
    for (const auto &o : options)
        if (o == "-fplugin-arg-modlink-toc-save=none")
            return false;
    return !v.shape.toc_reload.empty();
}

void check_file(const TargetTools &t, const Variant &v, const CorpusFile &f)
{
    TempDir tmp;
    auto with = compile_command(t, f, v, true, tmp.file("with.s"));
    auto without = compile_command(t, f, v, false, tmp.file("without.s"));
    auto fns = parse_functions(compile(with, tmp.file("with.s")));
    std::vector<AsmFunction> plain;

    for (const auto &e : f.expect) {
        BOOST_TEST_CONTEXT(e.function << " (" << e.what << ") from " << shell_quote(with)) {
            const AsmFunction *fn = find_function(fns, e.function);
            BOOST_TEST_REQUIRE(fn != nullptr, "function not in the assembly");
            ShapeReport r = check_shape(*fn, v.shape, kPaired, kReload);
            for (const auto &p : r.problems)
                BOOST_ERROR(p);
            std::string what = e.what;
            if (what == "tocsave" && !v.keeps_toc)
                what = "untouched";
            if (what == "tocsave") {
                BOOST_TEST(r.paired_calls == 0);
                BOOST_TEST(r.stores_toc, "no " << v.shape.toc_store << " after the frame allocation");
            } else if (what == "nosave") {
                BOOST_TEST(r.paired_calls >= 1);
                BOOST_TEST((v.shape.toc_store.empty() || count_insns(*fn, v.shape.toc_store) == 0),
                           v.shape.toc_store << " despite toc-save=none");
            } else if (what == "paired") {
                BOOST_TEST(r.paired_calls >= 1);
                if (expects_toc_store(v, f.options))
                    BOOST_TEST(r.stores_toc, "no " << v.shape.toc_store << " after the frame allocation");
            } else if (what == "reload") {
                BOOST_TEST(r.reload_calls >= 1);
                if (expects_toc_store(v, f.options))
                    BOOST_TEST(r.stores_toc, "no " << v.shape.toc_store << " after the frame allocation");
            } else {
                BOOST_TEST(r.paired_calls == 0);
                if (plain.empty())
                    plain = parse_functions(compile(without, tmp.file("without.s")));
                BOOST_TEST_INFO("plain build: " << shell_quote(without));
                const AsmFunction *ref = find_function(plain, e.function);
                BOOST_TEST_REQUIRE(ref != nullptr);
                // Local label numbers (.L23) count across the whole file,
                // so changes to other functions renumber them.
                BOOST_TEST(renumber_local_labels(fn->raw) == renumber_local_labels(ref->raw),
                           boost::test_tools::per_element());
            }
        }
    }
}

// -fcompare-debug: the plugin changes code identically with and without -g.
void check_compare_debug(const TargetTools &t, const std::string &level, const CorpusFile &f)
{
    TempDir tmp;
    std::vector<std::string> cmd = {f.cxx ? t.cxx : t.cc, "-" + level, "-fPIC", "-fcompare-debug",
                                    std::string("-fplugin=") + t.plugin};
    cmd.insert(cmd.end(), f.options.begin(), f.options.end());
    cmd.insert(cmd.end(), {"-c", "-o", tmp.file("out.o"), f.path});
    ProcessResult r = run_process(cmd, {"LC_ALL=C", "TMPDIR=" + tmp.path()});
    BOOST_TEST(r.exit_code == 0, shell_quote(cmd) << "\n" << r.err);
    BOOST_TEST(r.err.empty(), shell_quote(cmd) << "\n" << r.err);
}

std::vector<Variant> variants(const TargetTools &t)
{
    const modlink::platform::Target &target = target_of(t);
    bool toc = target.has("toc");
    Shape base = shape_of(target);
    std::vector<Variant> v;
    for (std::string pic : {"-fPIC", "-fPIE", "-fno-pic"}) {
        std::string p = pic.substr(1);
        v.push_back({p, {pic}, base, {}, toc});
        v.push_back({p + "_fno_plt", {pic, "-fno-plt"}, base, {}, toc});
        if (target.has("interworking"))
            v.push_back({p + "_marm", {pic, "-marm"}, base, {}, toc});
        if (target.has("long-calls"))
            v.push_back({p + "_mlong_calls", {pic, "-mlong-calls"}, base, {}, toc});
        if (target.has("pcrel"))
            v.push_back({p + "_power10", {pic, "-mcpu=power10"}, nop_shape_of(target), {}, false});
        if (toc)
            v.push_back({p + "_static", {pic}, nop_shape_of(target), {"-fplugin-arg-modlink-static"}, true});
    }
    return v;
}

std::string sanitize(std::string s)
{
    for (char &c : s)
        if (!isalnum(static_cast<unsigned char>(c)))
            c = '_';
    return s;
}

bool register_tests()
{
    static const std::vector<CorpusFile> files = corpus();
    static const std::vector<std::string> levels = {"O0", "O1", "O2", "O3", "Os"};
    std::map<std::string, utf::test_suite *> triple_suites;
    for (const TargetTools &t : kTargets) {
        // <triple>/<level> for the default compiler, <triple>/gcc-<N>/<level>
        // for the others.
        utf::test_suite *&triple_suite = triple_suites[t.triple];
        if (!triple_suite) {
            triple_suite = BOOST_TEST_SUITE(sanitize(t.triple));
            utf::framework::master_test_suite().add(triple_suite);
        }
        utf::test_suite *target_suite = triple_suite;
        if (!t.default_gcc) {
            target_suite = BOOST_TEST_SUITE("gcc-" + std::to_string(t.gcc_major));
            triple_suite->add(target_suite);
        }
        for (const auto &level : levels) {
            auto *level_suite = BOOST_TEST_SUITE(level);
            for (Variant v : variants(t)) {
                v.flags.insert(v.flags.begin(), "-" + level);
                for (const auto &f : files) {
                    std::string name = v.name + "_" + sanitize(std::filesystem::path(f.path).filename());
                    level_suite->add(utf::make_test_case([&t, v, &f] { check_file(t, v, f); }, name,
                                                         __FILE__, __LINE__));
                }
            }
            if (level != "Os")
                for (const auto &f : files) {
                    std::string name = "compare_debug_" + sanitize(std::filesystem::path(f.path).filename());
                    level_suite->add(utf::make_test_case([&t, level, &f] { check_compare_debug(t, level, f); },
                                                         name, __FILE__, __LINE__));
                }
            target_suite->add(level_suite);
        }
    }
    return true;
}

}  // namespace

int main(int argc, char *argv[])
{
    return utf::unit_test_main(&register_tests, argc, argv);
}
