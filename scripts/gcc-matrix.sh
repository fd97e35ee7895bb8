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
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/in-debian.sh "${MODLINK_MATRIX_SUITE:-sid}" bash -c \
  'scripts/build.sh && ctest --test-dir build -L gcc-matrix -j "${MODLINK_JOBS:-$(nproc)}" --output-on-failure "$@"' \
  gcc-matrix "$@"
