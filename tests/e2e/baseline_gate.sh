#!/usr/bin/env bash
# conform --baseline, the regression gate, fails on purpose: with the
# scorecard make test's matrix run wrote as the baseline (where
# openssl@host basic passes every check), a tracer whose capture of the
# client's request has one byte changed ("GET" -> "KET", in the event's
# base64) makes conform exit 1 and name exactly that cell, even where the
# expected results allow it; the same run unbroken passes the gate.
set -uo pipefail
cd "$(dirname "$0")/../.."
baseline=${1:-build/scorecard.json}
out=$(mktemp -d /tmp/tlsprobe-e2e-baseline.XXXXXX)
trap 'rm -rf "$out"' EXIT
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

if ! grep -q '"fixture": "openssl@host"' "$baseline" 2>/dev/null; then
	fail "no baseline with openssl@host in $baseline (make test's conform run writes it)"
	echo "e2e baseline gate: $passed passed, $failed failed"
	exit 1
fi
# An earlier tracer's probes still being removed in the background (its
# tlsprobe-detach child: seconds with every image layer attached) would
# hold up the attaching here past the ready timeout.
for _ in $(seq 240); do pgrep -x tlsprobe-detach >/dev/null || break; sleep 0.5; done
# The run unbroken, first: the gate lets it through. (The reference tracer
# waits for its probes' removal; the wrapped one below cannot, so it
# attaches the host's libraries alone, whose removal is quick.)
build/tlsprobe conform --fixtures openssl@host --scenarios basic --baseline "$baseline" \
	--workdir "$out/clean" >"$out/clean.out" 2>&1
status=$?
if [[ $status -eq 0 ]] && grep -q "cells compared with the baseline: 0 no longer pass" "$out/clean.out"; then
	pass "an unchanged run passes the gate: $(grep 'cells compared with the baseline' "$out/clean.out")"
else
	fail "clean run: exit $status:"; tail -5 "$out/clean.out"
fi
# The broken cell is listed as an expected failure, so the expected
# results alone would let the run pass: only the gate can fail it.
printf '* * * PASS\nopenssl@host basic bytes XFAIL one byte changed on purpose\n' >"$out/expect.txt"
build/tlsprobe conform --fixtures openssl@host --scenarios basic --baseline "$baseline" \
	--expect "$out/expect.txt" --workdir "$out/broken" \
	--tracer-cmd "$PWD/build/tlsprobe trace --comm tlsfix --no-image-layers | sed -u 's/\"data\":\"R0VU/\"data\":\"S0VU/'" \
	>"$out/broken.out" 2>&1
status=$?
want="openssl@host basic bytes: PASS in the baseline, now XFAIL"
if [[ $status -eq 1 ]] && grep -qF "$want" "$out/broken.out" &&
	grep -q "^6 cells as expected, 0 differ" "$out/broken.out"; then
	pass "one broken cell fails the gate, though the expected results allow it: $(grep -F "$want" "$out/broken.out" | cut -c1-140)"
else
	fail "exit $status, wanted '$want' and 6 cells as expected:"; tail -8 "$out/broken.out"
fi
if grep -q "cells compared with the baseline: 1 no longer pass" "$out/broken.out"; then
	pass "only that cell is named: $(grep 'cells compared with the baseline' "$out/broken.out")"
else
	fail "not exactly one regression:"; grep -A3 '^baseline ' "$out/broken.out"
fi
echo "e2e baseline gate: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
