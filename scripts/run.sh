#!/usr/bin/env bash
# The main job: install what is missing, build the toolkit, then for each
# target compile the sample with the plugin, show the call-site pairing in
# the generated code, run the rewind proof, the registry demo and the defer
# demo (under qemu where needed), and check the defer demo's binaries with
# modlink-verify.
set -uo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n==> %s\n' "$*"; }

stage "installing and building"
scripts/build.sh || { echo "run: the build failed"; exit 1; }

prefix=build/prefix
declare -A result
targets=(x86_64-linux-gnu i686-linux-gnu powerpc64le-linux-gnu)

# show_pairing TRIPLE FLAGS...: the paired call sites in the sample's assembly
show_pairing() {
  local triple=$1; shift
  local asm
  asm=$("$triple-gcc-12" -O2 "$@" -fplugin="$prefix/lib/modlink/$triple/modlink.so" \
        -S -o - examples/pairing/sample.c) || return 1
  echo "  $triple-gcc-12 -O2 $* -fplugin=.../modlink.so   (function deferring)"
  awk '/^deferring:/ {f=1} /^\t\.size\tdeferring|^\t\.size deferring/ {f=0}
       f && /^\t[a-z]/ {lines[++n]=$0}
       END {for (i=1;i<=n;i++) if (lines[i] ~ /modlink_deferreturn/)
              for (j=(i>3?i-3:1); j<=i+1 && j<=n; j++) printf "    %s%s\n", lines[j], (j==i ? "   <- paired call" : "")}' <<<"$asm"
  # The pairing must be there, or the demonstration failed.
  grep -B2 'modlink_deferreturn' <<<"$asm" | grep -q 'nop' || return 1
}

# set_emulator TRIPLE: the array emu, how to run TRIPLE's programs here
set_emulator() {
  emu=()
  case $1 in
    i686-linux-gnu) emu=(qemu-i386 -L /usr/i686-linux-gnu) ;;
    powerpc64le-linux-gnu) emu=(qemu-ppc64le -L /usr/powerpc64le-linux-gnu) ;;
  esac
}

run_proof() {
  local triple=$1 emu
  set_emulator "$triple"
  echo "  rewind proof: proof_rewind (a shared object) returns to the pairing once"
  "${emu[@]}" "build/target/$triple/tests/toc-proof/proof_pie" | sed 's/^/    /'
  return "${PIPESTATUS[0]}"
}

run_registry_demo() {
  local triple=$1 emu
  set_emulator "$triple"
  local dir="build/target/$triple/examples/registry"
  echo "  registry demo: modules, their entries, a plugin loaded and unloaded"
  "${emu[@]}" "$dir/registry_demo" "$PWD/$dir/libdemo_plugin.so" > "$dir/demo.out" 2>&1
  local rc=$?
  sed 's/^/  /' "$dir/demo.out"
  [ $rc = 0 ] && grep -qx 'registry demo: ok' "$dir/demo.out"
}

run_defer_demo() {
  local triple=$1 emu
  set_emulator "$triple"
  local dir="build/target/$triple/examples/defer"
  echo "  defer demo: releases on every return path, a deferred call from another module"
  "${emu[@]}" "$dir/defer_demo" > "$dir/demo.out" 2>&1
  local rc=$?
  sed 's/^/  /' "$dir/demo.out"
  [ $rc = 0 ] && grep -qx 'defer demo: ok' "$dir/demo.out" || return 1
  echo "  modlink-verify $dir/defer_demo $dir/libdemo_log.so"
  "$prefix/bin/modlink-verify" "$dir/defer_demo" "$dir/libdemo_log.so" | sed 's/^/    /'
  [ "${PIPESTATUS[0]}" = 0 ] && echo "    every paired call site is paired"
}

for t in "${targets[@]}"; do
  stage "$t"
  ok=1
  case $t in
    powerpc64le-linux-gnu)
      show_pairing "$t" -fPIC || ok=0
      show_pairing "$t" -fPIC -mcpu=power10 || ok=0 ;;
    *)
      show_pairing "$t" -fPIC || ok=0
      show_pairing "$t" -fPIC -fno-plt || ok=0 ;;
  esac
  run_proof "$t" || ok=0
  run_registry_demo "$t" || ok=0
  run_defer_demo "$t" || ok=0
  result[$t]=$([ $ok = 1 ] && echo OK || echo FAILED)
done

stage "summary"
status=0
run_defer_demo() {
  local triple=$1 emu
  set_emulator "$triple"
  local dir="build/target/$triple/examples/defer"
  echo "  defer demo: releases on every return path, a deferred call from another module"
  "${emu[@]}" "$dir/defer_demo" > "$dir/demo.out" 2>&1
  local rc=$?
  sed 's/^/  /' "$dir/demo.out"
  [ $rc = 0 ] && grep -qx 'defer demo: ok' "$dir/demo.out" || return 1
  echo "  modlink-verify $dir/defer_demo $dir/libdemo_log.so"
  "$prefix/bin/modlink-verify" "$dir/defer_demo" "$dir/libdemo_log.so" | sed 's/^/    /'
  [ "${PIPESTATUS[0]}" = 0 ] && echo "    every paired call site is paired"
}

for t in "${targets[@]}"; do
  printf '  %-24s %s\n' "$t" "${result[$t]}"
  [ "${result[$t]}" = OK ] || status=1
done
exit $status
