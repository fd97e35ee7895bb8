#!/usr/bin/env python3
"""modlink's benchmarks.  Every figure is a ratio against a baseline
measured in the same run: the variants of a measurement alternate
(A, B, A, B, ...), the first round is a warm-up, and the medians of the
counted rounds are reported.

    bench/run.sh            everything (installs what it needs, builds)
    bench.py [--smoke] [--only GROUP] [--rounds N] [--out DIR]

P1 defer round trip (the build machine's own target): an open-coded
   modlink_defer (the default) vs __attribute__((cleanup)) and a direct
   call; the same function on the runtime path (compiled with
   -fplugin-arg-modlink-open-coded=off); a defer in a loop of 1 and of 8
   iterations (always the runtime path) vs Go 1.19's loop defer; Go 1.19's
   open-coded defer, gccgo, and the C2y defer TS (clang 22+ -fdefer-ts,
   when such a clang is installed); instructions per op under callgrind.
P2 modlink_find_module vs glibc's _dl_find_object (lock-free, what libgcc's
   unwinder uses), dladdr and a dl_iterate_phdr walk, with 10, 200 and
   2,000 dlopened modules: a curve.
P3 startup of a PIE linked with 10, 200 and 1,000 modlink modules vs as
   many modules with an empty constructor.
P4 the plugin's compile-time and .text overhead on sqlite3.c, for the first
   target of platform/targets.conf whose code keeps a TOC (the plugin does
   the most there: the TOC store and reload).
P5 modlink-cc vs gcc building sqlite3.c as a shared object.

Every plain gcc is the one modlink-cc drives for the target (its -###
line), so each comparison is against the same compiler.

--rounds N counts N rounds instead of 5 (a noisy machine); every counted
sample is in DIR/samples.json.

--only GROUP runs one measurement fully (defer, find_module, startup,
plugin_compile, driver) and reports only its figures.

MODLINK_BUILD (environment) is the build directory to measure, build/ by
default.

--merge DIR... writes no measurement: it reports the results of earlier
runs (each DIR's results.json and samples.json), a later DIR's groups
replacing an earlier one's, for a group measured again alone after a
full run.

--smoke uses tiny counts and a small source for P4/P5, and only checks that
results.json is complete.  It also builds P1's and P2's programs with every
target's modlink-cc and runs them as the target's tests run (natively or
under qemu), so that the benchmarks are known to work everywhere, where
their figures would mean nothing.  Writes DIR/results.json, report.md, report.svg.
"""
import argparse
import concurrent.futures
import importlib.util
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("MODLINK_BUILD") or os.path.join(ROOT, "build")  # the build measured
STAGE = os.path.join(BUILD, "prefix")
MODLINK_CC = os.path.join(STAGE, "bin", "modlink-cc")

_spec = importlib.util.spec_from_file_location("modlink_platform", os.path.join(ROOT, "platform", "platform.py"))
TABLE = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(TABLE)

# Measured when the tool is there, reported as skipped otherwise.
OPTIONAL = {"defer": ["defer_ts_ns", "defer_ts_direct_ns"]}
# A clang with the C2y defer TS (-fdefer-ts, clang 22 and later).
DEFER_TS_CLANGS = ["clang-24", "clang-23", "clang-22", "clang"]

# The module counts of P2's and P3's curves (smoke: tiny ones), and what
# P2 compares at each.
FIND_COUNTS, FIND_COUNTS_SMOKE = (10, 200, 2000), (2, 3, 5)
START_COUNTS, START_COUNTS_SMOKE = (10, 200, 1000), (2, 3, 5)
FIND_LOOKUPS = ("modlink", "dl_find_object", "dladdr", "phdr")

