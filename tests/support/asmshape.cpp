#include "asmshape.hpp"

#include <cstring>
#include <regex>
#include <sstream>

#include "call-forms-i386.h"

namespace modlink::test {

namespace {

std::string trim(const std::string &s)
{
    size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos)
        return "";
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// '#' starts a comment on x86 and ppc64; '@' does on Arm, where GCC writes
// it after a space or tab ("bx r3\t@ indirect register sibling call"), and
// never so elsewhere (x86's "SYM@PLT").
std::string strip_comment(const std::string &s)
{
    size_t end = s.find('#');
    for (size_t at = s.find('@'); at != std::string::npos && at < end; at = s.find('@', at + 1))
        if (at == 0 || s[at - 1] == ' ' || s[at - 1] == '\t') {
            end = at;
            break;
        }
    return end == std::string::npos ? s : s.substr(0, end);
}

Insn make_insn(const std::string &text)
{
    Insn insn;
    size_t sp = text.find_first_of(" \t");
    insn.mnemonic = text.substr(0, sp);
    if (sp != std::string::npos)
        for (char c : text.substr(sp))
            if (c != ' ' && c != '\t')
                insn.operands += c;
    insn.text = insn.operands.empty() ? insn.mnemonic : insn.mnemonic + " " + insn.operands;
    return insn;
}

// How GCC spells the operand of a call to SYM, and whether a paired call
// of that form can run again after a rewind.
struct Spelling {
    std::regex pattern;  // group 1: SYM
    bool rewindable;
};

const std::vector<Spelling> &spellings()
{
    static const std::vector<Spelling> all = [] {
        std::vector<Spelling> v;
        auto add = [&](const std::string &spelling, bool rewindable) {
            std::string re;
            for (size_t i = 0; i < spelling.size();) {
                if (spelling.compare(i, 3, "SYM") == 0) {
                    re += "([A-Za-z_.$][A-Za-z0-9_.$]*)";
                    i += 3;
                } else if (spelling.compare(i, 3, "REG") == 0) {
                    re += "%[a-z0-9]+";
                    i += 3;
                } else {
                    if (std::strchr("\\^$.|?*+()[]{}", spelling[i]))
                        re += '\\';
                    re += spelling[i++];
                }
            }
            v.push_back({std::regex("^" + re + "$"), rewindable});
        };
        // x86's call forms are a table the runtime's rewind is written
        // from; their spellings are x86's own, so they can be looked for
        // in any target's assembly.
        for (const modlink_x86_call_form &form : modlink_x86_call_forms)
            if (form.spelling)
                add(form.spelling, form.rewindable);
        // rs6000 calls are "bl SYM" (above) and, in pc-relative code,
        // "bl SYM@notoc": every call 4 bytes, nothing to tell apart.
        add("SYM@notoc", true);
        // s390 calls name their link register, "brasl %r14,SYM@PLT"; the
        // runtime rewinds %r14 (runtime-asm/s390x/deferreturn.S).
        add("%r14,SYM@PLT", true);
        add("%r14,SYM", true);
        add("REG,SYM@PLT", false);
        add("REG,SYM", false);
        // arm: "bl SYM(PLT)" in PIC and PIE code, "bl SYM" otherwise.
        add("SYM(PLT)", true);
        // riscv: "call SYM@plt" in PIC code, "call SYM" otherwise; both auipc ra + jalr ra, or jal once relaxed
        // (runtime-asm/call-forms-riscv.h).
        add("SYM@plt", true);
        return v;
    }();
    return all;
}

// The operand of a call or jump, as a symbol name, or "" if it is none.
std::string call_target(const std::string &operand, bool *rewindable = nullptr)
{
    std::smatch m;
    for (const Spelling &s : spellings())
        if (std::regex_match(operand, m, s.pattern)) {
            if (rewindable)
                *rewindable = s.rewindable;
            return m[1].str();
        }
    return "";
}

// The symbol that the last write to the register of INSNS[I] (a call
// through a register) loaded with MNEMONIC, as group 2 of OPERANDS; "" when
// that write is anything else.
std::string register_loaded_from(const std::vector<Insn> &insns, size_t i, const char *mnemonic,
                                 const std::regex &operands)
{
    const Insn &call = insns[i];
    for (size_t j = i; j-- > 0;) {
        std::smatch m;
        if (insns[j].operands.rfind(call.operands + ",", 0) != 0)
            continue;  // writes another register
        if (insns[j].mnemonic == mnemonic && std::regex_match(insns[j].operands, m, operands))
            return m[2].str();
        return "";
    }
    return "";
}

// A call through a register that was loaded from SYM's GOT slot, as
// aarch64 code calls with -fno-plt: "adrp xN, :got:SYM ; ldr xN, [xN,
// :got_lo12:SYM] ; blr xN" ("ldr xN, :got:SYM" with -mcmodel=tiny).  The
// register may change before a rewound call runs again: not rewindable.
// riscv calls that way too, "la t1,SYM ; jalr t1" (a weak SYM in PIC code,
// -mno-plt, -fno-plt from GCC 15 on).
// Returns SYM, or "" when INSNS[I] is no such call.
std::string got_call_target(const std::vector<Insn> &insns, size_t i)
{
    const Insn &call = insns[i];
    if (call.mnemonic == "jalr" || call.mnemonic == "jr") {
        static const std::regex la(R"(^([a-z0-9]+),([A-Za-z_.$][A-Za-z0-9_.$]*)$)");
        return register_loaded_from(insns, i, "la", la);
    }
    if (call.mnemonic == "blr" || call.mnemonic == "br") {
        static const std::regex load(R"(^(x\d+),(?:\[x\d+,:got_lo12:|:got:)([A-Za-z_.$][A-Za-z0-9_.$]*)\]?$)");
        return register_loaded_from(insns, i, "ldr", load);
    }
    return "";
}

// Is INSN the instruction WANT of a pairing?  docs/reference.md's "nop" is the nop
// pattern of each GCC backend, which s390 prints as "nopr %r0" (bcr 0,%r0).
bool spelled_as(const Insn &insn, const std::string &want)
{
    return insn.text == want || (want == "nop" && insn.text == "nopr %r0");
}

}  // namespace

std::vector<AsmFunction> parse_functions(const std::string &assembly)
{
    static const std::regex type_re(R"(^\s*\.type\s+([^,\s]+)\s*,\s*[@%]function)");
    static const std::regex label_re(R"(^([A-Za-z0-9_.$]+):(.*)$)");

    std::vector<AsmFunction> fns;
    std::set<std::string> function_names;
    AsmFunction *cur = nullptr;
    bool pending_label = false, pending_cfi = false;

    std::istringstream in(assembly);
    std::string line;
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_search(line, m, type_re)) {
            function_names.insert(m[1].str());
            continue;
        }
        std::string code = trim(strip_comment(line));
        if (!cur) {
            // The function's label; on ppc64 ELFv1 the symbol names the
            // function descriptor in .opd, and GCC labels the code ".L.NAME".
            std::string name;
            if (std::regex_match(code, m, label_re))
                name = m[1].str().rfind(".L.", 0) == 0 ? m[1].str().substr(3) : m[1].str();
            if (!name.empty() && function_names.count(name)) {
                fns.push_back(AsmFunction{name, {line}, {}});
                cur = &fns.back();
                pending_label = false;
            }
            continue;
        }
        cur->raw.push_back(line);
        if (code.rfind(".size", 0) == 0 && code.find(cur->name) != std::string::npos) {
            cur = nullptr;
            continue;
        }
        // ';' separates statements on one line in GAS on every target here
        // (aarch64 GCC 14 prints a GOT load as "adrp x1, :got:f;ldr x1, ...").
        std::istringstream statements(code);
        for (std::string statement; std::getline(statements, statement, ';');) {
            statement = trim(statement);
            while (std::regex_match(statement, m, label_re)) {  // "0:\taddis ..." on ppc64
                pending_label = true;
                statement = trim(m[2].str());
            }
            if (statement.rfind(".cfi_", 0) == 0)
                pending_cfi = true;
            if (statement.empty() || statement[0] == '.')
                continue;
            Insn insn = make_insn(statement);
            insn.after_label = pending_label;
            insn.after_cfi = pending_cfi;
            pending_label = pending_cfi = false;
            cur->insns.push_back(insn);
        }
    }
    return fns;
}

