#!/usr/bin/env bash
# End to end: `tlsprobe trace --pcapng` while the host OpenSSL fixture runs its
# `basic` scenario (an HTTP request and its response, client and server both
# traced), then tshark reads the capture. The ground truth is the fixture's
# own transcripts: tshark's reassembly of the connection's TCP stream must give,
# in each direction, exactly the bytes the fixture wrote; the stream must carry
# the connection's real addresses and ports, good checksums, and each call's
# pid and function in its packet comment. The JSON events (-o) are written too.
set -euo pipefail
cd "$(dirname "$0")/../.."
TLSPROBE=$PWD/build/tlsprobe
CA=$PWD/build/ca
FIXTURE=$PWD/build/fixtures/openssl/run.sh
work=$(mktemp -d /tmp/tlsprobe-e2e-pcapng.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
passed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
command -v tshark >/dev/null || fail "tshark is not installed (scripts/deps.sh installs it)"
[[ -x $FIXTURE ]] || fail "$FIXTURE missing (make fixtures)"
tshark() { command tshark "$@" 2>/dev/null; }   # not its "running as root" warning

"$TLSPROBE" trace --comm tlsfix --no-image-layers --ready-file "$work/ready" \
	-o "$work/events.jsonl" --pcapng "$work/capture.pcapng" 2>"$work/tracer.log" &
tracer=$!; pids+=("$tracer")
for _ in $(seq 600); do [[ -e $work/ready ]] && break; sleep 0.1; done
[[ -e $work/ready ]] || fail "tracer not ready: $(cat "$work/tracer.log")"
"$FIXTURE" basic "$work/out" "$CA" >"$work/fixture.log" 2>&1 || fail "fixture: $(cat "$work/fixture.log")"
sleep 0.5
kill -INT "$tracer"; wait "$tracer" || fail "tracer exited with an error: $(cat "$work/tracer.log")"
[[ $(stat -c %a "$work/capture.pcapng") == 600 ]] || fail "capture not created mode 0600"
grep -q '"type":"data"' "$work/events.jsonl" || fail "no JSON events beside the capture"

# The bytes one transcript says its process wrote (dir out), as one file.
written() { # transcript out
	grep '"dir":"out"' "$1" | sed 's/.*"data":"\([^"]*\)".*/\1/' |
		while read -r b; do printf '%s' "$b" | base64 -d; done >"$2"
}
client=$(ls "$work"/out/client-*.jsonl) server=$(ls "$work"/out/server-*.jsonl)
written "$client" "$work/request"
written "$server" "$work/response"
[[ -s $work/request && -s $work/response ]] || fail "the transcripts hold no request/response"
port=$(cat "$work/out/port")

# The connection to the server's port: one TCP stream, opened by the writer's SYN.
stream=$(tshark -r "$work/capture.pcapng" -Y "tcp.port == $port && tcp.flags.syn == 1 && tcp.flags.ack == 0" \
	-T fields -e tcp.stream)
[[ $stream =~ ^[0-9]+$ ]] || fail "tshark finds no single TCP stream on port $port: '$stream'"
echo "tshark's view of the stream:"
tshark -r "$work/capture.pcapng" -Y "tcp.stream == $stream" | sed 's/^/  /'
pass "tshark reads the capture: the connection to 127.0.0.1:$port is TCP stream $stream"

# follow,tcp,raw: one hex line per segment, the second node's lines indented.
tshark -r "$work/capture.pcapng" -q -z "follow,tcp,raw,$stream" >"$work/follow"
node0=$(sed -n 's/^Node 0: //p' "$work/follow")
[[ $node0 == 127.0.0.1:* && $(sed -n 's/^Node 1: //p' "$work/follow") == 127.0.0.1:* ]] ||
	fail "the stream's ends are not the loopback addresses: $(grep '^Node' "$work/follow")"
direction() { # indented(0|1) out
	sed -n '/^Node 1:/,/^====/p' "$work/follow" | sed '1d;$d' |
		if [[ $1 == 1 ]]; then sed -n 's/^\t//p'; else grep -v $'^\t' || true; fi |
		tr -d '\n' | tr a-f A-F | basenc --base16 -d >"$2"
}
# Node 0 is the end that sent the SYN: the client when its port is the higher.
if [[ $node0 == "127.0.0.1:$port" ]]; then
	direction 1 "$work/tshark-request"; direction 0 "$work/tshark-response"
else
	direction 0 "$work/tshark-request"; direction 1 "$work/tshark-response"
fi
cmp "$work/tshark-request" "$work/request" ||
	fail "the request in tshark's stream differs from the client's transcript ($(wc -c <"$work/tshark-request") vs $(wc -c <"$work/request") bytes)"
pass "the HTTP request, reassembled by tshark, byte-exact ($(wc -c <"$work/request") bytes: $(head -c 30 "$work/request" | tr -d '\r\n')…)"
cmp "$work/tshark-response" "$work/response" ||
	fail "the response in tshark's stream differs from the server's transcript ($(wc -c <"$work/tshark-response") vs $(wc -c <"$work/response") bytes)"
pass "the HTTP response, reassembled by tshark, byte-exact ($(wc -c <"$work/response") bytes: $(head -c 15 "$work/response" | tr -d '\r\n')…)"

bad=$(tshark -r "$work/capture.pcapng" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-Y 'ip.checksum.status != 1 || tcp.checksum.status != 1' | wc -l)
[[ $bad == 0 ]] || fail "$bad packets with a bad IP or TCP checksum"
pass "every IP and TCP checksum good"

client_pid=$(basename "$client" .jsonl); client_pid=${client_pid#client-}
server_pid=$(basename "$server" .jsonl); server_pid=${server_pid#server-}
comments=$(tshark -r "$work/capture.pcapng" -Y "tcp.stream == $stream && tcp.len > 0" -T fields -e frame.comment)
for want in "pid $client_pid tid $client_pid comm tlsfix fd " "pid $server_pid tid $server_pid comm tlsfix fd "; do
	grep -q "$want.* out (OpenSSL" <<<"$comments" || fail "no comment '$want… out' in: $comments"
	grep -q "$want.* in (OpenSSL" <<<"$comments" || fail "no comment '$want… in' in: $comments"
done
pass "packet comments name both processes' writes and reads (pid, tid, comm, fd, function)"

echo "e2e pcapng: $passed passed, 0 failed"
