#!/usr/bin/env bash
# conform --baseline, the regression gate, fails on purpose: with the
# scorecard make test's matrix run wrote as the baseline (where
# openssl@host basic passes every check), a tracer whose capture of the
# client's request has one byte changed ("GET" -> "KET", in the event's
# base64) makes conform exit 1 and name exactly that cell.
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
build/tlsprobe conform --fixtures openssl@host --scenarios basic --baseline "$baseline" \
	--workdir "$out/run" \
	--tracer-cmd "$PWD/build/tlsprobe trace --comm tlsfix | sed -u 's/\"data\":\"R0VU/\"data\":\"S0VU/'" \
	>"$out/conform.out" 2>&1
status=$?
want="openssl@host basic bytes: PASS in the baseline, now FAIL"
if [[ $status -eq 1 ]] && grep -qF "$want" "$out/conform.out"; then
	pass "one broken cell fails the gate: $(grep -F "$want" "$out/conform.out" | cut -c1-160)"
else
	fail "exit $status, wanted '$want':"; tail -8 "$out/conform.out"
fi
if grep -q "cells compared with the baseline: 1 no longer pass" "$out/conform.out"; then
	pass "only that cell is named: $(grep 'cells compared with the baseline' "$out/conform.out")"
else
	fail "not exactly one regression:"; grep -A3 '^baseline ' "$out/conform.out"
fi
echo "e2e baseline gate: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
