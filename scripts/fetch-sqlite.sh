#!/usr/bin/env bash
# Fetch the SQLite amalgamation that the reliability tests and the
# benchmarks compile: deps/sqlite3/{sqlite3.c,sqlite3.h} of the npm package
# better-sqlite3 at a pinned version (SQLite 3.49.2), checked against pinned SHA-256 sums.
#
#   scripts/fetch-sqlite.sh DIR     puts sqlite3.c and sqlite3.h in DIR
#
# Does nothing when DIR already holds the right files.  Needs npm
# (scripts/bootstrap.sh installs it).
set -euo pipefail
package=better-sqlite3@11.10.0
sums="e80215754ac6cfaefe272342efd581b6dbefdbdc21f96bd83fcb698bee9d36a5  sqlite3.c
2198c66d4c59ae86421590c27fd53309ec14a595ae31c0c7143247444018a0bd  sqlite3.h"
dir=${1:?usage: scripts/fetch-sqlite.sh DIR}
mkdir -p "$dir"
cd "$dir"
if echo "$sums" | sha256sum --check --status 2>/dev/null; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-sqlite: error: npm not found; install the Debian package npm" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$package" >/dev/null) \
  || { echo "fetch-sqlite: error: npm pack $package failed" >&2; exit 1; }
tar -xzf "$tmp"/better-sqlite3-*.tgz -C "$tmp" package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h
mv "$tmp"/package/deps/sqlite3/sqlite3.[ch] .
echo "$sums" | sha256sum --check --status \
  || { rm -f sqlite3.c sqlite3.h; echo "fetch-sqlite: error: $package: sqlite3.c or sqlite3.h does not match its pinned SHA-256" >&2; exit 1; }