KEYS = {
    "defer": ["modlink_ns", "runtime_ns", "direct_ns", "cleanup_ns", "loop1_ns", "loop8_ns",
              "direct_loop8_ns", "go_open_ns", "go_loop_ns", "go_loop8_ns", "gccgo_ns",
              "modlink_instr", "runtime_instr", "cleanup_instr", "direct_instr", "loop1_instr",
              "loop8_instr"],
    "find_module": [f"{key}_{i}" for i in range(len(FIND_COUNTS))
                    for key in ("modules",) + tuple(f"{how}_ns" for how in FIND_LOOKUPS)],
    "startup": [f"{key}_{i}" for i in range(len(START_COUNTS)) for key in ("modules", "modlink_ms", "ctor_ms")],
    "plugin_compile": ["plain_s", "auto_s", "all_s", "text_plain", "text_all"],
    "driver": ["gcc_s", "modlink_s"],
}


def run(argv, **kw):
    result = subprocess.run(argv, capture_output=True, text=True, **kw)
    if result.returncode != 0:
        sys.exit(f"bench: failed: {' '.join(argv)}\n{result.stdout}{result.stderr}")
    return result


def ns_per_op(argv):
    return float(re.search(r"ns_per_op ([0-9.]+)", run(argv).stdout).group(1))


def driven(triple):
    """The gcc that TRIPLE-modlink-cc runs, and the plugin it loads (its
    -### line)."""
    out = run([os.path.join(STAGE, "bin", f"{triple}-modlink-cc"), "-###", "-c", "x.c"]).stderr
    words = shlex.split(out.splitlines()[0])
    plugin = next(w[len("-fplugin="):] for w in words if w.startswith("-fplugin="))
    return words[0], plugin


def native_gcc():
    triple = TABLE.native_triple()
    if not triple:
        sys.exit("bench: no target of platform/targets.conf runs natively here")
    return driven(triple)[0]


def timed(argv, repeat=1):
    start = time.perf_counter()
    for _ in range(repeat):
        run(argv)
    return (time.perf_counter() - start) / repeat



def gccgo_go_tool():
    """The go command that comes with gccgo (go-<N> for gccgo-<N>): a newer
    Go's own go command writes test mains that gccgo's older libgo cannot
    build (testdeps.ModulePath)."""
    major = run(["gccgo", "-dumpversion"]).stdout.strip().split(".")[0]
    tool = shutil.which(f"go-{major}")
    return tool or "go"

def runner_file(triple):
    """How the build runs a target's programs; there for each target built."""
    return os.path.join(BUILD, "target", triple, "runner.txt")


def built_triples():
    return [t for t in TABLE.triples() if os.path.exists(runner_file(t))]


