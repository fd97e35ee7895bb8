// Running the target's objdump, and reading what it prints.
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "verify.hpp"

namespace modlink::verify {
namespace {

std::string shell_quote(const std::string &s)
{
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// Calls FN with each line of TEXT.
template <class Fn> void each_line(const std::string &text, Fn fn)
{
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        fn(text.substr(pos, end - pos));
        pos = end + 1;
    }
}

}  // namespace

std::string objdump_for(const platform::Target &target)
{
    std::string tool = target.triple + "-objdump";
    std::string check = "command -v " + shell_quote(tool) + " >/dev/null 2>&1";
    if (std::system(check.c_str()) != 0)
        throw VerifyError(tool + " not found; install the Debian package " + target.binutils_package());
    return tool;
}

std::string run_objdump(const std::string &objdump, const std::string &options, const std::string &path)
{
    std::string command = shell_quote(objdump) + " " + options + " " + shell_quote(path) + " 2>&1";
    FILE *pipe = popen(command.c_str(), "r");
    if (!pipe)
        throw VerifyError("cannot run " + objdump);
    std::string out;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0)
        out.append(buf, n);
    if (pclose(pipe) != 0)
        throw VerifyError(objdump + " " + options + " " + path + " failed:\n" + out);
    return out;
}

std::vector<Function> parse_disassembly(const std::string &text)
{
    static const std::regex header(R"(^([0-9a-f]+) <([^>]+)>:$)");
    // "    1266:\tff 15 54 3d 00 00    \tcall   *0x3d54(%rip)        # 4fc0 <x@Base>"
    static const std::regex insn(R"(^\s*([0-9a-f]+):\t([0-9a-f ]+)\t(\S+)\s*(.*)$)");
    static const std::regex annotated(R"(^(.*?)\s*<([^>]+)>$)");
    static const std::regex comment(R"(^(.*?)\s*# ([0-9a-f]+)(?: <([^>]*)>)?$)");
    std::vector<Function> functions;
    each_line(text, [&](const std::string &line) {
        std::smatch m;
        if (std::regex_match(line, m, header)) {
            functions.push_back({m[2], std::stoull(m[1], nullptr, 16), {}});
        } else if (!functions.empty() && std::regex_match(line, m, insn)) {
            Insn i{std::stoull(m[1], nullptr, 16), {}, m[3], m[4], "", 0, ""};
            std::istringstream bytes(m[2]);
            // Bytes ("e8 00 00 00 00") or, where objdump shows the
            // encoding as halfwords or words (Arm: "f7ff efe0",
            // "e320f000"), each of those split into bytes as shown.
            for (std::string token; bytes >> token;)
                for (size_t at = 0; at + 1 < token.size(); at += 2)
                    i.bytes.push_back(uint8_t(std::stoul(token.substr(at, 2), nullptr, 16)));
            std::smatch a;
            std::string operands = i.operands;
            if (std::regex_match(operands, a, comment)) {
                i.comment_address = std::stoull(a[2], nullptr, 16);
                i.comment_target = a[3];
                i.operands = a[1];
            } else if (std::regex_match(operands, a, annotated)) {
                i.operands = a[1];
                i.target = a[2];
            }
            functions.back().insns.push_back(i);
        }
    });
    return functions;
}

GotSlots parse_relocations(const std::string &text)
{
    static const std::regex reloc(R"(^([0-9a-f]+) (R_\S+)\s+(\S+)\s*$)");
    GotSlots slots;
    each_line(text, [&](const std::string &line) {
        std::smatch m;
        if (std::regex_match(line, m, reloc))
            slots[std::stoull(m[1], nullptr, 16)] = m[3];
    });
    return slots;
}

std::string symbol_name(const std::string &annotated)
{
    if (annotated.find('+') != std::string::npos)
        return "";
    return annotated.substr(0, annotated.find('@'));
}

std::string hex(uint64_t value)
{
    char buf[32];
    snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
    return buf;
}

std::string hex_bytes(const std::vector<uint8_t> &bytes)
{
    std::string out;
    char buf[4];
    for (uint8_t b : bytes) {
        snprintf(buf, sizeof buf, "%02x", b);
        out += (out.empty() ? "" : " ") + std::string(buf);
    }
    return out;
}

}  // namespace modlink::verify
