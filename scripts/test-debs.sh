#!/usr/bin/env bash
# Make modlink's Debian packages for a Debian release, then install, use
# and remove them in a clean chroot of that release.
#
#   scripts/test-debs.sh [SUITE...]          default: bookworm sid
#   scripts/test-debs.sh --debs DIR SUITE    test the .deb files in DIR
#
# The packages come from scripts/make-debs.py over build-debs/, a build
# with -DMODLINK_TESTS=OFF for every GCC major the suite has.  They are
# made on this machine when it runs SUITE, else in scripts/in-debian.sh's
# chroot of SUITE, because a plugin loads only into the GCC it was built
# against.  tests/packages/inside.sh then tests them in a throwaway chroot
# with nothing but apt (scripts/in-debian.sh --clean).  Needs root and
# deb.debian.org, as scripts/in-debian.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "test-debs: $*" >&2; exit 2; }
debs=
if [ "${1:-}" = --debs ]; then
  [ $# -eq 3 ] || die "usage: scripts/test-debs.sh --debs DIR SUITE"
  debs=$(cd "$2" && pwd) || die "$2: no such directory"
  shift 2
fi
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm sid)
chroots=${MODLINK_CHROOTS:-$HOME/.cache/modlink/chroots}

host_suite() { (. /etc/os-release && echo "${VERSION_CODENAME:-}"); }

# Prints the directory that holds SUITE's packages.
make_debs() {
  local suite=$1 versions
  versions=$(scripts/in-debian.sh --gcc-versions "$suite")
  # build-debs/debs is emptied first: a failed step must not leave the
  # last run's packages to be tested.
  local build=(bash -c 'rm -rf build-debs/debs &&
               cmake -S . -B build-debs -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMODLINK_TESTS=OFF \
                 "-DMODLINK_GCC_VERSIONS=$1" >/dev/null &&
               cmake --build build-debs -j "${MODLINK_JOBS:-$(nproc)}" >/dev/null &&
               python3 scripts/make-debs.py --build build-debs --out build-debs/debs >&2' \
               make-debs "${versions// /;}")
  if [ "$suite" != sid ] && [ "$(host_suite)" = "$suite" ]; then
    echo "test-debs: making the $suite packages here (build-debs/)" >&2
    MODLINK_GCC_VERSIONS=$versions scripts/bootstrap.sh >&2 || return 1
    "${build[@]}" || return 1
    echo "$PWD/build-debs/debs"
  else
    echo "test-debs: making the $suite packages in its chroot (/src/build-debs/)" >&2
    scripts/in-debian.sh "$suite" bash -c 'scripts/bootstrap.sh >/dev/null && "$@"' bootstrap "${build[@]}" ||
      return 1
    echo "$chroots/$suite/src/build-debs/debs"
  fi
}

status=0
for suite in "${suites[@]}"; do
  dir=$debs
  if [ -z "$dir" ] && ! dir=$(make_debs "$suite"); then
    echo "test-debs: $suite: FAILED (making the packages)"
    status=1
    continue
  fi
  compgen -G "$dir/*.deb" >/dev/null || die "no .deb files in $dir"
  echo "test-debs: testing $(cd "$dir" && echo *.deb) in a clean $suite chroot" >&2
  if scripts/in-debian.sh --clean --bind "$dir:/debs" "$suite" tests/packages/inside.sh /debs; then
    echo "test-debs: $suite: OK"
  else
    echo "test-debs: $suite: FAILED"
    status=1
  fi
done
exit $status
