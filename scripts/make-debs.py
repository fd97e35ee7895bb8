#!/usr/bin/env python3
"""Debian packages of a modlink build, split as Debian splits a toolchain.

    scripts/make-debs.py [--build DIR] [--out DIR]

DIR defaults: build/ and build/debs/.  The build must be complete
(scripts/build.sh); its install (`cmake --install`) is laid out for /usr
and cut into four packages:

  libmodlink1        the runtime of the build machine's own target, in
                     /usr/lib/<multiarch>, where its loader looks unaided
  libmodlink1-cross  the runtime of every other target, in
                     /usr/<triple>/lib, next to Debian's libc6-<arch>-cross
                     (qemu-<arch> -L /usr/<triple> finds it there)
  libmodlink-dev     modlink.h (/usr/lib/modlink/include), libmodlink.a
                     and the link-time libmodlink.so links in
                     /usr/lib/modlink/<triple>/
  modlink            the drivers, modlink-verify, the plugins for every
                     target and GCC major built, the ld script, the CMake
                     package and pkg-config files (which name them), the
                     man page, the examples (/usr/share/doc/modlink/examples)

Because each runtime lives where its target's loader searches, modlink-cc
links the packaged runtime without an rpath (modlink-cc.1, RPATH).  The
plugins load only into the GCC build they were made against, so packages
are made on the Debian release they are for (scripts/test-debs.sh makes
and tests them for bookworm and sid).  Needs dpkg-deb and dpkg-shlibdeps
(dpkg-dev).  The .deb files appear in the output directory only once all
four are made.
"""
import argparse
import gzip
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location("modlink_platform", os.path.join(ROOT, "platform", "platform.py"))
platform = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(platform)

MAINTAINER = "modlink developers <modlink-devel@lists.invalid>"
EXAMPLES = ["plugin-host", "cxx-plugin-host"]


class Failure(Exception):
    pass


def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise Failure(f"{' '.join(argv)} failed:\n{r.stderr.strip()}")
    return r.stdout


def debian_name(triple):
    """Debian spells x86_64 as x86-64 in package names."""
    return triple.replace("_", "-")


def project_version(usr):
    text = open(os.path.join(usr, "lib/cmake/modlink/modlink-config-version.cmake")).read()
    m = re.search(r'set\(PACKAGE_VERSION "([0-9.]+)"\)', text)
    if not m:
        raise Failure("cannot read the version from lib/cmake/modlink/modlink-config-version.cmake")
    return m.group(1)


def default_major(usr, triple):
    """The GCC major of the target's default plugin (lib/modlink/<triple>/modlink.so -> gcc-N/)."""
    link = os.readlink(os.path.join(usr, "lib/modlink", triple, "modlink.so"))
    m = re.match(r"gcc-(\d+)/modlink\.so$", link)
    if not m:
        raise Failure(f"lib/modlink/{triple}/modlink.so points at '{link}', not gcc-N/modlink.so")
    return m.group(1)


