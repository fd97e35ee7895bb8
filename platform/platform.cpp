#include "platform.hpp"

#include <elf.h>

namespace modlink::platform {

const std::vector<Target> &targets()
{
    static const std::vector<Target> table = {
#include "platform-table.inc"
    };
    return table;
}

const Target *find(const std::string &triple)
{
    for (const Target &t : targets())
        if (t.triple == triple)
            return &t;
    return nullptr;
}

std::string supported()
{
    std::string names;
    for (const Target &t : targets())
        names += (names.empty() ? "" : ", ") + t.triple;
    return names;
}

std::string unknown_target_message(const std::string &triple)
{
    return "unknown target '" + triple + "'; supported: " + supported();
}

bool Target::has(const std::string &capability) const
{
    for (const std::string &c : capabilities)
        if (c == capability)
            return true;
    return false;
}

std::string Target::gcc_package(int major) const
{
    return "gcc-" + std::to_string(major) + (native ? "" : "-" + triple);
}

std::string Target::plugin_dev_package(int major) const
{
    return "gcc-" + std::to_string(major) + "-plugin-dev" + (native ? "" : "-" + triple);
}

}  // namespace modlink::platform
