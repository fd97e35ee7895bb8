#!/usr/bin/env bash
# End-to-end checks of modlink-cc and its build-system integration.
#
#   e2e.sh STAGE SOURCE_DIR BUILD_DIR WORK_DIR CHECK TRIPLE MAJOR
#
# TRIPLE is the target and MAJOR the GCC major of its compiler that the
# check uses (<triple>-gcc-<major>), or of the build's default compiler for
# it.  The target's programs run as the build runs them
# (BUILD_DIR/target/<triple>/runner.txt, see cmake/Runner.cmake).  CHECK is
# one of:
#   make                    examples/make-project with make CC=<triple>-modlink-cc, run; its
#                           RUNPATH, NEEDED libmodlink.so.1 and the runtime's soname and symlinks
#   make-cxx                examples/cxx-plugin-host with make CC=<triple>-modlink-cc
#                           CXX=<triple>-modlink-c++: its transcript, modlink-verify
#   cmake-cxx-toolchain     the same through CMake and toolchain-<triple>.cmake (both drivers)
#   cmake-cxx-package       the same with plain <triple>-gcc-<major> and <triple>-g++-<major>,
#                           find_package and modlink_enable, in a project that uses
#                           target_link_libraries' plain signature
#   cmake-package           examples/cmake-project with <triple>-gcc-<major> + find_package +
#                           modlink_enable: the plugin is the one for GCC <major>
#   cmake-package-no-plugin the same with a gcc that says it is GCC 99: a clear
#                           configure error
#   cmake-half-driven       examples/cxx-plugin-host with modlink-cc for C but plain g++ for
#                           C++: modlink_enable's configure error names both
#   cmake-toolchain         the same through toolchain-<triple>.cmake (CMake's compiler
#                           detection runs on modlink-cc), built and run through ctest
#   ccache                  a second clean build with MODLINK_LAUNCHER=ccache hits >= 90%
#   depfile                 -MD/-MMD/-MF/-MT files name the right target and headers
#   sigint                  SIGINT during a link: no temporary directory, no partial output
#   crash                   a step that dies of SIGSEGV is reported as gcc reports it
#   pkg-config [PC]         PC's flags (default modlink-<triple>, whose plugin is the default
#                           compiler's) compile with the plugin and link the runtime
#   installed               `cmake --install` to a new prefix; examples/make-project built with
#                           that prefix's modlink-cc runs, needs libmodlink.so.1, and its
#                           modules' RUNPATHs name the install, never the build tree
#   layout                  -static (and -static-pie where the target has it) programs have
#                           the segments of plain gcc's: the same LOAD flags, none
#                           writable and executable
# Prints "e2e: CHECK ok" on success.
set -euo pipefail
stage=$1 source=$2 build=$3 work=$4 check=$5 triple=$6 major=$7
project=$source/examples/make-project
cxx_project=$source/examples/cxx-plugin-host
gcc=$triple-gcc-$major
gxx=$triple-g++-$major
export PATH=$stage/bin:$PATH
# shellcheck source=../../scripts/platform.sh
. "$source/scripts/platform.sh"
platform_runner "$build" "$triple"  # sets the array runner (empty: natively)
rm -rf "$work" && mkdir -p "$work" && cd "$work"

fail() { echo "FAIL: $*"; exit 1; }

