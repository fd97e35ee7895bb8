// modlink-verify on riscv64 code (GCC's riscv backend).
//
// The pairing is one nop before the call: "nop" (00000013) or its
// compressed form c.nop (0001), which objdump shows as "nop" too.  The
// call is one of the two forms the runtime tells apart by the instruction
// before the return address (runtime-asm/call-forms-riscv.h):
//
//   auipc ra,HI ; jalr LO(ra)   # ADDR <SYM>   8 bytes, as assembled
//   jal ADDR <SYM>                            4 bytes, where ld relaxed it
//
// so the nop stands before the auipc, or before the jal.  A call through
// another register ("jalr t1" after "la t1,SYM", a GOT load, as GCC calls
// a weak SYM in PIC code or with -mno-plt / -fno-plt) cannot run again:
// t1 is call-clobbered, and the deferred function may change it.  Such a
// call is named by the GOT slot (or, non-PIC, the address) loaded into its
// register, so that it is reported.  A jal or jalr that links another
// register than ra is reported too: the runtime rewinds ra.
//
// A call to a PLT entry shows as SYM@plt; objdump names PLT entries from
// the dynamic relocations, so a stripped file is checked as well (riscv ld
// makes no range-extension stubs: a call that does not reach is a link
// error).  Tail calls are "j ADDR <SYM>" (relaxed) or "auipc t1,HI ;
// jr LO(t1) # ADDR <SYM>".
#include <regex>

#include "verify.hpp"

namespace modlink::verify {
namespace {

bool is_nop(const Insn &i) { return i.mnemonic == "nop" && i.operands.empty(); }

// The register an instruction writes first, "t1" of "ld t1,-968(t1)".
std::string first_operand(const Insn &i) { return i.operands.substr(0, i.operands.find(',')); }

// "jalr -170(ra)": ra's own auipc + jalr pair, as objdump shows the jalr.
bool jalr_off_ra(const Insn &i)
{
    static const std::regex off_ra(R"(^-?[0-9]+\(ra\)$)");
    return i.mnemonic == "jalr" && std::regex_match(i.operands, off_ra);
}

struct RiscV final : Arch {
    std::string also_checked(const platform::Target &) const override
    {
        return "the call \"auipc ra ; jalr ra\" or, relaxed, \"jal ra\"";
    }

    void check_file(const ElfFile &) const override {}

    bool is_call(const Insn &i) const override { return i.mnemonic == "jal" || i.mnemonic == "jalr"; }

    bool is_direct_jump(const Insn &i) const override
    {
        return (i.mnemonic == "j" && !i.target.empty()) || (i.mnemonic == "jr" && !i.comment_target.empty());
    }

    std::optional<std::string> callee(const Insn &i, const ElfFile &, const GotSlots &) const override
    {
        if (!i.target.empty())
            return symbol_name(i.target);
        if (!i.comment_target.empty())
            return symbol_name(i.comment_target);
        return std::nullopt;
    }

    // "jalr REG": what REG was loaded with, a few instructions back: a GOT
    // slot ("ld REG,LO(REG) # SLOT") or an address ("addi REG,REG,LO #
    // ADDR <SYM>").
    std::optional<std::string> callee_in(const Function &f, size_t k, const ElfFile &elf,
                                         const GotSlots &slots) const override
    {
        const Insn &call = f.insns[k];
        if (call.mnemonic != "jalr" || !call.comment_target.empty() || !call.target.empty())
            return callee(call, elf, slots);
        std::string reg = call.operands;
        for (size_t j = k; j-- > 0 && k - j <= 16;) {
            const Insn &load = f.insns[j];
            if (first_operand(load) != reg)
                continue;
            if (load.mnemonic == "ld" && load.comment_address) {
                auto it = slots.find(load.comment_address);
                if (it != slots.end())
                    return symbol_name(it->second);
            }
            if (!load.comment_target.empty())
                return symbol_name(load.comment_target);
            return std::nullopt;
        }
        return std::nullopt;
    }

    void check_call(const Site &site, const ElfFile &, std::vector<std::string> &findings) const override
    {
        const std::vector<Insn> &in = site.function.insns;
        const Insn &call = in[site.k];
        // "jalr LO(ra)" after "auipc ra,HI": the call starts at the auipc.
        bool pair = jalr_off_ra(call) && site.k >= 1 && in[site.k - 1].mnemonic == "auipc" &&
                    first_operand(in[site.k - 1]) == "ra";
        size_t start = pair ? site.k - 1 : site.k;
        bool jal = call.mnemonic == "jal" && call.operands.find(',') == std::string::npos;  // rd = ra
        if (start < 1 || !is_nop(in[start - 1]))
            findings.push_back(unpaired_finding(site, "nop"));
        else if (!pair && !jal)
            findings.push_back(unrewindable_finding(site, call));
    }

    void check_function(const Function &, const ElfFile &, std::vector<std::string> &) const override {}
};

}  // namespace

const Arch &arch_riscv()
{
    static const RiscV arch;
    return arch;
}

}  // namespace modlink::verify