class Bench:
    def __init__(self, smoke, out, rounds=None):
        self.smoke, self.out = smoke, out
        # one warm-up, then the counted rounds
        self.rounds = 2 if smoke else (rounds + 1 if rounds else 6)
        self.work = os.path.join(out, "work")
        os.makedirs(self.work, exist_ok=True)
        self.results = {group: {} for group in KEYS}
        self.groups = list(KEYS)  # the groups this run measures
        self.notes = []
        self.profile = []
        self.samples = {}  # every counted sample, for samples.json

    def alternate(self, group, variants):
        """Runs each variant once per round, in turn; the medians of the
        counted rounds."""
        samples = {name: [] for name in variants}
        for r in range(self.rounds):
            for name, measure in variants.items():
                value = measure()
                if r > 0:
                    samples[name].append(value)
        self.samples.update({f"{group}.{name}": values for name, values in samples.items()})
        return {name: statistics.median(values) for name, values in samples.items()}

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    # ---- P1 -----------------------------------------------------------
    def defer_ts_clang(self, exe):
        """Builds bench/defer_ts_bench.c with the first clang that accepts
        -fdefer-ts; that clang, or None."""
        src = os.path.join(ROOT, "bench", "defer_ts_bench.c")
        self.defer_ts_refused = []
        for clang in DEFER_TS_CLANGS:
            if not shutil.which(clang):
                continue
            result = subprocess.run([clang, "-std=c2y", "-fdefer-ts", "-O2", src, "-o", exe],
                                    capture_output=True, text=True)
            if result.returncode == 0:
                return clang
            self.defer_ts_refused.append(f"{clang}: {(result.stderr.strip().splitlines() or ['?'])[0]}")
        return None

    def defer_paths(self, flags):
        """The plugin's choice for each function of defer_bench.c (its
        -fplugin-arg-modlink-verbose lines)."""
        out = run([MODLINK_CC, "-O2", "-fplugin-arg-modlink-verbose", "-c",
                   os.path.join(ROOT, "bench", "defer_bench.c"), "-o", self.path("verbose.o")] + flags).stderr
        return [line.strip() for line in out.splitlines() if "with_" in line]

    def defer(self):
        src = os.path.join(ROOT, "bench", "defer_bench.c")
        exe, exe_rt = self.path("defer_bench"), self.path("defer_bench_runtime")
        off = ["-fplugin-arg-modlink-open-coded=off"]
        run([MODLINK_CC, "-O2", src, "-o", exe])
        run([MODLINK_CC, "-O2", src, "-o", exe_rt] + off)
        self.notes += ["", "P1: the plugin's path for each function (-fplugin-arg-modlink-verbose):", ""]
        self.notes += [f"- default build: {line}" for line in self.defer_paths([])]
        self.notes += [f"- open-coded=off build: {line}" for line in self.defer_paths(off)]
        go_env = dict(os.environ, GOCACHE=self.path("gocache"), GOPATH=self.path("gopath"),
                      GOFLAGS="-mod=mod", GO111MODULE="on", GCCGO="gccgo")
        go_dir = os.path.join(ROOT, "bench", "go")
        run(["go", "test", "-c", "-o", self.path("go.test")], cwd=go_dir, env=go_env)
        run([gccgo_go_tool(), "test", "-c", "-vet=off", "-compiler", "gccgo", "-gccgoflags=-O2",
             "-o", self.path("gccgo.test")], cwd=go_dir, env=go_env)
        ts_exe = self.path("defer_ts_bench")
        clang = self.defer_ts_clang(ts_exe)
        if clang:
            version = run([clang, "--version"]).stdout.splitlines()[0]
            self.notes += ["", f"P1: the C2y defer TS compiled by {version} (-std=c2y -fdefer-ts -O2)."]
        else:
            line = ("P1: C2y defer skipped: no clang with -fdefer-ts (clang 22 or later) is installed; "
                    f"tried {', '.join(DEFER_TS_CLANGS)}" +
                    (f" ({'; '.join(self.defer_ts_refused)})" if self.defer_ts_refused else "") + ".")
            print(f"bench: {line}", flush=True)
            self.notes += ["", line]
        # About the same time per variant: fewer calls of the 8-defer loop.
        n = 100_000 if self.smoke else 50_000_000
        n8 = n // 8

        def go(binary, bench, count=n):
            out = run([self.path(binary), "-test.run", "^$", "-test.bench", f"^{bench}$",
                       "-test.benchtime", f"{count}x"]).stdout
            return float(re.search(r"\s([0-9.]+) ns/op", out).group(1))

        variants = {
            "modlink_ns": lambda: ns_per_op([exe, "modlink", str(n)]),
            "runtime_ns": lambda: ns_per_op([exe_rt, "modlink", str(n)]),
            "direct_ns": lambda: ns_per_op([exe, "direct", str(n)]),
            "cleanup_ns": lambda: ns_per_op([exe, "cleanup", str(n)]),
            "loop1_ns": lambda: ns_per_op([exe, "loop", str(n), "1"]),
            "loop8_ns": lambda: ns_per_op([exe, "loop", str(n8), "8"]),
            "direct_loop8_ns": lambda: ns_per_op([exe, "direct-loop", str(n8), "8"]),
            "go_open_ns": lambda: go("go.test", "BenchmarkOpenDefer"),
            "go_loop_ns": lambda: go("go.test", "BenchmarkLoopDefer"),
            "go_loop8_ns": lambda: go("go.test", "BenchmarkLoopDefer8", n8),
            "gccgo_ns": lambda: go("gccgo.test", "BenchmarkOpenDefer"),
        }
        if clang:
            variants["defer_ts_ns"] = lambda: ns_per_op([ts_exe, "defer", str(n)])
            variants["defer_ts_direct_ns"] = lambda: ns_per_op([ts_exe, "direct", str(n)])
        self.results["defer"].update(self.alternate("defer", variants))
        for key, binary, argv in (("modlink", exe, ["modlink"]), ("runtime", exe_rt, ["modlink"]),
                                  ("cleanup", exe, ["cleanup"]), ("direct", exe, ["direct"]),
                                  ("loop1", exe, ["loop", "1"]), ("loop8", exe, ["loop", "8"])):
            self.results["defer"][f"{key}_instr"] = self.instructions(binary, key, argv)
        self.profile = self.callgrind_top(self.path("cg.runtime.2"))

    def callgrind(self, exe, argv, n, out):
        run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", exe, argv[0], str(n)] + argv[1:])
        return int(re.search(r"^summary: (\d+)", open(out).read(), re.M).group(1))

    def instructions(self, exe, key, argv):
        """Instructions per op: the difference between N and 2N calls."""
        n = 2000 if self.smoke else 200_000
        one = self.callgrind(exe, argv, n, self.path(f"cg.{key}.1"))
        two = self.callgrind(exe, argv, 2 * n, self.path(f"cg.{key}.2"))
        return (two - one) / n

    def callgrind_top(self, out):
        report = run(["callgrind_annotate", "--threshold=99", out]).stdout
        rows = re.findall(r"^\s*([\d,]+) \([ 0-9.]+%\)\s+\S*:(\S+) \[([^\]]*)\]", report, re.M)
        return [(int(ir.replace(",", "")), fn, os.path.basename(obj)) for ir, fn, obj in rows[:6]]

    # ---- P2, P3: many modules ------------------------------------------
    def build_modules(self, kind, count, modlink_cc=MODLINK_CC, directory=None):
        """count shared objects of one kind, in parallel."""
        directory = directory or self.path(kind)
        os.makedirs(directory, exist_ok=True)

        def build(i):
            src = os.path.join(directory, f"{kind}_{i:03d}.c")
            lib = os.path.join(directory, f"lib{kind}_{i:03d}.so")
            body = {"find": f"int find_fn_{i:03d}(int x) {{ return x + {i}; }}\n",
                    "start": f"int start_fn_{i:03d}(void) {{ return {i}; }}\n",
                    "ctor": f"static void __attribute__((constructor)) init_{i:03d}(void) {{}}\n"
                            f"int start_fn_{i:03d}(void) {{ return {i}; }}\n"}[kind]
            with open(src, "w") as f:
                f.write(body)
            cc = [native_gcc()] if kind == "ctor" else [modlink_cc]
            run(cc + ["-O2", "-fPIC", "-shared", src, "-o", lib])

        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(build, range(count)))
        return directory

    def find_module(self):
        counts = FIND_COUNTS_SMOKE if self.smoke else FIND_COUNTS
        directory = self.build_modules("find", max(counts))
        exe = self.path("find_bench")
        run([MODLINK_CC, "-O2", os.path.join(ROOT, "bench", "find_bench.c"), "-o", exe, "-ldl"])
        n = str(10_000 if self.smoke else 5_000_000)
        for i, count in enumerate(counts):
            # the walk grows with the modules: fewer of its lookups
            walk_n = str(max(int(n) // count, 1000))
            self.results["find_module"][f"modules_{i}"] = count
            self.results["find_module"].update(self.alternate(f"find_module_{count}", {
                f"{how}_ns_{i}": (lambda how=how: ns_per_op([exe, how, walk_n if how == "phdr" else n,
                                                              directory, str(count)]))
                for how in FIND_LOOKUPS}))

    # ---- smoke: every target -------------------------------------------
    def every_target(self):
        """P1's and P2's programs for each target built, run with its runner."""
        for triple in TABLE.triples():
            if triple not in built_triples():
                print(f"bench: {triple}: left out of this build (-DMODLINK_TRIPLES)", flush=True)
                continue
            cc = os.path.join(STAGE, "bin", f"{triple}-modlink-cc")
            with open(runner_file(triple)) as f:
                runner = shlex.split(f.read())
            work = self.path("targets", triple)
            os.makedirs(work, exist_ok=True)
            defer_exe, find_exe = os.path.join(work, "defer_bench"), os.path.join(work, "find_bench")
            defer_rt = os.path.join(work, "defer_bench_runtime")
            run([cc, "-O2", os.path.join(ROOT, "bench", "defer_bench.c"), "-o", defer_exe])
            run([cc, "-O2", os.path.join(ROOT, "bench", "defer_bench.c"), "-o", defer_rt,
                 "-fplugin-arg-modlink-open-coded=off"])
            run([cc, "-O2", os.path.join(ROOT, "bench", "find_bench.c"), "-o", find_exe, "-ldl"])
            modules = self.build_modules("find", 2, cc, os.path.join(work, "find"))
            for variant in ("modlink", "direct", "cleanup"):
                ns_per_op(runner + [defer_exe, variant, "1000"])
            ns_per_op(runner + [defer_rt, "modlink", "1000"])
            for variant in ("loop", "direct-loop"):
                ns_per_op(runner + [defer_exe, variant, "1000", "8"])
            for variant in FIND_LOOKUPS:
                ns_per_op(runner + [find_exe, variant, "100", modules, "2"])
            print(f"bench: {triple}: P1 and P2 programs run", flush=True)

    def startup(self):
        counts = START_COUNTS_SMOKE if self.smoke else START_COUNTS
        directories = {kind: self.build_modules(kind, max(counts)) for kind in ("start", "ctor")}
        repeat = 2 if self.smoke else 20
        for i, count in enumerate(counts):
            programs = {}
            for kind, cc in (("start", MODLINK_CC), ("ctor", native_gcc())):
                main = self.path(f"main_{kind}_{count}.c")
                with open(main, "w") as f:
                    f.write("".join(f"int start_fn_{k:03d}(void);\n" for k in range(count)))
                    f.write("int main(void) {\n  int s = 0;\n")
                    f.write("".join(f"  s += start_fn_{k:03d}();\n" for k in range(count)))
                    f.write(f"  return s != {sum(range(count))};\n}}\n")
                exe = self.path(f"startup_{kind}_{count}")
                run([cc, "-O2", "-fPIE", "-pie", main, "-o", exe, f"-L{directories[kind]}",
                     f"-Wl,-rpath,{directories[kind]}"] + [f"-l{kind}_{k:03d}" for k in range(count)])
                programs[kind] = exe
            self.results["startup"][f"modules_{i}"] = count
            self.results["startup"].update(self.alternate(f"startup_{count}", {
                f"modlink_ms_{i}": lambda: timed([programs["start"]], repeat) * 1e3,
                f"ctor_ms_{i}": lambda: timed([programs["ctor"]], repeat) * 1e3,
            }))

    # ---- P4, P5: sqlite3.c ----------------------------------------------
    def source(self):
        if self.smoke:
            src = self.path("small.c")
            with open(src, "w") as f:
                f.write("".join(f"int f{i}(int *p, int n) {{ int s = 0; for (int k = 0; k < n; k++) "
                                f"s += p[k] * {i}; return s; }}\n" for i in range(200)))
            return src
        directory = self.path("sqlite")
        run([os.path.join(ROOT, "scripts", "fetch-sqlite.sh"), directory])
        src = os.path.join(directory, "sqlite3.c")
        return src

    def plugin_compile(self, src):
        triple = next((t for t in built_triples() if TABLE.has(t, "toc")), TABLE.native_triple())
        gcc, plugin = driven(triple)
        self.notes += ["", f"P4 compiles for {triple}, with {gcc}."]
        flags = {"plain": [], "auto": [f"-fplugin={plugin}"],
                 "all": [f"-fplugin={plugin}", "-fplugin-arg-modlink-toc-save=all"]}

        def compile(variant):
            return timed([gcc, "-O2", "-fPIC", "-c", src, "-o", self.path(f"sqlite_{variant}.o")] + flags[variant])

        self.results["plugin_compile"].update(self.alternate(
            "plugin_compile", {f"{v}_s": (lambda v=v: compile(v)) for v in flags}))
        for variant in ("plain", "all"):
            sizes = run([f"{triple}-size", "-A", self.path(f"sqlite_{variant}.o")]).stdout
            self.results["plugin_compile"][f"text_{variant}"] = int(re.search(r"^\.text\s+(\d+)", sizes, re.M).group(1))

    def driver(self, src):
        common = ["-O2", "-fPIC", "-shared", src, "-lpthread", "-ldl", "-lm"]
        gcc = native_gcc()
        self.results["driver"].update(self.alternate("driver", {
            "gcc_s": lambda: timed([gcc] + common + ["-o", self.path("libsqlite_gcc.so")]),
            "modlink_s": lambda: timed([MODLINK_CC] + common + ["-o", self.path("libsqlite_modlink.so")]),
        }))

    # ---- the report -----------------------------------------------------
    def figures(self):
        """(name, value, unit, baseline name, baseline value, goal text, goal ratio or None, met),
        for the groups measured."""
        d, f, s, p, r = (self.results[k] for k in ("defer", "find_module", "startup", "plugin_compile", "driver"))
        rows = []
        if d:
            rows += [
                ("P1 open-coded defer vs cleanup attribute", d["modlink_ns"], "ns", "__attribute__((cleanup))",
                 d["cleanup_ns"], "<= 1.1x", 1.1),
                ("P1 open-coded defer vs direct call", d["modlink_ns"], "ns", "direct call", d["direct_ns"], "", None),
                ("P1 open-coded defer vs Go open-coded", d["modlink_ns"], "ns", "Go 1.19 open-coded defer",
                 d["go_open_ns"], "<= 1.5x", 1.5),
                ("P1 open-coded defer vs gccgo", d["modlink_ns"], "ns", "gccgo defer", d["gccgo_ns"], "< 1x", 1.0),
                ("P1 runtime-path defer vs open-coded", d["runtime_ns"], "ns", "open-coded defer", d["modlink_ns"],
                 "", None),
                ("P1 runtime-path defer vs cleanup attribute", d["runtime_ns"], "ns", "__attribute__((cleanup))",
                 d["cleanup_ns"], "", None),
                ("P1 loop defer, 1 iteration, vs Go", d["loop1_ns"], "ns", "Go 1.19 defer in a loop, 1 iteration",
                 d["go_loop_ns"], "<= 0.5x", 0.5),
                ("P1 loop defer, 8 iterations, vs Go", d["loop8_ns"], "ns", "Go 1.19 defer in a loop, 8 iterations",
                 d["go_loop8_ns"], "<= 0.5x", 0.5),
                ("P1 loop defer, 8 iterations, vs direct calls", d["loop8_ns"], "ns", "8 direct calls in a loop",
                 d["direct_loop8_ns"], "", None),
            ]
            if "defer_ts_ns" in d:
                rows += [
                    ("P1 open-coded defer vs C2y defer (clang)", d["modlink_ns"], "ns", "clang -fdefer-ts defer",
                     d["defer_ts_ns"], "", None),
                    ("P1 C2y defer (clang) vs its direct call", d["defer_ts_ns"], "ns", "clang direct call",
                     d["defer_ts_direct_ns"], "", None),
                ]
            rows += [
                ("P1 instructions per op, open-coded", d["modlink_instr"], "instr", "cleanup attribute",
                 d["cleanup_instr"], "", None),
                ("P1 instructions per op, runtime path", d["runtime_instr"], "instr", "cleanup attribute",
                 d["cleanup_instr"], "", None),
                ("P1 instructions per op, loop of 8", d["loop8_instr"], "instr", "cleanup attribute",
                 d["cleanup_instr"], "", None),
            ]
        for i in range(len(FIND_COUNTS)) if f else ():
            count = f[f"modules_{i}"]
            rows += [
                (f"P2 find_module, {count} modules, vs _dl_find_object", f[f"modlink_ns_{i}"], "ns",
                 "_dl_find_object", f[f"dl_find_object_ns_{i}"], "<= 0.8x", 0.8),
                (f"P2 find_module, {count} modules, vs dladdr", f[f"modlink_ns_{i}"], "ns", "dladdr",
                 f[f"dladdr_ns_{i}"], "", None),
                (f"P2 find_module, {count} modules, vs a dl_iterate_phdr walk", f[f"modlink_ns_{i}"], "ns",
                 "dl_iterate_phdr walk", f[f"phdr_ns_{i}"], "", None),
            ]
        for i in range(len(START_COUNTS)) if s else ():
            rows.append((f"P3 startup, {s[f'modules_{i}']} modules", s[f"modlink_ms_{i}"], "ms",
                         "empty constructors", s[f"ctor_ms_{i}"], "<= 1.02x", 1.02))
        if p:
            rows += [
                ("P4 compile time, toc-save=auto", p["auto_s"], "s", "no plugin", p["plain_s"], "<= 1.01x", 1.01),
                ("P4 compile time, toc-save=all", p["all_s"], "s", "no plugin", p["plain_s"], "<= 1.02x", 1.02),
                ("P4 .text size, toc-save=all", p["text_all"], "bytes", "no plugin", p["text_plain"], "<= 1.015x",
                 1.015),
            ]
        if r:
            rows.append(("P5 modlink-cc vs gcc, shared object", r["modlink_s"], "s", "gcc", r["gcc_s"], "<= 1.02x",
                         1.02))
        return [(n, v, u, bn, bv, g, gr, None if gr is None else v / bv <= gr) for n, v, u, bn, bv, g, gr in rows]

    def machine(self):
        model = "unknown CPU"
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        return f"{model}, {os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}"

    def write(self):
        missing = [f"{g}.{k}" for g, keys in KEYS.items() if g in self.groups for k in keys
                   if not isinstance(self.results[g].get(k), (int, float))]
        if missing:
            sys.exit("bench: results incomplete: " + ", ".join(missing))
        with open(os.path.join(self.out, "results.json"), "w") as f:
            json.dump({g: v for g, v in self.results.items() if g in self.groups}, f, indent=2, sort_keys=True)
        with open(os.path.join(self.out, "samples.json"), "w") as f:
            json.dump(self.samples, f, indent=1, sort_keys=True)
        rows = self.figures()
        date = time.strftime("%Y-%m-%d")
        lines = [f"# modlink benchmarks{' (smoke: tiny counts, numbers meaningless)' if self.smoke else ''}", "",
                 f"{date}, {self.machine()}.", "",
                 f"Medians of {self.rounds - 1} counted rounds after a warm-up; the variants of each "
                 "measurement alternate within every round.", "",
                 "| figure | value | baseline | baseline value | ratio | goal | met |",
                 "|---|---|---|---|---|---|---|"]
        for name, v, unit, bname, bv, goal, _, met in rows:
            lines.append(f"| {name} | {v:.4g} {unit} | {bname} | {bv:.4g} {unit} | {v / bv:.3f} | {goal} | "
                         f"{'' if met is None else 'yes' if met else 'no'} |")
        if self.samples:
            lines += ["", "The spread of the counted samples (min, median, max):", ""]
            lines += [f"- {key}: {min(v):.4g}, {statistics.median(v):.4g}, {max(v):.4g}"
                      for key, v in sorted(self.samples.items())]
        if self.profile:
            lines += ["", "Where the runtime-path defer's time goes (callgrind, open-coded=off build, "
                      "2N calls, instructions):", ""]
            lines += [f"- {ir:,} in {fn} ({obj})" for ir, fn, obj in self.profile]
        lines += self.notes
        with open(os.path.join(self.out, "report.md"), "w") as f:
            f.write("\n".join(lines) + "\n")
        self.chart(rows)

    def chart(self, rows):
        width, bar_left, scale = 900, 330, 120
        height = 40 + 30 * len(rows)
        parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>",
                 f"<rect width='{width}' height='{height}' fill='white'/>",
                 "<text x='10' y='22' font-family='sans-serif' font-size='14' font-weight='bold'>"
                 "modlink benchmarks: ratio to the baseline (log scale; the line is 1x, ticks are goals)</text>"]
        import math
        one = bar_left + 3 * scale
        for k, (name, v, _, bname, bv, _, goal, met) in enumerate(rows):
            y = 40 + 30 * k
            ratio = v / bv
            x = one + scale * math.log10(max(ratio, 1e-3))
            colour = "#888" if met is None else "#2e7d32" if met else "#c62828"
            left, right = sorted((one, x))
            parts.append(f"<text x='10' y='{y + 15}' font-family='sans-serif' font-size='12'>{name}</text>")
            parts.append(f"<rect x='{left:.1f}' y='{y + 4}' width='{max(right - left, 1):.1f}' height='16' "
                         f"fill='{colour}'/>")
            parts.append(f"<text x='{max(right, one) + 6:.1f}' y='{y + 16}' font-family='sans-serif' "
                         f"font-size='11'>{ratio:.3g}x</text>")
            if goal:
                gx = one + scale * math.log10(goal)
                parts.append(f"<line x1='{gx:.1f}' y1='{y + 1}' x2='{gx:.1f}' y2='{y + 23}' stroke='black' "
                             "stroke-width='2'/>")
        parts.append(f"<line x1='{one}' y1='30' x2='{one}' y2='{height - 5}' stroke='#444' stroke-dasharray='3'/>")
        parts.append("</svg>")
        with open(os.path.join(self.out, "report.svg"), "w") as f:
            f.write("\n".join(parts) + "\n")


def merge(bench, dirs):
    """BENCH's results are those of the runs in DIRS: a later run's groups
    replace an earlier one's, with their samples."""
    def group_of(sample):  # "find_module_200.modlink_ns_1" -> "find_module"
        return sample.split(".")[0].rstrip("_0123456789")

    bench.groups = []
    for d in dirs:
        try:
            with open(os.path.join(d, "results.json")) as f:
                results = json.load(f)
            with open(os.path.join(d, "samples.json")) as f:
                samples = json.load(f)
        except (OSError, ValueError) as e:
            sys.exit(f"bench: cannot read the results in {d}: {e}")
        for group, values in results.items():
            if group not in KEYS:
                sys.exit(f"bench: {d}/results.json: unknown group '{group}'")
            bench.results[group] = values
            if group not in bench.groups:
                bench.groups.append(group)
            bench.samples = {k: v for k, v in bench.samples.items() if group_of(k) != group}
            bench.samples.update({k: v for k, v in samples.items() if group_of(k) == group})
        bench.notes += ["", f"{', '.join(results)}: from the run in {d}."]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--only", choices=list(KEYS), help="run only this measurement")
    parser.add_argument("--rounds", type=int, help="counted rounds (default 5; smoke: 1)")
    parser.add_argument("--out", default=os.path.join(BUILD, "bench"))
    parser.add_argument("--merge", nargs="+", metavar="DIR", help="report earlier runs' results, measuring nothing")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    bench = Bench(args.smoke, args.out, args.rounds)
    if args.merge:
        merge(bench, args.merge)
        bench.write()
        print(open(os.path.join(args.out, "report.md")).read())
        return
    if args.only:
        bench.groups = [args.only]
    steps = [("defer", "P1 defer", bench.defer), ("find_module", "P2 find_module", bench.find_module),
             ("startup", "P3 startup", bench.startup)]
    for group, name, step in steps:
        if group in bench.groups:
            print(f"bench: {name}", flush=True)
            step()
    if args.smoke and not args.only:
        print("bench: every target", flush=True)
        bench.every_target()
    if "plugin_compile" in bench.groups or "driver" in bench.groups:
        src = bench.source()
        if "plugin_compile" in bench.groups:
            print("bench: P4 plugin compile time", flush=True)
            bench.plugin_compile(src)
        if "driver" in bench.groups:
            print("bench: P5 driver overhead", flush=True)
            bench.driver(src)
    bench.write()
    print(open(os.path.join(args.out, "report.md")).read())
    print(f"bench: results complete in {args.out}")


if __name__ == "__main__":
    main()