# Whether FILE is an ELF file of TRIPLE: its class, byte order, machine and
# e_flags are the table's (the elf field, with <elf.h>'s values).
elf_of_target() {
  local file=$1 class order machine flags mask=0 value=0 want
  read -r class order machine flags <<< "$(platform_field "$triple" elf)"
  [ -z "$flags" ] || { mask=${flags%=*}; value=${flags#*=}; }
  [ "$order" = little ] && order=ELFDATA2LSB || order=ELFDATA2MSB
  want=$(printf '#include <elf.h>\n%s %s %s %s\n' "$class" "$order" "$machine" "$mask" | cpp -P | tail -n1)
  read -r class order machine mask <<< "$want"
  # e_ident[EI_CLASS] and [EI_DATA]; e_machine and e_flags in that byte order
  local b m f
  read -r -a b <<< "$(od -An -tu1 -j4 -N2 "$file")"
  [ "$(head -c4 "$file" | od -An -c | tr -d ' ')" = '177ELF' ] && [ "${b[0]} ${b[1]}" = "$class $order" ] || return 1
  m=$(elf_number "$file" 18 2 "$order")
  f=$(elf_number "$file" $((class == 2 ? 48 : 36)) 4 "$order")
  [ "$m" = "$((machine))" ] && [ $((f & mask)) = "$((value))" ]
}

# The unsigned number of SIZE bytes at OFFSET in FILE, in byte order ORDER
# (ELFDATA2LSB 1, ELFDATA2MSB 2).
elf_number() {
  local bytes n=0 i
  read -r -a bytes <<< "$(od -An -tu1 -j"$2" -N"$3" "$1")"
  for ((i = 0; i < $3; i++)); do
    if [ "$4" = 1 ]; then n=$((n + (bytes[i] << (8 * i)))); else n=$(((n << 8) + bytes[i])); fi
  done
  echo $n
}

# FILE's RUNPATH, or "".
runpath_of() {
  "$triple-readelf" -d "$1" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]$/\1/p'
}

# Does FILE need the runtime by its soname?
needs_runtime() {
  "$triple-readelf" -d "$1" | grep -q '(NEEDED).*\[libmodlink\.so\.1\]$'
}

# cxx-plugin-host's run in DIR matches its transcript (addresses masked),
# and its binaries pass modlink-verify.
check_cxx_plugin_host() {
  local dir=$1
  (cd "$dir" && "${runner[@]}" ./host .) > run.out 2>&1 || { cat run.out; fail "the host failed"; }
  sed 's/0x[0-9a-f]*/0x.../g' run.out > transcript.txt
  diff -u "$cxx_project/expected.txt" transcript.txt || fail "the transcript differs from expected.txt"
  "$stage/bin/modlink-verify" "$dir/host" "$dir/libpluginapi.so" "$dir"/plugin_*.so || fail "modlink-verify"
  elf_of_target "$dir/host" || fail "$dir/host is not a $triple program: $(file "$dir/host")"
}

# A "gcc" that answers -dumpmachine, -dumpversion and -print-prog-name= as
# the real one, and runs BODY for everything else: NAME BODY.
fake_gcc() {
  local real
  real=$(command -v "$gcc")
  cat > "$1" <<EOS
#!/bin/sh
case "\$1" in -dump*|-print-prog-name=*) exec "$real" "\$@" ;; esac
$2
EOS
  chmod +x "$1"
}

case $check in
make)
  make -s -f "$project/Makefile" SRC="$project" CC="$triple-modlink-cc"
  "${runner[@]}" ./app "$PWD/plugin.so" | tee run.out
  grep -qx "make-project: ok" run.out || fail "the program did not pass"
  modlink-verify app libshapes.so plugin.so || fail "modlink-verify"
  # The program's own rpath first: ld.so tries RUNPATH's directories in
  # order for each library, and the runtime's directory holds only it.
  runpath=$(runpath_of app)
  [ "$runpath" = "\$ORIGIN:$stage/lib/modlink/$triple" ] || fail "app's RUNPATH is '$runpath'"
  # The runtime's versioned soname, and the symlinks of a development install.
  needs_runtime app || fail "app does not need libmodlink.so.1"
  runtime=$stage/lib/modlink/$triple
  "$triple-readelf" -d "$runtime/libmodlink.so.1.0.0" | grep -q '(SONAME).*\[libmodlink\.so\.1\]$' \
    || fail "the runtime's soname is not libmodlink.so.1"
  [ "$(readlink "$runtime/libmodlink.so")" = libmodlink.so.1 ] && [ "$(readlink "$runtime/libmodlink.so.1")" = libmodlink.so.1.0.0 ] \
    || fail "the runtime's symlinks: $(ls -l "$runtime"/libmodlink.so*)"
  ;;
make-cxx)
  make -s -f "$cxx_project/Makefile" SRC="$cxx_project" CC="$triple-modlink-cc" CXX="$triple-modlink-c++"
  check_cxx_plugin_host .
  ;;
