#!/usr/bin/env python3
"""The docs name what the code does.

- Every diagnostic the plugin, driver, runtime, verifier and stub generator
  can print has its fixed text in docs/errors.md (each literal piece of 12
  characters or more, between the formatted parts).
- Every plugin key and driver option exists in docs/reference.md (the
  contract) and, for the driver, in the man page; and every
  `-fplugin-arg-modlink-KEY` and `--modlink-...`/`--print-...` option the
  README, the reference or the man page names exists in the code.

    check_docs.py SOURCE_DIR
"""
import glob
import os
import re
import sys

root = sys.argv[1]
read = lambda p: open(f"{root}/{p}", encoding="utf-8").read()
errors_md, readme, man = read("docs/errors.md"), read("README.md"), read("driver/modlink-cc.1")
reference = read("docs/reference.md")
problems = []

# (file, regex capturing the message argument's string literals)
sources = {
    "gcc-plugin/modlink-plugin.cc": r'error(?:_at)?\s*\((?:[^"]*?),?\s*((?:"(?:[^"\\]|\\.)*"\s*)+)',
    "gcc-plugin/defer-lowering.cc": r'(?:error_at|refuse)\s*\((?:[^"]*?),?\s*((?:"(?:[^"\\]|\\.)*"\s*)+)',
    "driver/main.cpp": r'DriverError\(((?:[^;])*?)\);',
    "driver/parse.cpp": r'DriverError\(((?:[^;])*?)\);',
    "driver/targets.cpp": r'DriverError\(((?:[^;])*?)\);',
    "driver/run.cpp": r'fprintf\(stderr,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)',
    "runtime/registry.c": r'modlink__(?:complain|notice)\(((?:"(?:[^"\\]|\\.)*"\s*)+)',
    "runtime/instance.c": r'modlink__(?:complain|notice)\(((?:"(?:[^"\\]|\\.)*"\s*)+)',
    "runtime/defer.c": r'(?:modlink__complain\(|fprintf\(stderr,\s*)((?:"(?:[^"\\]|\\.)*"\s*)+)',
    "stubgen/stubgen.cpp": r'StubError\(((?:[^;])*?)\);',
    "stubgen/genstub_cli.cpp": r'fail\(((?:[^;])*?)\);',
}
# modlink-verify: its generic parts and every per-arch file.
for path in sorted(os.path.relpath(p, root) for p in glob.glob(f"{root}/verify/*.cpp")):
    sources[path] = r'(?:VerifyError\(|findings.push_back\()((?:[^;])*?)\);'
for path, pattern in sources.items():
    for m in re.finditer(pattern, read(path), re.S):
        literals = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
        # C++ builds messages with "+": each literal stands alone there.
        if "+" not in m.group(1):
            literals = ["".join(literals)]
        for literal in literals:
          literal = literal.replace('\\"', '"').replace("\\n", "\n")
          for piece in re.split(r"%[-#0-9.]*(?:zu|l?[sduxpf]|lx)|\n", literal):
            piece = piece.strip(" :;'\"()")
            if piece.startswith("modlink: "):
                piece = piece[len("modlink: "):]
            if len(piece) >= 12 and piece not in errors_md:
                problems.append(f"docs/errors.md does not name: '{piece}' ({path})")

plugin_keys = {"deferreturn", "reload-toc", "toc-save", "static", "defer", "open-coded", "verbose"}
code_keys = set(re.findall(r'strcmp \(key, "([a-z-]+)"\)', read("gcc-plugin/modlink-plugin.cc")))
if code_keys != plugin_keys:
    problems.append(f"plugin keys in the code {sorted(code_keys)} are not {sorted(plugin_keys)}")
for key in plugin_keys:
    if f"`{key}" not in reference and f"-fplugin-arg-modlink-{key}" not in reference:
        problems.append(f"docs/reference.md does not name the plugin key '{key}'")
named = re.findall(r"(?<!unknown option ')-fplugin-arg-modlink-([a-z-]+)", readme + reference + errors_md)
for key in set(named) - plugin_keys - {"KEY"}:
    problems.append(f"the docs name a plugin key that does not exist: '{key}'")

driver_code = read("driver/parse.cpp") + read("driver/main.cpp")
driver_options = set(re.findall(r'"(--(?:modlink|print)-[a-z-]+)', driver_code))
for option in driver_options:
    if option not in reference:
        problems.append(f"docs/reference.md does not name the driver option '{option}'")
    if option.replace("-", r"\-") not in man:
        problems.append(f"modlink-cc.1 does not name the driver option '{option}'")
for option in set(re.findall(r"(--(?:modlink|print)-[a-z-]+)", readme + reference + man.replace(r"\-", "-"))):
    if option not in driver_options:
        problems.append(f"the docs name a driver option that does not exist: '{option}'")

for p in problems:
    print("FAIL:", p)
print(f"docs: {len(problems)} problems")
sys.exit(1 if problems else 0)
