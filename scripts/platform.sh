# Sourced by the shell scripts: the platform table (platform/targets.conf)
# for bash.
#
#   platform_triples                 every target, in the table's order
#   platform_field TRIPLE FIELD      one field ("" when an optional one is absent)
#   platform_has TRIPLE CAPABILITY   true when the target has it
#   platform_runner BUILD TRIPLE     the array `runner`: how the build in BUILD
#                                    runs TRIPLE's programs here (empty: natively)
#   platform_native                  the target this machine runs natively
#   platform_driven_compiler DRIVER  the compiler a modlink driver drives
#
# An unknown triple is an error that names the supported ones.

platform_table=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/platform/targets.conf

platform_triples() {
  sed -n 's/^\[\(.*\)\][[:space:]]*$/\1/p' "$platform_table"
}

platform_known() {
  local t
  for t in $(platform_triples); do [ "$t" = "$1" ] && return 0; done
  echo "modlink: unknown target '$1'; supported: $(platform_triples | paste -sd, | sed 's/,/, /g')" >&2
  return 1
}

platform_field() {
  platform_known "$1" || return 1
  awk -v triple="$1" -v key="$2" '
    /^\[/ { in_block = ($0 == "[" triple "]"); next }
    in_block {
      sub(/#.*/, "")
      if (match($0, /^[[:space:]]*[a-z_]+[[:space:]]*=/)) {
        k = substr($0, 1, RLENGTH); gsub(/[[:space:]=]/, "", k)
        if (k == key) { v = substr($0, RLENGTH + 1); gsub(/^[[:space:]]+|[[:space:]]+$/, "", v); print v; exit }
      }
    }' "$platform_table"
}

platform_has() {
  local cap
  for cap in $(platform_field "$1" capabilities); do [ "$cap" = "$2" ] && return 0; done
  return 1
}

platform_runner() {
  local file=$1/target/$2/runner.txt
  platform_known "$2" || return 1
  if [ ! -f "$file" ]; then
    echo "modlink: $file is missing; build first (scripts/build.sh)" >&2
    return 1
  fi
  read -r -a runner < "$file"
}

platform_native() {
  local t host
  host=$(dpkg --print-architecture)
  for t in $(platform_triples); do
    [ "$(platform_field "$t" debian_arch)" = "$host" ] && { echo "$t"; return 0; }
  done
  echo "modlink: no target of platform/targets.conf is this machine's architecture ($host)" >&2
  return 1
}

# The first word of the driver's -### line for a compile (without the
# caller's launcher, which would come first).
platform_driven_compiler() {
  local compiler
  compiler=$(MODLINK_LAUNCHER= "$1" -### -c x.c 2>&1 | sed -n '1s/^ *"\([^"]*\)".*/\1/p')
  [ -n "$compiler" ] || { echo "modlink: $1 -### names no compiler" >&2; return 1; }
  echo "$compiler"
}