class Package:
    def __init__(self, work, name, arch, section, description):
        self.name, self.arch, self.section, self.description = name, arch, section, description
        self.root = os.path.join(work, name)
        self.depends, self.recommends, self.suggests = [], [], []
        self.extra_control = {}  # DEBIAN/<file>: text
        os.makedirs(self.root)

    def path(self, rel):
        return os.path.join(self.root, rel.lstrip("/"))

    def take(self, usr_root, rel, to=None):
        """Move /REL from the install tree into this package, at /TO if given."""
        dest = self.path(to or rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.rename(os.path.join(usr_root, rel.lstrip("/")), dest)

    def symlink(self, target, rel):
        dest = self.path(rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.symlink(target, dest)

    def add_copyright(self):
        doc = self.path(f"usr/share/doc/{self.name}")
        os.makedirs(doc, exist_ok=True)
        with open(os.path.join(doc, "copyright"), "w") as f:
            f.write("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
                    "Upstream-Name: modlink\n\n"
                    "Files: *\nCopyright: the modlink developers\n"
                    "License: none-granted\n"
                    " The modlink sources carry no licence yet; these packages are for\n"
                    " testing and internal deployment.\n")

    def elf_files(self):
        out = []
        for dirpath, _, files in os.walk(self.root):
            for f in files:
                p = os.path.join(dirpath, f)
                if not os.path.islink(p):
                    with open(p, "rb") as fh:
                        if fh.read(4) == b"\x7fELF":
                            out.append(p)
        return sorted(out)

    def build(self, version, out_dir):
        self.add_copyright()
        debian = self.path("DEBIAN")
        os.makedirs(debian)
        sums = []
        size = 0
        for dirpath, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if os.path.join(dirpath, d) != debian)
            for f in sorted(files):
                p = os.path.join(dirpath, f)
                size += os.lstat(p).st_size
                if not os.path.islink(p):
                    with open(p, "rb") as fh:
                        sums.append(f"{hashlib.md5(fh.read()).hexdigest()}  {os.path.relpath(p, self.root)}\n")
        with open(os.path.join(debian, "md5sums"), "w") as f:
            f.writelines(sums)
        fields = [("Package", self.name), ("Version", version), ("Architecture", self.arch),
                  ("Maintainer", MAINTAINER), ("Installed-Size", str((size + 1023) // 1024)),
                  ("Depends", ", ".join(self.depends)), ("Recommends", ", ".join(self.recommends)),
                  ("Suggests", ", ".join(self.suggests)), ("Section", self.section),
                  ("Priority", "optional"), ("Description", self.description)]
        with open(os.path.join(debian, "control"), "w") as f:
            for key, value in fields:
                if value:
                    f.write(f"{key}: {value}\n")
        for name, text in self.extra_control.items():
            with open(os.path.join(debian, name), "w") as f:
                f.write(text)
        deb = os.path.join(out_dir, f"{self.name}_{version}_{self.arch}.deb")
        run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", self.root, deb])
        return deb


def shlibs_depends(files):
    """dpkg-shlibdeps' Depends for host ELF files (it wants a debian/control)."""
    if not files:
        return []
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "debian"))
        open(os.path.join(d, "debian", "control"), "w").close()
        out = run(["dpkg-shlibdeps", "-O", "--warnings=0"] + files, cwd=d)
    m = re.search(r"^shlibs:Depends=(.*)$", out, re.M)
    return [dep.strip() for dep in m.group(1).split(",")] if m else []


# What a cross target's runtime needs, by soname: Debian's -cross packages.
CROSS_LIBRARIES = {"libc.so.6": "libc6-{arch}-cross", "libgcc_s.so.1": "libgcc-s1-{arch}-cross"}


def cross_depends(triple, runtime):
    arch = platform.field(triple, "debian_arch")
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run(["readelf", "-d", runtime]))
    deps = []
    for soname in needed:
        if soname == platform.field(triple, "loader"):
            soname = "libc.so.6"  # the loader comes with the C library
        if soname not in CROSS_LIBRARIES:
            raise Failure(f"{triple}'s runtime needs {soname}, which has no known Debian cross package")
        dep = CROSS_LIBRARIES[soname].format(arch=arch)
        if dep not in deps:
            deps.append(dep)
    return deps


