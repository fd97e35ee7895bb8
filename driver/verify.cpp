// modlink-verify FILE...: checks the call-site pairing in linked ELF files.
//
// Every call to a paired symbol (modlink_deferreturn unless --deferreturn=
// says otherwise) must have the pairing right before it in the final code,
// as SPEC.md's table gives it, and on ppc64le every function containing
// such a call must store r2 at 24(r1).  The files are disassembled with the
// target's objdump; one line is printed per finding, and the exit status is
// 1 if there is any, 2 on an error.
//
// Reading a finding: "FILE: FUNC+0xOFF (0xADDR): ..." names the call
// instruction; objdump -d --start-address=0xADDR FILE shows it.
#include <elf.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct VerifyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class Arch { X86, PPC64 };

struct Target {
    const char *triple;
    const char *package;  // the Debian package that has its objdump
    Arch arch;
};

const Target kX86_64{"x86_64-linux-gnu", "binutils-x86-64-linux-gnu", Arch::X86};
const Target kI686{"i686-linux-gnu", "binutils-i686-linux-gnu", Arch::X86};
const Target kPpc64le{"powerpc64le-linux-gnu", "binutils-powerpc64le-linux-gnu", Arch::PPC64};

struct ElfFile {
    const Target *target;
    bool dynamic = false;   // has PT_DYNAMIC: calls may cross modules
    bool symbols = false;   // has .symtab (not stripped)
    uint64_t got_base = 0;  // i386: what %ebx holds in PIC code (.got.plt)
};

// ---- the ELF headers ------------------------------------------------

template <class Ehdr, class Phdr, class Shdr>
void read_headers(std::ifstream &in, const std::string &path, ElfFile &elf)
{
    auto read_at = [&](uint64_t offset, void *buf, size_t size) {
        in.seekg(offset);
        if (!in.read(static_cast<char *>(buf), size))
            throw VerifyError(path + ": truncated ELF file");
    };
    Ehdr eh;
    read_at(0, &eh, sizeof eh);
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Phdr ph;
        read_at(eh.e_phoff + uint64_t(i) * eh.e_phentsize, &ph, sizeof ph);
        if (ph.p_type == PT_DYNAMIC)
            elf.dynamic = true;
    }
    if (eh.e_shoff == 0 || eh.e_shstrndx >= eh.e_shnum)
        return;
    Shdr names;
    read_at(eh.e_shoff + uint64_t(eh.e_shstrndx) * eh.e_shentsize, &names, sizeof names);
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        Shdr sh;
        read_at(eh.e_shoff + uint64_t(i) * eh.e_shentsize, &sh, sizeof sh);
        char name[16] = {};
        read_at(names.sh_offset + sh.sh_name, name, sizeof name - 1);
        if (!strcmp(name, ".got.plt") || (!strcmp(name, ".got") && !elf.got_base))
            elf.got_base = sh.sh_addr;
        if (sh.sh_type == SHT_SYMTAB)
            elf.symbols = true;
    }
}

ElfFile read_elf(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw VerifyError(path + ": " + strerror(errno));
    unsigned char ident[EI_NIDENT];
    if (!in.read(reinterpret_cast<char *>(ident), sizeof ident) || memcmp(ident, ELFMAG, SELFMAG) != 0)
        throw VerifyError(path + ": not an ELF file");
    Elf32_Half machine;
    Elf32_Word flags;
    ElfFile elf;
    if (ident[EI_CLASS] == ELFCLASS64 && ident[EI_DATA] == ELFDATA2LSB) {
        Elf64_Ehdr eh;
        in.seekg(0);
        in.read(reinterpret_cast<char *>(&eh), sizeof eh);
        machine = eh.e_machine;
        flags = eh.e_flags;
        read_headers<Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr>(in, path, elf);
    } else if (ident[EI_CLASS] == ELFCLASS32 && ident[EI_DATA] == ELFDATA2LSB) {
        Elf32_Ehdr eh;
        in.seekg(0);
        in.read(reinterpret_cast<char *>(&eh), sizeof eh);
        machine = eh.e_machine;
        flags = eh.e_flags;
        read_headers<Elf32_Ehdr, Elf32_Phdr, Elf32_Shdr>(in, path, elf);
    } else {
        throw VerifyError(path + ": not a little-endian ELF file");
    }
    if (machine == EM_X86_64 && ident[EI_CLASS] == ELFCLASS64)
        elf.target = &kX86_64;
    else if (machine == EM_386)
        elf.target = &kI686;
    else if (machine == EM_PPC64 && (flags & EF_PPC64_ABI) == 2)
        elf.target = &kPpc64le;
    else
        throw VerifyError(path + ": not an ELF file of a supported target "
                                 "(x86_64, i386, powerpc64le ELFv2)");
    return elf;
}

// ---- objdump --------------------------------------------------------

