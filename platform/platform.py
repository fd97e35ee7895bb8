"""The platform table (platform/targets.conf) for the Python scripts.

    spec = importlib.util.spec_from_file_location(
        "modlink_platform", os.path.join(ROOT, "platform", "platform.py"))
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)

    triples()                every target, in the table's order
    field(triple, key)       one field ("" when an optional one is absent)
    has(triple, capability)  true when the target has it
    native_triple()          the target this machine runs natively, or None

Loaded by its path, as above, under another name than Python's own
`platform` module, which it must not hide.  An unknown triple is a
ValueError that names the supported ones.
"""
import configparser
import os
import subprocess

TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "targets.conf")


def _read():
    table = configparser.ConfigParser(inline_comment_prefixes=("#",), interpolation=None,
                                      default_section="\0no defaults")
    table.optionxform = str
    with open(TABLE, encoding="utf-8") as f:
        table.read_file(f)
    return table


_table = _read()


def triples():
    return list(_table.sections())


def _known(triple):
    if not _table.has_section(triple):
        raise ValueError(f"modlink: unknown target '{triple}'; supported: {', '.join(triples())}")


def field(triple, key):
    _known(triple)
    return _table.get(triple, key, fallback="").strip()


def has(triple, capability):
    return capability in field(triple, "capabilities").split()


def native_triple():
    try:
        arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return next((t for t in triples() if field(t, "debian_arch") == arch), None)

