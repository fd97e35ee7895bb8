#!/usr/bin/env bash
# Run a command in this checkout, inside a chroot of another Debian release.
#
#   scripts/in-debian.sh SUITE COMMAND [ARG...]
#   scripts/in-debian.sh trixie scripts/test.sh
#   scripts/in-debian.sh sid scripts/test.sh -L gcc-matrix
#   scripts/in-debian.sh --gcc-versions sid    prints the suite's GCC majors
#   scripts/in-debian.sh --clean --bind DIR:/debs sid tests/packages/inside.sh /debs
#
# The chroot is made once with mmdebstrap (installed if missing) and cached
# in $MODLINK_CHROOTS/SUITE (default ~/.cache/modlink/chroots/SUITE), with
# the packages scripts/bootstrap.sh lists for every GCC major the suite has
# (bookworm: 12; trixie: 12 to 14; sid: 12 to 16; MODLINK_GCC_VERSIONS
# chooses others).  Each run copies the checkout's files (tracked and
# untracked, not ignored ones) to /src in the chroot, keeping /src/build*
# from the last run, and runs COMMAND there as root, with /proc, /dev and
# /dev/pts mounted.  Needs root, and deb.debian.org.
#
#   --clean         a throwaway chroot instead, with nothing but apt (what a
#                   user's new system has), deleted when COMMAND ends; the
#                   packages apt fetches in it stay in
#                   $MODLINK_CHROOTS/SUITE-clean-archives for the next one
#   --bind DIR:PATH DIR of this machine appears read-only at PATH inside
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "in-debian: $*" >&2; exit 2; }
print_versions= clean= binds=()
while [ $# -gt 0 ]; do
  case $1 in
    --gcc-versions) print_versions=1; shift ;;
    --clean) clean=1; shift ;;
    --bind)
      [ $# -ge 2 ] && [[ $2 == *:/* ]] && [[ /${2#*:}/ != */../* ]] || die "--bind wants DIR:/PATH, PATH without '..'"
      [ -d "${2%%:*}" ] || die "--bind: ${2%%:*} is not a directory"
      binds+=("$2"); shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || [ -n "$print_versions" -a $# -eq 1 ] ||
  die "usage: scripts/in-debian.sh SUITE COMMAND [ARG...], or --gcc-versions SUITE"
suite=$1; shift

case $suite in
  bookworm) suite_versions="12" ;;
  trixie) suite_versions="12 13 14" ;;
  sid|unstable) suite=sid; suite_versions="12 13 14 15 16" ;;
  *) die "unknown suite '$suite'; supported: bookworm, trixie, sid" ;;
esac
if [ -n "$print_versions" ]; then echo "$suite_versions"; exit 0; fi
versions=${MODLINK_GCC_VERSIONS:-$suite_versions}
[ "$(id -u)" -eq 0 ] || die "needs root (chroot and mount)"

chroots=${MODLINK_CHROOTS:-$HOME/.cache/modlink/chroots}
root=$chroots/$suite
mkdir -p "$chroots"
trap 'exit 130' INT TERM  # so that the EXIT trap runs
# A clean chroot goes, but never while anything is still mounted in it
# (what rm would then delete is not the chroot's).
remove_clean_chroot() {
  if grep -q " $root/" /proc/self/mountinfo; then
    echo "in-debian: not removing $root: something is still mounted in it" >&2
    return 1
  fi
  rm -rf --one-file-system "$root"
}
if [ -n "$clean" ]; then
  root=$(mktemp -d "$chroots/$suite-clean.XXXXXX")
else
  exec 9>"$root.lock"
  flock 9  # one run per chroot at a time
fi

need_mmdebstrap() {
  command -v mmdebstrap >/dev/null || {
    echo "in-debian: installing mmdebstrap" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null; }
  }
}
create_chroot() {
  need_mmdebstrap
  local include
  include=$(MODLINK_GCC_VERSIONS="$versions" "$here/scripts/bootstrap.sh" --list | paste -sd, -)
  echo "in-debian: creating the $suite chroot in $root (GCC $versions); this takes minutes" >&2
  rm -rf "$root.new"
  # The mirror's sid Release file can be past its Valid-Until date.
  mmdebstrap --quiet --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
    --include="$include,git,ca-certificates" "$suite" "$root.new" http://deb.debian.org/debian >&2
  echo "$versions" > "$root.new/.modlink-gcc-versions"
  mv "$root.new" "$root"
}
create_clean_chroot() {
  echo "in-debian: creating a clean $suite chroot in $root" >&2
  rmdir "$root"
  mmdebstrap --quiet --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
    "$suite" "$root" http://deb.debian.org/debian >&2
}
if [ -n "$clean" ]; then
  need_mmdebstrap
  trap remove_clean_chroot EXIT
  create_clean_chroot
elif [ ! -f "$root/.modlink-gcc-versions" ]; then
  create_chroot
fi

# The checkout's files, fresh; build directories stay for the next run.
mkdir -p "$root/src"
find "$root/src" -mindepth 1 -maxdepth 1 ! -name 'build*' -exec rm -rf {} +
(cd "$here" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar -xf - -C "$root/src"

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
}
trap 'cleanup; [ -z "$clean" ] || remove_clean_chroot' EXIT
mount_in() {  # mount_in TARGET MOUNT-ARGS...
  local target=$root$1; shift
  mkdir -p "$target"
  mounted+=("$target")  # before: a mount that half succeeds is undone too
  mount "$@" "$target"
}
mount_in /proc -t proc proc
mount_in /dev --bind /dev
mount_in /dev/pts --bind /dev/pts
for bind in "${binds[@]}"; do
  mount_in "${bind#*:}" --bind -o ro "${bind%%:*}"
done
if [ -n "$clean" ]; then
  mkdir -p "$chroots/$suite-clean-archives/partial"
  mount_in /var/cache/apt/archives --bind "$chroots/$suite-clean-archives"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# The host's own certificate authorities (a site's proxy, say) go along, so
# that what the host can fetch (npm's registry) the chroot can too.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
fi

echo "in-debian: $suite (GCC $(cat "$root/.modlink-gcc-versions" 2>/dev/null || echo "as apt installs it")): $*" >&2
chroot "$root" /usr/bin/env -i \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  TERM="${TERM:-dumb}" CI="${CI:-}" MODLINK_JOBS="${MODLINK_JOBS:-}" \
  MODLINK_GCC_VERSIONS="$versions" MODLINK_IN_DEBIAN="$suite" \
  ${NODE_EXTRA_CA_CERTS:+NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt} \
  bash -c 'cd /src && exec "$@"' in-debian "$@"
