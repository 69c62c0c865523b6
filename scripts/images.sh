#!/usr/bin/env bash
# Build the fixtures' Docker images, as the fixture manifests (fixtures/*/manifest) say:
#   tlsprobe/base:SUITE               debootstrap --variant=minbase rootfs, `docker import`ed
#                                     (no image can be pulled here); the rootfs tarball is
#                                     cached in $TLSPROBE_CACHE/rootfs/SUITE.tar and reused.
#   tlsprobe/fixture-STACK:VARIANT    the manifest's dockerfile, --build-arg SUITE=<the
#                                     variant's suite> and VARIANT=<its name> (a Dockerfile
#                                     that builds variants differently reads it), context =
#                                     repo root.
# Arguments: fixture rows (stack@variant), stacks (all their container variants) or `all`;
# default: every container variant of every manifest. Host variants need no image.
# Existing base images are kept (delete one, or its tarball too, to rebuild it); fixture
# images are always rebuilt (Docker's layer cache keeps that cheap). A fixture image that
# fails to build is reported and the others are still built; the exit status is then 1.
# Starts dockerd via scripts/dockerd.sh if none answers and LEAVES IT RUNNING, since the
# next step (running fixtures) needs it. TLSPROBE_STOP_DOCKERD=1 makes this script stop,
# at exit, a daemon that it started itself (never one that was already running).
# Environment: TLSPROBE_CACHE (default /var/cache/tlsprobe), TLSPROBE_MIRROR (default:
# first URIs line of /etc/apt/sources.list.d/debian.sources), TLSPROBE_STOP_DOCKERD.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
. "$HERE/docker-env.sh"
CACHE=${TLSPROBE_CACHE:-/var/cache/tlsprobe}
ARCHIVE=http://archive.debian.org    # where Debian moves suites that left the mirrors
# bookworm's debian-archive-keyring (2023.3+deb12u2) already holds the bullseye, bookworm
# and trixie keys, so bookworm's debootstrap verifies all three with it. A later suite
# (forky) needs a newer keyring: take debian-archive-keyring from that suite (or a
# bookworm point release / backports that ships its key) and point KEYRING at it.
KEYRING=${TLSPROBE_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

log() { echo "tlsprobe: $*" >&2; }
die() { log "error: $*"; exit 1; }

# The manifests' container variants: ROWS (stack@variant, in manifest order), and per row
# its suite and dockerfile. HOST_ROWS: the host variants, which have no image.
ROWS=()
declare -A ROW_SUITE ROW_DOCKERFILE HOST_ROWS STACKS
# manifest_value KEY FILE: the words after KEY, comments stripped.
manifest_value() { sed 's/#.*//' "$2" | awk -v k="$1" '$1 == k { $1 = ""; sub(/^ +/, ""); print }'; }
load_manifests() {
    local m stack dockerfile name suite
    for m in "$ROOT"/fixtures/*/manifest; do
        [[ -f $m ]] || continue
        stack=$(manifest_value stack "$m")
        dockerfile=$(manifest_value dockerfile "$m")
        [[ $stack =~ ^[a-z0-9][a-z0-9._-]*$ ]] || die "$m: bad or missing 'stack' line"
        STACKS[$stack]=1
        while read -r name suite; do
            if [[ $suite == host ]]; then
                HOST_ROWS[$stack@$name]=1
                continue
            fi
            [[ $suite =~ ^[a-z]+$ ]] || die "$m: variant $name: bad suite name '$suite'"
            [[ -n $dockerfile ]] || die "$m: variant $name runs in a container but there is no dockerfile"
            ROWS+=("$stack@$name")
            ROW_SUITE[$stack@$name]=$suite
            ROW_DOCKERFILE[$stack@$name]=$dockerfile
        done < <(sed 's/#.*//' "$m" | awk '$1 == "variant" { print $2, $3 }')
    done
    ((${#STACKS[@]})) || die "no fixtures/*/manifest under $ROOT"
}
load_manifests

BASE_ONLY=0
NAMED=0
CHOSEN=()
choose() {    # choose NAME: add the rows NAME stands for to CHOSEN
    local r found=0
    for r in "${ROWS[@]}"; do
        if [[ $1 == all || $1 == "$r" || $1 == "${r%@*}" ]]; then
            [[ " ${CHOSEN[*]} " == *" $r "* ]] || CHOSEN+=("$r")
            found=1
        fi
    done
    ((found)) && return
    if [[ -n ${HOST_ROWS[$1]:-} ]]; then log "$1: runs on the host, no image"; return; fi
    [[ -n ${STACKS[$1]:-} ]] && return    # a stack without container variants
    die "no fixture '$1' (valid: all ${!STACKS[*]} ${ROWS[*]})"
}
for a in "$@"; do
    case $a in
        -h|--help) echo "usage: $0 [--base-only] [all|STACK|STACK@VARIANT...]   (default: all; as root)"
                   exit 0 ;;
        --base-only) BASE_ONLY=1 ;;    # only tlsprobe/base:SUITE for the chosen rows
        -*) die "unknown option '$a' (see --help)" ;;
        *) choose "$a"; NAMED=1 ;;
    esac
