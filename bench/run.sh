#!/usr/bin/env bash
# The benchmarks: install what is missing, build the toolkit, run every
# measurement, and write build/bench/{results.json,report.md,report.svg}.
#   bench/run.sh            the full run (about 40 minutes on 2 cores)
#   bench/run.sh --smoke    tiny counts, checks only that results.json is complete
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec python3 bench/bench.py "$@"