const AsmFunction *find_function(const std::vector<AsmFunction> &fns, const std::string &name)
{
    for (const auto &f : fns)
        if (f.name == name)
            return &f;
    return nullptr;
}

bool is_call_to(const Insn &insn, const std::set<std::string> &syms, bool tail)
{
    // x86; rs6000 and aarch64; s390 (brasl, or bras under -msmall-exec;
    // tail calls are brcl 15 or brc 15); riscv (call; tail calls "tail").
    static const std::set<std::string> calls = {"call", "calll", "callq", "bl", "brasl", "bras"};
    static const std::set<std::string> jumps = {"jmp", "jmpl", "jmpq", "b", "jg", "j", "tail"};
    if (!(tail ? jumps : calls).count(insn.mnemonic))
        return false;
    return syms.count(call_target(insn.operands)) != 0;
}

Shape shape_of(const modlink::platform::Target &target)
{
    Shape shape;
    std::istringstream parts(target.pairing);
    for (std::string part; std::getline(parts, part, ';');)
        shape.pairing.push_back(trim(part));
    if (target.toc_slot >= 0) {
        // GCC's spelling (rs6000, the backend with a TOC): r2 to or from
        // its save slot, relative to r1.
        std::string slot = std::to_string(target.toc_slot);
        shape.toc_store = "std 2," + slot + "(1)";
        shape.toc_reload = "ld 2," + slot + "(1)";
    }
    return shape;
}

