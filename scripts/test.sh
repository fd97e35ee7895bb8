#!/usr/bin/env bash
# The test command: install what is missing, build, run every test with the
# host's GCC, then the GCC matrix (scripts/gcc-matrix.sh: the plugin, defer
# and rewind-proof suites with GCC 12 to 16, in a Debian sid chroot).
#
#   scripts/test.sh                  everything
#   MODLINK_GCC_MATRIX=0 scripts/test.sh   the host's GCC only
#   scripts/test.sh -R defer         extra ctest arguments (host only)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build -j "${MODLINK_JOBS:-$(nproc)}" --output-on-failure "$@"
if [ "${MODLINK_GCC_MATRIX:-1}" != 0 ] && [ $# -eq 0 ]; then
  scripts/gcc-matrix.sh
fi
