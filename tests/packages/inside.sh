#!/usr/bin/env bash
# The package test, inside a clean chroot (scripts/test-debs.sh runs it
# there through scripts/in-debian.sh --clean).  DEBS holds the .deb files.
#
#   tests/packages/inside.sh DEBS
#
# 1. apt-get install DEBS/*.deb, with their Recommends (the cross
#    compilers), plus qemu-user, make and cmake to run the examples.
# 2. For every target the packages have (/usr/lib/modlink/<triple>), with
#    nothing but what they installed (the examples from
#    /usr/share/doc/modlink/examples):
#    - plugin-host with make CC=<triple>-modlink-cc: it runs and says
#      "plugin-host: ok";
#    - cxx-plugin-host with CMake, the package's toolchain file and
#      modlink_enable(): its ctest passes, and its transcript is
#      expected.txt;
#    - every module passes modlink-verify, needs libmodlink.so.1, and has
#      no RUNPATH but the example's own ($ORIGIN, CMake's build tree);
#    - the runtime is found where the packages put it (ldconfig's cache
#      for the native one).
# 3. apt-get remove: the packages are gone, and so is every file they had
#    and everything named *modlink* outside the examples' build trees.
set -uo pipefail
debs=${1:?usage: tests/packages/inside.sh DEBS}
work=/tmp/modlink-package-test
ours=(libmodlink1 libmodlink1-cross libmodlink-dev modlink)
failures=0

say() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

say "apt-get install $debs/*.deb"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 1
mkdir -p "$work/debs" && cp "$debs"/*.deb "$work/debs/" || exit 1
apt-get install -y -qq -o APT::Install-Recommends=true "$work"/debs/*.deb qemu-user make cmake >/dev/null ||
  { echo "FAIL: the packages do not install"; exit 1; }
dpkg-query -W -f '  ${Package} ${Version} ${Architecture}\n' "${ours[@]}" 2>/dev/null
mapfile -t triples < <(cd /usr/lib/modlink && ls -d */libmodlink.so | sed 's,/.*,,')
echo "  targets: ${triples[*]}"
source "$(dirname "$0")/../../scripts/platform.sh"
for t in $(platform_triples); do
  [[ " ${triples[*]} " == *" $t "* ]] || fail "the packages have no runtime for $t (platform/targets.conf)"
done
ldconfig -p | grep -q 'libmodlink.so.1 ' || fail "ldconfig's cache has no libmodlink.so.1"