std::string shell_quote(const std::string &s)
{
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string objdump_for(const Target &t)
{
    std::string tool = std::string(t.triple) + "-objdump";
    std::string check = "command -v " + shell_quote(tool) + " >/dev/null 2>&1";
    if (std::system(check.c_str()) != 0)
        throw VerifyError(tool + " not found; install the Debian package " + t.package);
    return tool;
}

std::string run_objdump(const std::string &objdump, const std::string &options, const std::string &path)
{
    std::string command = shell_quote(objdump) + " " + options + " " + shell_quote(path) + " 2>&1";
    FILE *pipe = popen(command.c_str(), "r");
    if (!pipe)
        throw VerifyError("cannot run " + objdump);
    std::string out;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0)
        out.append(buf, n);
    if (pclose(pipe) != 0)
        throw VerifyError(objdump + " " + options + " " + path + " failed:\n" + out);
    return out;
}

// ---- the disassembly ------------------------------------------------

struct Insn {
    uint64_t address;
    std::string mnemonic;
    std::string operands;  // without the "# ..." or "<...>" annotation
    std::string target;    // the <symbol> objdump annotated, if any
    uint64_t comment_address = 0;  // x86: "# 4fc0 <...>"
};

struct Function {
    std::string name;
    uint64_t address;
    std::vector<Insn> insns;
};

std::vector<Function> parse_disassembly(const std::string &text)
{
    static const std::regex header(R"(^([0-9a-f]+) <([^>]+)>:$)");
    // "    1266:\tff 15 54 3d 00 00    \tcall   *0x3d54(%rip)        # 4fc0 <x@Base>"
    static const std::regex insn(R"(^\s*([0-9a-f]+):\t[0-9a-f ]+\t(\S+)\s*(.*)$)");
    static const std::regex annotated(R"(^(.*?)\s*<([^>]+)>$)");
    static const std::regex comment(R"(^(.*?)\s*# ([0-9a-f]+)(?: <[^>]*>)?$)");
    std::vector<Function> functions;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        std::smatch m;
        if (std::regex_match(line, m, header)) {
            functions.push_back({m[2], std::stoull(m[1], nullptr, 16), {}});
        } else if (!functions.empty() && std::regex_match(line, m, insn)) {
            Insn i{std::stoull(m[1], nullptr, 16), m[2], m[3], "", 0};
            std::smatch a;
            std::string operands = i.operands;
            if (std::regex_match(operands, a, comment)) {
                i.comment_address = std::stoull(a[2], nullptr, 16);
                i.operands = a[1];
            } else if (std::regex_match(operands, a, annotated)) {
                i.operands = a[1];
                i.target = a[2];
            }
            functions.back().insns.push_back(i);
        }
    }
    return functions;
}

// GOT slot address -> symbol, from the dynamic relocations.
std::map<uint64_t, std::string> parse_relocations(const std::string &text)
{
    static const std::regex reloc(R"(^([0-9a-f]+) (R_\S+)\s+(\S+)\s*$)");
    std::map<uint64_t, std::string> slots;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        std::smatch m;
        if (std::regex_match(line, m, reloc))
            slots[std::stoull(m[1], nullptr, 16)] = m[3];
    }
    return slots;
}

// "modlink_deferreturn@plt", "...@Base", "0000001a.plt_call.modlink_deferreturn"
// (ld.bfd's ppc64 stubs), "__plt_modlink_deferreturn" (lld's),
// "modlink_deferreturn+0x8" (ppc64 local entry) -> "modlink_deferreturn".
// Any other "+0x..." is a place inside a symbol, not the symbol: in a
// stripped file objdump names code after the PLT "SYM@plt+0x180".
std::string symbol_name(std::string s, Arch arch)
{
    static const std::regex ppc_stub(R"(^(?:[0-9a-f]{8}\.plt_(?:call|branch)\w*\.|__plt_|__long_branch_)(.*)$)");
    static const std::regex ppc_local_entry(R"(^(.*)\+0x(?:4|8|10|20|40)$)");
    std::smatch m;
    if (arch == Arch::PPC64 && std::regex_match(s, m, ppc_stub))
        s = m[1];
    if (arch == Arch::PPC64 && std::regex_match(s, m, ppc_local_entry))
        s = m[1];
    if (s.find('+') != std::string::npos)
        return "";
    return s.substr(0, s.find('@'));
}

bool is_call(const Insn &i, Arch arch)
{
    if (arch == Arch::X86)
        return i.mnemonic == "call" || i.mnemonic == "calll" || i.mnemonic == "callq" ||
               (i.mnemonic == "addr32" && i.operands.rfind("call", 0) == 0);
    return i.mnemonic == "bl";
}

