// The platform table for the C++ tools: platform/targets.conf, compiled in.
//
// CMake (cmake/Platform.cmake) turns the table into the rows that
// platform.cpp includes, so the driver, modlink-verify, the stub
// generator, the tests and the fuzz targets know the same targets, in the
// same order, with the same "supported: ..." text.
#pragma once

#include <string>
#include <vector>

namespace modlink::platform {

// An option of the target's gcc that selects another ABI: another modlink
// target (triple), or an ABI modlink does not build for (name).
struct AbiOther {
    std::string option;
    std::string triple;
    std::string name;
};

struct Target {
    std::string triple;
    std::string arch;         // per-arch folder: runtime-asm/<arch>/
    std::string gcc_backend;  // gcc/config/<backend>: gcc-plugin/target-<backend>.cc,
                              // verify/arch-<backend>.cpp
    std::string debian_arch;
    std::string multiarch;    // Debian's multiarch tuple: /usr/lib/<multiarch>
    std::string processor;
    std::string qemu;         // qemu-<qemu> -L /usr/<triple>
    std::string native_on;    // host Debian architectures that may run it natively
    std::string loader;       // in /usr/<triple>/lib
    std::string abi_option;   // gcc's option for this target's ABI
    int elf_class;            // ELFCLASS32 or ELFCLASS64
    bool big_endian;
    int elf_machine;          // EM_*
    unsigned elf_flags_mask;  // a file is this target's when
    unsigned elf_flags_value; // (e_flags & mask) == value
    std::vector<AbiOther> abi_others;
    std::string pairing;      // the instructions before a paired call
    int rewind;               // bytes a return address is rewound; 0: the call's length
    int toc_slot;             // the TOC save slot's offset from the stack pointer; -1: none
    std::vector<std::string> capabilities;
    bool native;              // the build machine's own architecture

    bool has(const std::string &capability) const;
    // Debian's name of its gcc-<major> ("gcc-14", "gcc-14-i686-linux-gnu"),
    // of another program of that GCC, COMPILER-<major> (g++: "g++-14-i686-linux-gnu"),
    // and of that compiler's plugin headers.
    std::string gcc_package(int major) const;
    std::string compiler_package(const std::string &compiler, int major) const;
    std::string plugin_dev_package(int major) const;
    // Debian's name of the package with its binutils ("binutils-x86-64-linux-gnu"),
    // and the triple as Debian's package names spell it ('-' for '_').
    std::string binutils_package() const;
    std::string package_triple() const;
    // Is an ELF file of this class, byte order, e_machine and e_flags one
    // of this target's?
    bool matches_elf(int elf_class, bool big_endian, int machine, unsigned flags) const;
};

// Every target, in the table's order.
const std::vector<Target> &targets();
// The target, or nullptr.
const Target *find(const std::string &triple);
// "x86_64-linux-gnu, i686-linux-gnu, ..."
std::string supported();
// "unknown target 'TRIPLE'; supported: ..."
std::string unknown_target_message(const std::string &triple);

}  // namespace modlink::platform
