// modlink-verify's parts.
//
// The generic ones read ELF headers (elf.cpp), run objdump and read its
// output (objdump.cpp), and walk every call to a paired symbol
// (main.cpp).  None of them asks which instruction set it reads: what
// differs lives behind struct Arch, one per GCC backend in
// arch-<backend>.cpp, chosen by the platform table's gcc_backend field
// (arches.inc, which CMake generates from platform/targets.conf).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform.hpp"

namespace modlink::verify {

// An error: one line on stderr, exit status 2.
struct VerifyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// ---- elf.cpp --------------------------------------------------------

struct ElfFile {
    std::string path;
    const platform::Target *target = nullptr;  // by class, byte order, e_machine, e_flags
    unsigned flags = 0;     // e_flags (the ABI, where one e_machine has several)
    bool dynamic = false;   // has PT_DYNAMIC: calls may cross modules
    bool symbols = false;   // has .symtab (not stripped)
    uint64_t got_base = 0;  // .got.plt, else .got: the GOT pointer of PIC code
};

// Throws VerifyError for what is no ELF file of a table's target.
ElfFile read_elf(const std::string &path);

// ---- objdump.cpp ----------------------------------------------------

struct Insn {
    uint64_t address;
    std::vector<uint8_t> bytes;    // as objdump shows them (Arm: each halfword or word most significant first)
    std::string mnemonic;
    std::string operands;          // without the "# ..." or "<...>" annotation
    std::string target;            // the <symbol> objdump annotated, if any
    uint64_t comment_address = 0;  // "# 4fc0 <...>": the address an operand reaches
    std::string comment_target;    // the <symbol> of that comment, if any (riscv: "jalr -170(ra) # 3e0 <f@plt>")
};

struct Function {
    std::string name;
    uint64_t address;
    std::vector<Insn> insns;
};

// GOT slot address -> symbol, from the dynamic relocations.
using GotSlots = std::map<uint64_t, std::string>;

// The target's objdump ("<triple>-objdump"); throws VerifyError naming the
// Debian package to install when it is missing.
std::string objdump_for(const platform::Target &target);
std::string run_objdump(const std::string &objdump, const std::string &options, const std::string &path);
std::vector<Function> parse_disassembly(const std::string &text);  // objdump -d -w
GotSlots parse_relocations(const std::string &text);               // objdump -R

// "modlink_deferreturn@plt", "modlink_deferreturn@Base" -> "modlink_deferreturn".
// "" for a place inside a symbol: in a stripped file objdump names code
// after the PLT "SYM@plt+0x180".
std::string symbol_name(const std::string &annotated);
std::string hex(uint64_t value);
std::string hex_bytes(const std::vector<uint8_t> &bytes);  // "ff 15 54 3d 00 00"

// ---- one instruction set --------------------------------------------

// A call to a paired symbol: instruction K of F.
struct Site {
    const Function &function;
    size_t k;
    std::string where;  // "FILE: F+0xOFF (0xADDR): call to SYM", for findings
};

// The findings every instruction set reports, worded once: SITE lacks
// the pairing EXPECTED ("nop", "nop; nop", ...) right before it; SITE's
// CALL is paired but the runtime cannot rewind it.
std::string unpaired_finding(const Site &site, const std::string &expected);
std::string unrewindable_finding(const Site &site, const Insn &call);

struct Arch {
    virtual ~Arch() = default;
    // For the usage text: what is checked on TARGET beyond its pairing,
    // or "".
    virtual std::string also_checked(const platform::Target &target) const = 0;
    // Throws VerifyError when the file cannot be checked at all.
    virtual void check_file(const ElfFile &elf) const = 0;
    // The name of the function whose code objdump names NAME (ELFv1:
    // ".SYM" is the code of the function descriptor SYM); by default NAME.
    virtual std::string function_name(const std::string &name, const ElfFile &) const { return name; }
    virtual bool is_call(const Insn &insn) const = 0;
    // A direct jump: a tail call when it leaves the function.
    virtual bool is_direct_jump(const Insn &insn) const = 0;
    // The symbol INSN calls or jumps to, when the code says so.
    virtual std::optional<std::string> callee(const Insn &insn, const ElfFile &elf,
                                              const GotSlots &slots) const = 0;
    // The symbol instruction K of FUNCTION calls or jumps to, where the
    // instructions before it may tell (a call through a register loaded
    // from the GOT); by default what callee() says of it alone.
    virtual std::optional<std::string> callee_in(const Function &function, size_t k, const ElfFile &elf,
                                                 const GotSlots &slots) const
    {
        return callee(function.insns[k], elf, slots);
    }
    // One line per problem of a paired call (not a tail call).
    virtual void check_call(const Site &site, const ElfFile &elf, std::vector<std::string> &findings) const = 0;
    // One line per problem of a function that makes paired calls.
    virtual void check_function(const Function &function, const ElfFile &elf,
                                std::vector<std::string> &findings) const = 0;
};

// The checks for TARGET's gcc_backend.
const Arch &arch_of(const platform::Target &target);

}  // namespace modlink::verify
