#!/usr/bin/env bash
# Install the Debian packages modlink needs, if any are missing.
#
#   scripts/bootstrap.sh          install what is missing (needs root or sudo)
#   scripts/bootstrap.sh --check  only report; exit 1 if anything is missing
#   scripts/bootstrap.sh --list   print the packages it wants, one a line
#
# Which GCC majors: MODLINK_GCC_VERSIONS (say "12 13 14"), or
# --gcc-versions=12,13,14; default: the major of the distribution's default
# gcc.  For each one it installs gcc-N, its plugin headers and, for every
# target of platform/targets.conf that is not the host's, the cross
# compilers, binutils and C library.
#
# Idempotent: with everything installed it prints nothing and does nothing.
# Where it cannot install, it prints one line naming the missing packages.
set -euo pipefail
source "$(dirname "$0")/platform.sh"

mode=install
versions=${MODLINK_GCC_VERSIONS:-}
for arg in "$@"; do
  case $arg in
    --check) mode=check ;;
    --list) mode=list ;;
    --gcc-versions=*) versions=${arg#--gcc-versions=}; versions=${versions//,/ } ;;
    *) echo "modlink bootstrap: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

# The major of the distribution's default gcc: the installed one, else the
# gcc-N that Debian's "gcc" package depends on.
default_gcc_major() {
  if command -v gcc >/dev/null; then
    gcc -dumpversion | cut -d. -f1
  else
    apt-cache depends gcc 2>/dev/null | sed -n 's/^ *Depends: gcc-\([0-9][0-9]*\)$/\1/p' | head -n1
  fi
}
if [ -z "$versions" ]; then
  versions=$(default_gcc_major)
  [ -n "$versions" ] || { echo "modlink bootstrap: cannot tell the default gcc's version; set MODLINK_GCC_VERSIONS" >&2; exit 1; }
fi
for n in $versions; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "modlink bootstrap: bad GCC version '$n' in '$versions'" >&2; exit 2; }
done

host_arch=$(dpkg --print-architecture)
packages=(
  # host toolchain and build (the host g++ builds every plugin)
  g++ cmake ninja-build make pkg-config python3 ccache binutils file
  # the Debian packages (scripts/make-debs.py)
  dpkg-dev
  # distributed builds (tests/distributed/icecc.sh)
  icecc iproute2
  # running the cross targets, tests, linkers
  qemu-user libboost-test-dev lld
  # fuzzing: libFuzzer and the sanitizers (fuzz/)
  clang libclang-rt-dev
  # benchmarks: Go and gccgo baselines, instruction counts
  golang-go gccgo valgrind
  # reliability: sqlite3.c from the npm registry
  npm
)
# benchmarks: the C2y defer TS (clang 22 and later, -fdefer-ts), where this
# machine's distribution has it; P1 reports the variant as skipped without
# it.  Not in --list, which names packages for other suites' chroots.
if [ "$mode" != list ] && apt-cache show clang-22 >/dev/null 2>&1; then
  packages+=(clang-22)
fi
for triple in $(platform_triples); do
  debian_arch=$(platform_field "$triple" debian_arch)
  if [ "$debian_arch" = "$host_arch" ]; then
    for n in $versions; do packages+=("gcc-$n" "g++-$n" "gcc-$n-plugin-dev"); done
  else
    pt=${triple//_/-}  # Debian's package names spell x86_64 as x86-64
    packages+=("binutils-$pt" "libc6-dev-$debian_arch-cross")
    for n in $versions; do packages+=("gcc-$n-$pt" "g++-$n-$pt" "gcc-$n-plugin-dev-$pt"); done
  fi
done

if [ $mode = list ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

# A package whose command is already on PATH from another source (npm
# comes with some nodejs builds) counts as present.
provided_by_path() {
  case $1 in
    npm) command -v npm >/dev/null ;;
    *) return 1 ;;
  esac
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || provided_by_path "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ $mode = check ]; then
  echo "modlink bootstrap: missing Debian packages: ${missing[*]}" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
  echo "modlink bootstrap: cannot install (not root, no sudo); missing Debian packages: ${missing[*]}" >&2
  exit 1
fi

echo "modlink bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { "${sudo[@]}" apt-get update -qq && \
       "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -n 5 "$log" >&2
  rm -f "$log"
  echo "modlink bootstrap: apt-get failed; missing Debian packages: ${missing[*]}" >&2
  exit 1
fi
rm -f "$log"
