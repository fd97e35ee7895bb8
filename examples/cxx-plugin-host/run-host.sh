#!/bin/sh
# run-host.sh HOST: runs the host on the plugins next to it, under $RUN:
# the cross-compiling emulator that CMakeLists.txt hands over (empty in a
# native build).  $RUN is split into words, as the emulator may be a
# command with options.
# shellcheck disable=SC2086
exec $RUN "$1" "$(dirname "$1")"
