// modlink-verify FILE...: checks the call-site pairing in linked ELF files.
//
// Every call to a paired symbol (modlink_deferreturn unless --deferreturn=
// says otherwise) must have the pairing right before it in the final code,
// as docs/reference.md's table gives it, and what else the file's instruction set
// needs (arch-<backend>.cpp: on ppc64, the TOC store).  The files are
// disassembled with the target's objdump; one line is printed per finding,
// and the exit status is 1 if there is any, 2 on an error.
//
// Reading a finding: "FILE: FUNC+0xOFF (0xADDR): ..." names the call
// instruction; objdump -d --start-address=0xADDR FILE shows it.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <set>

#include "verify.hpp"

namespace modlink::verify {

// arch-<backend>.cpp, one per GCC backend of the platform table.
#define MODLINK_VERIFY_ARCH(backend) const Arch &arch_##backend();
#include "arches.inc"
#undef MODLINK_VERIFY_ARCH

std::string unpaired_finding(const Site &site, const std::string &expected)
{
    return site.where + " lacks its pairing: expected \"" + expected + "\" right before it";
}

std::string unrewindable_finding(const Site &site, const Insn &call)
{
    return site.where + " has a form the runtime cannot rewind: " + hex_bytes(call.bytes) + " (" + call.mnemonic +
           " " + call.operands + ")";
}

const Arch &arch_of(const platform::Target &target)
{
    static const std::map<std::string, const Arch &(*)()> arches = {
#define MODLINK_VERIFY_ARCH(backend) {#backend, &arch_##backend},
#include "arches.inc"
#undef MODLINK_VERIFY_ARCH
    };
    auto it = arches.find(target.gcc_backend);
    if (it == arches.end())  // verify/CMakeLists.txt makes one per backend built
        throw VerifyError("this modlink-verify was built without the target " + target.triple);
    return it->second();
}

namespace {

struct Options {
    std::set<std::string> paired{"modlink_deferreturn"};
    std::vector<std::string> files;
};

std::vector<std::string> verify_file(const std::string &path, const Options &options)
{
    ElfFile elf = read_elf(path);
    const Arch &arch = arch_of(*elf.target);
    arch.check_file(elf);
    std::string objdump = objdump_for(*elf.target);
    auto functions = parse_disassembly(run_objdump(objdump, "-d -w", path));
    for (Function &f : functions)
        f.name = arch.function_name(f.name, elf);
    auto slots = elf.dynamic ? parse_relocations(run_objdump(objdump, "-R", path)) : GotSlots{};
    std::vector<std::string> findings;
    for (const Function &f : functions) {
        bool paired_call = false;
        for (size_t k = 0; k < f.insns.size(); k++) {
            const Insn &call = f.insns[k];
            bool tail = arch.is_direct_jump(call);
            if (!tail && !arch.is_call(call))
                continue;
            auto sym = arch.callee_in(f, k, elf, slots);
            if (!sym || !options.paired.count(*sym))
                continue;
            std::string where = path + ": " + f.name + "+" + hex(call.address - f.address) + " (" +
                                hex(call.address) + "): ";
            if (tail) {
                findings.push_back(where + "tail call to " + *sym +
                                   ": a paired symbol must be called, so that it returns to its call site");
                continue;
            }
            paired_call = true;
            arch.check_call({f, k, where + "call to " + *sym}, elf, findings);
        }
        if (paired_call)
            arch.check_function(f, elf, findings);
    }
    return findings;
}

// The usage text: the table's targets, each with its pairing.
std::string usage()
{
    std::string text =
        "usage: modlink-verify [--deferreturn=SYM[:SYM...]] FILE...\n"
        "Checks that every call to a paired symbol in the linked ELF FILEs has the\n"
        "call-site pairing right before it, for the file's target:\n";
    size_t width = 0;
    for (const platform::Target &t : platform::targets())
        width = std::max(width, t.triple.size());
    for (const platform::Target &t : platform::targets()) {
        std::string also = arch_of(t).also_checked(t);
        text += "  " + t.triple + std::string(width + 2 - t.triple.size(), ' ') + t.pairing +
                (also.empty() ? "" : ", and " + also) + "\n";
    }
    return text +
           "One line per finding; exit status 1 if there is any, 2 on an error.\n"
           "  --deferreturn=SYM[:SYM...]  the paired symbols (default modlink_deferreturn)\n";
}

Options parse_arguments(int argc, char **argv)
{
    Options options;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            fputs(usage().c_str(), stdout);
            exit(0);
        } else if (arg.rfind("--deferreturn=", 0) == 0) {
            options.paired.clear();
            std::string list = arg.substr(strlen("--deferreturn="));
            static const std::regex symbols(R"([A-Za-z_.$][A-Za-z0-9_.$]*(:[A-Za-z_.$][A-Za-z0-9_.$]*)*)");
            if (!std::regex_match(list, symbols))
                throw VerifyError("invalid symbol list in '" + arg + "'");
            for (size_t p = 0;;) {
                size_t q = list.find(':', p);
                options.paired.insert(list.substr(p, q - p));
                if (q == std::string::npos)
                    break;
                p = q + 1;
            }
        } else if (arg.size() > 1 && arg[0] == '-') {
            throw VerifyError("unknown option '" + arg + "'");
        } else {
            options.files.push_back(arg);
        }
    }
    if (options.files.empty())
        throw VerifyError("no input files");
    return options;
}

}  // namespace
}  // namespace modlink::verify

int main(int argc, char **argv)
{
    using namespace modlink::verify;
    try {
        Options options = parse_arguments(argc, argv);
        size_t findings = 0;
        for (const std::string &file : options.files)
            for (const std::string &line : verify_file(file, options)) {
                printf("%s\n", line.c_str());
                findings++;
            }
        return findings ? 1 : 0;
    } catch (const VerifyError &e) {
        fflush(stdout);
        fprintf(stderr, "modlink-verify: error: %s\n", e.what());
        return 2;
    }
}