cmake-cxx-toolchain)
  PATH=${PATH#"$stage/bin:"}
  cmake -S "$cxx_project" -B build -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$stage/lib/cmake/modlink/toolchain-$triple.cmake" \
        > configure.out || { cat configure.out; fail "configure"; }
  grep -q "The CXX compiler identification is GNU [1-9]" configure.out \
    || { cat configure.out; fail "CMake did not detect modlink-c++ as a GNU C++ compiler"; }
  grep -q "Detecting CXX compiler ABI info - done" configure.out || { cat configure.out; fail "C++ ABI detection"; }
  cmake --build build -- -v > build.out || { cat build.out; fail "build"; }
  grep -q "$triple-modlink-c++ .*-o host " build.out || { cat build.out; fail "host was not linked by modlink-c++"; }
  (cd build && ctest --output-on-failure) || fail "ctest"
  check_cxx_plugin_host build
  ;;
cmake-cxx-package)
  # The plain compilers through the toolchain file the build's own
  # sub-builds use: <triple>-gcc-<major>, <triple>-g++-<major>, the sysroot.
  cmake -S "$cxx_project" -B build -G Ninja -DCMAKE_TOOLCHAIN_FILE="$build/toolchains/$triple-gcc-$major.cmake" \
        -Dmodlink_DIR="$stage/lib/cmake/modlink" > configure.out 2>&1 || { cat configure.out; fail "configure"; }
  cmake --build build -- -v > build.out || { cat build.out; fail "build"; }
  plugin="-fplugin=$stage/lib/modlink/$triple/gcc-$major/modlink.so "
  grep "$gxx .*-c .*host.cpp" build.out | grep -q -- "$plugin" \
    || { cat build.out; fail "the C++ compiles do not load the plugin for GCC $major"; }
  grep "$gcc .*-c .*hostlog.c" build.out | grep -q -- "$plugin" \
    || { cat build.out; fail "the C compiles do not load the plugin for GCC $major"; }
  check_cxx_plugin_host build
  ;;
cmake-package)
  cmake -S "$source/examples/cmake-project" -B build -G Ninja -DCMAKE_C_COMPILER="$gcc" \
        -Dmodlink_DIR="$stage/lib/cmake/modlink" > configure.out || { cat configure.out; fail "configure"; }
  cmake --build build -- -v > build.out || { cat build.out; fail "build"; }
  grep -q -- "-fplugin=$stage/lib/modlink/$triple/gcc-$major/modlink.so " build.out \
    || { cat build.out; fail "the compiles do not load the plugin for GCC $major"; }
  "${runner[@]}" build/app "$PWD/build/plugin.so" | tee run.out
  grep -qx "make-project: ok" run.out || fail "the program did not pass"
  modlink-verify build/app build/libshapes.so build/plugin.so || fail "modlink-verify"
  ;;
cmake-package-no-plugin)
  mkdir bin
  printf '#!/bin/sh\n[ "$1" = -dumpversion ] && { echo 99; exit 0; }\nexec "%s" "$@"\n' "$(command -v "$gcc")" \
    > bin/gcc-99
  chmod +x bin/gcc-99
  status=0
  cmake -S "$source/examples/cmake-project" -B build -G Ninja -DCMAKE_C_COMPILER="$PWD/bin/gcc-99" \
        -Dmodlink_DIR="$stage/lib/cmake/modlink" > configure.out 2>&1 || status=$?
  [ $status != 0 ] || { cat configure.out; fail "configure passed"; }
  tr -s ' \n' ' ' < configure.out | grep -q "is GCC 99, which this modlink has no plugin for" \
    || { cat configure.out; fail "no clear error"; }
  ;;
cmake-half-driven)
  status=0
  cmake -S "$cxx_project" -B build -G Ninja -DCMAKE_C_COMPILER="$stage/bin/$triple-modlink-cc" \
        -DCMAKE_CXX_COMPILER="$gxx" -Dmodlink_DIR="$stage/lib/cmake/modlink" > configure.out 2>&1 || status=$?
  [ $status != 0 ] || { cat configure.out; fail "configure passed"; }
  tr -s ' \n' ' ' < configure.out \
    | grep -q "CMAKE_C_COMPILER is a modlink driver but CMAKE_CXX_COMPILER is not; use modlink-cc and modlink-c++ together" \
    || { cat configure.out; fail "no clear error"; }
  ;;
