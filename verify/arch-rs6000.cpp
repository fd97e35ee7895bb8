// modlink-verify on 64-bit PowerPC code (GCC's rs6000 backend).
//
// Code that keeps a TOC pointer in r2 pairs a call as "nop ; ld r2,SLOT(r1)
// ; bl SYM", SLOT being the target's TOC save slot (the table's toc_slot:
// 24 on ELFv2), and the function stores r2 there first: a deferred function
// returns to the ld, which brings the caller's own TOC back into r2 before
// the call runs again.  That holds in dynamically linked files, for
// functions that set up r2 at their global entry.  Elsewhere (a static
// file: one TOC; pc-relative code: none) the pairing is "nop ; nop".
//
// A call into another module goes to a linker stub, which only .symtab
// names: ld.bfd's "0000001a.plt_call.SYM", lld's "__plt_SYM".  A call to
// SYM's local entry shows as "SYM+0x8" (ELFv2); on ELFv1 objdump names a
// function's code ".SYM", after the descriptor SYM in .opd.
#include <regex>

#include "verify.hpp"

namespace modlink::verify {
namespace {

bool is_nop(const Insn &i) { return i.mnemonic == "nop" && i.operands.empty(); }

// "ld r2,24(r1)", "std r2,24(r1)": objdump's spelling, for SLOT.
std::string toc_access(const char *mnemonic, int slot)
{
    return std::string(mnemonic) + " r2," + std::to_string(slot) + "(r1)";
}

bool is(const Insn &i, const std::string &text) { return i.mnemonic + " " + i.operands == text; }

// The ABI version in e_flags (EF_PPC64_ABI): 1 for ELFv1, 2 for ELFv2.
constexpr unsigned ppc64_abi_mask = 3, elfv1 = 1;

// Does the function keep a TOC pointer?  ELFv1: always, its caller loaded
// r2 from its function descriptor.  ELFv2: when it sets up r2 at its
// global entry.
bool keeps_toc(const Function &f, const ElfFile &elf)
{
    if ((elf.flags & ppc64_abi_mask) == elfv1)
        return true;
    return !f.insns.empty() && (f.insns[0].mnemonic == "addis" || f.insns[0].mnemonic == "lis") &&
           f.insns[0].operands.rfind("r2,", 0) == 0;
}

struct Rs6000 final : Arch {
    std::string also_checked(const platform::Target &t) const override
    {
        if (t.toc_slot < 0)
            return "";
        return "every function making such a call stores r2 at " + std::to_string(t.toc_slot) + "(r1)";
    }

    void check_file(const ElfFile &elf) const override
    {
        // Stripped, no call through a linker stub could be told from another.
        if (elf.dynamic && !elf.symbols)
            throw VerifyError(elf.path +
                              ": no symbol table (stripped): the calls through linker stubs cannot be named");
    }

    // ELFv1: SYM names SYM's descriptor in .opd; objdump names its code ".SYM".
    std::string function_name(const std::string &name, const ElfFile &elf) const override
    {
        if ((elf.flags & ppc64_abi_mask) == elfv1 && name.size() > 1 && name[0] == '.')
            return name.substr(1);
        return name;
    }

    bool is_call(const Insn &i) const override { return i.mnemonic == "bl"; }

    // Not "b SYM@plt": ld.bfd's ELFv1 PLT call stubs branch to the PLT's
    // lazy-binding code while SYM is unresolved; compiled code never does.
    bool is_direct_jump(const Insn &i) const override
    {
        return i.mnemonic == "b" && !i.target.empty() && i.operands.find('*') == std::string::npos &&
               i.target.find("@plt") == std::string::npos;
    }

    std::optional<std::string> callee(const Insn &i, const ElfFile &elf, const GotSlots &) const override
    {
        if (i.target.empty())
            return std::nullopt;
        static const std::regex stub(R"(^(?:[0-9a-f]{8}\.plt_(?:call|branch)\w*\.|__plt_|__long_branch_)(.*)$)");
        static const std::regex local_entry(R"(^(.*)\+0x(?:4|8|10|20|40)$)");
        std::string s = i.target;
        std::smatch m;
        if (std::regex_match(s, m, stub))
            s = m[1];
        if (std::regex_match(s, m, local_entry))
            s = m[1];
        return symbol_name(function_name(s, elf));
    }

    void check_call(const Site &site, const ElfFile &elf, std::vector<std::string> &findings) const override
    {
        const std::vector<Insn> &in = site.function.insns;
        size_t k = site.k;
        int slot = elf.target->toc_slot;
        std::string reload = toc_access("ld", slot);
        if (uses_toc(site.function, elf)) {
            if (k < 2 || !is_nop(in[k - 2]) || !is(in[k - 1], reload))
                findings.push_back(unpaired_finding(site, "nop; " + reload));
        } else if (k < 2 || !is_nop(in[k - 2]) || !(is_nop(in[k - 1]) || (slot >= 0 && is(in[k - 1], reload)))) {
            findings.push_back(unpaired_finding(site, "nop; nop"));
        }
    }

    void check_function(const Function &f, const ElfFile &elf, std::vector<std::string> &findings) const override
    {
        if (!uses_toc(f, elf))
            return;
        std::string store = toc_access("std", elf.target->toc_slot);
        for (const Insn &i : f.insns)
            if (is(i, store))
                return;
        findings.push_back(elf.path + ": " + f.name + ": has a paired call but never stores r2 at " +
                           std::to_string(elf.target->toc_slot) + "(r1) (" + store + ")");
    }

    // The TOC pairing applies: a TOC target, a dynamically linked file, and
    // a function that keeps a TOC.
    static bool uses_toc(const Function &f, const ElfFile &elf)
    {
        return elf.target->toc_slot >= 0 && elf.dynamic && keeps_toc(f, elf);
    }
};

}  // namespace

const Arch &arch_rs6000()
{
    static const Rs6000 arch;
    return arch;
}

}  // namespace modlink::verify
