// modlink-verify on 32-bit Arm code (GCC's arm backend): Thumb-2 and ARM.
//
// The pairing is one nop before the call: "nop" (bf00) in Thumb-2, which
// objdump shows without operands, "nop {0}" (e320f000) in ARM code.  The
// call is bl, or blx where ld turned a bl into a call to the other
// instruction set; both are 4 bytes, which is what the runtime's rewind
// assumes.  It must be unconditional: a rewound bl<cond> would run again
// only if the deferred function left the flags as they were (GCC never
// makes one on Armv5T and later; hand-written code might).  A blx through
// a register names no callee, so it is not seen here.
//
// ld may route a call through a veneer (out of reach, or ARM to Thumb),
// which .symtab names "__SYM_veneer", "__SYM_from_thumb", "__SYM_from_arm"
// or "__SYM_change_to_arm"; the call is still one bl.
#include <regex>

#include "verify.hpp"

namespace modlink::verify {
namespace {

bool is_nop(const Insn &i) { return i.mnemonic == "nop" && (i.operands.empty() || i.operands == "{0}"); }

// "bl", "blx", and their conditional forms ("bleq", "blxne"), optionally
// with a width qualifier.
const std::regex &call_mnemonic()
{
    static const std::regex re(R"(^blx?(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?$)");
    return re;
}

bool conditional(const Insn &i) { return i.mnemonic != "bl" && i.mnemonic != "blx"; }

struct Arm final : Arch {
    std::string also_checked(const platform::Target &) const override
    {
        return "the call an unconditional 4-byte bl or blx";
    }

    void check_file(const ElfFile &) const override {}

    bool is_call(const Insn &i) const override { return std::regex_match(i.mnemonic, call_mnemonic()); }

    bool is_direct_jump(const Insn &i) const override
    {
        return (i.mnemonic == "b" || i.mnemonic == "b.w" || i.mnemonic == "b.n") && !i.target.empty();
    }

    std::optional<std::string> callee(const Insn &i, const ElfFile &, const GotSlots &) const override
    {
        if (i.target.empty())
            return std::nullopt;
        static const std::regex veneer(R"(^__(.*)_(?:veneer|from_thumb|from_arm|change_to_arm|change_to_thumb)$)");
        std::string s = symbol_name(i.target);
        std::smatch m;
        if (std::regex_match(s, m, veneer))
            s = m[1];
        return s;
    }

    void check_call(const Site &site, const ElfFile &, std::vector<std::string> &findings) const override
    {
        const std::vector<Insn> &in = site.function.insns;
        const Insn &call = in[site.k];
        if (site.k < 1 || !is_nop(in[site.k - 1])) {
            findings.push_back(site.where + " lacks its pairing: expected \"nop\" right before it");
            return;
        }
        if (conditional(call) || call.bytes.size() != 4)
            findings.push_back(site.where + " has a form the runtime cannot rewind: " + hex_bytes(call.bytes) +
                               " (" + call.mnemonic + " " + call.operands + ")");
    }

    void check_function(const Function &, const ElfFile &, std::vector<std::string> &) const override {}
};

}  // namespace

const Arch &arch_arm()
{
    static const Arm arch;
    return arch;
}

}  // namespace modlink::verify
