#!/usr/bin/env bash
# Distributed builds through icecream, for real, on one machine: a
# scheduler and two iceccd daemons, each in a network namespace of its own,
# joined by veth pairs to a bridge in a fourth (no traffic leaves the
# machine).  The "local" daemon takes no jobs (-m 0), so every compile runs
# on the "remote" one.
#
#   tests/distributed/icecc.sh BUILD SOURCE WORK TRIPLE...
#
# For each TRIPLE (ctest gives the build machine's own target and the
# first cross target that keeps a TOC), with
# MODLINK_LAUNCHER=icecc and icecream's own environments (ICECC_VERSION
# unset: icecream ships the -fplugin file with the compiler):
#   - examples/plugin-host and the SQLite shared object (with its workload)
#     build through icecream; the scheduler's log shows each compile ran on
#     the remote node, and the local node's log shows none ran there;
#   - every object is identical to a local build's;
#   - modlink-verify passes, and the programs run.
# Then, for the first TRIPLE that is a cross target:
#   - a prebuilt environment (ICECC_VERSION) made with icecc-create-env
#     --addfile "$(<triple>-modlink-cc --print-plugin)" compiles
#     remotely, to the same object;
#   - one made without the plugin fails loudly: the compile exits non-zero
#     with cc1's "cannot load plugin" and writes no object.  Negative
#     control: with icecream's caret workaround back on
#     (ICECC_CARET_WORKAROUND=1, which modlink-cc otherwise turns off), the
#     same compile silently succeeds, done again locally.
# And ccache on top (MODLINK_LAUNCHER=ccache CCACHE_PREFIX=icecc): a
# rebuild after a clean is all cache hits and sends no job.
#
# Prints "icecc: skipped: WHY" and exits 0 where it cannot run (not root,
# no network namespaces, icecream or ccache not installed).  The daemons,
# the namespaces and the sockets are removed at exit, also on failure (and
# at the start of the next run, after a SIGKILL); WORK keeps the logs and
# builds.
set -uo pipefail
[ $# -ge 4 ] || { echo "usage: icecc.sh BUILD SOURCE WORK TRIPLE..." >&2; exit 2; }
build=$1 source=$2 work=$3
shift 3
triples=("$@")
prefix=$build/prefix
source "$source/scripts/platform.sh"

skip() { echo "icecc: skipped: $*"; exit 0; }
# The caller's launcher and icecream settings would change the local
# builds and the compiler lookups.
unset MODLINK_LAUNCHER ICECC_VERSION ICECC_CARET_WORKAROUND CCACHE_PREFIX CCACHE_DIR
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
failures=0

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, and iceccd changes to the icecc user)"
for tool in ip icecc iceccd icecc-scheduler icecc-create-env ccache; do
  command -v "$tool" >/dev/null || skip "$tool not found (Debian packages iproute2, icecc, ccache)"
done
id icecc >/dev/null 2>&1 || skip "no icecc user (the icecc package makes it)"

# Namespaces and addresses unique to this run.
tag=mlic$$
ns_bridge=$tag-br
subnet=10.$((100 + $$ % 100)).$(($$ / 100 % 250)).
declare -A addr=([sched]=${subnet}1 [local]=${subnet}2 [remote]=${subnet}3)

