// The stub generator's fuzz corpus through the real assemblers: for every
// input file (decoded as stub_input.hpp says) whose name generate_stub
// accepts, and for each target, the stub assembles with the target's `as`
// (the one modlink-cc runs: COMPILER -print-prog-name=as, COMPILER being
// the target's default gcc, <triple>-gcc unless said) without a word on
// stderr, and the object's .rodata.modlink holds the name and its NUL,
// byte for byte (<triple>-objcopy -O binary --only-section).
//
//   stubgen_assemble WORKDIR TRIPLE[=COMPILER][,...] DIR_OR_FILE...
//   fuzz/run.sh assemble     (what the test host/fuzz/stubgen/assemble-corpus runs)
//
// Prints one line per failure and a summary; exits 1 if anything failed.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "driver.hpp"
#include "stub_input.hpp"
#include "stubgen.hpp"

extern char **environ;

namespace fs = std::filesystem;
using modlink::fuzz::printable;

namespace {

std::string read_file(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

struct Result {
    int status;       // the exit status, or -1 if it did not exit
    std::string out;  // stdout and stderr
};

// ARGV run with stdout and stderr in OUTPUT_FILE.
Result run(const std::vector<std::string> &argv, const std::string &output_file)
{
    std::vector<char *> args;
    for (const std::string &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid;
    int err = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0)
        return {-1, argv[0] + ": cannot run"};
    int status = 0;
    waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(output_file)};
}

std::string trim(std::string s)
{
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    return s;
}

// "" if STUB assembles for TRIPLE with the name byte-exact, else what went wrong.
std::string assemble(const std::string &triple, const std::string &as, const modlink::Stub &stub,
                     const std::string &name, const std::string &work)
{
    std::string source = work + "/stub.s", object = work + "/stub.o", section = work + "/rodata.bin",
                log = work + "/log.txt";
    std::ofstream(source, std::ios::binary) << stub.assembly;
    fs::remove(object);
    Result r = run({as, "-o", object, source}, log);
    if (r.status != 0 || !r.out.empty())
        return as + " (status " + std::to_string(r.status) + "): " + trim(r.out);
    r = run({triple + "-objcopy", "-O", "binary", "--only-section=.rodata.modlink", object, section}, log);
    if (r.status != 0)
        return triple + "-objcopy: " + trim(r.out);
    std::string bytes = read_file(section);
    if (bytes != name + std::string(1, '\0'))
        return ".rodata.modlink holds \"" + printable(bytes) + "\"";
    return "";
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc < 4) {
        std::fprintf(stderr, "usage: stubgen_assemble WORKDIR TRIPLE[=COMPILER][,...] DIR_OR_FILE...\n");
        return 2;
    }
    std::string work = argv[1];
    fs::create_directories(work);
    std::vector<std::pair<std::string, std::string>> targets;  // triple, as
    for (const std::string &item : modlink::driver::split_commas(argv[2])) {
        size_t eq = item.find('=');
        std::string triple = item.substr(0, eq);
        std::string compiler = eq == std::string::npos ? triple + "-gcc" : item.substr(eq + 1);
        Result r = run({compiler, "-print-prog-name=as"}, work + "/log.txt");
        if (r.status != 0) {
            std::fprintf(stderr, "stubgen-assemble: %s not found\n", compiler.c_str());
            return 2;
        }
        targets.push_back({triple, trim(r.out)});
    }
    std::vector<std::string> inputs;
    for (int i = 3; i < argc; i++) {
        if (fs::is_directory(argv[i])) {
            for (const auto &entry : fs::directory_iterator(argv[i]))
                if (entry.is_regular_file())
                    inputs.push_back(entry.path());
        } else if (fs::exists(argv[i])) {
            inputs.push_back(argv[i]);
        }
    }
    std::sort(inputs.begin(), inputs.end());

    size_t assembled = 0, refused = 0, failures = 0;
    for (const std::string &input : inputs) {
        std::string bytes = read_file(input);
        modlink::StubRequest request =
            modlink::fuzz::decode_stub_input(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size());
        for (const auto &[triple, as] : targets) {
            modlink::Stub stub;
            try {
                stub = modlink::generate_stub({triple, request.module_name, request.runtime_module});
            } catch (const modlink::StubError &) {
                refused++;  // an empty name or a NUL byte: nothing to assemble
                break;
            }
            std::string problem = assemble(triple, as, stub, request.module_name, work);
            if (!problem.empty()) {
                std::printf("stubgen-assemble: FAIL %s (%s, name \"%s\"): %s\n", input.c_str(), triple.c_str(),
                            printable(request.module_name).c_str(), problem.c_str());
                failures++;
            }
            assembled++;
        }
    }
    std::printf("stubgen-assemble: %zu inputs, %zu stubs assembled on %zu targets, %zu refused names, "
                "%zu failures\n",
                inputs.size(), assembled, targets.size(), refused, failures);
    return failures ? 1 : 0;
}
