// How a fuzz input becomes a stub request, for the stub generator's fuzz
// target (stubgen_fuzz.cpp) and for the check that assembles its corpus
// (stubgen_assemble.cpp): byte 0 chooses runtime_module (bit 2) and the
// target (its other bits, as a number modulo N + 1: the N targets in
// supported_triples() order, then an unknown one); the bytes after it are
// the module name.  With three targets the target is bits 0-1, as the
// seed corpus was written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "stubgen.hpp"

namespace modlink::fuzz {

inline const char kUnknownTriple[] = "mips-linux-gnu";

inline StubRequest decode_stub_input(const uint8_t *data, size_t size)
{
    StubRequest request;
    unsigned choice = size ? data[0] : 0;
    const std::vector<std::string> &triples = supported_triples();
    size_t target = ((choice & 3) | (choice >> 3) << 2) % (triples.size() + 1);
    request.triple = target < triples.size() ? triples[target] : kUnknownTriple;
    request.runtime_module = (choice & 4) != 0;
    if (size > 1)
        request.module_name.assign(reinterpret_cast<const char *>(data) + 1, size - 1);
    return request;
}

}  // namespace modlink::fuzz
