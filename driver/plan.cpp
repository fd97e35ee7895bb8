// Stage 3: the plan, a list of commands.
//
// gcc is the chosen compiler and the plugin the one for its GCC major:
//
//   compile (-c, -S, -E)   [launcher] gcc -fplugin=... -isystem <include> ARGS
//   -r, a query            gcc ARGS
//   link                   modlink-cc --modlink-genstub ... -o stub.s --ld-fragment=modlink.ld
//                          as -o stub.o stub.s
//                          gcc -fplugin=... -isystem <include> stub.o <libmodlink.so> ARGS
//                              -Wl,-T,modlink.ld
//                          (with libmodlink.a: ... ARGS stub.o -Wl,-T,modlink.ld <libmodlink.a>)
//
// A link compiles too when it has sources, so the plugin is always there.
// The stub is named after the output's basename and lives in the temporary
// directory, or next to the output with -save-temps.
#include "driver.hpp"

namespace modlink::driver {

namespace {

std::string basename_of(const std::string &path) { return path.substr(path.rfind('/') + 1); }

// The plugin is the one for the chosen compiler's GCC major.
std::vector<std::string> compiler_flags(const Toolchain &tc, const Install &install)
{
    return {"-fplugin=" + tc.plugin, "-isystem", install.include_dir()};
}

// Where the stub files go: "<dir>/stub.s" or, kept, "<output>.modlink-stub.s".
struct StubFiles {
    std::string assembly, object, ld_fragment;
};

StubFiles stub_files(const Invocation &inv, const std::string &temp_dir)
{
    if (inv.save_temps) {
        std::string base = inv.output.empty() ? "a.out" : inv.output;
        return {base + ".modlink-stub.s", base + ".modlink-stub.o", base + ".modlink.ld"};
    }
    return {temp_dir + "/stub.s", temp_dir + "/stub.o", temp_dir + "/modlink.ld"};
}

// A module that contains the runtime registers itself statically.
bool links_runtime_statically(const Invocation &inv) { return inv.static_runtime || inv.static_exe; }

std::vector<std::string> runtime_flags(const Invocation &inv, const Install &install)
{
    std::string dir = install.target_dir(inv.triple);
    if (!links_runtime_statically(inv))
        return {"-L" + dir, "-lmodlink"};
    std::vector<std::string> flags = {dir + "/libmodlink.a", "-lpthread"};
    if (!inv.static_exe)  // the program's modules find the runtime in it
        flags.push_back("-Wl,--export-dynamic-symbol=modlink_*");
    return flags;
}

bool wants_runtime_rpath(const Invocation &inv, const Toolchain &tc)
{
    switch (inv.runtime_rpath) {
    case Invocation::Rpath::On: return true;
    case Invocation::Rpath::Off: return false;
    case Invocation::Rpath::Automatic: break;
    }
    return !tc.loader_finds_runtime;
}

void plan_link(Plan &plan, const Invocation &inv, const Toolchain &tc, const Install &install,
               const std::string &temp_dir, const std::vector<std::string> &launcher)
{
    StubFiles stub = stub_files(inv, temp_dir);
    std::string module = basename_of(inv.output.empty() ? "a.out" : inv.output);

    Command genstub{{install.self, "--modlink-genstub", "--target=" + inv.triple, "--name=" + module}};
    if (links_runtime_statically(inv))
        genstub.argv.push_back("--runtime-module");
    for (const std::string &a : {std::string("-o"), stub.assembly, "--ld-fragment=" + stub.ld_fragment})
        genstub.argv.push_back(a);
    plan.commands.push_back(genstub);

    plan.commands.push_back({{tc.as, "-o", stub.object, stub.assembly}});

    Command link{{tc.gcc}, inv.compiles};
    if (inv.compiles)
        link.argv.insert(link.argv.begin(), launcher.begin(), launcher.end());
    for (const std::string &f : compiler_flags(tc, install))
        link.argv.push_back(f);
    // libmodlink.so goes first: it is then early in the loader's search
    // scope, so every module's lookup of modlink_addmoduledata ends at once
    // instead of after all the program's libraries.  The stub object before
    // it references it, which --as-needed requires.  An archive must come
    // after what uses it, and a runtime-module stub uses nothing.
    bool shared_runtime = !links_runtime_statically(inv);
    if (shared_runtime) {
        link.argv.push_back(stub.object);
        for (const std::string &f : runtime_flags(inv, install))
            link.argv.push_back(f);
    }
    link.argv.insert(link.argv.end(), inv.gcc_args.begin(), inv.gcc_args.end());
    if (!shared_runtime) {
        link.argv.push_back("-x");  // after the user's ARGS, which may end in -x LANG
        link.argv.push_back("none");
        link.argv.push_back(stub.object);
    }
    link.argv.push_back("-Wl,-T," + stub.ld_fragment);
    if (!shared_runtime)
        for (const std::string &f : runtime_flags(inv, install))
            link.argv.push_back(f);
    // The runtime's rpath goes after the user's: ld.so tries a program's
    // RUNPATH directories in order for each library, so one in front would
    // cost every library the program's own rpath finds a failed open (a
    // millisecond at startup for 200 libraries).
    if (shared_runtime && wants_runtime_rpath(inv, tc))
        link.argv.push_back("-Wl,-rpath," + install.target_dir(inv.triple));
    plan.commands.push_back(link);
}

}  // namespace

Plan make_plan(const Invocation &inv, const Toolchain &tc, const Install &install, const std::string &temp_dir,
               const std::vector<std::string> &launcher)
{
    Plan plan;
    plan.program = inv.personality->name;
    plan.output = inv.output;
    if (inv.print_plugin || inv.print_runtime_dir) {
        if (inv.print_plugin)
            plan.echo.push_back(tc.plugin);
        if (inv.print_runtime_dir)
            plan.echo.push_back(install.target_dir(inv.triple));
        return plan;
    }
    if (inv.version)
        plan.echo.push_back(inv.personality->name + " (modlink " MODLINK_VERSION ") for " + inv.triple + ", driving:");

    switch (inv.mode) {
    case Mode::Query:
    case Mode::Partial: {
        Command gcc{{tc.gcc}};
        gcc.argv.insert(gcc.argv.end(), inv.gcc_args.begin(), inv.gcc_args.end());
        plan.commands.push_back(gcc);
        break;
    }
    case Mode::Compile: {
        Command gcc{launcher, true};
        gcc.argv.push_back(tc.gcc);
        for (const std::string &f : compiler_flags(tc, install))
            gcc.argv.push_back(f);
        gcc.argv.insert(gcc.argv.end(), inv.gcc_args.begin(), inv.gcc_args.end());
        plan.commands.push_back(gcc);
        break;
    }
    case Mode::Link:
        if (!inv.save_temps)
            plan.temp_dir = temp_dir;
        plan_link(plan, inv, tc, install, temp_dir, launcher);
        break;
    }
    return plan;
}

std::string quote_command(const std::vector<std::string> &argv)
{
    // gcc -### style: every word in double quotes, with ", \ and $ escaped,
    // so that a shell reads the words back as they are.
    std::string line;
    for (const std::string &word : argv) {
        line += " \"";
        for (char c : word) {
            if (c == '"' || c == '\\' || c == '$')
                line += '\\';
            line += c;
        }
        line += '"';
    }
    return line;
}

}  // namespace modlink::driver