cmake-toolchain)
  # Without the prefix on PATH: the toolchain file alone finds the package.
  PATH=${PATH#"$stage/bin:"}
  cmake -S "$source/examples/cmake-project" -B build -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$stage/lib/cmake/modlink/toolchain-$triple.cmake" \
        > configure.out || { cat configure.out; fail "configure"; }
  grep -q "Check for working C compiler: $stage/bin/$triple-modlink-cc - skipped\|The C compiler identification is GNU [1-9]" \
       configure.out || { cat configure.out; fail "CMake did not detect modlink-cc as a GNU C compiler"; }
  grep -q "Detecting C compiler ABI info - done" configure.out || { cat configure.out; fail "C ABI detection"; }
  cmake --build build > build.out || { cat build.out; fail "build"; }
  (cd build && ctest --output-on-failure) || fail "ctest"
  elf_of_target build/app || fail "build/app is not a $triple program: $(file build/app)"
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
  fake_gcc bin/gcc 'out=a.out; prev=
for a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done
printf partial > "$out"
touch '"$work/started"'
exec sleep 30'
  printf 'int main(void) { return 0; }\n' > m.c
  MODLINK_GCC=$work/bin/gcc TMPDIR=$work/tmp "$triple-modlink-cc" m.c -o prog & pid=$!
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
  fake_gcc bin/crashing-gcc 'kill -SEGV $$'
  printf 'int x;\n' > c.c
  status=0
  MODLINK_GCC=$work/bin/crashing-gcc "$triple-modlink-cc" -c c.c -o c.o 2> err || status=$?
  [ $status = 4 ] || fail "exit status $status, not 4 (gcc's for a crashed step)"
  [ "$(cat err)" = "modlink-cc: internal compiler error: Segmentation fault signal terminated program crashing-gcc" ] \
    || fail "stderr: $(cat err)"
  ;;
pkg-config)
  export PKG_CONFIG_PATH=$stage/lib/pkgconfig
  pc=${8:-modlink-$triple}
  flags=$(pkg-config --cflags --libs "$pc")
  plugin=$(pkg-config --variable=plugin "$pc")
  case $flags in *"-fplugin=$plugin "*) ;; *) fail "no plugin in: $flags" ;; esac
  [ "$(realpath "$plugin")" = "$(realpath "$stage/lib/modlink/$triple/gcc-$major/modlink.so")" ] \
    || fail "$pc's plugin $plugin is not the one for GCC $major"
  printf '#include <modlink.h>\n#include <stdio.h>\nstatic void bye(void *s) { puts(s); }\n'\
'int main(void) { modlink_defer(bye, "pkg-config: deferred"); return modlink_module_count() != 2; }\n' > p.c
  # A module needs its stub, which pkg-config cannot give: generate it as modlink-cc would.
  modlink-cc --modlink-genstub --target="$triple" --name=p -o stub.s --ld-fragment=p.ld
  # shellcheck disable=SC2086
  "$gcc" p.c stub.s -Wl,-T,p.ld $flags -o p
  "${runner[@]}" ./p | grep -qx "pkg-config: deferred" || fail "the program did not run its deferred call"
  ;;
installed)
  cmake --install "$build" --prefix "$work/inst" > install.out || { cat install.out; fail "cmake --install"; }
  inst=$work/inst
  make -s -f "$project/Makefile" SRC="$project" CC="$inst/bin/$triple-modlink-cc"
  "${runner[@]}" ./app "$PWD/plugin.so" | grep -qx "make-project: ok" || fail "the program did not pass"
  for file in app libshapes.so plugin.so; do
    needs_runtime "$file" || fail "$file does not need libmodlink.so.1"
    runpath=$(runpath_of "$file")
    case $runpath in
      *"$stage"*) fail "$file's RUNPATH '$runpath' names the build tree's prefix" ;;
    esac
    case $file:$runpath in
      "app:\$ORIGIN:$inst/lib/modlink/$triple" | *".so:$inst/lib/modlink/$triple") ;;
      *) fail "$file's RUNPATH is '$runpath'" ;;
    esac
  done
  ;;
layout)
  # The same program for both; plain gcc does not define __MODLINK__.
  printf '#include <modlink.h>\nstatic const char s[] = "ro";\nint main(void)\n{\n'\
'#ifdef __MODLINK__\n  if (modlink_module_count() != 1) return 1;\n#endif\n  return s[0] != 0x72;\n}\n' > l.c
  kinds="-static"
  if platform_has "$triple" static-pie; then kinds="$kinds -static-pie"; fi
  for kind in $kinds; do
    "$triple-modlink-cc" "$kind" l.c -o "modlink$kind" 2> err || { cat err; fail "$kind link"; }
    [ ! -s err ] || { cat err; fail "$kind: the link printed warnings"; }
    "$gcc" "$kind" -I"$stage/lib/modlink/include" l.c -o "gcc$kind"
    flags() { "$triple-readelf" -lW "$1" | awk '$1 == "LOAD" { f = ""; for (i = 7; i < NF; i++) f = f $i; print f }' | tr '\n' ' '; }
    [ "$(flags "modlink$kind")" = "$(flags "gcc$kind")" ] \
      || fail "$kind: LOAD flags $(flags "modlink$kind"), plain gcc: $(flags "gcc$kind")"
    flags "modlink$kind" | grep -q "RWE" && fail "$kind: a writable and executable segment"
    "${runner[@]}" "./modlink$kind" || fail "$kind: the program failed"
  done
  ;;
*)
  fail "unknown check '$check'"
  ;;
esac
echo "e2e: $check ok"
