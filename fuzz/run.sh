#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ and checks what they leave behind.
#
#   fuzz/run.sh [--full] [--build DIR] [--seconds N] [--triples T[=GCC],...] [STEP...]
#
# STEP is one of (default: all four, in this order):
#   driver, stubgen  fuzz that target, starting from fuzz/corpus/<target> and
#                    growing the working corpus DIR/corpus/<target>
#                    (libFuzzer adds one input per new coverage); for N
#                    seconds (default 50), or with --full for 1,000,000
#                    executions
#   assemble         the stub generator's seeds, working corpus and
#                    regressions through each target's assembler (stubgen_assemble)
#   regressions      every input under fuzz/regressions/<target>/ run once
#
# --triples: the targets whose assemblers check the corpus, each with its
# default compiler (default: every target of platform/targets.conf, with
# <triple>-gcc or else its newest <triple>-gcc-N).
# DIR is the fuzz build (default: build/fuzz, the superbuild's).  A crash
# is saved under DIR/artifacts/<target>/ and the step fails, naming it.
# Each fuzz step ends with one line: executions, seconds, corpus size, crashes.
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
build=$src/../build/fuzz
seconds=50
full=0
triples=
steps=()
while [ $# -gt 0 ]; do
  case $1 in
    --full) full=1 ;;
    --build) build=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --triples) triples=$2; shift ;;
    driver|stubgen|assemble|regressions) steps+=("$1") ;;
    *) echo "fuzz/run.sh: error: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
[ ${#steps[@]} -gt 0 ] || steps=(driver stubgen assemble regressions)
build=$(cd "$build" && pwd)

# The table's targets that have a compiler here, as TRIPLE=COMPILER.
default_triples() {
  source "$src/../scripts/platform.sh"
  local triple n list=()
  for triple in $(platform_triples); do
    if command -v "$triple-gcc" >/dev/null; then
      list+=("$triple=$triple-gcc")
      continue
    fi
    n=$({ compgen -c "$triple-gcc-" || true; } | sed -n "s/^$triple-gcc-\([0-9][0-9]*\)\$/\1/p" | sort -n | tail -n 1)
    [ -z "$n" ] || list+=("$triple=$triple-gcc-$n")
  done
  (IFS=,; echo "${list[*]}")
}
[ -n "$triples" ] || triples=$(default_triples)

# Options of every run: inputs up to 4 KiB, 10 s or 2 GiB per input at most.
common=(-max_len=4096 -timeout=10 -rss_limit_mb=2048)

fuzz() {
  local target=$1 corpus=$build/corpus/$1 artifacts=$build/artifacts/$1/ log=$build/fuzz-$1.log
  mkdir -p "$corpus" "$artifacts"
  local limit=(-max_total_time="$seconds")
  [ $full -eq 0 ] || limit=(-runs=1000000)
  local start=$SECONDS status=0
  "$build/${target}_fuzz" "${common[@]}" "${limit[@]}" -print_final_stats=1 -artifact_prefix="$artifacts" \
    "$corpus" "$src/corpus/$target" >"$log" 2>&1 || status=$?
  local execs
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  local crashes
  crashes=$(find "$artifacts" -type f -newer "$log.start" 2>/dev/null | wc -l)
  echo "fuzz: $target: ${execs:-?} executions in $((SECONDS - start)) s, corpus $(ls "$corpus" | wc -l) inputs" \
       "(seeds $(ls "$src/corpus/$target" | wc -l)), $crashes crashes"
  if [ $status -ne 0 ]; then
    grep -E 'invariant broken|ERROR:|runtime error|Test unit written' "$log" | head -n 20 >&2 || tail -n 30 "$log" >&2
    echo "fuzz: $target: FAILED (exit $status); the full log: $log; reproduce with: $build/${target}_fuzz FILE" >&2
    return 1
  fi
}

regressions() {
  local failed=0
  for target in driver stubgen; do
    local dir=$src/regressions/$target
    [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] || continue
    if "$build/${target}_fuzz" "${common[@]}" "$dir"/* >"$build/regressions-$target.log" 2>&1; then
      echo "fuzz: regressions: $target: $(ls "$dir" | wc -l) inputs pass"
    else
      cat "$build/regressions-$target.log" >&2
      echo "fuzz: regressions: $target: FAILED" >&2
      failed=1
    fi
  done
  return $failed
}

status=0
for step in "${steps[@]}"; do
  case $step in
    driver|stubgen) touch "$build/fuzz-$step.log.start"; fuzz "$step" || status=1 ;;
    assemble)
      "$build/stubgen_assemble" "$build/assemble" "$triples" \
        "$src/corpus/stubgen" "$build/corpus/stubgen" "$src/regressions/stubgen" || status=1 ;;
    regressions) regressions || status=1 ;;
  esac
done
exit $status
