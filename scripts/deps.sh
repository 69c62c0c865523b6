#!/usr/bin/env bash
# Install tlsprobe's host dependencies on Debian 12 (bookworm), as root. Idempotent:
# apt runs only when a package is missing. Also mounts tracefs (not mounted at boot on
# some kernels; libbpf needs it to attach tracepoints).
set -euo pipefail

PKGS=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libssl-dev openssl libcmocka-dev
      libjansson-dev libcapstone-dev libiberty-dev pkg-config make gcc docker.io debootstrap curl hyperfine
      iproute2 ca-certificates strace util-linux bpftrace gnuplot-nox python3
      libnss3 libgnutls30 tshark chromium fonts-dejavu-core
      libclang-rt-14-dev binutils)  # the last two: make fuzz (libFuzzer; seeds.sh's objcopy, nm)

log() { echo "tlsprobe: $*" >&2; }
die() { log "error: $*"; exit 1; }

case "${1:-}" in
    -h|--help) echo "usage: $0   (as root; installs: ${PKGS[*]}; mounts tracefs)"; exit 0 ;;
    "") ;;
    *) die "unexpected argument '$1' (see --help)" ;;
esac
[[ $EUID -eq 0 ]] || die "must run as root"
command -v dpkg-query >/dev/null && command -v apt-get >/dev/null || die "needs a Debian system (dpkg/apt)"

# One dpkg-query for all packages; unknown ones print nothing on stdout.
installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PKGS[@]}" 2>/dev/null \
            | awk '$NF == "installed" {print $1}' || true)
missing=()
for p in "${PKGS[@]}"; do
    grep -qxF "$p" <<<"$installed" || missing+=("$p")
done

if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 || die "apt-get update failed"
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || die "apt-get install failed"
    log "packages installed"
fi

if ! mountpoint -q /sys/kernel/tracing; then
    mount -t tracefs nodev /sys/kernel/tracing || die "cannot mount tracefs on /sys/kernel/tracing"
    log "mounted tracefs on /sys/kernel/tracing"
fi