def make_packages(build, out_dir):
    host_arch = run(["dpkg", "--print-architecture"]).strip()
    native = platform.native_triple()
    if native is None:
        raise Failure(f"no target of platform/targets.conf is this machine's architecture ({host_arch})")
    with tempfile.TemporaryDirectory(prefix="modlink-debs-") as work:
        install = os.path.join(work, "install")
        usr = os.path.join(install, "usr")
        run(["cmake", "--install", build, "--prefix", usr])
        version = project_version(usr)
        deb_version = f"{version}-1"
        triples = [t for t in platform.triples()
                   if os.path.isfile(os.path.join(usr, "lib/modlink", t, "libmodlink.so.1.0.0"))]
        if native not in triples:
            raise Failure(f"the build has no runtime for {native}, this machine's own target")
        cross = [t for t in triples if t != native]
        pkgs = os.path.join(work, "packages")

        runtime = Package(pkgs, "libmodlink1", host_arch, "libs",
                          "modlink runtime: the module registry and deferred calls\n"
                          " The shared runtime (libmodlink.so.1) that every program and shared\n"
                          " object built with modlink-cc or modlink-c++ loads.")
        # Not "all": which runtimes it holds depends on the build machine.
        runtime_cross = Package(pkgs, "libmodlink1-cross", host_arch, "libs",
                                "modlink runtime for cross targets\n"
                                " libmodlink.so.1 of every other target modlink builds for, in\n"
                                " /usr/<triple>/lib beside Debian's cross C libraries, where\n"
                                " qemu-<arch> -L /usr/<triple> finds it.")
        dev = Package(pkgs, "libmodlink-dev", host_arch, "libdevel",
                      "modlink development files\n"
                      " The header (modlink.h), the static runtime and the link-time\n"
                      " runtime links of every target.")
        tools = Package(pkgs, "modlink", host_arch, "devel",
                        "GCC drivers for module registration and Go-style defer\n"
                        " modlink-cc and modlink-c++ (and <triple>-modlink-cc, -c++ for cross\n"
                        " targets) drive gcc and g++ with the modlink plugin, so that every\n"
                        " program and shared object registers its modules and modlink_defer\n"
                        " calls run when their function returns; modlink-verify checks the\n"
                        " result.  With the CMake package (find_package(modlink)) and\n"
                        " pkg-config files.")

        for t in triples:
            lib = f"usr/lib/modlink/{t}"
            if t == native:
                pkg, home = runtime, f"usr/lib/{platform.field(t, 'multiarch')}"
            else:
                pkg, home = runtime_cross, f"usr/{t}/lib"
            pkg.take(install, f"{lib}/libmodlink.so.1.0.0", to=f"{home}/libmodlink.so.1.0.0")
            pkg.symlink("libmodlink.so.1.0.0", f"{home}/libmodlink.so.1")
            for name in ("libmodlink.so.1", "libmodlink.so"):
                os.remove(os.path.join(install, lib, name))
                dev.symlink(os.path.relpath(f"/{home}/libmodlink.so.1", f"/{lib}"), f"{lib}/{name}")
            dev.take(install, f"{lib}/libmodlink.a")
        runtime.depends = shlibs_depends(runtime.elf_files())
        runtime.extra_control = {"shlibs": f"libmodlink 1 libmodlink1 (>= {version})\n",
                                 "triggers": "activate-noawait ldconfig\n"}
        for t in cross:
            for dep in cross_depends(t, runtime_cross.path(f"usr/{t}/lib/libmodlink.so.1.0.0")):
                if dep not in runtime_cross.depends:
                    runtime_cross.depends.append(dep)

        dev.take(install, "usr/lib/modlink/include")
        dev.depends = [f"libmodlink1 (= {deb_version})"] + (
            [f"libmodlink1-cross (= {deb_version})"] if cross else [])

        # Everything else is the tools': drivers, plugins, ld script, man page.
        # The CMake package and pkg-config files name the drivers and plugins.
        for rel in ("usr/bin", "usr/lib/modlink", "usr/share/modlink", "usr/lib/cmake", "usr/lib/pkgconfig"):
            tools.take(install, rel)
        man = tools.path("usr/share/man/man1")
        os.makedirs(man)
        with open(os.path.join(usr, "share/man/man1/modlink-cc.1"), "rb") as src, \
                gzip.GzipFile(os.path.join(man, "modlink-cc.1.gz"), "wb", 9, mtime=0) as dst:
            shutil.copyfileobj(src, dst)
        os.remove(os.path.join(usr, "share/man/man1/modlink-cc.1"))
        for program in sorted(os.listdir(tools.path("usr/bin"))):
            if program not in ("modlink-cc", "modlink-verify"):
                tools.symlink("modlink-cc.1.gz", f"usr/share/man/man1/{program}.1.gz")
        for example in EXAMPLES:
            shutil.copytree(os.path.join(ROOT, "examples", example),
                            tools.path(f"usr/share/doc/modlink/examples/{example}"))
        leftover = [os.path.relpath(os.path.join(d, f), install)
                    for d, _, files in os.walk(install) for f in files]
        if leftover:
            raise Failure("the install has files no package takes: " + ", ".join(sorted(leftover)[:5]))
        major = default_major(tools.path("usr"), native)
        tools.depends = [f"libmodlink-dev (= {deb_version})", f"gcc-{major}", f"g++-{major}", "binutils"]
        tools.depends += [d for d in shlibs_depends(tools.elf_files()) if d not in tools.depends]
        for t in cross:
            name, arch = debian_name(t), platform.field(t, "debian_arch")
            n = default_major(tools.path("usr"), t)
            tools.recommends += [f"gcc-{n}-{name}", f"g++-{n}-{name}", f"libc6-dev-{arch}-cross"]
        if cross:
            tools.suggests = ["qemu-user"]

        staged = os.path.join(work, "debs")
        os.makedirs(staged)
        debs = [p.build(deb_version, staged) for p in (runtime, runtime_cross, dev, tools)
                if p is not runtime_cross or cross]
        os.makedirs(out_dir, exist_ok=True)
        for old in os.listdir(out_dir):  # this script's own, of any version
            if re.match(r"(libmodlink1|libmodlink1-cross|libmodlink-dev|modlink)_.*\.deb$", old):
                os.remove(os.path.join(out_dir, old))
        for deb in debs:
            shutil.move(deb, out_dir)
            print(os.path.join(out_dir, os.path.basename(deb)))


def main():
    ap = argparse.ArgumentParser(description="Make Debian packages of a modlink build.")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="the build directory (default: build)")
    ap.add_argument("--out", help="where the .deb files go (default: BUILD/debs)")
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.build, "CMakeCache.txt")):
        sys.exit(f"make-debs: {args.build} is not a modlink build directory; run scripts/build.sh first")
    for tool in ("dpkg-deb", "dpkg-shlibdeps", "cmake", "readelf"):
        if shutil.which(tool) is None:
            sys.exit(f"make-debs: {tool} not found; install the Debian package "
                     f"{'dpkg-dev' if tool == 'dpkg-shlibdeps' else 'binutils' if tool == 'readelf' else tool}")
    try:
        make_packages(os.path.abspath(args.build), os.path.abspath(args.out or os.path.join(args.build, "debs")))
    except (Failure, OSError) as e:
        sys.exit(f"make-debs: {e}")


if __name__ == "__main__":
    main()
