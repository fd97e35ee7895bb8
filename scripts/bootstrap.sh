#!/usr/bin/env bash
# Install the Debian packages modlink needs, if any are missing.
#
#   scripts/bootstrap.sh          install what is missing (needs root or sudo)
#   scripts/bootstrap.sh --check  only report; exit 1 if anything is missing
#
# Idempotent: with everything installed it prints nothing and does nothing.
# Where it cannot install, it prints one line naming the missing packages.
set -euo pipefail

packages=(
  # host toolchain and build
  g++ gcc-12 gcc-12-plugin-dev cmake ninja-build make pkg-config python3 ccache
  binutils file
  # cross toolchains, their plugin headers and C libraries
  gcc-12-i686-linux-gnu g++-12-i686-linux-gnu gcc-12-plugin-dev-i686-linux-gnu
  binutils-i686-linux-gnu libc6-dev-i386-cross
  # the i686 loader and C library, to run i686 programs natively where the
  # kernel can (threaded tests: qemu-i386 hangs in threaded programs)
  libc6-i386
  gcc-12-powerpc64le-linux-gnu g++-12-powerpc64le-linux-gnu
  gcc-12-plugin-dev-powerpc64le-linux-gnu binutils-powerpc64le-linux-gnu
  libc6-dev-ppc64el-cross
  # running the cross targets, tests, linkers
  qemu-user libboost-test-dev lld
  # fuzzing: libFuzzer and the sanitizers (fuzz/)
  clang-14 libclang-rt-14-dev
  # benchmarks: Go 1.19 and gccgo baselines, instruction counts
  golang-go gccgo-12 valgrind
  # reliability: sqlite3.c from the npm registry
  npm
)

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

if [ "${1:-}" = "--check" ]; then
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
