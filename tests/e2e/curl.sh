#!/usr/bin/env bash
# End to end, with real programs: `tlsprobe trace --comm curl` while curl talks
# to `openssl s_server` on loopback. curl's request must come out byte-exact,
# on the fd strace saw curl connect with, with the addresses curl reports.
# (s_server's own side, which reads and writes through BIO_f_ssl, is checked
# by s_server_www.sh.)
set -euo pipefail
cd "$(dirname "$0")/../.."
TLSPROBE=build/tlsprobe
CA=build/ca
work=$(mktemp -d /tmp/tlsprobe-e2e-curl.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
passed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }

port=$(( 20000 + RANDOM % 20000 ))
openssl s_server -quiet -www -accept "127.0.0.1:$port" -cert $CA/server.crt -key $CA/server.key \
	>"$work/server.log" 2>&1 &
server=$!; pids+=("$server")
for _ in $(seq 50); do curl -sk -o /dev/null "https://127.0.0.1:$port/" && break; sleep 0.1; done

# 1. curl's request, byte-exact, right fd and addresses.
$TLSPROBE trace --comm curl --no-image-layers -o "$work/events.jsonl" 2>"$work/tracer.log" &
tracer=$!; pids+=("$tracer")
for _ in $(seq 600); do grep -q 'tlsprobe: tracing' "$work/tracer.log" && break; sleep 0.1; done
grep -q 'tlsprobe: tracing' "$work/tracer.log" || fail "tracer not ready: $(cat "$work/tracer.log")"
strace -f -qq -e trace=connect -o "$work/strace.log" \
	curl -sk -v -o /dev/null -w '%{local_ip}:%{local_port}\n' "https://127.0.0.1:$port/" \
	>"$work/curl.out" 2>"$work/curl.err"
sleep 0.5
kill -INT "$tracer"; wait "$tracer" || fail "tracer exited with an error: $(cat "$work/tracer.log")"

# What curl says it sent: its "> " lines, each ended by CRLF.
request=$(sed -n 's/^> \(.*\)\r\{0,1\}$/\1/p' "$work/curl.err" | tr -d '\r' | awk '{printf "%s\r\n", $0}' | base64 -w0)
[[ -n $request ]] || fail "curl -v printed no request"
fd=$(sed -n "s/.*connect(\([0-9]*\), {sa_family=AF_INET, sin_port=htons($port).*/\1/p" "$work/strace.log" | head -1)
[[ -n $fd ]] || fail "strace saw no connect to port $port"
laddr=$(cat "$work/curl.out")
expected="\"dir\":\"out\",\"fd\":$fd,\"laddr\":\"$laddr\",\"raddr\":\"127.0.0.1:$port\",\"len\":$(printf '%s' "$request" | base64 -d | wc -c),\"data\":\"$request\""
grep -qF "$expected" "$work/events.jsonl" ||
	fail "no event $expected in:
$(cut -c1-400 "$work/events.jsonl")"
pass "curl's request captured byte-exact on fd $fd, $laddr -> 127.0.0.1:$port"
grep -q '"dir":"in".*"fd":'"$fd" "$work/events.jsonl" || fail "curl's response not captured"
pass "curl's response captured on fd $fd"

echo "e2e curl: $passed passed, 0 failed"
