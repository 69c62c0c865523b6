#!/usr/bin/env bash
# Bad input gets one clear line and a non-zero exit.
set -uo pipefail
cd "$(dirname "$0")/../.."
TLSPROBE=build/tlsprobe
passed=0 failed=0

# expect NAME EXPECTED-SUBSTRING COMMAND...: non-zero exit and the message on stderr.
expect() {
	local name=$1 want=$2 err status
	shift 2
	err=$("$@" 2>&1 >/dev/null); status=$?
	if [[ $status -ne 0 && $err == *"$want"* ]]; then
		echo "PASS: $name (exit $status: $(head -1 <<<"$err"))"; passed=$((passed + 1))
	else
		echo "FAIL: $name: exit $status, wanted '$want' in: $err"; failed=$((failed + 1))
	fi
}

# A pid that is surely not running: above pid_max.
expect "no such pid" "no process with pid" $TLSPROBE trace -p "$(( $(cat /proc/sys/kernel/pid_max) + 1 ))" -d 1
expect "no target" "say what to trace" $TLSPROBE trace
expect "bad pid" "bad pid" $TLSPROBE trace -p abc
expect "bad format" "--format is json or text" $TLSPROBE trace --all -f xml
expect "not root" "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups $TLSPROBE trace --all -d 1
expect "unknown command" "unknown command" $TLSPROBE frobnicate
expect "unwritable output" "cannot write" $TLSPROBE trace --all -o /nonexistent/dir/x -d 1
echo "e2e bad input: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
