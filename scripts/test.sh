#!/usr/bin/env bash
# The test command: install what is missing, build, run every test with the
# GCC majors installed here (the full suite with the default compiler, the
# gcc-matrix suites with the others), then, unless it already runs in a
# chroot of scripts/in-debian.sh, the GCC matrix (scripts/gcc-matrix.sh:
# the plugin, defer and rewind-proof suites with GCC 12 to 16 but the
# host's own, in a Debian sid chroot).
#
#   scripts/test.sh                        everything
#   MODLINK_GCC_MATRIX=0 scripts/test.sh   without the sid chroot
#   scripts/test.sh -R defer               extra ctest arguments (here only)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build -j "${MODLINK_JOBS:-$(nproc)}" --output-on-failure "$@"
if [ "${MODLINK_GCC_MATRIX:-1}" != 0 ] && [ $# -eq 0 ] && [ -z "${MODLINK_IN_DEBIAN:-}" ]; then
  # The host's own GCC ran every suite above; the matrix runs the others.
  MODLINK_MATRIX_SKIP_GCC=$(gcc -dumpversion | cut -d. -f1) scripts/gcc-matrix.sh
fi
