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
// ld.bfd's PLT entries have objdump's "SYM@plt" names; lld's have none
// ("<_fini+0x54>"), so their GOT slots are computed from the entries
// themselves, "add ip, pc, #A ; add ip, ip, #B ; ldr pc, [ip, #C]!" (PC
// reads as the first add's address + 8), and named by the slots' dynamic
// relocations.
//
// ld may route a call through a veneer (out of reach, or ARM to Thumb),
// which .symtab names "__SYM_veneer", "__SYM_from_thumb", "__SYM_from_arm"
// or "__SYM_change_to_arm"; the call is still one bl.
#include <map>
#include <mutex>
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

// The instruction word of an ARM-state instruction, as objdump shows it.
uint32_t word(const Insn &i)
{
    uint32_t w = 0;
    for (uint8_t b : i.bytes)
        w = w << 8 | b;
    return i.bytes.size() == 4 ? w : 0;
}

// The immediate of an ARM data-processing instruction: 8 bits rotated
// right by twice the rotation field.
uint32_t modified_immediate(uint32_t w)
{
    uint32_t imm = w & 0xff, rot = 2 * ((w >> 8) & 0xf);
    return rot ? (imm >> rot | imm << (32 - rot)) : imm;
}

// PLT entry address -> its GOT slot, for lld's entries in PATH's .plt.
std::map<uint64_t, uint64_t> lld_plt_entries(const ElfFile &elf)
{
    static std::mutex lock;
    static std::map<std::string, std::map<uint64_t, uint64_t>> cache;
    std::lock_guard<std::mutex> hold(lock);
    auto it = cache.find(elf.path);
    if (it != cache.end())
        return it->second;
    std::map<uint64_t, uint64_t> entries;
    std::string text;
    try {
        text = run_objdump(objdump_for(*elf.target), "-d -w -j .plt", elf.path);
    } catch (const VerifyError &) {
        return cache[elf.path] = entries;  // no .plt
    }
    std::vector<Insn> in;
    for (const Function &f : parse_disassembly(text))
        in.insert(in.end(), f.insns.begin(), f.insns.end());
    for (size_t k = 0; k + 2 < in.size(); k++) {
        uint32_t a = word(in[k]), b = word(in[k + 1]), c = word(in[k + 2]);
        if ((a & 0xfffff000) == 0xe28fc000 &&  // add ip, pc, #A
            (b & 0xfffff000) == 0xe28cc000 &&  // add ip, ip, #B
            (c & 0xff7ff000) == 0xe53cf000) {  // ldr pc, [ip, #+-C]!
            uint64_t slot = in[k].address + 8 + modified_immediate(a) + modified_immediate(b);
            slot = (c & 0x00800000) ? slot + (c & 0xfff) : slot - (c & 0xfff);
            entries[in[k].address] = slot & 0xffffffff;
        }
    }
    return cache[elf.path] = entries;
}

struct Arm final : Arch {
    std::string also_checked(const platform::Target &) const override
    {
        return "the call an unconditional 4-byte bl or blx";
    }

    void check_file(const ElfFile &elf) const override
    {
        // Stripped, the mapping symbols ($a, $t, $d) that tell objdump ARM
        // code from Thumb code and from literal pools are gone, and so are
        // the names of ld's veneers: nothing could be checked reliably.
        if (!elf.symbols)
            throw VerifyError(elf.path +
                              ": no symbol table (stripped): the calls through linker stubs cannot be named");
    }

    bool is_call(const Insn &i) const override { return std::regex_match(i.mnemonic, call_mnemonic()); }

    bool is_direct_jump(const Insn &i) const override
    {
        return (i.mnemonic == "b" || i.mnemonic == "b.w" || i.mnemonic == "b.n") && !i.target.empty();
    }

    std::optional<std::string> callee(const Insn &i, const ElfFile &elf, const GotSlots &slots) const override
    {
        if (i.target.empty())
            return std::nullopt;
        static const std::regex address(R"(^([0-9a-f]+)$)");
        std::smatch a;
        if (elf.dynamic && symbol_name(i.target).empty() && std::regex_match(i.operands, a, address)) {
            auto entries = lld_plt_entries(elf);
            auto entry = entries.find(std::stoull(a[1], nullptr, 16));
            if (entry != entries.end()) {
                auto slot = slots.find(entry->second);
                if (slot != slots.end())
                    return symbol_name(slot->second);
            }
        }
        // ld.bfd's veneers and interworking stubs, "__SYM_veneer",
        // "__SYM_from_thumb", ...; lld's thunks, "__ARMv7ABSLongThunk_SYM",
        // "__ThumbV7PILongThunk_SYM", ...
        static const std::regex veneer(
            R"(^__(.*)_(?:veneer|from_thumb|from_arm|change_to_arm|change_to_thumb)$|^__(?:ARM|Thumb)[vV][4-7]\w*Thunk_(.*)$)");
        std::string s = symbol_name(i.target);
        std::smatch m;
        if (std::regex_match(s, m, veneer))
            s = m[1].matched ? m[1].str() : m[2].str();
        return s;
    }

    void check_call(const Site &site, const ElfFile &, std::vector<std::string> &findings) const override
    {
        const std::vector<Insn> &in = site.function.insns;
        const Insn &call = in[site.k];
        if (site.k < 1 || !is_nop(in[site.k - 1])) {
            findings.push_back(unpaired_finding(site, "nop"));
            return;
        }
        if (conditional(call) || call.bytes.size() != 4)
            findings.push_back(unrewindable_finding(site, call));
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
