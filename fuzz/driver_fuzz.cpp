// libFuzzer target for modlink-cc's first two stages: response files,
// parse_command_line and make_plan (driver/parse.cpp, driver/plan.cpp).
//
// The input is split on NUL bytes.  The first part is the command line, one
// argument per line (at most 64); the parts after it are response files held
// in memory, named "r1", "r2", ... (at most 8), so "@r1" reads the second
// part and any other @FILE is unreadable.  Nothing touches the file system,
// the environment or a process: the toolchain (the compiler choice's result)
// and the install are fakes.
//
// For every input and each supported default target: a DriverError is the
// expected way to refuse; anything else thrown, a sanitizer finding or a
// broken invariant of the plan aborts.
//
//   build/fuzz/driver_fuzz build/fuzz/corpus/driver fuzz/corpus/driver
//   fuzz/run.sh driver          (what the test host/fuzz/driver runs)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "driver.hpp"
#include "fuzz_check.hpp"
#include "stubgen.hpp"

using namespace modlink::driver;
using modlink::fuzz::printable;

namespace {

const size_t kMaxArgs = 64;
const size_t kMaxResponseFiles = 8;

std::vector<std::string> split(const std::string &s, char separator)
{
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t end; (end = s.find(separator, start)) != std::string::npos; start = end + 1)
        parts.push_back(s.substr(start, end - start));
    parts.push_back(s.substr(start));
    return parts;
}

bool starts_with(const std::string &s, const std::string &prefix) { return s.rfind(prefix, 0) == 0; }

std::string basename_of(const std::string &path) { return path.substr(path.rfind('/') + 1); }

// The words of quote_command's line, read back: ' "word"' each, with \", \\ and \$.
std::vector<std::string> unquote(const std::string &line)
{
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
        FUZZ_CHECK(line.compare(i, 2, " \"") == 0, "quote_command: a word does not start with ' \"': " + printable(line));
        i += 2;
        std::string word;
        for (;; i++) {
            FUZZ_CHECK(i < line.size(), "quote_command: an unterminated word: " + printable(line));
            if (line[i] == '"')
                break;
            if (line[i] == '\\') {
                FUZZ_CHECK(i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$'),
                      "quote_command: a stray backslash: " + printable(line));
                i++;
            }
            word += line[i];
        }
        words.push_back(word);
        i++;
    }
    return words;
}

// A response file that splits into WORDS again: every byte escaped.
std::string response_file_text(const std::vector<std::string> &words)
{
    std::string text;
    for (const std::string &w : words) {
        text += w.empty() ? "\"\"" : "";
        for (char c : w)
            text += std::string("\\") + c;
        text += '\n';
    }
    return text;
}

size_t count(const std::vector<std::string> &v, const std::string &s)
{
    size_t n = 0;
    for (const std::string &x : v)
        n += x == s;
    return n;
}

size_t index_of(const std::vector<std::string> &v, const std::string &s)
{
    for (size_t i = 0; i < v.size(); i++)
        if (v[i] == s)
            return i;
    return v.size();
}

bool is_subsequence(const std::vector<std::string> &sub, const std::vector<std::string> &of)
{
    size_t j = 0;
    for (size_t i = 0; i < of.size() && j < sub.size(); i++)
        j += of[i] == sub[j];
    return j == sub.size();
}

bool contains_run(const std::vector<std::string> &v, const std::vector<std::string> &run)
{
    if (run.empty())
        return true;
    for (size_t i = 0; i + run.size() <= v.size(); i++)
        if (std::equal(run.begin(), run.end(), v.begin() + i))
            return true;
    return false;
}

bool is_modlink_option(const std::string &a)
{
    return starts_with(a, "--target=") || a == "-target" || starts_with(a, "--gcc=") ||
           a == "--modlink-static-runtime" || a == "--modlink-rpath" || a == "--modlink-no-rpath" ||
           a == "--print-plugin" || a == "--print-runtime-dir" || a == "-###";
}

