#!/usr/bin/env bash
# Never harm the target: SIGKILL the tracer in the middle of a traced 1 MiB
# non-blocking transfer; the fixture must still finish and its transcripts
# must still add up (client out == server in).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d /tmp/tlsprobe-e2e-kill.XXXXXX)
tracer=
cleanup() { [[ -n $tracer ]] && kill -KILL "$tracer" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

build/tlsprobe trace --comm tlsfix --no-image-layers -o "$work/events.jsonl" 2>"$work/tracer.log" &
tracer=$!
for _ in $(seq 600); do grep -q 'tlsprobe: tracing' "$work/tracer.log" && break; sleep 0.1; done
TLSFIX_SETTLE=0 build/fixtures/openssl/run.sh nonblock "$work/t" build/ca >"$work/fixture.log" 2>&1 &
fixture=$!
# Kill as soon as the tracer has seen traffic (the transfer is under way).
for _ in $(seq 200); do [[ -s $work/events.jsonl ]] && break; sleep 0.01; done
kill -KILL "$tracer"; wait "$tracer" 2>/dev/null || true; tracer=
[[ -s $work/events.jsonl ]] || fail "the tracer saw nothing before it was killed"
wait "$fixture" || fail "fixture failed after the tracer was killed: $(tail -3 "$work/fixture.log")"
bytes() { grep -ho "\"dir\":\"$2\",[^}]*\"len\":[0-9]*" "$work"/t/$1-*.jsonl | sed 's/.*"len"://' | awk '{s += $1} END {print s}'; }
out=$(bytes client out) in=$(bytes server in)
[[ $out == 1048576 && $in == 1048576 ]] || fail "transcripts do not add up: client out $out, server in $in"
echo "PASS: tracer SIGKILLed mid-transfer; fixture finished, 1048576 bytes each way"
echo "e2e kill tracer: 1 passed, 0 failed"
