#!/usr/bin/env bash
# Install what is missing, then configure and build everything into build/
# (the install layout is staged at build/prefix).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
jobs=${MODLINK_JOBS:-$(nproc)}
[ -f build/CMakeCache.txt ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
