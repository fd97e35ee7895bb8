#!/usr/bin/env bash
# The benchmarks: install what is missing, build the toolkit, run every
# measurement, and write build/bench/{results.json,report.md,report.svg}.
#   bench/run.sh            the full run (about 40 minutes on 2 cores)
#   bench/run.sh --smoke    tiny counts, checks only that results.json is complete
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
# sqlite3.c comes from the npm registry (the full run only).
if [ "${1:-}" != --smoke ] && ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y npm; else sudo apt-get install -y npm; fi
fi
exec python3 bench/bench.py "$@"
