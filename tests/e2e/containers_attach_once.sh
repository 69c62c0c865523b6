#!/usr/bin/env bash
# One attachment per library file, however many containers map it: each
# container's root is its own overlay mount, so the maps show the same libssl
# under a different device each time; the tracer must find the layer file
# underneath and attach to it once. Two containers of one image at the same
# time (containers that do not overlap may get the same device number back):
# one "attached to" line for their libssl, and both containers' calls
# captured (a second attachment would double the probes and their cost).
# --no-image-layers: the libraries are found as the containers load them
# (by default every image layer's would be attached at start, each image's
# libssl once, which this count could not tell apart).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/docker-env.sh
row=openssl@trixie    # OpenSSL 3.5, in a container (fixtures/openssl/manifest)
image=tlsprobe/fixture-${row%@*}:${row#*@}
work=$(mktemp -d /tmp/tlsprobe-e2e-attach.XXXXXX)
tracer=
cleanup() { [[ -n $tracer ]] && kill "$tracer" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$DOCKER" image inspect "$image" >/dev/null 2>&1 || fail "$image missing (scripts/images.sh $row builds it)"
build/tlsprobe trace --comm tlsfix --no-image-layers -v -o "$work/events.jsonl" 2>"$work/tracer.log" &
tracer=$!
for _ in $(seq 600); do grep -q 'tlsprobe: tracing' "$work/tracer.log" && break; sleep 0.1; done
runs=()
for run in 1 2; do
	mkdir -p "$work/t$run"
	"$DOCKER" run --rm --network none -e TLSFIX_SETTLE=1 -v "$work/t$run:/out" \
		-v "$PWD/build/ca:/ca:ro" "$image" /opt/tlsfix/run.sh basic /out /ca \
		>"$work/run$run.log" 2>&1 &
	runs+=("$!")
done
for run in 1 2; do wait "${runs[$((run - 1))]}" || fail "container run $run failed"; done
sleep 0.5
kill -INT "$tracer"; wait "$tracer" || fail "tracer failed: $(tail -3 "$work/tracer.log")"; tracer=
# libssl, and libcrypto for its memory BIO: each once
for lib in libssl libcrypto; do
	attached=$(grep -c "attached to [^ ]*/$lib[^ ]* .*OpenSSL 3\.5" "$work/tracer.log" || true)
	[[ $attached == 1 ]] || fail "$row's $lib attached $attached times: $(grep -E "attached|layer" "$work/tracer.log")"
done
pids=$(grep -o '"pid":[0-9]*' "$work/events.jsonl" | sort -u | wc -l)
[[ $pids -ge 4 ]] || fail "expected the clients and servers of both containers (4 processes), saw $pids"
echo "PASS: two containers of one image, one attachment; calls of all $pids processes captured"
echo "e2e containers attach once: 1 passed, 0 failed"
