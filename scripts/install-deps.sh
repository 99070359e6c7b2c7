#!/bin/sh
# scripts/install-deps.sh - install the Debian packages chaff builds and tests with.
# Idempotent: asks dpkg what is already there and installs only what is missing,
# so a second `make run` costs nothing and a machine without network still works
# once everything is in place. The last line is text, not tools: scripts/make-corpus.sh
# builds the accuracy test's corpus from those packages' documentation. ffmpeg
# makes and decodes the video test's videos (the test is skipped without it).
set -eu
pkgs="gcc make cmake pkg-config libxxhash-dev libzstd-dev zlib1g-dev libsimde-dev \
libcmocka-dev libutf8proc-dev zstd gzip python3 xxhash ffmpeg \
manpages manpages-dev perl-doc fortunes-min fortunes"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "chaff: installing missing packages:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
