#!/usr/bin/env python3
"""Runs one case of the bad-input catalogue (tests/catalogue/cases.txt).

    run_case.py --case NAME --triple TRIPLE --prefix STAGE --source SOURCE_DIR
                --work DIR [--run "EMULATOR WORDS"] [--cases FILE]
    run_case.py --list [--cases FILE]

ctest runs it once per case and target (host/catalogue/<case> and
<triple>/catalogue/<case>, see tests/catalogue/CMakeLists.txt).  By hand,
after a build:

    python3 tests/catalogue/run_case.py --prefix build/prefix --source . \\
        --work /tmp/cat --triple i686-linux-gnu \\
        --run "qemu-i386 -L /usr/i686-linux-gnu" --case bad-magic

A case runs in DIR/work, a fresh empty directory, with STAGE/bin first on
PATH, TMPDIR=DIR/tmp (also fresh) and LC_ALL=C.  Its setup lines and its run
line are one bash script, so setup can define variables for the rest.  Then:

- the run line's exit status is `exit:` (a number, or `nonzero`);
- its stderr is exactly the `stderr:` lines (none: it must be empty);
- its stdout is exactly the `stdout:` lines, when the case has any;
- no `absent:` path exists afterwards (bash words: quotes and $vars work);
- when the run line fails, it created nothing in the work directory
  (it may have removed a stale file);
- TMPDIR is empty again: no temporary directory was left behind.

Expected lines are exact.  Placeholders stand for exact text: {dir} (the
work directory), {prefix}, {triple}, {here} (tests/catalogue), {source} (the
source tree), {supported} (the targets of platform/targets.conf, as every
"supported: ..." message lists them), {newest_gcc} (the newest GCC major
the prefix has a plugin for, for {triple}), {cc} (the compiler modlink-cc
drives for {triple} by default: <triple>-gcc where it is on PATH, else the
newest <triple>-gcc-N on PATH with a plugin), and {N*c} for N times the
character c, e.g. {256*n}.  One is not exact: {addr} stands for a
hexadecimal address (0x...), only for the runtime's bad-magic line, whose
module data address changes from run to run.  Setup and run lines get the
same ones but {addr}, and {run} (the target's emulator, empty for the
build machine's own target), before bash runs them.

Prints "catalogue: NAME ok" and exits 0, or says what differs and exits 1.
"""
import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "modlink_platform", os.path.join(HERE, "..", "..", "platform", "platform.py"))
platform_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(platform_table)
MULTI = {"setup", "stderr", "stdout", "absent"}
KEYS = MULTI | {"case", "what", "targets", "run", "exit"}


def parse(path):
    """The cases, in file order: dicts of key -> str (or list for MULTI keys)."""
    cases, case = [], None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            m = re.match(r"([a-z]+):(?: (.*))?$", line)
            if not m or m.group(1) not in KEYS:
                sys.exit(f"{path}:{number}: not a 'key: value' line of the catalogue: {line!r}")
            key, value = m.group(1), m.group(2) or ""
            if key == "case":
                case = {"case": value, "line": number, **{k: [] for k in MULTI}}
                cases.append(case)
            elif case is None:
                sys.exit(f"{path}:{number}: '{key}:' before the first 'case:'")
            elif key in MULTI:
                case[key].append(value)
            elif key in case:
                sys.exit(f"{path}:{number}: a second '{key}:' in case {case['case']}")
            else:
                case[key] = value
    for c in cases:
        for key in ("targets", "run", "exit"):
            if key not in c:
                sys.exit(f"{path}:{c['line']}: case {c['case']} has no '{key}:'")
    return cases


def files_under(top):
    found = set()
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(root, name), top))
    return found


def repeat(text):
    """{N*c}: N times the character c, e.g. {256*n}."""
    return re.sub(r"\{([0-9]+)\*(.)\}", lambda m: m.group(2) * int(m.group(1)), text)


def matches(expected_lines, actual, values):
    """Whether ACTUAL is exactly the expected lines, placeholders filled in."""
    text = repeat("".join(line + "\n" for line in expected_lines))
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    if "{addr}" not in text:
        return actual == text
    pattern = "0x[0-9a-f]+".join(re.escape(piece) for piece in text.split("{addr}"))
    return re.fullmatch(pattern, actual) is not None


def plugin_majors(prefix, triple):
    """The GCC majors N with PREFIX/lib/modlink/TRIPLE/gcc-N/modlink.so, oldest first."""
    top = os.path.join(prefix, "lib", "modlink", triple)
    names = os.listdir(top) if os.path.isdir(top) else []
    return sorted(int(n[4:]) for n in names
                  if re.fullmatch(r"gcc-[1-9][0-9]*", n) and os.path.exists(os.path.join(top, n, "modlink.so")))