done
((NAMED)) || choose all
[[ $EUID -eq 0 ]] || die "must run as root"
for t in debootstrap curl tar "$DOCKER"; do
    command -v "$t" >/dev/null || die "$t not found (run scripts/deps.sh)"
done
[[ -r $KEYRING ]] || die "keyring $KEYRING not found"
mkdir -p "$CACHE/rootfs" "$CACHE/logs"

# Mirror base, e.g. http://deb.debian.org: from the host's deb822 sources, or sources.list.
host_mirror() {
    local u
    u=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [[ -n $u ]] || u=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    u=${u:-http://deb.debian.org/debian}
    echo "${u%/debian*}"    # strip the archive path (/debian, /debian-security, ...)
}
MIRROR=${TLSPROBE_MIRROR:-$(host_mirror)}

has_dist() { curl -fsS -o /dev/null --max-time 30 "$1/dists/$2/Release" 2>/dev/null; }

# dockerd: start if needed; remember whether we did.
STARTED_DOCKERD=0
if ! tlsprobe_docker_ok; then
    "$HERE/dockerd.sh" start
    STARTED_DOCKERD=1
fi
cleanup() {
    if [[ $STARTED_DOCKERD == 1 && ${TLSPROBE_STOP_DOCKERD:-0} == 1 ]]; then
        "$HERE/dockerd.sh" stop
    fi
}
trap cleanup EXIT

# Build the cached rootfs tarball for suite $1.
make_rootfs() {
    local suite=$1 tar=$CACHE/rootfs/$1.tar dir=$CACHE/rootfs/$1.dir
    local blog=$CACHE/logs/debootstrap-$1.log base="" extra=""
    # Old suites leave deb.debian.org for archive.debian.org: try the host's mirror first.
    for b in "$MIRROR" "$ARCHIVE"; do
        if has_dist "$b/debian" "$suite"; then base=$b; break; fi
        log "$suite: not on $b/debian"
    done
    [[ -n $base ]] || die "$suite: no mirror has it (tried $MIRROR, $ARCHIVE)"
    log "$suite: debootstrap from $base/debian (log: $blog)"
    rm -rf "$dir"
    local t0=$SECONDS
    if ! debootstrap --variant=minbase --keyring="$KEYRING" "$suite" "$dir" "$base/debian" \
            >"$blog" 2>&1; then
        tail -n 20 "$blog" >&2
        die "$suite: debootstrap failed (full log: $blog)"
    fi
    # debootstrap writes only "deb MIRROR SUITE main"; add -updates and -security (as a
    # normal install has) when the mirror carries them, so the images get OpenSSL fixes.
    local src="deb $base/debian $suite main"$'\n'
    if has_dist "$base/debian" "$suite-updates"; then
        src+="deb $base/debian $suite-updates main"$'\n'
    fi
    if has_dist "$base/debian-security" "$suite-security"; then
        src+="deb $base/debian-security $suite-security main"$'\n'
    fi
    printf '%s' "$src" >"$dir/etc/apt/sources.list"
    if [[ $base == "$ARCHIVE" ]]; then    # archived Release files may be past Valid-Until
        echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/90tlsprobe-archive"
    fi
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/archives/*.deb
    tar --numeric-owner -C "$dir" -cf "$tar.tmp" .
    mv "$tar.tmp" "$tar"
    rm -rf "$dir"
    log "$suite: rootfs cached in $tar ($((SECONDS - t0)) s)"
}

# The base image of a suite, from its cached rootfs (debootstrapped the first time).
ensure_base() {
    local suite=$1 img=tlsprobe/base:$1
    if "$DOCKER" image inspect "$img" >/dev/null 2>&1; then
        log "$img: present"
        return
    fi
    [[ -f $CACHE/rootfs/$suite.tar ]] || make_rootfs "$suite"
    log "$img: importing $CACHE/rootfs/$suite.tar"
    # An imported image has no config: give it the usual PATH and a shell.
    "$DOCKER" import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["/bin/bash"]' \
        "$CACHE/rootfs/$suite.tar" "$img" >/dev/null
}

# A row's fixture image. 0, or 1 (reported) when it did not build.
build_fixture() {
    local row=$1 stack=${1%@*} variant=${1#*@}
    local img=tlsprobe/fixture-$stack:$variant suite=${ROW_SUITE[$1]}
    local dockerfile=$ROOT/${ROW_DOCKERFILE[$1]} flog=$CACHE/logs/fixture-$stack-$variant.log t0=$SECONDS
    if [[ ! -f $dockerfile ]]; then
        log "error: $img: $dockerfile missing"
        return 1
    fi
    log "$img: building from ${ROW_DOCKERFILE[$1]}, SUITE=$suite (log: $flog)"
    # Legacy builder: BuildKit needs a bridge network, which dockerd --bridge=none lacks;
    # --network host lets apt in the build reach the mirror. HOST_CAS: the host's own
    # trust anchors, for a Dockerfile that fetches through a TLS-inspecting proxy (go).
    if ! DOCKER_BUILDKIT=0 "$DOCKER" build --network host --build-arg "SUITE=$suite" \
            --build-arg "VARIANT=$variant" \
            --build-arg "HOST_CAS=$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null || true)" \
            -f "$dockerfile" -t "$img" "$ROOT" >"$flog" 2>&1; then
        tail -n 30 "$flog" >&2
        log "error: $img: build failed (full log: $flog)"
        return 1
    fi
    log "$img: built ($((SECONDS - t0)) s)"
}

# The suites' missing rootfs tarballs, debootstrapped side by side: each mostly
# waits on the mirror (73-88 s each here, 4 min one after the other).
make_missing_rootfs() {
    local suite pids=() failed=0
    for suite in "$@"; do
        "$DOCKER" image inspect "tlsprobe/base:$suite" >/dev/null 2>&1 && continue
        [[ -f $CACHE/rootfs/$suite.tar ]] && continue
        make_rootfs "$suite" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || failed=1
    done
    ((failed == 0)) || die "a debootstrap failed (its log is named above)"
}

SUITES=()
for row in "${CHOSEN[@]}"; do
    [[ " ${SUITES[*]} " == *" ${ROW_SUITE[$row]} "* ]] || SUITES+=("${ROW_SUITE[$row]}")
done
make_missing_rootfs "${SUITES[@]}"
for suite in "${SUITES[@]}"; do
    ensure_base "$suite"
done
((BASE_ONLY)) && { log "done: bases for ${CHOSEN[*]:-nothing}"; exit 0; }
FAILED=()
for row in "${CHOSEN[@]}"; do
    build_fixture "$row" || FAILED+=("$row")
done
if ((${#FAILED[@]})); then
    log "error: not built: ${FAILED[*]}"
    exit 1
fi
log "done: ${CHOSEN[*]:-nothing to build}"