// The invariants of one plan, from reading plan.cpp.
void check_plan(const std::vector<std::string> &args, const Invocation &inv, const Plan &plan, const Toolchain &tc,
                const Install &install, const std::string &temp_dir, const std::vector<std::string> &launcher)
{
    const std::string context = " (triple " + inv.triple + ")";
    find_target(inv.triple);
    FUZZ_CHECK(is_subsequence(inv.gcc_args, args), "gcc_args are not the user's arguments in order" + context);
    bool any_own = false;
    for (const std::string &a : args)
        any_own |= is_modlink_option(a);
    FUZZ_CHECK(any_own || inv.gcc_args == args, "an argument for gcc went missing" + context);
    for (const std::string &input : inv.inputs)
        FUZZ_CHECK(count(args, input) > 0, "input '" + printable(input) + "' is not an argument" + context);
    FUZZ_CHECK(plan.output == inv.output, "the plan's output is not -o's" + context);

    for (const Command &c : plan.commands) {
        FUZZ_CHECK(!c.argv.empty() && !c.argv[0].empty(), "a command without a program" + context);
        FUZZ_CHECK(unquote(quote_command(c.argv)) == c.argv, "quote_command does not read back" + context);
    }

    if (inv.print_plugin || inv.print_runtime_dir) {
        FUZZ_CHECK(plan.commands.empty(), "a query of the install runs a command" + context);
        FUZZ_CHECK(count(plan.echo, tc.plugin) == inv.print_plugin, "--print-plugin" + context);
        FUZZ_CHECK(count(plan.echo, install.target_dir(inv.triple)) == inv.print_runtime_dir,
              "--print-runtime-dir" + context);
        return;
    }
    FUZZ_CHECK(inv.version == (plan.echo.size() == 1), "--version echoes one line" + context);

    std::vector<std::string> plugin = {"-fplugin=" + tc.plugin, "-isystem", install.include_dir()};
    switch (inv.mode) {
    case Mode::Query:
    case Mode::Partial: {
        FUZZ_CHECK(plan.commands.size() == 1 && plan.temp_dir.empty(), "a query or -r is not one command" + context);
        std::vector<std::string> expected = {tc.gcc};
        expected.insert(expected.end(), inv.gcc_args.begin(), inv.gcc_args.end());
        FUZZ_CHECK(plan.commands[0].argv == expected && !plan.commands[0].compiles,
              "a query or -r is not gcc with the user's arguments" + context);
        break;
    }
    case Mode::Compile: {
        FUZZ_CHECK(plan.commands.size() == 1 && plan.temp_dir.empty(), "a compile is not one command" + context);
        std::vector<std::string> expected = launcher;
        expected.push_back(tc.gcc);
        expected.insert(expected.end(), plugin.begin(), plugin.end());
        expected.insert(expected.end(), inv.gcc_args.begin(), inv.gcc_args.end());
        FUZZ_CHECK(plan.commands[0].argv == expected && plan.commands[0].compiles,
              "a compile is not [launcher] gcc -fplugin=... ARGS" + context);
        break;
    }
    case Mode::Link: {
        FUZZ_CHECK(!(inv.static_runtime && inv.shared), "a shared object with the static runtime" + context);
        FUZZ_CHECK(plan.commands.size() == 3, "a link is not genstub, as, gcc" + context);
        const std::vector<std::string> &gen = plan.commands[0].argv, &as = plan.commands[1].argv,
                                        &link = plan.commands[2].argv;
        bool runtime_module = inv.static_runtime || inv.static_exe;
        std::string module = basename_of(inv.output.empty() ? "a.out" : inv.output);
        FUZZ_CHECK(gen.size() == 7u + runtime_module && gen[0] == install.self && gen[1] == "--modlink-genstub" &&
                  gen[2] == "--target=" + inv.triple && gen[3] == "--name=" + module &&
                  (gen[4] == "--runtime-module") == runtime_module && gen[gen.size() - 3] == "-o" &&
                  starts_with(gen.back(), "--ld-fragment="),
              "the stub step is not modlink-cc --modlink-genstub --target= --name=" + context);
        std::string stub_s = gen[gen.size() - 2], fragment = gen.back().substr(strlen("--ld-fragment="));
        // The stub step must succeed for this name: the stub generator accepts it.
        try {
            modlink::generate_stub({inv.triple, module, runtime_module});
        } catch (const modlink::StubError &e) {
            modlink::fuzz::broken("the plan's stub step fails: '" + printable(module) + "': " + e.what() + context);
        }
        if (inv.save_temps) {
            std::string base = inv.output.empty() ? "a.out" : inv.output;
            FUZZ_CHECK(plan.temp_dir.empty() && starts_with(stub_s, base) && starts_with(fragment, base),
                  "-save-temps: the stub is not next to the output" + context);
        } else {
            FUZZ_CHECK(plan.temp_dir == temp_dir && starts_with(stub_s, temp_dir + "/") &&
                      starts_with(fragment, temp_dir + "/"),
                  "the stub is not in the temporary directory" + context);
        }
        FUZZ_CHECK(as.size() == 4 && as[0] == tc.as && as[1] == "-o" && as[3] == stub_s, "the as step" + context);
        const std::string &stub_o = as[2];
        size_t gcc_at = plan.commands[2].compiles ? launcher.size() : 0;
        FUZZ_CHECK(plan.commands[2].compiles == inv.compiles, "the link compiles iff a source is an input" + context);
        FUZZ_CHECK(link.size() > gcc_at && std::equal(link.begin(), link.begin() + gcc_at, launcher.begin()) &&
                  link[gcc_at] == tc.gcc,
              "the link is not [launcher] gcc" + context);
        FUZZ_CHECK(contains_run(link, plugin), "the link has no plugin" + context);
        FUZZ_CHECK(contains_run(link, inv.gcc_args), "the link lost the user's arguments" + context);
        FUZZ_CHECK(count(link, "-Wl,-T," + fragment) > 0, "the link has no ld fragment" + context);
        size_t stub_at = index_of(link, stub_o);
        FUZZ_CHECK(stub_at < link.size(), "the link has no stub object" + context);
        std::string dir = install.target_dir(inv.triple);
        if (runtime_module) {
            size_t archive = index_of(link, dir + "/libmodlink.a");
            FUZZ_CHECK(archive < link.size() && stub_at < archive, "the static runtime is not after the stub" + context);
            FUZZ_CHECK(stub_at >= gcc_at + 2 && link[stub_at - 1] == "none" && link[stub_at - 2] == "-x",
                  "no -x none before the stub" + context);
        } else {
            size_t lib = index_of(link, "-lmodlink");
            FUZZ_CHECK(lib < link.size() && stub_at < lib, "libmodlink.so is not after the stub" + context);
            bool rpath = inv.runtime_rpath == Invocation::Rpath::Automatic ? !tc.loader_finds_runtime
                                                                             : inv.runtime_rpath == Invocation::Rpath::On;
            FUZZ_CHECK(count(link, "-Wl,-rpath," + dir) == (rpath ? 1 : 0),
                       "the runtime's rpath does not follow --modlink-rpath/--modlink-no-rpath" + context);
        }
        break;
    }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::vector<std::string> parts = split(std::string(reinterpret_cast<const char *>(data), size), '\0');
    std::vector<std::string> args = split(parts[0], '\n');
    if (args.size() > kMaxArgs)
        args.resize(kMaxArgs);
    if (args.size() == 1 && args[0].empty())
        args.clear();
    parts.resize(std::min(parts.size(), kMaxResponseFiles + 1));

    // Response files: splitting and escaping read back, then the expansion.
    for (size_t i = 1; i < parts.size(); i++) {
        std::vector<std::string> words = split_response_file(parts[i]);
        FUZZ_CHECK(split_response_file(response_file_text(words)) == words, "a response file's words do not read back");
    }
    auto read = [&](const std::string &path) -> std::string {
        for (size_t i = 1; i < parts.size(); i++)
            if (path == "r" + std::to_string(i))
                return parts[i];
        throw DriverError("cannot read response file '" + path + "': No such file or directory");
    };
    try {
        args = expand_response_files(args, read);
    } catch (const DriverError &) {
        return 0;
    }

    const Install install{"/opt/modlink", "/opt/modlink/bin/modlink-cc"};
    const std::string temp_dir = "/tmp/modlink-cc-XXXXXX";
    static const std::vector<std::string> launchers[] = {{}, {"ccache"}, {"env", "CCACHE_DIR=/c", "ccache"}};
    const std::vector<std::string> &launcher = launchers[size % 3];
    for (const Target &target : modlink::platform::targets()) {
        Invocation inv;
        try {
            inv = parse_command_line(args, target.triple);
        } catch (const DriverError &) {
            continue;
        }
        const Target &chosen = find_target(inv.triple);
        if (!modlink::stub_target_built(chosen.triple))
            continue;  // a target this build left out (-DMODLINK_TRIPLES)
        // The compiler choice asks the system; a fixed one stands for it.
        const int major = 12 + static_cast<int>(size % 5);
        Toolchain tc{&chosen, "/usr/bin/" + chosen.triple + "-gcc", major, install.plugin(chosen.triple, major),
                     "/usr/bin/" + chosen.triple + "-as"};
        tc.loader_finds_runtime = size % 2;  // a packaged runtime, or one in modlink's own tree
        Plan plan = make_plan(inv, tc, install, temp_dir, launcher);
        check_plan(args, inv, plan, tc, install, temp_dir, launcher);
    }
    return 0;
}