def default_compiler(triple, majors, path):
    """The compiler modlink-cc drives for TRIPLE when none is named (modlink-cc.1, COMPILER)."""
    if shutil.which(f"{triple}-gcc", path=path):
        return f"{triple}-gcc"
    for n in reversed(majors):
        if shutil.which(f"{triple}-gcc-{n}", path=path):
            return f"{triple}-gcc-{n}"
    return "(none)"


def show(label, text):
    print(f"--- {label}:")
    for line in text.splitlines(keepends=True):
        print("   ", repr(line))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", default=os.path.join(HERE, "cases.txt"))
    p.add_argument("--list", action="store_true", help="print each case's name and targets")
    p.add_argument("--case")
    p.add_argument("--triple")
    p.add_argument("--prefix")
    p.add_argument("--source", default=os.path.dirname(os.path.dirname(HERE)))
    p.add_argument("--work")
    p.add_argument("--run", default="", help="what runs the target's programs, e.g. 'qemu-ppc64le -L "
                                             "/usr/powerpc64le-linux-gnu'")
    args = p.parse_args()
    cases = parse(args.cases)
    if args.list:
        for c in cases:
            print(f"{c['case']}\t{c['targets']}")
        return 0
    if not (args.case and args.triple and args.prefix and args.work):
        p.error("--case, --triple, --prefix and --work are needed")
    case = next((c for c in cases if c["case"] == args.case), None)
    if case is None:
        sys.exit(f"run_case.py: no case '{args.case}' in {args.cases}")

    top = os.path.abspath(args.work)
    work, tmp, meta = (os.path.join(top, d) for d in ("work", "tmp", "meta"))
    shutil.rmtree(top, ignore_errors=True)
    for d in (work, tmp, meta):
        os.makedirs(d)
    prefix = os.path.abspath(args.prefix)
    path = f"{prefix}/bin:{os.environ.get('PATH', '')}"
    majors = plugin_majors(prefix, args.triple)
    values = {"dir": work, "prefix": prefix, "triple": args.triple, "here": HERE,
              "source": os.path.abspath(args.source), "supported": ", ".join(platform_table.triples()),
              "newest_gcc": str(majors[-1]) if majors else "(none)",
              "cc": default_compiler(args.triple, majors, path)}
    substitutions = dict(values, run=args.run)

    def fill(line):
        line = repeat(line)
        for key, value in substitutions.items():
            line = line.replace("{" + key + "}", value)
        return line

    absent = " ".join(fill(a) for a in case["absent"])
    script = "\n".join(
        ["set -e -o pipefail", f"cd '{work}'"]
        + [fill(s) for s in case["setup"]]
        + [
            f"find . -mindepth 1 -print0 > '{meta}/before'",
            "set +e",
            f"( {fill(case['run'])}\n) > '{meta}/stdout' 2> '{meta}/stderr'",
            f"echo $? > '{meta}/status'",
            f"for f in {absent}; do if [ -e \"$f\" ] || [ -L \"$f\" ]; then printf '%s\\0' \"$f\"; fi; done"
            f" > '{meta}/present'",
        ]
    )
    env = dict(os.environ, PATH=path, TMPDIR=tmp, LC_ALL="C")
    for name in ("MODLINK_LAUNCHER", "MODLINK_STRICT", "MODLINK_GCC", "LD_LIBRARY_PATH"):
        env.pop(name, None)
    proc = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, errors="replace")

    print(f"catalogue: {case['case']} ({case.get('what', '')}) for {args.triple}, in {work}")
    print("--- run:", fill(case["run"]))
    if not os.path.exists(f"{meta}/status"):
        print("FAIL: the setup failed")
        show("setup stdout", proc.stdout)
        show("setup stderr", proc.stderr)
        return 1

    read = lambda name: open(f"{meta}/{name}", encoding="utf-8", errors="replace").read()
    status, out, err = int(read("status")), read("stdout"), read("stderr")
    problems = []
    want = case["exit"]
    if (want == "nonzero" and status == 0) or (want != "nonzero" and status != int(want)):
        problems.append(f"exit status {status}, expected {want}")
    if not matches(case["stderr"], err, values):
        problems.append("stderr differs")
        show("expected stderr", "".join(line + "\n" for line in case["stderr"]))
    if case["stdout"] and not matches(case["stdout"], out, values):
        problems.append("stdout differs")
        show("expected stdout", "".join(line + "\n" for line in case["stdout"]))
    for path in filter(None, read("present").split("\0")):
        problems.append(f"'{path}' exists afterwards")
    if status != 0:
        before = set(read("before").split("\0"))
        created = sorted(files_under(work) - {p[2:] for p in before})
        for path in created:
            problems.append(f"the failed command left '{path}' behind")
    for path in sorted(os.listdir(tmp)):
        problems.append(f"temporary '{path}' left in TMPDIR")

    show("stdout", out)
    show("stderr", err)
    print(f"--- exit status: {status}")
    for problem in problems:
        print("FAIL:", problem)
    if problems:
        return 1
    print(f"catalogue: {case['case']} ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