teardown() {
  local n pids
  for n in local remote sched; do
    pids=$(ip netns pids "$tag-$n" 2>/dev/null)
    [ -z "$pids" ] || kill $pids 2>/dev/null
  done
  sleep 1
  for n in local remote sched; do
    pids=$(ip netns pids "$tag-$n" 2>/dev/null)
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null
    ip netns del "$tag-$n" 2>/dev/null
  done
  ip netns del "$ns_bridge" 2>/dev/null
  rm -rf "$work/run"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# What an earlier run killed outright (a ctest timeout) left behind.
for ns in $(ip netns list 2>/dev/null | sed -n 's/^\(mlic[0-9]*\)-br\b.*/\1/p'); do
  kill -0 "${ns#mlic}" 2>/dev/null && continue  # that run is still going
  for n in local remote sched; do
    pids=$(ip netns pids "$ns-$n" 2>/dev/null); [ -z "$pids" ] || kill -9 $pids 2>/dev/null
    ip netns del "$ns-$n" 2>/dev/null
  done
  ip netns del "$ns-br" 2>/dev/null
done
ip netns add "$ns_bridge" 2>/dev/null || skip "cannot create network namespaces (ip netns add failed)"
rm -rf "$work" && mkdir -p "$work"/{logs,run,envs-local,envs-remote,envs}
chown icecc "$work"/{logs,run,envs-local,envs-remote}  # the daemons run as icecc
ip -n "$ns_bridge" link add br0 type bridge && ip -n "$ns_bridge" link set br0 up || { fail "bridge"; exit 1; }
for n in sched local remote; do
  ip netns add "$tag-$n" &&
    ip link add v0 netns "$tag-$n" type veth peer name "p-$n" netns "$ns_bridge" &&
    ip -n "$ns_bridge" link set "p-$n" master br0 up &&
    ip -n "$tag-$n" addr add "${addr[$n]}/24" dev v0 &&
    ip -n "$tag-$n" link set v0 up && ip -n "$tag-$n" link set lo up || { fail "network namespace $n"; exit 1; }
done

# Each daemon gets a socket of its own (ICECC_TEST_SOCKET): a path is
# shared by every namespace, and a system iceccd may hold the default one.
logs=$work/logs
ip netns exec "$tag-sched" icecc-scheduler -n "$tag" -l "$logs/scheduler.log" -vvv -r -d
for n in remote local; do
  jobs=2; [ $n = local ] && jobs=0  # the local node takes no jobs
  ip netns exec "$tag-$n" env ICECC_TEST_SOCKET="$work/run/$n.sock" \
    iceccd -n "$tag" -s "${addr[sched]}" -N "$n" -b "$work/envs-$n" -l "$logs/$n.log" -m $jobs -vvv -d
done
for i in $(seq 60); do
  [ "$(cat "$logs/local.log" "$logs/remote.log" 2>/dev/null | grep -c 'Connected to scheduler')" -ge 2 ] && break
  sleep 1
done
[ "$(cat "$logs/local.log" "$logs/remote.log" | grep -c 'Connected to scheduler')" -ge 2 ] ||
  { fail "the daemons did not reach the scheduler in 60 s"; tail -5 "$logs"/*.log; exit 1; }
echo "icecc: scheduler ${addr[sched]}, local node ${addr[local]} (-m 0), remote node ${addr[remote]}"

# Runs a command as a client of the local node.
client() { ip netns exec "$tag-local" env ICECC_TEST_SOCKET="$work/run/local.sock" "$@"; }
# Compiles the remote node finished with success (the scheduler's
# "BEGIN ... server=remote" counts jobs, also those icecream then redid here).
remote_jobs() { grep -c 'Remote compilation completed with exit code 0' "$logs/remote.log"; }
local_jobs() { grep -c 'remote compile for file' "$logs/local.log"; }

# Compares the objects of a build in DIR with those of the local build
# kept in DIR.local (the same directory, so that debug information names
# the same paths).
same_objects() {  # WHAT DIR
  local o n=0 all=0
  for o in "$2.local"/*.o; do
    all=$((all + 1))
    if cmp -s "$o" "$2/$(basename "$o")"; then n=$((n + 1)); else fail "$1: $(basename "$o") differs from the local build's"; fi
  done
  echo "  $1: $n of $all objects identical to the local build's"
}
keep_local() { rm -rf "$1.local" && mv "$1" "$1.local"; }

make_plugin_host() {  # DIR CC [ENV...]
  local dir=$1 cc=$2 ex=$source/examples/plugin-host
  shift 2
  rm -rf "$dir" && mkdir -p "$dir"
  # -gno-record-gcc-switches: DW_AT_producer would record the options
  # icecream adds on the remote node (-fdirectives-only, --param=ggc-*),
  # with any compiler; the rest of the object must not differ.
  client env "$@" make -s -C "$dir" -f "$ex/Makefile" SRC="$ex" CC="$cc" \
    CFLAGS="-O2 -g -Wall -gno-record-gcc-switches" > "$dir.make.log" 2>&1 ||
    { cat "$dir.make.log"; return 1; }
}

sqlite_src=$work/sqlite
"$source/scripts/fetch-sqlite.sh" "$sqlite_src" || { fail "cannot fetch sqlite3.c"; exit 1; }
build_sqlite() {  # DIR CC [ENV...]
  local dir=$1 cc=$2
  shift 2
  rm -rf "$dir" && mkdir -p "$dir"
  client env "$@" "$cc" -O2 -fPIC -w -c "$sqlite_src/sqlite3.c" -o "$dir/sqlite3.o" &&
    "$cc" -shared "$dir/sqlite3.o" -o "$dir/libsqlite3.so" -lm &&
    client env "$@" "$cc" -O2 -I"$sqlite_src" -c "$source/tests/sqlite/workload.c" -o "$dir/workload.o" &&
    "$cc" "$dir/workload.o" -o "$dir/sqlite_workload" -L"$dir" -lsqlite3 -Wl,-rpath,"$dir"
}

for t in "${triples[@]}"; do
  cc=$prefix/bin/$t-modlink-cc
  echo "== $t"
  [ -x "$cc" ] || { fail "$cc not built"; continue; }
  platform_runner "$build" "$t" || { fail "no runner for $t"; continue; }
  dir=$work/$t/plugin-host
  make_plugin_host "$dir" "$cc" && keep_local "$dir" || { fail "$t: local build of plugin-host"; continue; }
  before=$(remote_jobs)
  make_plugin_host "$dir" "$cc" MODLINK_LAUNCHER=icecc || { fail "$t: plugin-host through icecc"; continue; }
  objects=$(ls "$dir"/*.o | wc -l)
  ran=$(( $(remote_jobs) - before ))
  [ "$ran" = "$objects" ] && echo "  plugin-host: $ran compiles, all done on the remote node" ||
    fail "$t: plugin-host: $ran of $objects compiles ran on the remote node"
  same_objects "$t: plugin-host" "$dir"
  (cd "$dir" && "$prefix/bin/modlink-verify" host libhostutil.so plugin_*.so) > "$dir.verify" 2>&1 &&
    echo "  plugin-host: modlink-verify passes" || { cat "$dir.verify"; fail "$t: modlink-verify"; }
  (cd "$dir" && "${runner[@]}" ./host .) > "$dir.run" 2>&1 && grep -qx 'plugin-host: ok' "$dir.run" &&
    echo "  plugin-host: runs${runner[*]:+ under ${runner[*]}}, 'plugin-host: ok'" ||
    { tail -5 "$dir.run"; fail "$t: plugin-host does not run"; }

  dir=$work/$t/sqlite
  build_sqlite "$dir" "$cc" && keep_local "$dir" || { fail "$t: local build of SQLite"; continue; }
  before=$(remote_jobs)
  build_sqlite "$dir" "$cc" MODLINK_LAUNCHER=icecc || { fail "$t: SQLite through icecc"; continue; }
  ran=$(( $(remote_jobs) - before ))
  [ "$ran" = 2 ] && echo "  SQLite: sqlite3.c and the workload compiled on the remote node" ||
    fail "$t: SQLite: $ran of 2 compiles ran on the remote node"
  same_objects "$t: SQLite" "$dir"
  "$prefix/bin/modlink-verify" "$dir/libsqlite3.so" "$dir/sqlite_workload" > "$dir.verify" 2>&1 &&
    echo "  SQLite: modlink-verify passes" || { cat "$dir.verify"; fail "$t: SQLite: modlink-verify"; }
  "${runner[@]}" "$dir/sqlite_workload" 2000 > "$dir.run" 2>&1 &&
    grep -qx 'integrity| ok' "$dir.run" && grep -qx 'sqlite_workload: done' "$dir.run" &&
    echo "  SQLite: the workload runs (2,000 rows, integrity ok)" || { tail -5 "$dir.run"; fail "$t: SQLite workload"; }
done
[ "$(local_jobs)" = 0 ] && echo "icecc: the local node compiled nothing" || fail "the local node ran $(local_jobs) jobs"

# Prebuilt environments (ICECC_VERSION), as a site that ships its own
# makes them, for the first cross target.
native=$(platform_native) || exit 1
t=
for candidate in "${triples[@]}"; do
  [ "$candidate" = "$native" ] || { t=$candidate; break; }
done
if [ -n "$t" ]; then
  echo "== prebuilt environments, $t"
  cc=$prefix/bin/$t-modlink-cc
  gcc=$(platform_driven_compiler "$cc") && gxx=$(platform_driven_compiler "$prefix/bin/$t-modlink-c++") ||
    { fail "$t: the drivers name no compiler"; exit 1; }
  plugin=$("$cc" --print-plugin)
  printf '#include <modlink.h>\nstatic void f(void *p) { (void)p; }\nint g(void) { modlink_defer(f, 0); return 1; }\n' \
    > "$work/defer.c"
  "$cc" -O2 -c "$work/defer.c" -o "$work/defer-local.o"
  make_env() {  # NAME ARGS...: prints the tarball
    local dir=$work/envs/$1; shift
    mkdir -p "$dir" && (cd "$dir" && icecc-create-env "$@" > create.log 2>&1) &&
      ls "$dir"/*.tar.gz 2>/dev/null | head -n1
  }
  with=$(make_env with-plugin --gcc "$gcc" "$gxx" --addfile "$plugin") && [ -n "$with" ] ||
    { fail "icecc-create-env --addfile $plugin"; cat "$work/envs/with-plugin/create.log"; }
  without=$(make_env without-plugin --gcc "$gcc" "$gxx") && [ -n "$without" ] ||
    { fail "icecc-create-env without the plugin"; cat "$work/envs/without-plugin/create.log"; }
  if [ -n "$with" ]; then
    before=$(remote_jobs)
    client env MODLINK_LAUNCHER=icecc ICECC_VERSION="$with" "$cc" -O2 -c "$work/defer.c" -o "$work/defer-with.o" &&
      [ $(( $(remote_jobs) - before )) = 1 ] && cmp -s "$work/defer-local.o" "$work/defer-with.o" &&
      echo "  with the plugin (--addfile): compiled on the remote node, identical to the local object" ||
      fail "prebuilt environment with the plugin"
  fi
  if [ -n "$without" ]; then
    rm -f "$work/defer-without.o"
    client env MODLINK_LAUNCHER=icecc ICECC_VERSION="$without" "$cc" -O2 -c "$work/defer.c" \
      -o "$work/defer-without.o" > "$work/without.log" 2>&1
    rc=$?
    if [ $rc != 0 ] && grep -q 'cannot load plugin' "$work/without.log" && [ ! -e "$work/defer-without.o" ]; then
      echo "  without the plugin: fails loudly (exit $rc, \"$(grep -m1 -o 'cannot load plugin[^:]*' "$work/without.log")\"), no object"
    else
      cat "$work/without.log"; fail "prebuilt environment without the plugin: exit $rc, no loud failure"
    fi
    # Negative control: icecream's own default hides it.
    client env MODLINK_LAUNCHER=icecc ICECC_VERSION="$without" ICECC_CARET_WORKAROUND=1 "$cc" -O2 -c \
      "$work/defer.c" -o "$work/defer-hidden.o" > "$work/hidden.log" 2>&1 && [ -e "$work/defer-hidden.o" ] &&
      echo "  negative control: with ICECC_CARET_WORKAROUND=1 the same compile silently succeeds (done again locally)" ||
      fail "negative control: ICECC_CARET_WORKAROUND=1 did not hide the remote failure"
  fi
fi

# ccache on top: a rebuild after a clean is all hits, and sends no job.
t=${triples[0]}
echo "== ccache with CCACHE_PREFIX=icecc, $t"
export CCACHE_DIR=$work/ccache
cache_env=(MODLINK_LAUNCHER=ccache CCACHE_PREFIX=icecc CCACHE_DIR="$CCACHE_DIR")
ccache -z > /dev/null
before=$(remote_jobs)
make_plugin_host "$work/ccache/plugin-host" "$prefix/bin/$t-modlink-cc" "${cache_env[@]}" ||
  fail "plugin-host through ccache and icecc"
first=$(( $(remote_jobs) - before ))
stats() { ccache --print-stats | awk -F'\t' -v k="$1" '$1 == k { print $2 }'; }
misses=$(stats direct_cache_miss)
ccache -z > /dev/null
before=$(remote_jobs)
make_plugin_host "$work/ccache/plugin-host" "$prefix/bin/$t-modlink-cc" "${cache_env[@]}" ||
  fail "plugin-host rebuild through ccache and icecc"
second=$(( $(remote_jobs) - before ))
hits=$(stats direct_cache_hit)
[ "$first" -gt 0 ] && [ "$second" = 0 ] && [ "$hits" = "$first" ] &&
  echo "  first build: $first compiles on the remote node; rebuild: $hits cache hits, no job" ||
  fail "ccache: first build $first remote jobs ($misses misses), rebuild $second remote jobs and $hits hits"

echo
[ $failures = 0 ] && echo "icecc: ok" || echo "icecc: $failures FAILED"
[ $failures = 0 ]
