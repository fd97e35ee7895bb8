// Stage 1: the command line.  modlink-cc takes gcc's arguments; it only
// needs to know enough of them to tell what the command does (compile,
// link a shared object or an executable, answer a query), where its output
// goes, and what modlink cannot build.  Everything else goes to gcc as is.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "driver.hpp"

namespace modlink::driver {

namespace {

// gcc options whose value may be the next argument.
const std::set<std::string> kSeparateValue = {
    "-o", "-x", "-I", "-L", "-l", "-D", "-U", "-include", "-imacros", "-isystem", "-iquote", "-idirafter",
    "-iprefix", "-iwithprefix", "-iwithprefixbefore", "-isysroot", "-imultilib", "-MF", "-MT", "-MQ",
    "-Xlinker", "-Xassembler", "-Xpreprocessor", "-T", "-u", "-z", "-e", "-aux-info", "-dumpbase",
    "-dumpbase-ext", "-dumpdir", "--param", "-B", "-wrapper", "-specs", "--sysroot", "-target", "-A",
    // gcc's long spellings
    "--include-directory", "--define-macro", "--undefine-macro", "--library-directory", "--include",
    "--imacros", "--assert",
};

bool starts_with(const std::string &s, const char *prefix) { return s.rfind(prefix, 0) == 0; }

bool is_source_suffix(const std::string &file)
{
    static const std::set<std::string> sources = {"c",  "i",  "s",   "S",   "sx", "cc",  "cp", "cxx",
                                                   "cpp", "CPP", "c++", "C", "ii", "h",  "hh", "hpp"};
    size_t dot = file.rfind('.');
    size_t slash = file.rfind('/');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash))
        return false;
    return sources.count(file.substr(dot + 1)) != 0;
}

// At most this many response files in one command line, as in gcc's
// libiberty: files that name each other several times would otherwise
// multiply into millions of arguments.
const int kMaxResponseFiles = 2000;

void expand_into(const std::vector<std::string> &args, std::vector<std::string> &out, int depth, int &files,
                 const ResponseFileReader &read)
{
    for (const std::string &arg : args) {
        if (arg.size() > 1 && arg[0] == '@') {
            if (depth > 32)
                throw DriverError("response files nested too deeply at '" + arg + "'");
            if (++files > kMaxResponseFiles)
                throw DriverError("more than " + std::to_string(kMaxResponseFiles) +
                                  " response files in one command line, at '" + arg + "'");
            expand_into(split_response_file(read(arg.substr(1))), out, depth + 1, files, read);
        } else {
            out.push_back(arg);
        }
    }
}

// -Wl,a,b,c and -Xlinker a: the words the linker gets.  As in ld, the
// last of -z shstk and -z noshstk counts.
void check_linker_words(const std::vector<std::string> &words)
{
    std::string shadow_stack;
    for (size_t i = 0; i < words.size(); i++) {
        const std::string &w = words[i];
        std::string z = w == "-z" && i + 1 < words.size() ? words[i + 1]
                        : starts_with(w, "-z") ? w.substr(2)
                                               : "";
        if (!z.empty() && z[0] == ',')
            z = z.substr(1);
        if (z == "shstk" || z == "noshstk")
            shadow_stack = z;
    }
    if (shadow_stack == "shstk")
        throw DriverError("-z shstk would turn on CET shadow stacks, which reject the return addresses "
                          "that modlink_defer rewinds");
}

// As in gcc, the last -fuse-ld= counts, and only when something is linked.
void check_linker(const std::string &ld)
{
    if (ld == "gold" || ld == "mold")
        throw DriverError("-fuse-ld=" + ld + " cannot link modlink modules: " + ld +
                          " does not support INSERT in linker scripts; use bfd (the default) or lld");
}

