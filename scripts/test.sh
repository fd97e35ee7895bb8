#!/usr/bin/env bash
# The test command: install what is missing, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --test-dir build -j "${MODLINK_JOBS:-$(nproc)}" --output-on-failure "$@"
