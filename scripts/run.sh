#!/usr/bin/env bash
# The main job: install what is missing, build the toolkit, then for each
# target of platform/targets.conf build examples/plugin-host with
# <triple>-modlink-cc, run it (as the build runs the target's programs:
# natively, through its loader or under qemu), check its binaries with
# modlink-verify, and show one paired call site from them; then the same
# for the C++ plugin host, examples/cxx-plugin-host, with
# <triple>-modlink-c++.  Ends with one OK/FAILED line per target, and
# fails if any target failed.
set -uo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n==> %s\n' "$*"; }
step() { printf '  -> %s\n' "$*"; }

stage "installing what is missing and building the toolkit"
scripts/build.sh || { echo "run: the build failed"; exit 1; }

source scripts/platform.sh
prefix=$PWD/build/prefix
mapfile -t targets < <(platform_triples)
declare -A result

build_plugin_host() {
  local triple=$1 dir=$2
  step "make CC=$triple-modlink-cc   (examples/plugin-host, in ${dir#"$PWD"/})"
  rm -rf "$dir" && mkdir -p "$dir" &&
    make -s -C "$dir" -f "$PWD/examples/plugin-host/Makefile" SRC="$PWD/examples/plugin-host" \
         CC="$prefix/bin/$triple-modlink-cc" 2>&1 | sed 's/^/     /'
  [ "${PIPESTATUS[0]}" = 0 ] && [ -x "$dir/host" ]
}

run_plugin_host() {
  local triple=$1 dir=$2 runner
  platform_runner "$PWD/build" "$triple" || return 1
  step "${runner[*]:+${runner[*]} }host .   (its output, indented)"
  (cd "$dir" && "${runner[@]}" ./host .) > "$dir/run.out" 2>&1
  local rc=$?
  sed 's/^/     | /' "$dir/run.out"
  [ $rc = 0 ] && grep -qx 'plugin-host: ok' "$dir/run.out"
}

verify_plugin_host() {
  local dir=$1
  step "modlink-verify host libhostutil.so plugin_*.so"
  (cd "$dir" && "$prefix/bin/modlink-verify" host libhostutil.so plugin_*.so) | sed 's/^/     /'
  [ "${PIPESTATUS[0]}" = 0 ] && echo "     every call to modlink_deferreturn is paired"
}

show_pairing() {
  local triple=$1 dir=$2
  step "a paired call site, in plugin_stack.so's run_lifo (a defer in a loop: the runtime path)"
  local site
  site=$("$triple-objdump" -d --no-show-raw-insn "$dir/plugin_stack.so" |
         awk '/<\.?run_lifo>:/ {f=1} f && /^$/ {f=0} f' | grep -B3 -m1 'modlink_deferreturn')
  # (objdump names an ELFv1 function's code ".run_lifo")
  [ -n "$site" ] && sed 's/^/     /' <<<"$site"
}

# The C++ plugin host: built, run against its transcript, verified.
cxx_plugin_host() {
  local triple=$1 dir=$2 source=$PWD/examples/cxx-plugin-host runner
  step "make CC=$triple-modlink-cc CXX=$triple-modlink-c++   (examples/cxx-plugin-host)"
  rm -rf "$dir" && mkdir -p "$dir" &&
    make -s -C "$dir" -f "$source/Makefile" SRC="$source" \
         CC="$prefix/bin/$triple-modlink-cc" CXX="$prefix/bin/$triple-modlink-c++" 2>&1 | sed 's/^/     /'
  [ "${PIPESTATUS[0]}" = 0 ] && [ -x "$dir/host" ] || return 1
  platform_runner "$PWD/build" "$triple" || return 1
  step "${runner[*]:+${runner[*]} }host .   (compared with examples/cxx-plugin-host/expected.txt)"
  (cd "$dir" && "${runner[@]}" ./host .) > "$dir/run.out" 2>&1
  local rc=$?
  sed 's/0x[0-9a-f]*/0x.../g' "$dir/run.out" > "$dir/transcript.txt"
  if [ $rc != 0 ] || ! diff -u "$source/expected.txt" "$dir/transcript.txt" > "$dir/transcript.diff"; then
    sed 's/^/     | /' "$dir/run.out"
    sed 's/^/     /' "$dir/transcript.diff"
    return 1
  fi
  grep -A5 '^== plugins' "$dir/run.out" | sed 's/^/     | /'
  step "modlink-verify host libpluginapi.so plugin_*.so"
  (cd "$dir" && "$prefix/bin/modlink-verify" host libpluginapi.so plugin_*.so) | sed 's/^/     /'
  [ "${PIPESTATUS[0]}" = 0 ]
}

for t in "${targets[@]}"; do
  stage "$t"
  dir=$PWD/build/run/$t/plugin-host
  ok=1
  if build_plugin_host "$t" "$dir"; then
    run_plugin_host "$t" "$dir" || ok=0
    verify_plugin_host "$dir" || ok=0
    show_pairing "$t" "$dir" || ok=0
  else
    ok=0
  fi
  cxx_plugin_host "$t" "$PWD/build/run/$t/cxx-plugin-host" || ok=0
  result[$t]=$([ $ok = 1 ] && echo OK || echo FAILED)
done

stage "summary"
status=0
for t in "${targets[@]}"; do
  printf '  %-24s %s\n' "$t" "${result[$t]}"
  [ "${result[$t]}" = OK ] || status=1
done
exit $status
