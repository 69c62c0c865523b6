#!/usr/bin/env bash
# End to end, with a real program that reads and writes through BIO_f_ssl and
# so never calls SSL_read/SSL_write: `openssl s_server -WWW` serving a file to
# curl. The ground truth is curl's own: the request it prints with -v, and the
# headers (-D) and body it received. Traced with the probe planner (default),
# the server's plaintext must be byte-exact, on the fd strace saw it accept,
# with curl's port as the remote address. Traced on the exported entry points,
# the same traffic must come out as nothing (the blind spot the planner closes).
set -euo pipefail
cd "$(dirname "$0")/../.."
TLSPROBE=$PWD/build/tlsprobe
CA=$PWD/build/ca
work=$(mktemp -d /tmp/tlsprobe-e2e-www.XXXXXX)
pids=()
port=$(( 20000 + RANDOM % 20000 ))
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	pkill -f "s_server -quiet -WWW -accept 127.0.0.1:$port" || true   # strace's child
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
passed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }

mkdir "$work/www"
head -c 70000 /dev/urandom | base64 >"$work/www/page.txt"   # ~92 KiB: several records
(cd "$work/www" && exec strace -f -qq -e trace=accept,accept4 -o "$work/strace.log" \
	openssl s_server -quiet -WWW -accept "127.0.0.1:$port" -cert "$CA/server.crt" \
	-key "$CA/server.key") >"$work/server.log" 2>&1 &
pids+=("$!")
for _ in $(seq 50); do curl -sk -o /dev/null "https://127.0.0.1:$port/page.txt" && break; sleep 0.1; done

# One traced fetch; prints curl's local port.
fetch() {
	local events=$1 probes=$2 tracer
	"$TLSPROBE" trace --comm openssl --no-image-layers --probes "$probes" -o "$events" 2>"$events.log" &
	tracer=$!; pids+=("$tracer")
	for _ in $(seq 600); do grep -q 'tlsprobe: tracing' "$events.log" && break; sleep 0.1; done
	grep -q 'tlsprobe: tracing' "$events.log" || fail "tracer not ready: $(cat "$events.log")"
	curl -sk -v --http1.0 -D "$work/headers" -o "$work/body" -w '%{local_port}' \
		"https://127.0.0.1:$port/page.txt" >"$work/curl.out" 2>"$work/curl.err"
	sleep 0.5
	kill -INT "$tracer"; wait "$tracer" || fail "tracer exited with an error: $(cat "$events.log")"
}

# The bytes of every event of one direction, in order, as one file.
concat() { # events dir out
	grep "\"dir\":\"$2\"" "$1" | sed 's/.*"data":"\([^"]*\)".*/\1/' |
		while read -r b; do printf '%s' "$b" | base64 -d; done >"$3"
}

fetch "$work/planned.jsonl" auto
cmp -s "$work/body" "$work/www/page.txt" || fail "curl did not get the file"
cat "$work/headers" "$work/body" >"$work/served"
sed -n 's/^> \(.*\)\r\{0,1\}$/\1/p' "$work/curl.err" | tr -d '\r' | awk '{printf "%s\r\n", $0}' \
	>"$work/request"
[[ -s $work/request ]] || fail "curl -v printed no request"

concat "$work/planned.jsonl" out "$work/captured-out"
concat "$work/planned.jsonl" in "$work/captured-in"
cmp "$work/captured-out" "$work/served" ||
	fail "s_server's response differs from what curl received ($(wc -c <"$work/captured-out") vs $(wc -c <"$work/served") bytes)"
pass "s_server -WWW response captured byte-exact ($(wc -c <"$work/served") bytes)"
cmp "$work/captured-in" "$work/request" || fail "s_server's request differs from what curl sent"
pass "s_server -WWW request captured byte-exact ($(wc -c <"$work/request") bytes)"

fd=$(sed -n 's/.*accept4\{0,1\}([0-9]*, {sa_family=AF_INET, sin_port=htons('"$(cat "$work/curl.out")"').*) = \([0-9]*\)$/\1/p' \
	"$work/strace.log" | tail -1)
[[ -n $fd ]] || fail "strace saw no accept of curl's connection: $(tail -3 "$work/strace.log")"
others=$(grep -c -v "\"fd\":$fd,\"laddr\":\"127.0.0.1:$port\",\"raddr\":\"127.0.0.1:$(cat "$work/curl.out")\"" \
	"$work/planned.jsonl" || true)
[[ $others == 0 ]] || fail "$others events not on fd $fd 127.0.0.1:$port <- curl"
pass "every event on fd $fd, 127.0.0.1:$port <- 127.0.0.1:$(cat "$work/curl.out")"

fetch "$work/entry.jsonl" entry
[[ ! -s $work/entry.jsonl ]] || fail "the exported entry points saw s_server's BIO traffic after all"
pass "on the exported entry points the same traffic is invisible (the blind spot)"

echo "e2e s_server -WWW: $passed passed, 0 failed"
