#!/usr/bin/env bash
# The expected-results file catches what a SKIP once hid: a tracer that lost
# every fd (its events rewritten to "fd":-1) made the fd check SKIP, which
# counted as not failing; judged against the file, it fails the run. So does
# a row that lost one of its transcripts (a row error, every cell FAIL).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/tlsprobe-e2e-expect.XXXXXX)
trap 'rm -rf "$out"' EXIT
passed=0 failed=0
expect_file=conformance/expected/reference.txt

# judged NAME WANT CONFORM-ARGS...: conform --expect must exit 1 and print WANT.
judged() {
	local name=$1 want=$2 status
	shift 2
	build/tlsprobe conform --fixtures openssl@host --scenarios basic --expect "$expect_file" \
		--workdir "$out/$name" "$@" >"$out/$name.out" 2>&1
	status=$?
	if [[ $status -eq 1 ]] && grep -qF -- "$want" "$out/$name.out"; then
		echo "PASS: $name: conform --expect exits 1: $(grep -F -- "$want" "$out/$name.out" | head -1)"
		passed=$((passed + 1))
	else
		echo "FAIL: $name: exit $status, wanted '$want' in:"; tail -5 "$out/$name.out"
		failed=$((failed + 1))
	fi
}

judged "lost fds" "basic fd: expected PASS, got SKIP" \
	--tracer-cmd "$PWD/build/tlsprobe trace --comm tlsfix | sed -u -E 's/\"fd\":[0-9]+/\"fd\":-1/g'"
# A lost transcript: this wrapper deletes the client's when it is stopped,
# before conform compares (the server's alone would otherwise pass). The
# row's tracer has ROW/tracer/tracer.ready; the scenario's transcript is in
# ROW/basic/transcript.
judged "lost transcript" "basic bytes: expected PASS, got ERROR (fixture wrote no client transcript" \
	--tracer-cmd "dir=\$(dirname \"\$(dirname \"\$TLSPROBE_READY_FILE\")\")/basic/transcript; $PWD/build/tlsprobe trace --comm tlsfix & pid=\$!; trap 'rm -f \"\$dir\"/client-*.jsonl; wait \$pid; exit 0' INT TERM; wait \$pid"
echo "e2e expect catches: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
