// libFuzzer target for the stub generator (stubgen/stubgen.cpp): any module
// name, any target, with and without runtime_module (stub_input.hpp).
//
// generate_stub either refuses the request with the exact StubError for it
// (an unknown target, an empty name, a NUL byte) or returns a stub whose
// assembly and ld fragment have the same structure as the stub of the
// plain name "x": the same code, the same comments line for line, and the
// same string literals except the module name's.  Each is read the way its
// reader lexes it: GNU as (comments, "#" to the end of the line, strings
// with their escapes) and ld (comments, strings without escapes).  So the
// name reads back byte for byte from the .asciz, no "*/" or newline of the
// name gets out of a comment, and nothing of it leaks onto a line of its
// own.  stubgen_assemble.cpp then runs the real assemblers on the corpus.
//
//   build/fuzz/stubgen_fuzz build/fuzz/corpus/stubgen fuzz/corpus/stubgen
//   fuzz/run.sh stubgen assemble   (what the tests host/fuzz/stubgen* run)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_check.hpp"
#include "platform.hpp"
#include "stub_input.hpp"
#include "stubgen.hpp"

using modlink::fuzz::printable;

namespace {

struct Token {
    enum Kind { Code, Comment, String } kind;
    std::string text;  // a String's bytes once decoded; a Comment's text as written
    bool operator==(const Token &o) const { return kind == o.kind && text == o.text; }
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// A GNU as string literal's body from S[I] (after the opening quote) to the
// closing quote, decoded as gas's next_char_of_string does.  Escapes gas
// would only warn about, or that the generator never writes, are findings.
std::string gas_string(const std::string &s, size_t &i)
{
    std::string bytes;
    for (;;) {
        FUZZ_CHECK(i < s.size(), "assembly: an unterminated string literal");
        char c = s[i++];
        if (c == '"')
            return bytes;
        FUZZ_CHECK(c != '\n', "assembly: a raw newline in a string literal");
        if (c != '\\') {
            bytes += c;
            continue;
        }
        FUZZ_CHECK(i < s.size(), "assembly: a backslash ends the file");
        c = s[i++];
        static const std::map<char, char> simple = {{'b', '\b'}, {'f', '\f'}, {'n', '\n'}, {'r', '\r'},
                                                    {'t', '\t'}, {'v', '\v'}, {'\\', '\\'}, {'"', '"'}};
        if (simple.count(c)) {
            bytes += simple.at(c);
        } else if (is_digit(c)) {  // up to three digits; gas takes 8 and 9 too
            unsigned n = c - '0';
            for (int k = 1; k < 3 && i < s.size() && is_digit(s[i]); k++)
                n = n * 8 + (s[i++] - '0');
            bytes += char(n & 0xff);
        } else if (c == 'x' || c == 'X') {  // every hex digit that follows
            unsigned n = 0;
            while (i < s.size() && is_hex(s[i]))
                n = n * 16 + std::stoi(std::string(1, s[i++]), nullptr, 16);
            bytes += char(n & 0xff);
        } else {
            modlink::fuzz::broken("assembly: an escape gas does not know: \\" + printable(std::string(1, c)));
        }
    }
}

// TEXT as tokens.  GNU as: /* */ comments, "#" comments (x86 and ppc), and
// strings with escapes; ld: /* */ comments and strings without escapes.
std::vector<Token> lex(const std::string &text, bool gas)
{
    std::vector<Token> tokens;
    const char *special = gas ? "/#\"" : "/\"";
    for (size_t i = 0; i < text.size();) {
        if (text[i] == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            size_t end = text.find("*/", i + 2);
            FUZZ_CHECK(end != std::string::npos, "an unterminated comment");
            tokens.push_back({Token::Comment, text.substr(i, end + 2 - i)});
            i = end + 2;
        } else if (gas && text[i] == '#') {
            size_t end = text.find('\n', i);
            end = end == std::string::npos ? text.size() : end;
            tokens.push_back({Token::Comment, text.substr(i, end - i)});
            i = end;
        } else if (text[i] == '"') {
            i++;
            if (gas) {
                tokens.push_back({Token::String, gas_string(text, i)});
            } else {
                size_t end = text.find('"', i);
                FUZZ_CHECK(end != std::string::npos, "ld fragment: an unterminated string");
                tokens.push_back({Token::String, text.substr(i, end - i)});
                i = end + 1;
            }
        } else {  // code up to the next character that may start something else
            size_t end = std::min(text.find_first_of(special, i + 1), text.size());
            if (tokens.empty() || tokens.back().kind != Token::Code)
                tokens.push_back({Token::Code, ""});
            tokens.back().text.append(text, i, end - i);
            i = end;
        }
    }
    return tokens;
}

const char kPlainName[] = "x";

// TOKENS must be REFERENCE's (the plain name's), with the name in place of
// "x" in the one string that holds it and in the first comment.
void check_structure(const std::vector<Token> &tokens, const std::vector<Token> &reference, const std::string &name,
                     const std::string &what)
{
    FUZZ_CHECK(tokens.size() == reference.size(),
          what + ": " + std::to_string(tokens.size()) + " tokens, not " + std::to_string(reference.size()));
    size_t names = 0;
    for (size_t i = 0; i < tokens.size(); i++) {
        const Token &t = tokens[i], &r = reference[i];
        FUZZ_CHECK(t.kind == r.kind, what + ": token " + std::to_string(i) + " changed kind");
        if (r.kind == Token::String && r.text == kPlainName) {
            FUZZ_CHECK(t.text == name, what + ": the name reads back as \"" + printable(t.text) + "\"");
            names++;
        } else if (r.kind == Token::Comment && i == 0) {
            std::string expected = r.text;
            expected.replace(expected.find("\"x\""), 3, "\"" + modlink::escape_comment(name) + "\"");
            FUZZ_CHECK(t.text == expected, what + ": the first comment is not the plain name's with the name in it");
        } else {
            FUZZ_CHECK(t == r, what + ": token " + std::to_string(i) + " differs from the plain name's: \"" +
                              printable(t.text) + "\"");
        }
    }
    FUZZ_CHECK(names == (what == "assembly" ? 1 : 0), what + ": the name is in " + std::to_string(names) + " strings");
}

void check_escapes(const std::string &name)
{
    std::string comment = modlink::escape_comment(name), literal = modlink::escape_as_string(name);
    for (const std::string *s : {&comment, &literal})
        for (unsigned char c : *s)
            FUZZ_CHECK(c >= 0x20 && c < 0x7f, "an escaped name holds a byte that is not printable ASCII");
    FUZZ_CHECK(comment.find("*/") == std::string::npos, "escape_comment lets \"*/\" through");
}

std::string refusal(const modlink::StubRequest &request)
{
    if (request.triple == modlink::fuzz::kUnknownTriple) {
        std::string supported;
        for (const auto &t : modlink::platform::targets())
            supported += (supported.empty() ? "" : ", ") + t.triple;
        return "unknown target '" + request.triple + "'; supported: " + supported;
    }
    if (!modlink::stub_target_built(request.triple))
        return "this modlink was built without the target " + request.triple;
    if (request.module_name.empty())
        return "empty module name";
    if (request.module_name.find('\0') != std::string::npos)
        return "module name contains a NUL byte";
    return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    modlink::StubRequest request = modlink::fuzz::decode_stub_input(data, size);
    const std::string expected_error = refusal(request);
    modlink::Stub stub;
    try {
        stub = modlink::generate_stub(request);
    } catch (const modlink::StubError &e) {
        FUZZ_CHECK(e.what() == expected_error, "refused with \"" + std::string(e.what()) + "\", expected \"" +
                                              expected_error + "\"");
        return 0;
    }
    FUZZ_CHECK(expected_error.empty(), "accepted what it must refuse: " + expected_error);

    // The plain name's tokens, once per target and kind of module.
    static std::map<std::pair<std::string, bool>, std::pair<std::vector<Token>, std::vector<Token>>> references;
    auto key = std::make_pair(request.triple, request.runtime_module);
    if (!references.count(key)) {
        modlink::Stub plain = modlink::generate_stub({request.triple, kPlainName, request.runtime_module});
        references[key] = {lex(plain.assembly, true), lex(plain.ld_fragment, false)};
    }
    const auto &[assembly, fragment] = references.at(key);
    check_escapes(request.module_name);
    check_structure(lex(stub.assembly, true), assembly, request.module_name, "assembly");
    check_structure(lex(stub.ld_fragment, false), fragment, request.module_name, "ld fragment");
    return 0;
}
