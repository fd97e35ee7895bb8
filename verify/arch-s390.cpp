// modlink-verify on s390x code (GCC's s390 backend).
//
// The pairing is one nop before the call, and the call is the one form the
// runtime rewinds: "brasl %r14,SYM" (c0 e5 rel32, 6 bytes), to which a
// deferred function returns at "return address - 6".  Anything else that
// calls SYM is reported: a 4-byte "bras" (-msmall-exec), or a brasl with
// another link register (the runtime rewinds %r14).  GCC's nop is
// "nopr %r0" (07 00), which objdump shows as "nopr"; any of the no-op
// branches (nopr %rN, nop D) keeps "return address - 1" in the call site.
//
// A call's symbol is what objdump annotates: "brasl %r14,5d0
// <modlink_deferreturn@plt>".  A call through a register (basr %r14,%r1)
// names nothing, and the plugin never makes one for a paired symbol.
// Tail calls are "jg SYM" (brcl 15), or the conditional jg<cond> forms.
#include "verify.hpp"

namespace modlink::verify {
namespace {

bool is_nop(const Insn &i) { return i.mnemonic == "nopr" || i.mnemonic == "nop"; }

struct S390 final : Arch {
    std::string also_checked(const platform::Target &t) const override
    {
        return "the call a \"brasl %r14\", which the runtime rewinds by " + std::to_string(t.rewind);
    }

    void check_file(const ElfFile &) const override {}

    bool is_call(const Insn &i) const override
    {
        return i.mnemonic == "brasl" || i.mnemonic == "bras" || i.mnemonic == "basr" || i.mnemonic == "bas";
    }

    // "j", "jg" and their conditional forms ("jgne"); "jnop"/"jgnop" never
    // branch.
    bool is_direct_jump(const Insn &i) const override
    {
        const std::string &m = i.mnemonic;
        return !m.empty() && m[0] == 'j' && !i.target.empty() &&
               !(m.size() >= 3 && m.compare(m.size() - 3, 3, "nop") == 0);
    }

    std::optional<std::string> callee(const Insn &i, const ElfFile &, const GotSlots &) const override
    {
        if (i.target.empty())
            return std::nullopt;
        return symbol_name(i.target);
    }

    void check_call(const Site &site, const ElfFile &elf, std::vector<std::string> &findings) const override
    {
        const std::vector<Insn> &in = site.function.insns;
        const Insn &call = in[site.k];
        if (site.k < 1 || !is_nop(in[site.k - 1])) {
            findings.push_back(unpaired_finding(site, "nop"));
            return;
        }
        bool rewinds = call.mnemonic == "brasl" && call.operands.rfind("%r14,", 0) == 0 &&
                       call.bytes.size() == size_t(elf.target->rewind);  // RIL: 6
        if (!rewinds)
            findings.push_back(unrewindable_finding(site, call));
    }

    void check_function(const Function &, const ElfFile &, std::vector<std::string> &) const override {}
};

}  // namespace

const Arch &arch_s390()
{
    static const S390 arch;
    return arch;
}

}  // namespace modlink::verify
