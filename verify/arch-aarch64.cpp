// modlink-verify on aarch64 code (GCC's aarch64 backend).
//
// The pairing is one nop before the call, and the call must be "bl SYM":
// the runtime rewinds a deferred function's return address by 4, onto
// the bl, which then runs again.  A "blr xN" cannot run again: xN is
// call-clobbered, and the deferred function may have changed it.  GCC
// makes that form with -fno-plt in PIC code, "adrp xM, PAGE ; ldr xN,
// [xM, #OFF] ; blr xN" (or "ldr xN, ADDR" with -mcmodel=tiny); the
// plugin makes a bl instead.  Such a call is named by the GOT slot the
// ldr reads, from the dynamic relocations, so that it is reported.
//
// A bl to a PLT entry or a range-extension veneer shows as SYM@plt, or
// __SYM_veneer (ld.bfd); both are calls to SYM.
#include <regex>

#include "verify.hpp"

namespace modlink::verify {
namespace {

bool is_nop(const Insn &i) { return i.mnemonic == "nop" && i.operands.empty(); }

// The register an instruction writes first, "x1" of "ldr x1, [x1, #8]".
std::string first_operand(const Insn &i) { return i.operands.substr(0, i.operands.find(',')); }

struct AArch64 final : Arch {
    std::string also_checked(const platform::Target &) const override { return "the call a bl"; }

    void check_file(const ElfFile &elf) const override
    {
        // Stripped, a call through one of ld's range-extension veneers
        // ("__SYM_veneer", a .symtab name) could not be told from another.
        if (elf.dynamic && !elf.symbols)
            throw VerifyError(elf.path +
                              ": no symbol table (stripped): the calls through linker stubs cannot be named");
    }

    bool is_call(const Insn &i) const override { return i.mnemonic == "bl" || i.mnemonic == "blr"; }

    bool is_direct_jump(const Insn &i) const override { return i.mnemonic == "b" && !i.target.empty(); }

    std::optional<std::string> callee(const Insn &i, const ElfFile &, const GotSlots &) const override
    {
        if (i.target.empty() || i.mnemonic == "blr")
            return std::nullopt;
        // ld.bfd's range-extension veneers, "__SYM_veneer"; lld's thunks,
        // "__AArch64ADRPThunk_SYM" and "__AArch64AbsLongThunk_SYM".
        static const std::regex veneer(R"(^__(.*)_veneer$|^__AArch64(?:ADRP|AbsLong)Thunk_(.*)$)");
        std::smatch m;
        if (std::regex_match(i.target, m, veneer))
            return symbol_name(m[1].matched ? m[1] : m[2]);
        return symbol_name(i.target);
    }

    // "blr xN": the GOT slot xN was loaded from, a few instructions back.
    std::optional<std::string> callee_in(const Function &f, size_t k, const ElfFile &elf,
                                         const GotSlots &slots) const override
    {
        const Insn &call = f.insns[k];
        if (call.mnemonic != "blr")
            return callee(call, elf, slots);
        std::string reg = call.operands;
        static const std::regex ldr_base(R"(^x\d+, \[(x\d+)(?:, #(\d+))?\]$)");
        static const std::regex ldr_literal(R"(^x\d+, ([0-9a-f]+)$)");
        static const std::regex adrp(R"(^x\d+, ([0-9a-f]+)$)");
        for (size_t j = k; j-- > 0 && k - j <= 16;) {
            const Insn &load = f.insns[j];
            if (first_operand(load) != reg)
                continue;
            std::smatch m;
            if (load.mnemonic != "ldr")
                return std::nullopt;
            if (std::regex_match(load.operands, m, ldr_literal))
                return slot_symbol(std::stoull(m[1], nullptr, 16), slots);
            if (!std::regex_match(load.operands, m, ldr_base))
                return std::nullopt;
            std::string base = m[1];
            uint64_t offset = m[2].matched ? std::stoull(m[2]) : 0;
            for (size_t p = j; p-- > 0 && j - p <= 16;) {
                const Insn &page = f.insns[p];
                if (first_operand(page) != base)
                    continue;
                if (page.mnemonic == "adrp" && std::regex_match(page.operands, m, adrp))
                    return slot_symbol(std::stoull(m[1], nullptr, 16) + offset, slots);
                return std::nullopt;
            }
            return std::nullopt;
        }
        return std::nullopt;
    }

    void check_call(const Site &site, const ElfFile &, std::vector<std::string> &findings) const override
    {
        const std::vector<Insn> &in = site.function.insns;
        const Insn &call = in[site.k];
        if (site.k < 1 || !is_nop(in[site.k - 1]))
            findings.push_back(unpaired_finding(site, "nop"));
        else if (call.mnemonic != "bl")
            findings.push_back(unrewindable_finding(site, call));
    }

    void check_function(const Function &, const ElfFile &, std::vector<std::string> &) const override {}

  private:
    static std::optional<std::string> slot_symbol(uint64_t slot, const GotSlots &slots)
    {
        auto it = slots.find(slot);
        if (it == slots.end())
            return std::nullopt;
        return symbol_name(it->second);
    }
};

}  // namespace

const Arch &arch_aarch64()
{
    static const AArch64 arch;
    return arch;
}

}  // namespace modlink::verify
