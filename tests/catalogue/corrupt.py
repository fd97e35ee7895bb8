#!/usr/bin/env python3
"""Corrupts the module data of a linked modlink module, in place.

    corrupt.py FILE magic     the magic number becomes 0xdeadbeef
    corrupt.py FILE abi N     the module ABI version becomes N

The module data starts with the magic 0x4b4e4c4d ("MLNK" in a
little-endian file) and the 16-bit ABI version 1 (runtime/moduledata.h),
in the file's byte order (its ELF header's EI_DATA); the file must hold
exactly one such header.  Used by tests/catalogue/cases.txt.
"""
import struct
import sys

path, field = sys.argv[1], sys.argv[2]
data = bytearray(open(path, "rb").read())
order = {1: "<", 2: ">"}.get(data[5]) if data[:4] == b"\x7fELF" else None  # EI_DATA
if order is None:
    sys.exit(f"corrupt.py: {path} is not an ELF file of either byte order")
header = struct.pack(order + "IH", 0x4B4E4C4D, 1)
at = data.find(header)
if at < 0 or data.find(header, at + 1) >= 0:
    sys.exit(f"corrupt.py: {path} does not hold exactly one module data header")
if field == "magic":
    data[at:at + 4] = struct.pack(order + "I", 0xDEADBEEF)
elif field == "abi":
    data[at + 4:at + 6] = struct.pack(order + "H", int(sys.argv[3]))
else:
    sys.exit(f"corrupt.py: unknown field '{field}'")
open(path, "wb").write(data)
