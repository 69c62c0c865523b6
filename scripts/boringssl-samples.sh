#!/usr/bin/env bash
# Copies the BoringSSL fixture's binaries out of its images into DIR (default
# build/boringssl), for tests/test_boringssl.c:
#   DIR/shared/libssl.so.0 DIR/shared/libcrypto.so.0   (trixie's android-libboringssl)
#   DIR/static/tlsfix      (BoringSSL linked in, SSL_read/SSL_write local symbols)
#   DIR/stripped/tlsfix    (the same, strip --strip-all)
# The images come from `scripts/images.sh boringssl`; a missing one is skipped
# (and said so). Needs a Docker daemon (scripts/dockerd.sh).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/docker-env.sh"
DIR=${1:-$(dirname "$HERE")/build/boringssl}
declare -A FILES=(
    [shared]="/usr/lib/x86_64-linux-gnu/android/libssl.so.0 /usr/lib/x86_64-linux-gnu/android/libcrypto.so.0"
    [static]=/opt/tlsfix/tlsfix
    [stripped]=/opt/tlsfix/tlsfix
)
rc=0
for v in shared static stripped; do
    img=tlsprobe/fixture-boringssl:$v
    if ! "$DOCKER" image inspect "$img" >/dev/null 2>&1; then
        echo "boringssl-samples: no image $img (scripts/images.sh boringssl@$v)" >&2
        rc=1
        continue
    fi
    mkdir -p "$DIR/$v"
    c=$("$DOCKER" create "$img")
    for f in ${FILES[$v]}; do
        "$DOCKER" cp -L "$c:$f" "$DIR/$v/$(basename "$f")" || rc=1
    done
    "$DOCKER" rm "$c" >/dev/null
    echo "boringssl-samples: $img -> $DIR/$v"
done
exit $rc
