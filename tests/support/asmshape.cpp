#include "asmshape.hpp"

#include <regex>
#include <sstream>

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

std::string strip_comment(const std::string &s)
{
    size_t hash = s.find('#');
    return hash == std::string::npos ? s : s.substr(0, hash);
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

// The operand of a call or jump, as a symbol name, or "" if it is none.
std::string call_target(const std::string &operand)
{
    static const std::regex forms(
        R"(^\*?([A-Za-z_.$][A-Za-z0-9_.$]*)(@PLT|@notoc|@GOTPCREL\(%rip\)|@GOT(\(%e[a-z][a-z]\))?)?$)");
    std::smatch m;
    return std::regex_match(operand, m, forms) ? m[1].str() : std::string();
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
            if (std::regex_match(code, m, label_re) && function_names.count(m[1].str())) {
                fns.push_back(AsmFunction{m[1].str(), {line}, {}});
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
        while (std::regex_match(code, m, label_re)) {  // "0:\taddis ..." on ppc64
            pending_label = true;
            code = trim(m[2].str());
        }
        if (code.rfind(".cfi_", 0) == 0)
            pending_cfi = true;
        if (code.empty() || code[0] == '.')
            continue;
        Insn insn = make_insn(code);
        insn.after_label = pending_label;
        insn.after_cfi = pending_cfi;
        pending_label = pending_cfi = false;
        cur->insns.push_back(insn);
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
    static const std::set<std::string> calls = {"call", "calll", "callq", "bl"};
    static const std::set<std::string> jumps = {"jmp", "jmpl", "jmpq", "b"};
    if (!(tail ? jumps : calls).count(insn.mnemonic))
        return false;
    return syms.count(call_target(insn.operands)) != 0;
}

ShapeReport check_shape(const AsmFunction &fn, Shape shape,
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
        if (insn.text == "std 2,24(1)" && frame_allocated && i < first_reader)
            r.stores_toc = true;

        if (is_call_to(insn, paired, true) || is_call_to(insn, reload, true))
            r.problems.push_back("tail call " + at(i));

        if (is_call_to(insn, paired)) {
            r.paired_calls++;
            // i386 "call *SYM@GOT(%reg)": reg may be call-clobbered, so the
            // rewound call could not find its target again.
            if (insn.operands.find("@GOT(%") != std::string::npos)
                r.problems.push_back("call form not re-executable: " + at(i));
            first_reader = std::min(first_reader, i);
            std::vector<std::string> want;
            switch (shape) {
            case Shape::X86: want = {"nop"}; break;
            case Shape::PPC_TOC: want = {"nop", "ld 2,24(1)"}; break;
            case Shape::PPC_NOTOC: want = {"nop", "nop"}; break;
            }
            // Nothing between the parts: no label, and no CFI change (the
            // nop must unwind exactly like the call).
            bool ok = i >= want.size();
            for (size_t k = 0; ok && k < want.size(); k++) {
                const Insn &prev = in[i - want.size() + k];
                ok = prev.text == want[k] && (k == 0 || (!prev.after_label && !prev.after_cfi));
            }
            ok = ok && !insn.after_label && !insn.after_cfi;
            if (!ok) {
                std::string got;
                for (size_t k = i >= 3 ? i - 3 : 0; k < i; k++)
                    got += in[k].text + " ; ";
                r.problems.push_back("no pairing before " + at(i) + ": " + got + insn.text);
            }
        }
        if (is_call_to(insn, reload)) {
            r.reload_calls++;
            first_reader = std::min(first_reader, i);
            if (shape == Shape::PPC_TOC) {
                bool ok = (i + 1 < in.size() && in[i + 1].text == "ld 2,24(1)") ||
                          (i + 2 < in.size() && in[i + 1].text == "nop" &&
                           in[i + 2].text == "ld 2,24(1)");
                if (!ok)
                    r.problems.push_back("no TOC reload after " + at(i));
            }
        }
    }
    return r;
}

}  // namespace modlink::test
