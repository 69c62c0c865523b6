#!/usr/bin/env bash
# A process whose root is a directory of the host's filesystem (chroot,
# unshare --root, a service's RootDirectory=): /proc/PID/maps prints its
# libssl under the tracer's path to it, so /proc/PID/root + that path names
# no file. The tracer must still find the very file mapped (by device and
# inode) and capture curl byte-exact against curl's own --trace.
set -euo pipefail
cd "$(dirname "$0")/../.."
TLSPROBE=build/tlsprobe
CA=build/ca
work=$(mktemp -d /tmp/tlsprobe-e2e-chroot.XXXXXX)
root=$work/root
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The root: curl and every library it loads, copied (new inodes, which the
# tracer has never seen: nothing is attached before curl maps them), the CA.
mkdir -p "$root/etc" "$root/tmp" "$root/ca"
for f in $(command -v curl) $(ldd "$(command -v curl)" | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
done
cp "$CA/ca.crt" "$root/ca/"

port=$(( 20000 + RANDOM % 20000 ))
openssl s_server -quiet -www -accept "127.0.0.1:$port" -cert $CA/server.crt -key $CA/server.key \
	>"$work/server.log" 2>&1 &
pids+=("$!")
for _ in $(seq 50); do curl -sk -o /dev/null "https://127.0.0.1:$port/" && break; sleep 0.1; done

$TLSPROBE trace --comm curl --no-image-layers -v -o "$work/events.jsonl" 2>"$work/tracer.log" &
tracer=$!; pids+=("$tracer")
for _ in $(seq 600); do grep -q 'tlsprobe: tracing' "$work/tracer.log" && break; sleep 0.1; done
grep -q 'tlsprobe: tracing' "$work/tracer.log" || fail "tracer not ready: $(tail -3 "$work/tracer.log")"
# A few runs: the first may start before its copied libssl is attached
# (then an "attached late" record says so); from then on the file is probed.
for run in 1 2 3; do
	chroot "$root" /usr/bin/curl -sS --cacert /ca/ca.crt -o /tmp/body$run \
		--trace /tmp/trace$run.txt "https://127.0.0.1:$port/run$run" 2>"$work/curl$run.err" ||
		fail "curl in the chroot failed: $(cat "$work/curl$run.err")"
	# run 1 makes the tracer attach to the chroot's libssl: wait for that
	# (probe removals of tracers that exited before can slow it down)
	if [[ $run == 1 ]]; then
		# (a curl gone before its maps were read leaves its files unseen:
		# run it again, at most 20 times, until its libssl is attached)
		for _ in $(seq 20); do
			for _ in $(seq 60); do
				grep -q "attached to $root/.*libssl" "$work/tracer.log" && break 2
				sleep 0.1
			done
			chroot "$root" /usr/bin/curl -sS --cacert /ca/ca.crt -o /tmp/body0 \
				"https://127.0.0.1:$port/again" 2>/dev/null || true
		done
		grep -q "attached to $root/.*libssl" "$work/tracer.log" ||
			fail "the chroot's libssl was not attached within 120 s: $(grep -F "$root" "$work/tracer.log" | tail -3)"
		sleep 0.5
	fi
done
sleep 0.5
kill -INT "$tracer"; wait "$tracer" || fail "tracer exited with an error: $(tail -3 "$work/tracer.log")"
tracer=
grep -q "attached to $root/.*libssl" "$work/tracer.log" ||
	fail "the chroot's libssl was not attached: $(grep -F "$root" "$work/tracer.log" | tail -5)"
echo "PASS: the chroot's libssl attached: $(grep -o "attached to $root/[^ ]*libssl[^ ]*" "$work/tracer.log" | head -1)"

# curl --trace: "=> Send header, N bytes" (and "=> Send data") then hex lines
# "0000: 47 45 54 ... GET /x HTTP/1.1." (at most 16 bytes, then the text).
sent_by_curl() {
	awk '/^=> Send (header|data)/ { on = 1; next } /^[<=]/ { on = 0 } on && /^[0-9a-f]+:/ {
		for (i = 2; i <= 17 && $i ~ /^[0-9a-f][0-9a-f]$/; i++) printf "%s", $i }' "$1"
}
captured_out() {
	grep '"dir":"out"' "$work/events.jsonl" | grep -F "\"raddr\":\"127.0.0.1:$port\"" |
		grep -o '"data":"[^"]*"' | cut -d'"' -f4 | while read -r b; do
			printf '%s' "$b" | base64 -d | od -An -v -tx1 | tr -d ' \n'; done
}
for run in 2 3; do
	want=$(sent_by_curl "$root/tmp/trace$run.txt")
	[[ -n $want ]] || fail "curl --trace of run $run shows nothing sent"
	captured_out | grep -q "$want" || fail "run $run's request (curl --trace: $want) not captured"
	echo "PASS: run $run: the request curl's --trace shows ($(( ${#want} / 2 )) bytes) captured byte-exact"
done
if grep -q '"reason":"attached late' "$work/events.jsonl"; then
	echo "PASS: run 1 began before its libssl was probed, and an attached-late record says so"
elif want=$(sent_by_curl "$root/tmp/trace1.txt") && captured_out | grep -q "$want"; then
	echo "PASS: run 1 captured byte-exact too"
else
	fail "run 1's request is neither captured nor reported late"
fi
echo "e2e chroot curl: passed"