Shape nop_shape_of(const modlink::platform::Target &target)
{
    Shape shape = shape_of(target);
    for (std::string &insn : shape.pairing)
        insn = "nop";
    shape.toc_reload.clear();
    return shape;
}

ShapeReport check_shape(const AsmFunction &fn, const Shape &shape,
                        const std::set<std::string> &paired,
                        const std::set<std::string> &reload)
{
    ShapeReport r;
    const auto &in = fn.insns;
    auto at = [&](size_t i) { return "'" + in[i].text + "' in " + fn.name; };

    bool frame_allocated = false;
    size_t first_reader = in.size();
    for (size_t i = 0; i < in.size(); i++) {
        const Insn &insn = in[i];
        if (insn.mnemonic == "stdu" && insn.operands.rfind("1,-", 0) == 0)
            frame_allocated = true;
        if (!shape.toc_store.empty() && insn.text == shape.toc_store && frame_allocated && i < first_reader)
            r.stores_toc = true;

        std::string through_got = got_call_target(in, i);
        bool got_call = (insn.mnemonic == "blr" || insn.mnemonic == "jalr") && !through_got.empty();
        if (is_call_to(insn, paired, true) || is_call_to(insn, reload, true) ||
            ((insn.mnemonic == "br" || insn.mnemonic == "jr") &&
             (paired.count(through_got) || reload.count(through_got))))
            r.problems.push_back("tail call " + at(i));

        if (is_call_to(insn, paired) || (got_call && paired.count(through_got))) {
            r.paired_calls++;
            // For example i386 "call *SYM@GOT(%reg)": reg may be
            // call-clobbered, so the rewound call could not find its
            // target again.
            bool rewindable = false;
            if (!got_call)
                call_target(insn.operands, &rewindable);
            if (!rewindable)
                r.problems.push_back("call form not re-executable: " + at(i));
            first_reader = std::min(first_reader, i);
            const std::vector<std::string> &want = shape.pairing;
            // Nothing between the parts: no label, and no CFI change (the
            // nop must unwind exactly like the call).
            bool ok = i >= want.size();
            for (size_t k = 0; ok && k < want.size(); k++) {
                const Insn &prev = in[i - want.size() + k];
                ok = spelled_as(prev, want[k]) && (k == 0 || (!prev.after_label && !prev.after_cfi));
            }
            ok = ok && !insn.after_label && !insn.after_cfi;
            if (!ok) {
                std::string got;
                for (size_t k = i >= 3 ? i - 3 : 0; k < i; k++)
                    got += in[k].text + " ; ";
                r.problems.push_back("no pairing before " + at(i) + ": " + got + insn.text);
            }
        }
        if (is_call_to(insn, reload) || (got_call && reload.count(through_got))) {
            r.reload_calls++;
            first_reader = std::min(first_reader, i);
            if (!shape.toc_reload.empty()) {
                bool ok = (i + 1 < in.size() && in[i + 1].text == shape.toc_reload) ||
                          (i + 2 < in.size() && in[i + 1].text == "nop" &&
                           in[i + 2].text == shape.toc_reload);
                if (!ok)
                    r.problems.push_back("no TOC reload after " + at(i));
            }
        }
    }
    return r;
}

}  // namespace modlink::test
