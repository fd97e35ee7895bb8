#!/usr/bin/env bash
# The full stress runs (R2): tests/stress with 10,000 dlopen/dlclose
# cycles, plainly, under AddressSanitizer + LeakSanitizer and under
# ThreadSanitizer, one after the other, on each target where the
# sanitizers run (the "sanitizers" capability of platform/targets.conf).
# ctest runs the same tests with fewer cycles; this passes STRESS_CYCLES to
# them, so the sanitizer options and the pass/fail rules are the ones of
# tests/stress/CMakeLists.txt.
#
#   scripts/stress.sh [BUILD_DIR]     (default build/, built with scripts/build.sh)
#
# STRESS_CYCLES=N changes the count.  Prints each test's summary line, its
# wall time and the number of sanitizer reports, and exits non-zero if any
# run failed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
if [ "$build" = build ]; then
  scripts/build.sh
else
  cmake --build "$build" -j "${MODLINK_JOBS:-$(nproc)}"
fi
cycles=${STRESS_CYCLES:-10000}
source scripts/platform.sh
tests=()
for triple in $(platform_triples); do
  platform_has "$triple" sanitizers || continue
  for variant in plain asan tsan; do tests+=("$triple/stress/$variant"); done
done
status=0
for test in "${tests[@]}"; do
  start=$(date +%s%N)
  if out=$(STRESS_CYCLES=$cycles ctest --test-dir "$build" -R "^$test\$" -V 2>&1); then
    result=PASSED
  else
    result=FAILED
    status=1
  fi
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if ! grep -q "Test #.*$test" <<<"$out"; then
    result="FAILED (no such test in $build)"
    status=1
  fi
  reports=$(grep -cE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|WARNING: ThreadSanitizer' <<<"$out" || true)
  summary=$(grep -oE 'stress: [0-9]+ cycles, .*' <<<"$out" || echo "no summary line")
  printf '%s: %s, wall %d.%01d s, %s sanitizer reports\n  %s\n' "$test" "$result" \
    $((ms / 1000)) $((ms % 1000 / 100)) "$reports" "$summary"
  [ "$result" = PASSED ] || grep -E 'FAIL|Sanitizer' <<<"$out" | head -20
done
exit $status
