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

std::string Target::gcc_package(int major) const { return compiler_package("gcc", major); }

std::string Target::compiler_package(const std::string &compiler, int major) const
{
    return compiler + "-" + std::to_string(major) + (native ? "" : "-" + package_triple());
}

std::string Target::plugin_dev_package(int major) const
{
    return "gcc-" + std::to_string(major) + "-plugin-dev" + (native ? "" : "-" + package_triple());
}

std::string Target::binutils_package() const
{
    // The native binutils package depends on this one, which has the
    // <triple>-objdump program: the name is the same on every host.
    return "binutils-" + package_triple();
}

std::string Target::package_triple() const
{
    std::string name = triple;
    for (char &c : name)
        if (c == '_')
            c = '-';
    return name;
}

bool Target::matches_elf(int elf_class_, bool big_endian_, int machine, unsigned flags) const
{
    return elf_class_ == elf_class && big_endian_ == big_endian && machine == elf_machine &&
           (flags & elf_flags_mask) == elf_flags_value;
}

}  // namespace modlink::platform
