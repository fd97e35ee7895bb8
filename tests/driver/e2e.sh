#!/usr/bin/env bash
# End-to-end checks of modlink-cc and its build-system integration.
#
#   e2e.sh STAGE SOURCE_DIR WORK_DIR CHECK [TRIPLE]
#
# CHECK is one of:
#   make TRIPLE             examples/make-project with make CC=<triple>-modlink-cc, run
#   cmake-package           examples/cmake-project with plain gcc + find_package + modlink_enable
#   cmake-toolchain TRIPLE  the same through toolchain-<triple>.cmake (CMake's compiler
#                           detection runs on modlink-cc), built and run through ctest
#   ccache                  a second clean build with MODLINK_LAUNCHER=ccache hits >= 90%
#   depfile                 -MD/-MMD/-MF/-MT files name the right target and headers
#   sigint                  SIGINT during a link: no temporary directory, no partial output
#   crash                   a step that dies of SIGSEGV is reported as gcc reports it
#   pkg-config TRIPLE       modlink-<triple>.pc's flags compile with the plugin and link the runtime
#   layout TRIPLE           -static (and -static-pie on x86) programs have the segments of plain
#                           gcc's: the same LOAD flags, none writable and executable
# Prints "e2e: CHECK ok" on success.
set -euo pipefail
stage=$1 source=$2 work=$3 check=$4 triple=${5:-x86_64-linux-gnu}
project=$source/examples/make-project
export PATH=$stage/bin:$PATH
rm -rf "$work" && mkdir -p "$work" && cd "$work"

fail() { echo "FAIL: $*"; exit 1; }

emulator() {
  case $1 in
    i686-linux-gnu) echo "qemu-i386 -L /usr/i686-linux-gnu" ;;
    powerpc64le-linux-gnu) echo "qemu-ppc64le -L /usr/powerpc64le-linux-gnu" ;;
  esac
}

case $check in
make)
  make -s -f "$project/Makefile" SRC="$project" CC="$triple-modlink-cc"
  # shellcheck disable=SC2046
  $(emulator "$triple") ./app "$PWD/plugin.so" | tee run.out
  grep -qx "make-project: ok" run.out || fail "the program did not pass"
  modlink-verify app libshapes.so plugin.so || fail "modlink-verify"
  ;;
cmake-package)
  cmake -S "$source/examples/cmake-project" -B build -G Ninja -DCMAKE_C_COMPILER=gcc-12 \
        -Dmodlink_DIR="$stage/lib/cmake/modlink" > configure.out || { cat configure.out; fail "configure"; }
  cmake --build build > build.out || { cat build.out; fail "build"; }
  build/app "$PWD/build/plugin.so" | tee run.out
  grep -qx "make-project: ok" run.out || fail "the program did not pass"
  modlink-verify build/app build/libshapes.so build/plugin.so || fail "modlink-verify"
  ;;
cmake-toolchain)
  # Without the prefix on PATH: the toolchain file alone finds the package.
  PATH=${PATH#"$stage/bin:"}
  cmake -S "$source/examples/cmake-project" -B build -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$stage/lib/cmake/modlink/toolchain-$triple.cmake" \
        > configure.out || { cat configure.out; fail "configure"; }
  grep -q "Check for working C compiler: $stage/bin/$triple-modlink-cc - skipped\|The C compiler identification is GNU 12" \
       configure.out || { cat configure.out; fail "CMake did not detect modlink-cc as a GNU C compiler"; }
  grep -q "Detecting C compiler ABI info - done" configure.out || { cat configure.out; fail "C ABI detection"; }
  cmake --build build > build.out || { cat build.out; fail "build"; }
  (cd build && ctest --output-on-failure) || fail "ctest"
  file build/app | grep -q "$(case $triple in x86_64*) echo x86-64;; i686*) echo 80386;; *) echo 64-bit PowerPC;; esac)" \
    || fail "build/app is not a $triple program"
  ;;
ccache)
  export CCACHE_DIR=$work/ccache CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$work MODLINK_LAUNCHER=ccache
  make -s -f "$project/Makefile" SRC="$project" CC=modlink-cc
  make -s -f "$project/Makefile" SRC="$project" clean
  ccache --zero-stats > /dev/null
  make -s -f "$project/Makefile" SRC="$project" CC=modlink-cc
  ccache --print-stats > stats
  hits=$(awk '$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" {n += $2} END {print n + 0}' stats)
  misses=$(awk '$1 == "cache_miss" {n += $2} END {print n + 0}' stats)
  echo "ccache: $hits hits, $misses misses"
  [ $((hits + misses)) -gt 0 ] && [ $((hits * 100)) -ge $(((hits + misses) * 90)) ] || fail "under 90% hits"
  # The plugin is part of the hash: the same build with another plugin misses.
  ./app "$PWD/plugin.so" | grep -qx "make-project: ok" || fail "the cached build does not run"
  ;;
