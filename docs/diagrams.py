#!/usr/bin/env python3
"""Draws docs/*.svg from real output: the disassembly and the section and
symbol tables of examples/plugin-host as scripts/run.sh built it.

    scripts/run.sh && python3 docs/diagrams.py

call-sites.svg   the paired call in plugin_stack.so's run_lifo, per target
                 of platform/targets.conf, and where a deferred function
                 returns to
module-life.svg  the life of plugin_math.so from .init_array to .fini_array
layout.svg       plugin_math.so's sections and the bounds the ld fragment
                 adds
The last two show the build machine's own target.
"""
import html
import importlib.util
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUN = os.path.join(ROOT, "build", "run")
_spec = importlib.util.spec_from_file_location("modlink_platform", os.path.join(ROOT, "platform", "platform.py"))
TABLE = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(TABLE)
TARGETS = TABLE.triples()
NATIVE = TABLE.native_triple() or TARGETS[0]
FONT = "font-family='DejaVu Sans Mono,monospace' font-size='12'"


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def built(triple, name):
    path = os.path.join(RUN, triple, "plugin-host", name)
    if not os.path.exists(path):
        sys.exit(f"diagrams: {path} is missing; run scripts/run.sh first")
    return path


def text(x, y, s, extra=""):
    return f"<text x='{x}' y='{y}' {FONT} xml:space='preserve' {extra}>{html.escape(s)}</text>"


def svg(width, height, body):
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"viewBox='0 0 {width} {height}'>\n"
            "<defs><marker id='a' markerWidth='8' markerHeight='8' refX='7' refY='4' orient='auto'>"
            "<path d='M0,0 L8,4 L0,8 z' fill='#b03030'/></marker></defs>\n"
            f"<rect width='{width}' height='{height}' fill='white'/>\n" + "\n".join(body) + "\n</svg>\n")


def pairing_length(triple):
    """The instructions of the table's pairing ("nop ; ld 2,24(1)": 2)."""
    return len(TABLE.field(triple, "pairing").split(";"))


def paired_site(triple):
    """The instructions of run_lifo's first paired call site, up to the
    instruction after the call."""
    dump = run(f"{triple}-objdump", "-d", "--no-show-raw-insn", built(triple, "plugin_stack.so"))
    body = dump.split("<run_lifo>:")[1].split("\n\n")[0].splitlines()
    insns = [re.sub(r"\s+", " ", l.strip()) for l in body if re.match(r"\s+[0-9a-f]+:", l)]
    i = next(k for k, l in enumerate(insns) if "modlink_deferreturn" in l)
    return insns[i - 3:i + 2], 3


