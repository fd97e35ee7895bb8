// The ELF headers modlink-verify needs: the file's target (its class, byte
// order, e_machine and e_flags against the platform table's "elf" field),
// whether it is dynamically linked or stripped, and where its GOT is.
// Files of either byte order are read on a host of either.
#include <elf.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "verify.hpp"

namespace modlink::verify {
namespace {

class Reader {
public:
    Reader(std::ifstream &in, const std::string &path, bool big_endian)
        : in_(in), path_(path), swap_(big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__))
    {
    }

    void read_at(uint64_t offset, void *buf, size_t size)
    {
        in_.clear();
        in_.seekg(offset);
        if (!in_.read(static_cast<char *>(buf), size))
            throw VerifyError(path_ + ": truncated ELF file");
    }

    // A field in the host's byte order.
    template <class T> T operator()(T v) const
    {
        if (!swap_)
            return v;
        if constexpr (sizeof(T) == 2)
            return T(__builtin_bswap16(v));
        else if constexpr (sizeof(T) == 4)
            return T(__builtin_bswap32(v));
        else if constexpr (sizeof(T) == 8)
            return T(__builtin_bswap64(v));
        return v;
    }

private:
    std::ifstream &in_;
    const std::string &path_;
    bool swap_;
};

template <class Ehdr, class Phdr, class Shdr>
void read_headers(Reader &get, ElfFile &elf, unsigned &machine, unsigned &flags)
{
    Ehdr eh;
    get.read_at(0, &eh, sizeof eh);
    machine = get(eh.e_machine);
    flags = get(eh.e_flags);
    for (unsigned i = 0; i < get(eh.e_phnum); i++) {
        Phdr ph;
        get.read_at(get(eh.e_phoff) + uint64_t(i) * get(eh.e_phentsize), &ph, sizeof ph);
        if (get(ph.p_type) == PT_DYNAMIC)
            elf.dynamic = true;
    }
    unsigned shnum = get(eh.e_shnum), shstrndx = get(eh.e_shstrndx);
    if (get(eh.e_shoff) == 0 || shstrndx >= shnum)
        return;
    auto section = [&](unsigned i) {
        Shdr sh;
        get.read_at(get(eh.e_shoff) + uint64_t(i) * get(eh.e_shentsize), &sh, sizeof sh);
        return sh;
    };
    Shdr names = section(shstrndx);
    for (unsigned i = 0; i < shnum; i++) {
        Shdr sh = section(i);
        char name[16] = {};
        get.read_at(get(names.sh_offset) + get(sh.sh_name), name, sizeof name - 1);
        if (!strcmp(name, ".got.plt") || (!strcmp(name, ".got") && !elf.got_base))
            elf.got_base = get(sh.sh_addr);
        if (get(sh.sh_type) == SHT_SYMTAB)
            elf.symbols = true;
    }
}

}  // namespace

ElfFile read_elf(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw VerifyError(path + ": " + strerror(errno));
    unsigned char ident[EI_NIDENT];
    if (!in.read(reinterpret_cast<char *>(ident), sizeof ident) || memcmp(ident, ELFMAG, SELFMAG) != 0)
        throw VerifyError(path + ": not an ELF file");
    ElfFile elf;
    elf.path = path;
    int elf_class = ident[EI_CLASS];
    bool big_endian = ident[EI_DATA] == ELFDATA2MSB;
    unsigned machine = EM_NONE, flags = 0;
    Reader reader(in, path, big_endian);
    if (elf_class == ELFCLASS64)
        read_headers<Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr>(reader, elf, machine, flags);
    else if (elf_class == ELFCLASS32)
        read_headers<Elf32_Ehdr, Elf32_Phdr, Elf32_Shdr>(reader, elf, machine, flags);
    for (const platform::Target &t : platform::targets())
        if (!elf.target && t.matches_elf(elf_class, big_endian, machine, flags))
            elf.target = &t;
    elf.flags = flags;
    if (!elf.target || (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB))
        throw VerifyError(path + ": not an ELF file of a supported target (" + platform::supported() + ")");
    return elf;
}

}  // namespace modlink::verify
