// What the fuzz targets share: a broken invariant aborts with one line
// naming it, which libFuzzer reports as a crash and saves the input of.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace modlink::fuzz {

[[noreturn]] inline void broken(const std::string &what)
{
    std::fprintf(stderr, "modlink-fuzz: invariant broken: %s\n", what.c_str());
    std::abort();
}

// The message is only built when the check fails: the checks run on every
// execution.
#define FUZZ_CHECK(ok, what)                 \
    do {                                     \
        if (!(ok))                           \
            ::modlink::fuzz::broken(what);   \
    } while (0)

// S as a C string literal's body, for the messages.
inline std::string printable(const std::string &s)
{
    std::string out;
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += char(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

}  // namespace modlink::fuzz