// As in gcc, the last of the target's ABI options counts (-m32 -m64 is -m64).
void check_abi(const Target &target, const std::string &last_abi_option, const Personality &personality)
{
    for (const platform::AbiOther &s : target.abi_others) {
        if (s.option != last_abi_option)
            continue;
        if (s.triple.empty())
            throw DriverError(s.option + " selects " + s.name + ", which modlink does not build for; supported: " +
                              platform::supported());
        throw DriverError(s.option + " builds for " + s.triple + "; use --target=" + s.triple + " (or " + s.triple +
                          "-" + personality.name + ")");
    }
}

bool is_abi_option(const Target &target, const std::string &a)
{
    if (a == target.abi_option)
        return true;
    for (const platform::AbiOther &s : target.abi_others)
        if (s.option == a)
            return true;
    return false;
}

}  // namespace

std::vector<std::string> split_commas(const std::string &s)
{
    std::vector<std::string> words;
    std::stringstream in(s);
    for (std::string w; std::getline(in, w, ',');)
        words.push_back(w);
    return words;
}

std::string read_response_file(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw DriverError("cannot read response file '" + path + "': " + strerror(errno));
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

// As gcc's libiberty buildargv reads a response file.
std::vector<std::string> split_response_file(const std::string &text)
{
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (size_t i = 0; i < text.size(); i++) {
        char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            word += text[++i];
            in_word = true;
        } else if (quote) {
            if (c == quote)
                quote = 0;
            else
                word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (isspace(static_cast<unsigned char>(c))) {
            if (in_word)
                words.push_back(word);
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word)
        words.push_back(word);
    return words;
}

std::vector<std::string> expand_response_files(const std::vector<std::string> &args, const ResponseFileReader &read)
{
    std::vector<std::string> out;
    int files = 0;
    expand_into(args, out, 0, files, read);
    return out;
}

Invocation parse_command_line(const std::vector<std::string> &args, const std::string &default_triple,
                              const Personality &personality)
{
    Invocation inv;
    inv.personality = &personality;
    inv.triple = default_triple;
    bool compile_only = false, partial = false, any_input = false, depfile_only = false;
    std::string language = "none";
    std::string static_option;  // -static or -static-pie, as written
    std::vector<std::string> linker_words;
    std::string linker;  // the last -fuse-ld=
    std::vector<std::string> all;  // every option, for what depends on the target
    bool split_stack = false;       // the last of -fsplit-stack, -fno-split-stack

    for (size_t i = 0; i < args.size(); i++) {
        const std::string &a = args[i];
        auto value = [&](const char *option) -> std::string {
            if (a != option)
                return a.substr(strlen(option));
            if (i + 1 == args.size())
                throw DriverError(std::string("missing argument to '") + option + "'");
            inv.gcc_args.push_back(args[++i]);
            return args[i];
        };

        // Options of modlink-cc itself, not passed to gcc.
        if (starts_with(a, "--gcc=")) {
            inv.gcc = a.substr(strlen("--gcc="));
            if (inv.gcc.empty())
                throw DriverError("missing argument to '--gcc='");
            continue;
        }
        if (starts_with(a, "--target=")) {
            inv.triple = a.substr(strlen("--target="));
            if (inv.triple.empty())
                throw DriverError("missing argument to '--target='");
            continue;
        }
        if (a == "-target") {
            if (i + 1 == args.size())
                throw DriverError("missing argument to '-target'");
            inv.triple = args[++i];
            continue;
        }
        if (a == "--modlink-static-runtime") {
            inv.static_runtime = true;
            continue;
        }
        if (a == "--modlink-rpath" || a == "--modlink-no-rpath") {  // the last one counts
            inv.runtime_rpath = a == "--modlink-rpath" ? Invocation::Rpath::On : Invocation::Rpath::Off;
            continue;
        }
        if (a == "--print-plugin") {
            inv.print_plugin = true;
            continue;
        }
        if (a == "--print-runtime-dir") {
            inv.print_runtime_dir = true;
            continue;
        }
        if (a == "-###") {
            inv.dry_run = true;
            continue;
        }

        inv.gcc_args.push_back(a);
        all.push_back(a);
        if (a == "-fsplit-stack" || a == "-fno-split-stack")
            split_stack = a == "-fsplit-stack";
        if (a == "-" || a.empty() || a[0] != '-') {
            any_input = true;
            if (a != "-")
                inv.inputs.push_back(a);
            // -x LANG applies to the inputs after it; "-x none" goes back to suffixes.
            inv.compiles |= language != "none" ? true : (a == "-" || is_source_suffix(a));
        } else if (a == "-c" || a == "-S" || a == "-E" || a == "-fsyntax-only") {
            compile_only = true;
        } else if (a == "-M" || a == "-MM") {
            depfile_only = true;
        } else if (a == "-r") {
            partial = true;
        } else if (a == "-shared") {
            inv.shared = true;
        } else if (a == "-static" || a == "-static-pie") {
            inv.static_exe = true;
            static_option = a;
        } else if (a == "-v") {
            inv.verbose = true;
        } else if (a == "--version") {
            inv.version = true;
        } else if (starts_with(a, "-save-temps")) {
            inv.save_temps = true;
        } else if (starts_with(a, "-fuse-ld=")) {
            linker = a.substr(strlen("-fuse-ld="));
        } else if (starts_with(a, "-Wl,")) {
            for (const std::string &w : split_commas(a.substr(4)))
                linker_words.push_back(w);
        } else if (a == "-Xlinker") {
            linker_words.push_back(value("-Xlinker"));
        } else if (a == "-z") {
            linker_words.push_back("-z");
            linker_words.push_back(value("-z"));
        } else if (a == "-o" || (starts_with(a, "-o") && a.size() > 2)) {
            inv.output = value("-o");
        } else if (a == "--output" || starts_with(a, "--output=")) {
            inv.output = a == "--output" ? value("--output") : a.substr(strlen("--output="));
        } else if (a == "-x" || (starts_with(a, "-x") && a.size() > 2)) {
            language = value("-x");
        } else if (a == "--language" || starts_with(a, "--language=")) {
            language = a == "--language" ? value("--language") : a.substr(strlen("--language="));
        } else if (a[0] == '-' && a[1] == 'l' && a.size() == 2) {
            value("-l");
            any_input = true;
        } else if (starts_with(a, "-l")) {
            any_input = true;
        } else if (kSeparateValue.count(a)) {
            value(a.c_str());
        }
    }
    if (inv.triple.empty())
        throw DriverError("no default target here; use --target=TRIPLE");
    const Target &target = find_target(inv.triple);  // an unknown target is an error
    std::string last_abi_option;
    for (const std::string &a : all)
        if (is_abi_option(target, a))
            last_abi_option = a;
    check_abi(target, last_abi_option, personality);
    if (compile_only || (depfile_only && !partial))
        inv.mode = Mode::Compile;
    else if (partial)
        inv.mode = Mode::Partial;
    else if (any_input)
        inv.mode = Mode::Link;
    else
        inv.mode = Mode::Query;
    if (inv.mode == Mode::Link) {
        if (split_stack && target.has("split-stack-gold"))
            throw DriverError("-fsplit-stack makes gcc link with gold on " + target.triple +
                              ", and gold cannot link modlink modules: it does not support INSERT in linker "
                              "scripts");
        check_linker(linker);
        check_linker_words(linker_words);
    }
    // The module is named after the output's file name (the stub's --name=),
    // so a link's -o must have one, even with -###.
    if (inv.mode == Mode::Link && !inv.output.empty() && inv.output.back() == '/')
        throw DriverError("cannot write '" + inv.output + "': " + strerror(EISDIR));
    if (inv.static_runtime && inv.shared && inv.mode == Mode::Link)
        throw DriverError("--modlink-static-runtime is for executables; a shared object uses the "
                          "runtime of the program that loads it");
    // gcc would link libmodlink.a into the shared object, or a static PIE.
    if (inv.static_exe && inv.shared && inv.mode == Mode::Link)
        throw DriverError(static_option + " is for executables; a shared object uses the runtime of the program "
                          "that loads it");
    return inv;
}

}  // namespace modlink::driver
