#!/usr/bin/env bash
# Builds the Go parser samples for tests/test_gopclntab.c: tests/go-samples/tlsdial
# (a crypto/tls client) with each Go toolchain, in four builds each, and the ground
# truth Go's own debug/elf + debug/gosym read from them (tests/go-samples/truth):
#   DIR/GO/BUILD/tlsdial   GO: go1.15 go1.19 go1.22 go1.24 go1.27.3
#                          BUILD: default stripped (-s -w) nocgo (CGO_ENABLED=0) pie
#   DIR/GO/version         "BUILD goX.Y.Z" per build (`go version FILE`)
#   DIR/GO/truth.txt       the truth program's output
# The toolchains are Debian's (bullseye 1.15, bookworm 1.19, bookworm-backports 1.22,
# trixie 1.24), each built in a container of its release (docker/go-samples.Dockerfile,
# on the tlsprobe/base:SUITE images of scripts/images.sh); the newest is fetched by
# trixie's go command from the Go module proxy (GOTOOLCHAIN), trusting the host's
# local CAs too (/usr/local/share/ca-certificates: a TLS-inspecting egress proxy).
# The host's own Go, if any, is never used.
# TLSPROBE_GO_TOOLCHAINS="go1.15 go1.19 …" builds only those (make test's subset).
# Cached in $TLSPROBE_CACHE/go-samples/KEY (KEY: a hash of the sources, the
# Dockerfile and this script): a warm run only relinks DIR (default build/go-samples)
# to it. Needs root and a Docker daemon on a cold run (started like images.sh does).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
. "$HERE/docker-env.sh"
CACHE=${TLSPROBE_CACHE:-/var/cache/tlsprobe}
DIR=${1:-$ROOT/build/go-samples}
DOCKERFILE=docker/go-samples.Dockerfile

log() { echo "go-samples: $*" >&2; }
die() { log "error: $*"; exit 1; }

# NAME SUITE DEBIAN-GO BACKPORTS TOOLCHAIN ("-": none)
TOOLCHAINS=(
    "go1.15   bullseye 1.15 - -"
    "go1.19   bookworm 1.19 - -"
    "go1.22   bookworm 1.22 bookworm-backports -"
    "go1.24   trixie   1.24 - -"
    "go1.27.3 trixie   1.24 - go1.27.3"
)

# The cache key: everything that goes into the samples.
cache_key() {
    (cd "$ROOT" && find tests/go-samples "$DOCKERFILE" scripts/go-samples.sh -type f | LC_ALL=C sort |
        xargs sha256sum) | sha256sum | cut -c1-16
}
KEY=$(cache_key)
OUT=$CACHE/go-samples/$KEY

# Points DIR at the samples (a symlink; the repository holds no binary).
link_dir() {
    mkdir -p "$(dirname "$DIR")"
    if [[ -e $DIR && ! -L $DIR ]]; then die "$DIR exists and is not a symlink"; fi
    ln -sfn "$OUT" "$DIR"
}

# The base image of a suite, made by images.sh: it makes bases per fixture row, so
# ask for one row of that suite (--base-only builds no fixture).
ensure_base() {
    local suite=$1 row
    "$DOCKER" image inspect "tlsprobe/base:$suite" >/dev/null 2>&1 && return
    row=$(awk -v s="$suite" '$1 == "variant" && $3 == s {
              n = split(FILENAME, p, "/"); print p[n - 1] "@" $2; exit }' "$ROOT"/fixtures/*/manifest)
    [[ -n $row ]] || die "no fixture row runs on $suite, so images.sh makes no tlsprobe/base:$suite"
    "$HERE/images.sh" --base-only "$row"
}

# Builds one toolchain's samples into $OUT/NAME.
build_one() {
    local name=$1 suite=$2 go=$3 backports=$4 toolchain=$5
    local img=tlsprobe/go-samples:$name flog=$CACHE/logs/go-samples-$name.log t0=$SECONDS c
    local host_cas=
    [[ $backports == - ]] && backports=
    [[ $toolchain == - ]] && toolchain=
    ensure_base "$suite"
    # the proxy's certificate may be signed by a CA only the host adds
    if [[ -n $toolchain ]]; then
        host_cas=$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true)
    fi
    log "$name: building in $suite (log: $flog)"
    # Legacy builder and --network host, as images.sh builds (apt, the Go module proxy).
    if ! DOCKER_BUILDKIT=0 "$DOCKER" build --network host --build-arg "SUITE=$suite" \
            --build-arg "GO=$go" --build-arg "BACKPORTS=$backports" \
            --build-arg "TOOLCHAIN=$toolchain" --build-arg "HOST_CAS=$host_cas" -f "$ROOT/$DOCKERFILE" -t "$img" "$ROOT" \
            >"$flog" 2>&1; then
        tail -n 30 "$flog" >&2
        die "$name: build failed (full log: $flog)"
    fi
    rm -rf "$OUT/$name.tmp"
    c=$("$DOCKER" create "$img")
    "$DOCKER" cp "$c:/out" "$OUT/$name.tmp" || { "$DOCKER" rm "$c" >/dev/null; die "$name: docker cp failed"; }
    "$DOCKER" rm "$c" >/dev/null
    rm -rf "${OUT:?}/$name"
    mv "$OUT/$name.tmp" "$OUT/$name"
    log "$name: $(tr '\n' ' ' <"$OUT/$name/version")($((SECONDS - t0)) s)"
}

# $TLSPROBE_GO_TOOLCHAINS: the names to build (make test's subset), or all.
chosen() {
    local list=${TLSPROBE_GO_TOOLCHAINS:-all}
    [[ $list == all || " $list " == *" $1 "* ]]
}

missing=()
for t in "${TOOLCHAINS[@]}"; do
    read -r name _ <<<"$t"
    chosen "$name" || continue
    [[ -f $OUT/$name/truth.txt ]] || missing+=("$t")
done
if ((${#missing[@]} == 0)); then
    link_dir
    log "cached: $OUT -> $DIR"
    exit 0
fi

[[ $EUID -eq 0 ]] || die "must run as root (Docker)"
mkdir -p "$OUT" "$CACHE/logs"
if ! tlsprobe_docker_ok; then "$HERE/dockerd.sh" start; fi
for t in "${missing[@]}"; do
    # shellcheck disable=SC2086 # the fields are words
    build_one $t
done
# Samples of older sources are of no more use.
for old in "$CACHE"/go-samples/*; do
    [[ $old == "$OUT" ]] || rm -rf "$old"
done
link_dir
log "built: $OUT -> $DIR"
