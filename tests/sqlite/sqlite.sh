#!/usr/bin/env bash
# Real code under the plugin: the SQLite amalgamation (R1 and R5 in
# docs/reliability.md).
#
#   sqlite.sh BUILD SOURCE_DIR WORK STEP [ARG]
#
# BUILD is the build directory: its stage (BUILD/prefix) and how it runs
# each target's programs (BUILD/target/<triple>/runner.txt).  Every
# compiler is the one modlink-cc drives for the target (its -###), so the
# plain builds compare against the same gcc.  STEP is one of:
#   source             fetch sqlite3.c into WORK/src (scripts/fetch-sqlite.sh)
#   reference ROWS     the baseline: libsqlite3.so and the workload program built
#                      for the build machine's own target with plain gcc -O2
#                      -fPIC, no plugin; its output goes to WORK/reference-ROWS.txt
#   workload TRIPLE ROWS
#                      libsqlite3.so and the workload built with TRIPLE-modlink-cc
#                      at -O2 -fPIC, toc-save=all and reload-toc on some of
#                      SQLite's internal call targets; run (under qemu where the
#                      build does), its output must be byte-identical to the
#                      reference.  Then modlink-verify passes both files and,
#                      where code keeps a TOC, every call to a reload-toc symbol
#                      is followed by the TOC reload (ld 2,SLOT(1)).
#   text-identical     the build machine's own target: sqlite3.o compiled with
#                      the plugin (SQLite has no paired calls) has the same .text
#                      as the reference's, byte for byte
#   compare-debug TRIPLE
#                      TRIPLE's gcc -O2 -fPIC with the plugin (toc-save=all) and
#                      -fcompare-debug: -g must not change the code
#   all ROWS           every step on every target, in order (the full run)
#
# Prints "sqlite: STEP ok" on success, "FAIL: ..." otherwise.
set -euo pipefail
build=$1 source=$2 work=$3 step=$4
shift 4
stage=$build/prefix
export PATH=$stage/bin:$PATH
src=$work/src
mkdir -p "$work"
# shellcheck source=../../scripts/platform.sh
source "$source/scripts/platform.sh"

fail() { echo "FAIL: $*"; exit 1; }

triples=$(platform_triples)
# Calls into these may, in a runtime that switches stacks or contexts,
# return with another module's TOC; here they exercise the reload path.
reload_symbols=sqlite3VdbeExec:sqlite3BtreeNext:sqlite3VdbeMemRelease:sqlite3_step
# -w: sqlite3.c's own warnings depend on the GCC and glibc versions (GCC 16
# with glibc's C23 strrchr warns about a dropped const); the steps look at
# what the plugin and -fcompare-debug print, and -w changes no code.
common_flags=(-O2 -fPIC -w)

# The build machine's own target.
native_triple() {
  platform_native || { echo "FAIL: no target of platform/targets.conf runs natively here" >&2; return 1; }
}

# The gcc that TRIPLE-modlink-cc drives.
driven_gcc() {
  platform_driven_compiler "$1-modlink-cc" || { echo "FAIL: $1-modlink-cc -### names no compiler" >&2; return 1; }
}

# build_sqlite DIR CC FLAGS...: DIR/sqlite3.o, DIR/libsqlite3.so and
# DIR/sqlite_workload, linked against it.
build_sqlite() {
  local dir=$1 cc=$2
  shift 2
  rm -rf "$dir" && mkdir -p "$dir"
  "$cc" "${common_flags[@]}" "$@" -c "$src/sqlite3.c" -o "$dir/sqlite3.o"
  "$cc" "${common_flags[@]}" "$@" -shared "$dir/sqlite3.o" -o "$dir/libsqlite3.so" -lm
  "$cc" -O2 "$@" -I"$src" "$source/tests/sqlite/workload.c" -o "$dir/sqlite_workload" \
        -L"$dir" -lsqlite3 -Wl,-rpath,"$dir"
}

text_of() {  # text_of OBJCOPY OBJECT OUT
  "$1" -O binary --only-section=.text "$2" "$3"
}

case $step in
source)
  "$source/scripts/fetch-sqlite.sh" "$src" || fail "cannot fetch sqlite3.c"
  ;;
reference)
  rows=$1
  native=$(native_triple)
  # The compiler modlink-cc drives for the native target, or, in a build
  # without that target (-DMODLINK_TRIPLES=...), its plain gcc.
  gcc=$(driven_gcc "$native" 2>/dev/null) || gcc=$native-gcc
  build_sqlite "$work/reference" "$gcc"
  "$work/reference/sqlite_workload" "$rows" > "$work/reference-$rows.txt" || fail "the reference run failed"
  grep -qx "integrity| ok" "$work/reference-$rows.txt" || fail "integrity_check in the reference"
  grep -qx "sqlite_workload: done" "$work/reference-$rows.txt" || fail "the reference run did not finish"
  ;;
