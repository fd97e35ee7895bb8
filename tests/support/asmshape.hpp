// Reading GCC's assembly output and checking the call-site pairing in it.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "platform.hpp"

namespace modlink::test {

struct Insn {
    std::string text;          // "call modlink_deferreturn@PLT", "ld 2,24(1)"
    std::string mnemonic;
    std::string operands;      // with the whitespace removed
    bool after_label = false;  // a label stands between this and the previous insn
    bool after_cfi = false;    // a .cfi_* directive stands between them
};

struct AsmFunction {
    std::string name;
    std::vector<std::string> raw;  // every line from the label to .size, verbatim
    std::vector<Insn> insns;
};

// Every function (.type NAME,@function) of a GAS file, in order.
std::vector<AsmFunction> parse_functions(const std::string &assembly);
const AsmFunction *find_function(const std::vector<AsmFunction> &fns, const std::string &name);

// What the pairing looks like on a target (docs/reference.md's table), in GCC's
// assembly: "nop" before the call on x86; "nop ; ld 2,24(1)" with std
// 2,24(1) after the frame exists where code keeps a TOC, "nop ; nop" where
// it keeps none (static, pcrel).
struct Shape {
    std::vector<std::string> pairing;  // the instructions right before a paired call
    std::string toc_store;   // "std 2,24(1)" where code may keep a TOC, else ""
    std::string toc_reload;  // "ld 2,24(1)" where paired calls reload it (and
                             // reload-toc calls are followed by it), else ""
};

// The table's pairing of TARGET.
Shape shape_of(const modlink::platform::Target &target);
// TARGET's pairing where paired calls reload no TOC (the plugin's
// `static`, pc-relative code): every instruction a nop.
Shape nop_shape_of(const modlink::platform::Target &target);

struct ShapeReport {
    int paired_calls = 0;       // calls to paired symbols
    int reload_calls = 0;       // calls to reload-toc symbols
    bool stores_toc = false;    // the TOC store after the frame allocation
    std::vector<std::string> problems;  // one line each, empty when the shape is right
};

// Check every call to PAIRED and RELOAD symbols in FN.
ShapeReport check_shape(const AsmFunction &fn, const Shape &shape,
                        const std::set<std::string> &paired,
                        const std::set<std::string> &reload);

// Does this instruction call (or, if TAIL, jump to) one of SYMS?
bool is_call_to(const Insn &insn, const std::set<std::string> &syms, bool tail = false);

}  // namespace modlink::test
