#!/usr/bin/env bash
# The bpftrace adapter on real rows: Debian's bpftrace, probes generated for
# the host's OpenSSL and for GnuTLS in its container's image layers. What
# bpftrace claims is judged, what it does not claim is NOT CLAIMED:
#   basic (calls of < 200 bytes): bytes, boundaries, process, loss PASS;
#   size-4k: bytes FAIL (buf() prints 200 of each 4096-byte call), while
#     loss PASSes (the converter reports the rest as loss);
#   fd, addresses: NOT CLAIMED; go@1.24: a stack it does not claim, not run;
#   ex (SSL_write_ex/SSL_read_ex): the calls' lengths, read through their
#     out-pointer, are right (boundaries), the rest past 200 bytes is loss.
# Writes the scorecard to $1 (default build/scorecard-bpftrace.json), for
# the side-by-side report.
set -uo pipefail
cd "$(dirname "$0")/../.."
json=${1:-build/scorecard-bpftrace.json}
out=$(mktemp -d /tmp/tlsprobe-e2e-bpftrace.XXXXXX)
trap 'rm -rf "$out"' EXIT
passed=0 failed=0

# An earlier tracer's probes still being removed in the background (its
# tlsprobe-detach child: seconds with every image layer attached) would
# hold up the attaching here past the ready timeout.
for _ in $(seq 240); do pgrep -x tlsprobe-detach >/dev/null || break; sleep 0.5; done
build/tlsprobe conform --tracer bpftrace --fixtures openssl@host,gnutls@bookworm,go@1.24 \
	--scenarios basic,size-4k,ex --workdir "$out/run" --json "$json" >"$out/conform.out" 2>&1
status=$?
# cell ROW SCENARIO CHECK WANT: the cell's verdict in the JSON.
cell() {
	local got
	got=$(python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
print(next((r["checks"][sys.argv[4]]["verdict"] for r in rows
            if r["fixture"] == sys.argv[2] and r["scenario"] == sys.argv[3]), "missing"))
' "$json" "$1" "$2" "$3" 2>&1)
	if [[ $got == "$4" ]]; then
		echo "PASS: $1 $2 $3: $got"; passed=$((passed + 1))
	else
		echo "FAIL: $1 $2 $3: expected $4, got $got"; failed=$((failed + 1))
	fi
}
if [[ $status -ne 1 ]]; then # size-4k's bytes fail: conform exits 1
	echo "FAIL: conform exited $status, wanted 1 (size-4k bytes FAIL):"; tail -5 "$out/conform.out"
	failed=$((failed + 1))
fi
for row in openssl@host gnutls@bookworm; do
	for check in bytes boundaries process loss; do cell $row basic $check PASS; done
	for check in fd addresses; do cell $row basic $check "NOT CLAIMED"; done
	cell $row size-4k bytes FAIL
	cell $row size-4k loss PASS
done
# SSL_write_ex/SSL_read_ex: the count comes through the out-pointer
cell openssl@host ex boundaries PASS
cell openssl@host ex loss PASS
for check in bytes fd; do cell go@1.24 basic $check "NOT CLAIMED"; done
# the converter's output follows the event schema
for events in "$out"/run/openssl@host/tracer/events.jsonl "$out"/run/gnutls@bookworm/tracer/events.jsonl; do
	if [[ -s $events ]] && build/tlsprobe validate "$events" >"$out/validate.out" 2>&1; then
		echo "PASS: tlsprobe validate accepts the converted $(basename "$(dirname "$(dirname "$events")")") events ($(wc -l <"$events") lines)"
		passed=$((passed + 1))
	else
		echo "FAIL: $events: empty or not valid:"; tail -3 "$out/validate.out"; failed=$((failed + 1))
	fi
done
grep -Eq "^[0-9]+ passed, .*, [1-9][0-9]* not claimed$" "$out/conform.out" && { echo "PASS: the totals count not claimed apart"; passed=$((passed + 1)); } ||
	{ echo "FAIL: no 'not claimed' count in the totals"; failed=$((failed + 1)); }
echo "e2e bpftrace adapter: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