def call_sites():
    body = [text(20, 24, "The paired call in run_lifo (plugin_stack.so), from objdump -d, and where the rewind lands",
                 "font-weight='bold'")]
    y = 56
    for triple in TARGETS:
        insns, call = paired_site(triple)
        body.append(text(20, y, triple, "font-weight='bold'"))
        y += 20
        first = y
        pairing = pairing_length(triple)
        rewind = TABLE.field(triple, "rewind")
        for k, insn in enumerate(insns):
            colour = "#1f5fa8" if call - pairing <= k <= call else "#222"
            body.append(text(40, y, insn[:80], f"fill='{colour}'"))
            y += 18
        # "call": the rewind lands on the call; N bytes: N/4 instructions
        # back, the last of the pairing (4-byte instructions there).
        land = call if rewind == "call" else call - int(rewind) // 4 + 1
        ret_y = first + (call + 1) * 18 - 5
        land_y = first + land * 18 - 5
        body.append(f"<path d='M440,{ret_y} C500,{ret_y} 500,{land_y} 445,{land_y}' fill='none' "
                    "stroke='#b03030' stroke-width='1.5' marker-end='url(#a)'/>")
        what = (f"return address - {rewind}: the {insns[land].split()[1]}, which puts this module's TOC back in r2"
                if TABLE.has(triple, "toc") else "return address - the call's length: the call")
        body.append(text(510, (ret_y + land_y) // 2, what, "fill='#b03030'"))
        body.append(text(510, (ret_y + land_y) // 2 + 16, "a deferred function returns here, and the call runs again",
                         "fill='#b03030'"))
        y += 22
    return svg(1100, y, body)


def module_life():
    math = built(NATIVE, "plugin_math.so")
    sections = run("readelf", "-S", "-W", math)
    steps = [
        ("dlopen(\"plugin_math.so\")", "ld.so maps the file and relocates it"),
        (".init_array, first entry: __modlink_init",
         "the stub's entry sorts first (.init_array.00000 before plain .init_array)"),
        ("  -> modlink_addmoduledata(&__modlink_moduledata)",
         "libmodlink.so checks magic, ABI version, bounds and overlaps"),
        ("  -> listeners: \"plugin_math.so arrived\"", "modlink_on_change callbacks run"),
        (".init_array: the module's own constructors", "they already find their module registered"),
        ("... the module is listed, its entries iterated ...", "modlink_foreach_entry(\"command\", ...)"),
        ("dlclose(handle)", "the last reference goes"),
        (".fini_array: the module's own destructors", "they still find their module registered"),
        (".fini_array, last entry: __modlink_fini", "the stub's entry runs last"),
        ("  -> modlink_delmoduledata(&__modlink_moduledata)",
         "listeners hear \"left\"; readers finish (grace period)"),
        ("munmap", "the module's memory is gone, and no table points at it"),
    ]
    have = [s for s in (".init_array", ".fini_array", ".modlink_entries") if s in sections]
    body = [text(20, 24, f"The life of plugin_math.so ({NATIVE}), sections present: " + ", ".join(have),
                 "font-weight='bold'")]
    y = 56
    for k, (what, why) in enumerate(steps):
        body.append(f"<rect x='20' y='{y - 15}' width='460' height='22' rx='4' fill='#eef3fb' stroke='#1f5fa8'/>")
        body.append(text(30, y, what))
        body.append(text(500, y, why, "fill='#555'"))
        if k + 1 < len(steps):
            body.append(f"<line x1='250' y1='{y + 7}' x2='250' y2='{y + 19}' stroke='#1f5fa8' "
                        "marker-end='url(#a)'/>")
        y += 34
    return svg(1100, y, body)


def layout():
    math = built(NATIVE, "plugin_math.so")
    sections = []
    for line in run("readelf", "-S", "-W", math).splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m and int(m.group(2), 16):
            sections.append((int(m.group(2), 16), int(m.group(3), 16), m.group(1)))
    symbols = {}
    for line in run("nm", math).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].startswith("__modlink_") and parts[2] not in ("__modlink_init",
                                                                                      "__modlink_fini"):
            symbols.setdefault(int(parts[0], 16), []).append(parts[2])
    body = [text(20, 24, f"plugin_math.so ({NATIVE}): sections, from readelf -S, and the module bounds (nm)",
                 "font-weight='bold'")]
    y = 56
    added = {".modlink_entries", ".data.rel.ro.modlink", ".rodata.modlink", ".bss.modlink"}
    for addr, size, name in sorted(sections):
        colour = "#fdf0e0" if name in added or "modlink" in name else "#eef3fb"
        body.append(f"<rect x='20' y='{y - 15}' width='420' height='22' fill='{colour}' stroke='#1f5fa8'/>")
        body.append(text(30, y, f"{addr:#08x}  {name:<22} {size:#x} bytes"))
        # A start symbol lies in its section, an end symbol just past it.
        marks = [s for a, names in symbols.items() for s in names
                 if (addr < a <= addr + size if s.endswith("_end") else addr <= a < addr + size)]
        for k, s in enumerate(sorted(set(marks))):
            body.append(text(460 + 230 * (k % 2), y + 16 * (k // 2), s, "fill='#b03030'"))
        y += 26 + 16 * max(0, (len(set(marks)) - 1) // 2)
    body.append(text(20, y + 10, "orange: what modlink's stub and ld fragment add; red: the bounds "
                                 "(PROVIDE_HIDDEN, never interposed)", "fill='#555'"))
    return svg(1000, y + 30, body)


def main():
    for name, draw in (("call-sites.svg", call_sites), ("module-life.svg", module_life), ("layout.svg", layout)):
        path = os.path.join(ROOT, "docs", name)
        with open(path, "w") as f:
            f.write(draw())
        print(f"diagrams: wrote {path}")


if __name__ == "__main__":
    main()
