#!/bin/sh
# tests/cli/run-case.sh - runs one CLI case and compares what it prints.
#
# A case is tests/cli/NAME.sh beside NAME.expected. The case runs with sh in a
# fresh empty directory, with $CHAFF the program under test and $DATA the
# tests/cli/data directory; everything it prints (stdout and stderr, in order)
# must equal NAME.expected byte for byte. Cases print exit codes and outputs
# themselves, so a failure shows exactly what changed.
# usage: run-case.sh CASE.sh CHAFF [--update]
set -u
case_sh=$1
CHAFF=$2
here=$(cd "$(dirname "$case_sh")" && pwd)
name=$(basename "$case_sh" .sh)
expected="$here/$name.expected"
work=$(mktemp -d "${TMPDIR:-/tmp}/chaff-cli-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
export CHAFF DATA="$here/data" LC_ALL=C
actual="$work/.actual"
(cd "$work" && sh "$here/$name.sh") >"$actual" 2>&1
if [ "${3:-}" = "--update" ]; then
    cp "$actual" "$expected"
    echo "updated $expected"
    exit 0
fi
if ! diff -u "$expected" "$actual"; then
    echo "FAIL: cli case $name (expected $expected, got the + lines)"
    exit 1
fi
echo "ok: cli case $name"
