// How a fuzz input becomes a stub request, for the stub generator's fuzz
// target (stubgen_fuzz.cpp) and for the check that assembles its corpus
// (stubgen_assemble.cpp): byte 0 chooses the target (its bits 0-1: the
// three targets in supported_triples() order, then an unknown one) and
// runtime_module (bit 2); the bytes after it are the module name.
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
    request.triple = (choice & 3) < supported_triples().size() ? supported_triples()[choice & 3] : kUnknownTriple;
    request.runtime_module = (choice & 4) != 0;
    if (size > 1)
        request.module_name.assign(reinterpret_cast<const char *>(data) + 1, size - 1);
    return request;
}

}  // namespace modlink::fuzz
