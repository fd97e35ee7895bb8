#!/usr/bin/env bash
# Install what is missing, then configure and build everything into build/
# (the install layout is staged at build/prefix).
#
#   MODLINK_GCC_VERSIONS="13 14"  build for these GCC majors only (of those
#                                 installed); default: every one installed
#   MODLINK_JOBS=N                parallel jobs (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
jobs=${MODLINK_JOBS:-$(nproc)}
configure=(cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ -n "${MODLINK_GCC_VERSIONS:-}" ]; then
  versions=$(echo $MODLINK_GCC_VERSIONS)  # words, one space apart
  "${configure[@]}" "-DMODLINK_GCC_VERSIONS=${versions// /;}" >/dev/null
elif [ ! -f build/CMakeCache.txt ]; then
  "${configure[@]}" >/dev/null
fi
cmake --build build -j "$jobs"
