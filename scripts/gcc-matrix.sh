#!/usr/bin/env bash
# Every GCC major from 12 to 16: in a Debian sid chroot (scripts/in-debian.sh),
# build modlink with a plugin for each, and run the suites labelled
# gcc-matrix: the host plugin suites (asm-shape, plugin-options,
# defer-lowering) against every compiler, and the defer and rewind-proof
# suites of every target with every compiler (the ppc64le negative
# controls included).
#
#   scripts/gcc-matrix.sh            sid, every suite of the label
#   scripts/gcc-matrix.sh -R defer   extra ctest arguments
#   MODLINK_MATRIX_SKIP_GCC=12 scripts/gcc-matrix.sh
#                                    all but GCC 12 (scripts/test.sh skips
#                                    the major its host run already tested)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${MODLINK_IN_DEBIAN:-}" ]; then
  echo "gcc-matrix: already in the $MODLINK_IN_DEBIAN chroot; here run: scripts/build.sh && ctest --test-dir build -L gcc-matrix" >&2
  exit 2
fi
suite=${MODLINK_MATRIX_SUITE:-sid}
if [ -n "${MODLINK_MATRIX_SKIP_GCC:-}" ]; then
  versions=
  for n in $(scripts/in-debian.sh --gcc-versions "$suite"); do
    [[ " $MODLINK_MATRIX_SKIP_GCC " == *" $n "* ]] || versions+="${versions:+ }$n"
  done
  export MODLINK_GCC_VERSIONS=$versions
fi
exec scripts/in-debian.sh "$suite" bash -c \
  'scripts/build.sh && ctest --test-dir build -L gcc-matrix -j "${MODLINK_JOBS:-$(nproc)}" --output-on-failure "$@"' \
  gcc-matrix "$@"