workload)
  triple=$1 rows=$2
  dir=$work/$triple
  [ -f "$work/reference-$rows.txt" ] || fail "no reference output for $rows rows"
  build_sqlite "$dir" "$triple-modlink-cc" -fplugin-arg-modlink-toc-save=all \
               "-fplugin-arg-modlink-reload-toc=$reload_symbols"
  platform_runner "$build" "$triple" || fail "no runner for $triple"
  "${runner[@]}" "$dir/sqlite_workload" "$rows" > "$dir/out-$rows.txt" || fail "the run failed"
  cmp "$work/reference-$rows.txt" "$dir/out-$rows.txt" \
    || { diff "$work/reference-$rows.txt" "$dir/out-$rows.txt" | head -20; fail "output differs from the reference"; }
  modlink-verify "$dir/libsqlite3.so" "$dir/sqlite_workload" || fail "modlink-verify"
  if platform_has "$triple" toc; then
    # Every bl to a reload-toc symbol, then the instruction after it.
    "$triple-objdump" -d --no-show-raw-insn "$dir/libsqlite3.so" |
      awk -v syms="${reload_symbols//:/ }" -v slot="$(platform_field "$triple" toc_slot)" '
        BEGIN { n = split(syms, s, " "); for (i = 1; i <= n; i++) want[s[i]] = 1 }
        pending { total++; if ($0 ~ "\tld[ \t]+r2," slot "\\(r1\\)") ok++; else print "no reload: " prev; pending = 0 }
        # (objdump names the code of an ELFv1 function ".SYM", SYM being
        # its descriptor)
        /\tbl[ \t]/ && match($0, /<[^+>@]+/) { name = substr($0, RSTART + 1, RLENGTH - 1); sub(/^\./, "", name)
                                                 if (name in want) { pending = 1; prev = $0 } }
        END { printf "reload-toc: %d of %d calls reload r2\n", ok, total; exit !(total > 0 && ok == total) }' \
      || fail "a call to a reload-toc symbol lacks the TOC reload"
  fi
  ;;
text-identical)
  obj=$work/text-identical
  rm -rf "$obj" && mkdir -p "$obj"
  [ -f "$work/reference/sqlite3.o" ] || fail "no reference sqlite3.o"
  cp "$work/reference/sqlite3.o" "$obj/plain.o"
  triple=$(native_triple)
  gcc=$(driven_gcc "$triple")
  "$gcc" "${common_flags[@]}" -fplugin="$stage/lib/modlink/$triple/modlink.so" \
         -fplugin-arg-modlink-verbose -c "$src/sqlite3.c" -o "$obj/plugin.o" 2> "$obj/verbose.txt"
  [ ! -s "$obj/verbose.txt" ] || { head "$obj/verbose.txt"; fail "the plugin changed functions in sqlite3.c"; }
  text_of objcopy "$obj/plain.o" "$obj/plain.text"
  text_of objcopy "$obj/plugin.o" "$obj/plugin.text"
  [ -s "$obj/plain.text" ] || fail "no .text in sqlite3.o"
  cmp "$obj/plain.text" "$obj/plugin.text" || fail ".text differs with the plugin"
  echo "text-identical: $(stat -c %s "$obj/plain.text") bytes of .text, identical"
  ;;
compare-debug)
  triple=$1
  obj=$work/compare-debug-$triple
  rm -rf "$obj" && mkdir -p "$obj"
  gcc=$(driven_gcc "$triple")
  (cd "$obj" && "$gcc" "${common_flags[@]}" -fcompare-debug \
     -fplugin="$stage/lib/modlink/$triple/modlink.so" -fplugin-arg-modlink-toc-save=all \
     "-fplugin-arg-modlink-reload-toc=$reload_symbols" -c "$src/sqlite3.c" -o sqlite3.o 2> err.txt) || {
    # GCC 14 fails -fcompare-debug on sqlite3.c by itself: then the
    # plugin is not what failed, and the step says so instead of passing.
    if ! (cd "$obj" && "$gcc" "${common_flags[@]}" -fcompare-debug -c "$src/sqlite3.c" \
            -o plain.o 2> plain-err.txt); then
      echo "skipped: $gcc fails -fcompare-debug on sqlite3.c without the plugin too: $(head -n1 "$obj/plain-err.txt")"
      exit 0
    fi
    head -20 "$obj/err.txt"; fail "-fcompare-debug failed"
  }
  [ ! -s "$obj/err.txt" ] || { head -20 "$obj/err.txt"; fail "-fcompare-debug printed diagnostics"; }
  ;;
all)
  rows=${1:-10000}
  for s in source "reference $rows" text-identical; do
    # shellcheck disable=SC2086
    "$0" "$build" "$source" "$work" $s
  done
  for triple in $triples; do
    "$0" "$build" "$source" "$work" workload "$triple" "$rows"
    "$0" "$build" "$source" "$work" compare-debug "$triple"
  done
  ;;
*)
  fail "unknown step '$step'"
  ;;
esac
echo "sqlite: $step ok"
