// modlink-verify on x86 code (GCC's i386 backend: x86_64 and i686).
//
// The pairing is one nop before the call.  The call itself must have one
// of the forms the runtime can rewind (runtime-asm/call-forms-i386.h, the
// table the runtime's rewind is written from): a deferred function returns
// to "return address - length of the call", and the runtime tells that
// length from the bytes before the return address.  So the check is the
// runtime's own: the call is a rewindable form, and the length the rewind
// computes from the bytes before its return address is the call's.
//
// A call's symbol is what objdump annotates, or, for calls through the
// GOT, the dynamic relocation of the slot it reads: "*disp(%rip)" on
// x86_64 (objdump gives the slot's address in a comment), "*addr" in
// non-PIC i386 code, "*disp(%reg)" in PIC i386 code, relative to the GOT
// pointer (.got.plt).
#include <regex>

#include "call-forms-i386.h"
#include "verify.hpp"

namespace modlink::verify {
namespace {

bool is_nop(const Insn &i) { return i.mnemonic == "nop" && i.operands.empty(); }

// The table's form of the instruction with these BYTES, or nullptr.
const modlink_x86_call_form *form_of(const std::vector<uint8_t> &bytes)
{
    for (const modlink_x86_call_form &form : modlink_x86_call_forms) {
        bool same = bytes.size() == form.length;
        for (unsigned k = 0; same && k < form.nbytes; k++)
            same = (bytes[k] & form.mask[k]) == form.bytes[k];
        if (same)
            return &form;
    }
    return nullptr;
}

struct X86 final : Arch {
    std::string also_checked(const platform::Target &) const override
    {
        return "the call in a form the runtime can rewind";
    }

    void check_file(const ElfFile &) const override {}

    bool is_call(const Insn &i) const override
    {
        return i.mnemonic == "call" || i.mnemonic == "calll" || i.mnemonic == "callq" ||
               (i.mnemonic == "addr32" && i.operands.rfind("call", 0) == 0);
    }

    bool is_direct_jump(const Insn &i) const override
    {
        return i.mnemonic == "jmp" && !i.target.empty() && i.operands.find('*') == std::string::npos;
    }

    std::optional<std::string> callee(const Insn &i, const ElfFile &elf, const GotSlots &slots) const override
    {
        if (!i.target.empty() && i.operands.find('*') == std::string::npos)
            return symbol_name(i.target);
        uint64_t slot = i.comment_address;  // *disp(%rip)
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
            return symbol_name(it->second);
        return std::nullopt;
    }

    void check_call(const Site &site, const ElfFile &, std::vector<std::string> &findings) const override
    {
        const std::vector<Insn> &in = site.function.insns;
        if (site.k < 1 || !is_nop(in[site.k - 1])) {
            findings.push_back(unpaired_finding(site, "nop"));
            return;
        }
        // The bytes before the return address: the nop's, then the call's.
        const Insn &call = in[site.k];
        std::vector<uint8_t> before = in[site.k - 1].bytes;
        before.insert(before.end(), call.bytes.begin(), call.bytes.end());
        const modlink_x86_call_form *form = form_of(call.bytes);
        bool rewinds = form && form->rewindable && before.size() >= MODLINK_X86_LONG_CALL &&
                       size_t(modlink_x86_call_length(before.data() + before.size())) == call.bytes.size();
        if (!rewinds)
            findings.push_back(unrewindable_finding(site, call));
    }

    void check_function(const Function &, const ElfFile &, std::vector<std::string> &) const override {}
};

}  // namespace

const Arch &arch_i386()
{
    static const X86 arch;
    return arch;
}

}  // namespace modlink::verify
