#!/usr/bin/env python3
"""Corrupts the module data of a linked modlink module, in place.

    corrupt.py FILE magic     the magic number becomes 0xdeadbeef
    corrupt.py FILE abi N     the module ABI version becomes N

The module data starts with the magic "MLNK" (0x4b4e4c4d, little-endian)
and the 16-bit ABI version 1 (runtime/moduledata.h); the file must hold
exactly one such header.  Used by tests/catalogue/cases.txt.
"""
import struct
import sys

path, field = sys.argv[1], sys.argv[2]
data = bytearray(open(path, "rb").read())
header = struct.pack("<IH", 0x4B4E4C4D, 1)
at = data.find(header)
if at < 0 or data.find(header, at + 1) >= 0:
    sys.exit(f"corrupt.py: {path} does not hold exactly one module data header")
if field == "magic":
    data[at:at + 4] = struct.pack("<I", 0xDEADBEEF)
elif field == "abi":
    data[at + 4:at + 6] = struct.pack("<H", int(sys.argv[3]))
else:
    sys.exit(f"corrupt.py: unknown field '{field}'")
open(path, "wb").write(data)