depfile)
  printf '#include "h.h"\nint f(void) { return H; }\n' > a.c
  printf '#define H 1\n' > h.h
  modlink-cc -c -MD a.c -o a.o
  grep -q '^a.o: a.c .*h.h$' a.d || { cat a.d; fail "-MD"; }
  mkdir deps
  modlink-cc -c -MMD -MP -MF deps/../a2.d -MT 'obj/a.o' -MQ '$(x)' a.c -o a2.o
  grep -q '^obj/a.o \$\$(x): a.c h.h$' a2.d || { cat a2.d; fail "-MF/-MT/-MQ"; }
  grep -q '^h.h:$' a2.d || { cat a2.d; fail "-MP"; }
  modlink-cc -MD a.c -shared -fPIC -o liba.so
  ls ./*.d | grep -q 'liba.so-a.d\|a.d' || fail "-MD with a link"
  ;;
sigint)
  # A "gcc" that writes part of the output, then waits to be interrupted.
  mkdir bin tmp
  real=$(command -v x86_64-linux-gnu-gcc-12)
  cat > bin/x86_64-linux-gnu-gcc-12 <<EOS
#!/bin/sh
case "\$*" in *-print-prog-name*) exec "$real" "\$@" ;; esac
out=a.out; prev=
for a in "\$@"; do [ "\$prev" = -o ] && out=\$a; prev=\$a; done
printf 'partial' > "\$out"
touch "$work/started"
exec sleep 30
EOS
  chmod +x bin/x86_64-linux-gnu-gcc-12
  printf 'int main(void) { return 0; }\n' > m.c
  PATH=$work/bin:$PATH TMPDIR=$work/tmp modlink-cc m.c -o prog & pid=$!
  for _ in $(seq 100); do [ -e started ] && break; sleep 0.1; done
  [ -e started ] || fail "the link did not start"
  ls tmp | grep -q modlink-cc- || fail "no temporary directory while linking"
  [ -e prog ] || fail "no partial output while linking"
  kill -INT $pid
  status=0; wait $pid || status=$?
  [ $status = 130 ] || fail "modlink-cc exited $status, not killed by SIGINT (130)"
  [ -z "$(ls tmp)" ] || fail "temporary files left: $(ls tmp)"
  [ ! -e prog ] || fail "partial output left: prog"
  ;;
crash)
  mkdir bin
  printf '#!/bin/sh\ncase "$*" in *-print-prog-name*) echo as; exit 0;; esac\nkill -SEGV $$\n' \
    > bin/x86_64-linux-gnu-gcc-12
  chmod +x bin/x86_64-linux-gnu-gcc-12
  printf 'int x;\n' > c.c
  status=0
  PATH=$work/bin:$PATH modlink-cc -c c.c -o c.o 2> err || status=$?
  [ $status = 4 ] || fail "exit status $status, not 4 (gcc's for a crashed step)"
  [ "$(cat err)" = "modlink-cc: internal compiler error: Segmentation fault signal terminated program x86_64-linux-gnu-gcc-12" ] \
    || fail "stderr: $(cat err)"
  ;;
pkg-config)
  export PKG_CONFIG_PATH=$stage/lib/pkgconfig
  flags=$(pkg-config --cflags --libs "modlink-$triple")
  case $flags in *"-fplugin=$stage/lib/pkgconfig/../../lib/modlink/$triple/modlink.so "*) ;;
    *) fail "no plugin in: $flags" ;; esac
  printf '#include <modlink.h>\n#include <stdio.h>\nstatic void bye(void *s) { puts(s); }\n'\
'int main(void) { modlink_defer(bye, "pkg-config: deferred"); return modlink_module_count() != 2; }\n' > p.c
  # A module needs its stub, which pkg-config cannot give: generate it as modlink-cc would.
  modlink-cc --modlink-genstub --target="$triple" --name=p -o stub.s --ld-fragment=p.ld
  # shellcheck disable=SC2086
  "$triple-gcc-12" p.c stub.s -Wl,-T,p.ld $flags -o p
  # shellcheck disable=SC2046
  $(emulator "$triple") ./p | grep -qx "pkg-config: deferred" || fail "the program did not run its deferred call"
  ;;
layout)
  # The same program for both; plain gcc does not define __MODLINK__.
  printf '#include <modlink.h>\nstatic const char s[] = "ro";\nint main(void)\n{\n'\
'#ifdef __MODLINK__\n  if (modlink_module_count() != 1) return 1;\n#endif\n  return s[0] != 0x72;\n}\n' > l.c
  kinds="-static"
  case $triple in x86_64*|i686*) kinds="$kinds -static-pie" ;; esac
  for kind in $kinds; do
    "$triple-modlink-cc" "$kind" l.c -o "modlink$kind" 2> err || { cat err; fail "$kind link"; }
    [ ! -s err ] || { cat err; fail "$kind: the link printed warnings"; }
    "$triple-gcc-12" "$kind" -I"$stage/include" l.c -o "gcc$kind"
    flags() { "$triple-readelf" -lW "$1" | awk '$1 == "LOAD" { f = ""; for (i = 7; i < NF; i++) f = f $i; print f }' | tr '\n' ' '; }
    [ "$(flags "modlink$kind")" = "$(flags "gcc$kind")" ] \
      || fail "$kind: LOAD flags $(flags "modlink$kind"), plain gcc: $(flags "gcc$kind")"
    flags "modlink$kind" | grep -q "RWE" && fail "$kind: a writable and executable segment"
    # shellcheck disable=SC2046
    $(emulator "$triple") "./modlink$kind" || fail "$kind: the program failed"
  done
  ;;
*)
  fail "unknown check '$check'"
  ;;
esac
echo "e2e: $check ok"