// The symbol a call calls, when the code says so.
std::optional<std::string> callee(const Insn &i, const ElfFile &elf, const std::map<uint64_t, std::string> &slots)
{
    Arch arch = elf.target->arch;
    if (!i.target.empty() && i.operands.find('*') == std::string::npos)
        return symbol_name(i.target, arch);
    if (arch != Arch::X86)
        return std::nullopt;
    uint64_t slot = i.comment_address;  // *disp(%rip) on x86_64
    std::smatch m;
    static const std::regex absolute(R"(^\*0x([0-9a-f]+)$)");
    static const std::regex got_relative(R"(^\*(-?)0x([0-9a-f]+)\(%e[a-z]{2}\)$)");
    if (!slot && std::regex_match(i.operands, m, absolute))
        slot = std::stoull(m[1], nullptr, 16);
    else if (!slot && std::regex_match(i.operands, m, got_relative) && elf.got_base) {
        uint64_t disp = std::stoull(m[2], nullptr, 16);
        slot = m[1].length() ? elf.got_base - disp : elf.got_base + disp;
    }
    auto it = slots.find(slot);
    if (slot && it != slots.end())
        return symbol_name(it->second, arch);
    return std::nullopt;
}

// A direct jump: a tail call when it leaves the function.
bool is_direct_jump(const Insn &i, Arch arch)
{
    if (i.target.empty() || i.operands.find('*') != std::string::npos)
        return false;
    return arch == Arch::X86 ? i.mnemonic == "jmp" : i.mnemonic == "b";
}

bool is_nop(const Insn &i) { return i.mnemonic == "nop" && i.operands.empty(); }
bool is_toc_reload(const Insn &i) { return i.mnemonic == "ld" && i.operands == "r2,24(r1)"; }
bool is_toc_store(const Insn &i) { return i.mnemonic == "std" && i.operands == "r2,24(r1)"; }

// ppc64: does the function set up r2 at its global entry (so it uses a TOC)?
bool keeps_toc(const Function &f)
{
    return !f.insns.empty() && (f.insns[0].mnemonic == "addis" || f.insns[0].mnemonic == "lis") &&
           f.insns[0].operands.rfind("r2,", 0) == 0;
}

// ---- the checks -----------------------------------------------------

struct Options {
    std::set<std::string> paired{"modlink_deferreturn"};
    std::vector<std::string> files;
};

std::string hex(uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::vector<std::string> verify_file(const std::string &path, const Options &options)
{
    ElfFile elf = read_elf(path);
    // A ppc64 call to another module goes to a linker stub, which only
    // .symtab names: stripped, no call could be told from another.
    if (elf.target->arch == Arch::PPC64 && elf.dynamic && !elf.symbols)
        throw VerifyError(path + ": no symbol table (stripped): the calls through linker stubs cannot be named");
    std::string objdump = objdump_for(*elf.target);
    auto functions = parse_disassembly(run_objdump(objdump, "-d -w", path));
    auto slots = elf.dynamic ? parse_relocations(run_objdump(objdump, "-R", path))
                             : std::map<uint64_t, std::string>{};
    std::vector<std::string> findings;
    for (const Function &f : functions) {
        bool paired_call = false;
        bool toc = elf.target->arch == Arch::PPC64 && elf.dynamic && keeps_toc(f);
        for (size_t k = 0; k < f.insns.size(); k++) {
            const Insn &call = f.insns[k];
            bool tail = is_direct_jump(call, elf.target->arch);
            if (!tail && !is_call(call, elf.target->arch))
                continue;
            auto sym = callee(call, elf, slots);
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
            where += "call to " + *sym;
            if (elf.target->arch == Arch::X86) {
                if (k < 1 || !is_nop(f.insns[k - 1]))
                    findings.push_back(where + " lacks its pairing: expected \"nop\" right before it");
            } else if (toc) {
                if (k < 2 || !is_nop(f.insns[k - 2]) || !is_toc_reload(f.insns[k - 1]))
                    findings.push_back(where +
                                       " lacks its pairing: expected \"nop; ld r2,24(r1)\" right before it");
            } else if (k < 2 || !is_nop(f.insns[k - 2]) ||
                       !(is_nop(f.insns[k - 1]) || is_toc_reload(f.insns[k - 1]))) {
                findings.push_back(where + " lacks its pairing: expected \"nop; nop\" right before it");
            }
        }
        if (paired_call && toc) {
            bool stores = false;
            for (const Insn &i : f.insns)
                stores |= is_toc_store(i);
            if (!stores)
                findings.push_back(path + ": " + f.name +
                                   ": has a paired call but never stores r2 at 24(r1) (std r2,24(r1))");
        }
    }
    return findings;
}

// ---- the command line -----------------------------------------------

const char kUsage[] =
    "usage: modlink-verify [--deferreturn=SYM[:SYM...]] FILE...\n"
    "Checks that every call to a paired symbol in the linked ELF FILEs (x86_64,\n"
    "i386, powerpc64le) has the call-site pairing, and on powerpc64le that every\n"
    "function making such a call stores r2 at 24(r1).  One line per finding;\n"
    "exit status 1 if there is any, 2 on an error.\n"
    "  --deferreturn=SYM[:SYM...]  the paired symbols (default modlink_deferreturn)\n";

Options parse_arguments(int argc, char **argv)
{
    Options options;
    for (int i = 1; i < argc; i++) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            fputs(kUsage, stdout);
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

int main(int argc, char **argv)
{
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
