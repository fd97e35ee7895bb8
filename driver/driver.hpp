// modlink-cc: a drop-in CC.  A pipeline of stages, each a function:
//
//   parse_command_line   argv -> Invocation               (parse.cpp)
//   choose_compiler      Invocation's target -> Toolchain (targets.cpp)
//   make_plan            Invocation, Toolchain -> Plan    (plan.cpp)
//   run_plan             Plan -> exit status              (run.cpp)
//
// with the targets (platform/targets.conf) and the install layout in
// targets.cpp.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform.hpp"

namespace modlink::driver {

// One line: "modlink-cc: error: <what>", exit status 1.
struct DriverError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// ---- targets.cpp ----------------------------------------------------

// The targets are platform/targets.conf's (platform/platform.hpp).
using Target = modlink::platform::Target;

// One program, two drivers, as gcc and g++ are: argv[0] says which.
// modlink-cc drives gcc, modlink-c++ drives g++ (which links the C++
// standard library and compiles .c files as C++).
struct Personality {
    std::string name;         // "modlink-cc": messages, --version, <triple>-<name>
    std::string compiler;     // the compiler's name: <triple>-<compiler>[-N]
    std::string environment;  // the variable that names the compiler to drive
};
const Personality &c_personality();    // modlink-cc:  gcc, MODLINK_GCC
const Personality &cxx_personality();  // modlink-c++: g++, MODLINK_GXX

// What argv[0] says: the driver, and the target of a "<triple>-<name>".
struct ProgramName {
    const Personality *personality;
    std::string triple;  // "powerpc64le-linux-gnu" for ".../powerpc64le-linux-gnu-modlink-c++", else ""
};
ProgramName parse_program_name(const std::string &argv0);

// Throws DriverError naming the supported targets.
const Target &find_target(const std::string &triple);
// The target when none is named: the build machine's own (the table's
// native one), or "" where none is.
std::string default_triple();

// Where modlink is installed: the directory above this program's bin/.
struct Install {
    std::string prefix;
    std::string self;  // this program, as an absolute path
    std::string include_dir() const { return prefix + "/lib/modlink/include"; }  // modlink.h alone
    std::string target_dir(const std::string &triple) const { return prefix + "/lib/modlink/" + triple; }
    // The plugin for the target's gcc-<major>.
    std::string plugin(const std::string &triple, int major) const
    {
        return target_dir(triple) + "/gcc-" + std::to_string(major) + "/modlink.so";
    }
};
Install locate_install();
// Whether the target's loader searches DIR without being told (no
// RUNPATH, no LD_LIBRARY_PATH): /lib/<multiarch>, /usr/lib/<multiarch>,
// /lib and /usr/lib, and /usr/<triple>/lib, which is /lib under
// qemu-<arch> -L /usr/<triple>.
bool loader_searches(const Target &target, const std::string &dir);
// Whether the target's shared runtime (lib/modlink/<triple>/libmodlink.so,
// its symlinks followed) lives in such a directory, as the Debian packages
// put it.
bool runtime_on_loader_path(const Install &install, const Target &target);
// The majors N with a readable lib/modlink/<triple>/gcc-N/modlink.so, oldest first.
std::vector<int> installed_plugins(const Install &install, const std::string &triple);

// The compiler the user asked for: --gcc=PROGRAM, else the personality's
// variable (MODLINK_GCC, MODLINK_GXX), else none (program ""), when the
// target's default is taken.
struct CompilerRequest {
    std::string program;
    std::string from;              // "--gcc" or the variable's name
    std::string compiler = "gcc";  // the kind of compiler: the personality's
};
CompilerRequest requested_compiler(const std::string &option, const char *environment,
                                   const Personality &personality = c_personality());

// What choosing a compiler asks of the system; the tests pass fakes.
struct CompilerProbe {
    // PROGRAM as execvp would find it (a path), or "".
    std::function<std::string(const std::string &program)> find;
    // GCC's one-line answer to OPTION (-dumpversion, ...), or "".
    std::function<std::string(const std::string &gcc, const std::string &option)> ask;
};
CompilerProbe system_probe();

// The chosen compiler and what goes with it.
struct Toolchain {
    const Target *target = nullptr;
    std::string gcc;     // the compiler, as found on PATH
    int major = 0;       // its GCC major version
    std::string plugin;  // the plugin for that major
    std::string as;      // for links: <gcc> -print-prog-name=as
    bool loader_finds_runtime = false;  // runtime_on_loader_path: no rpath needed
};

// The requested compiler, or the target's default: <triple>-gcc (-g++ for
// modlink-c++) where it exists, else the newest <triple>-gcc-N that has a
// plugin in PLUGINS (the installed majors, oldest first).  The plugin follows the compiler's major
// (-dumpversion).  Throws DriverError for a compiler that is missing (naming
// the Debian package), builds for another target, or has no plugin.
Toolchain choose_compiler(const Target &target, const CompilerRequest &request, const std::vector<int> &plugins,
                          const Install &install, const CompilerProbe &probe);
// The target's assembler, as the chosen gcc runs it.
std::string find_assembler(const Toolchain &tc, const CompilerProbe &probe);

// ---- parse.cpp ------------------------------------------------------

enum class Mode {
    Query,     // no input: --version, -dumpmachine, -print-*, ...: gcc answers
    Compile,   // -c, -S, -E, -fsyntax-only (or -M/-MM alone): no link, no stub
    Partial,   // -r: a relocatable link, no stub
    Link,      // an executable or, with -shared, a shared object
};

struct Invocation {
    const Personality *personality = &c_personality();
    std::string triple;
    std::string gcc;             // --gcc=PROGRAM, or ""
    std::vector<std::string> gcc_args;  // the user's arguments for gcc, in order
    Mode mode = Mode::Query;
    std::string output;          // -o, or "" (gcc's default)
    std::vector<std::string> inputs;  // files named on the command line (not -l)
    bool compiles = false;       // some input is a source that gcc compiles
    bool shared = false;         // -shared
    bool static_exe = false;     // -static, -static-pie: no libmodlink.so possible
    bool dry_run = false;        // -###
    bool verbose = false;        // -v
    bool save_temps = false;     // -save-temps[=...]
    bool static_runtime = false; // --modlink-static-runtime
    // --modlink-rpath, --modlink-no-rpath; by default, an rpath only where
    // the target's loader would not find the runtime unaided.
    enum class Rpath { Automatic, On, Off } runtime_rpath = Rpath::Automatic;
    bool print_plugin = false;
    bool print_runtime_dir = false;
    bool version = false;        // --version
};

// The text of the response file PATH.  Throws DriverError for an unreadable one.
std::string read_response_file(const std::string &path);
// The words of a response file's text, as gcc's libiberty buildargv splits
// them: whitespace-separated, with quotes and backslashes.
std::vector<std::string> split_response_file(const std::string &text);

// Expands @file arguments, recursively, reading each file with READ (the
// file system by default; the fuzz target passes files held in memory).
using ResponseFileReader = std::function<std::string(const std::string &path)>;
std::vector<std::string> expand_response_files(const std::vector<std::string> &args,
                                               const ResponseFileReader &read = read_response_file);

// "a,b,c" -> {"a", "b", "c"}, as gcc splits the argument of -Wl,.
std::vector<std::string> split_commas(const std::string &s);

// ARGS without argv[0]; DEFAULT_TRIPLE from the program name, or the
// build machine's ("" where there is none: then --target is needed).
// Throws DriverError for what modlink cannot build (gold, -z shstk, ...).
Invocation parse_command_line(const std::vector<std::string> &args, const std::string &default_triple,
                              const Personality &personality = c_personality());

// ---- plan.cpp -------------------------------------------------------

struct Command {
    std::vector<std::string> argv;
    bool compiles = false;  // MODLINK_LAUNCHER goes in front
};

struct Plan {
    std::string program;  // the driver's name, for its messages
    std::vector<Command> commands;
    std::string temp_dir;  // created before the first command, removed at exit; "" if none
    std::string output;    // the last command's output: removed if that command fails
    std::vector<std::string> echo;  // lines printed before running (--print-*, --version)
};

// TEMP_DIR is where the stub goes unless -save-temps keeps it next to the
// output; LAUNCHER is MODLINK_LAUNCHER split into words.
Plan make_plan(const Invocation &inv, const Toolchain &tc, const Install &install, const std::string &temp_dir,
               const std::vector<std::string> &launcher);

// " "prog" "arg" ...", as gcc -### prints a command.
std::string quote_command(const std::vector<std::string> &argv);

// ---- run.cpp --------------------------------------------------------

// Runs the commands in order and stops at the first failure, whose status
// it returns; its messages begin with the plan's program name.  SIGINT,
// SIGTERM and SIGHUP are passed to the running command; the temporary
// directory goes away in every case.
int run_plan(const Plan &plan, bool verbose);

}  // namespace modlink::driver