# The modules of a build in DIR: modlink-verify passes, each needs
# libmodlink.so.1, and each RUNPATH entry is the example's own: $ORIGIN
# (the Makefile) or DIR (CMake's build-tree rpath).
check_modules() {  # DIR MODULES...
  local dir=$1 m entry; shift
  (cd "$dir" && modlink-verify "$@") > "$dir/verify.out" 2>&1 || { cat "$dir/verify.out"; return 1; }
  for m in "$@"; do
    readelf -d "$dir/$m" | grep -q 'NEEDED.*\[libmodlink\.so\.1\]' || { echo "$m: no NEEDED libmodlink.so.1"; return 1; }
    for entry in $(readelf -d "$dir/$m" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p' | tr : ' '); do
      [ "$entry" = '$ORIGIN' ] || [ "$entry" = "$dir" ] ||
        { echo "$m: RUNPATH entry '$entry', not the example's own"; return 1; }
    done
  done
}

for t in "${triples[@]}"; do
  say "$t"
  runner=()
  if [ -f "/usr/lib/cmake/modlink/runner-$t.txt" ]; then
    read -r -a runner < "/usr/lib/cmake/modlink/runner-$t.txt"
  fi
  [ "$("$t-modlink-cc" --print-runtime-dir)" = "/usr/lib/modlink/$t" ] ||
    fail "$t-modlink-cc --print-runtime-dir: $("$t-modlink-cc" --print-runtime-dir)"

  dir=$work/$t/plugin-host src=/usr/share/doc/modlink/examples/plugin-host
  mkdir -p "$dir"
  if ! make -s -C "$dir" -f "$src/Makefile" SRC="$src" CC="$t-modlink-cc" > "$dir/make.out" 2>&1; then
    cat "$dir/make.out"; fail "$t: make plugin-host"
  else
    (cd "$dir" && "${runner[@]}" ./host .) > "$dir/run.out" 2>&1
    if [ $? = 0 ] && grep -qx 'plugin-host: ok' "$dir/run.out"; then
      echo "  plugin-host (make): runs, ${runner[*]:-natively}"
    else
      sed 's/^/  | /' "$dir/run.out"; fail "$t: plugin-host does not run"
    fi
    check_modules "$dir" host libhostutil.so plugin_math.so plugin_text.so plugin_stack.so &&
      echo "  plugin-host: modlink-verify passes; NEEDED libmodlink.so.1; no RUNPATH of modlink's" ||
      fail "$t: plugin-host's modules"
  fi

  dir=$work/$t/cxx-plugin-host src=/usr/share/doc/modlink/examples/cxx-plugin-host
  if ! { cmake -S "$src" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="/usr/lib/cmake/modlink/toolchain-$t.cmake" &&
         cmake --build "$dir"; } > "$dir.build.out" 2>&1; then
    tail -20 "$dir.build.out"; fail "$t: cmake cxx-plugin-host"
  else
    if ctest --test-dir "$dir" --output-on-failure > "$dir.ctest.out" 2>&1; then
      echo "  cxx-plugin-host (CMake, toolchain-$t.cmake): $(grep -c ' Passed' "$dir.ctest.out") tests pass"
    else
      tail -30 "$dir.ctest.out"; fail "$t: cxx-plugin-host's tests"
    fi
    (cd "$dir" && "${runner[@]}" ./host .) 2>&1 | sed 's/0x[0-9a-f]*/0x.../g' > "$dir.transcript"
    diff -u "$src/expected.txt" "$dir.transcript" && echo "  cxx-plugin-host: its transcript is expected.txt" ||
      fail "$t: cxx-plugin-host's transcript"
    check_modules "$dir" host libpluginapi.so $(cd "$dir" && ls plugin_*.so) &&
      echo "  cxx-plugin-host: modlink-verify passes; NEEDED libmodlink.so.1; no RUNPATH of modlink's" ||
      fail "$t: cxx-plugin-host's modules"
  fi
done

say "apt-get remove ${ours[*]}"
installed=()
for p in "${ours[@]}"; do dpkg-query -W "$p" >/dev/null 2>&1 && installed+=("$p"); done
dpkg -L "${installed[@]}" > "$work/files" 2>/dev/null
apt-get remove -y -qq "${installed[@]}" >/dev/null || fail "apt-get remove"
for p in "${installed[@]}"; do
  status=$(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null)
  case $status in ''|un*) ;; *) fail "$p is left as '$status'" ;; esac
done
left=0
while read -r f; do
  if [ -e "$f" ] || [ -L "$f" ]; then
    [ -d "$f" ] && [ ! -L "$f" ] && continue  # a directory others share (/usr/bin)
    echo "  left: $f"; left=$((left + 1))
  fi
done < "$work/files"
stray=$(find / -xdev \( -path /proc -o -path /tmp -o -path /src -o -path "$debs" -o -path /var/cache/apt \) -prune \
          -o -iname '*modlink*' -print)
[ -z "$stray" ] || { echo "$stray" | sed 's/^/  left: /'; left=$((left + 1)); }
ldconfig -p | grep -q libmodlink && { echo "  left: libmodlink in ldconfig's cache"; left=$((left + 1)); }
[ $left = 0 ] && echo "  nothing is left: $(wc -l < "$work/files") files and directories gone" ||
  fail "apt-get remove left files behind"

say "$([ $failures = 0 ] && echo "packages: OK" || echo "packages: $failures FAILED")"
[ $failures = 0 ]
