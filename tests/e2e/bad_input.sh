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
expect "redact with pcapng" "--redact and --pcapng do not go together" \
	$TLSPROBE trace --all --redact --pcapng /tmp/tlsprobe-never.pcapng -d 1
expect "conform --redact with another tracer" "--redact runs the reference tracer" \
	$TLSPROBE conform --redact --tracer bpftrace

# Output files hold plaintext: never through a symlink, never another
# user's file (left as it was, not emptied), and ours end 0600.
# check NAME CONDITION...: the condition (a test command) holds.
check() {
	local name=$1
	shift
	if "$@"; then
		echo "PASS: $name"; passed=$((passed + 1))
	else
		echo "FAIL: $name: '$*' does not hold"; failed=$((failed + 1))
	fi
}
files=$(mktemp -d /tmp/tlsprobe-e2e-badout.XXXXXX)
trap 'rm -rf "$files"' EXIT
quick_trace=($TLSPROBE trace --comm tlsprobe-none --no-image-layers -d 1)
printf '%s\n' "not the tracer's" >"$files/target" && chmod 0644 "$files/target"
ln -s "$files/target" "$files/link"
expect "symlink as -o" "a symbolic link: refused" "${quick_trace[@]}" -o "$files/link"
expect "symlink as --pcapng" "a symbolic link: refused" "${quick_trace[@]}" --pcapng "$files/link"
check "symlink target untouched" \
	test "$(cat "$files/target")" = "not the tracer's" -a "$(stat -c %a "$files/target")" = 644
printf 'theirs\n' >"$files/theirs" && chmod 0644 "$files/theirs" && chown 65534 "$files/theirs"
expect "another user's file as -o" "owned by uid 65534, not by this user" \
	"${quick_trace[@]}" -o "$files/theirs"
check "another user's file unchanged" test "$(cat "$files/theirs")" = theirs -a \
	"$(stat -c '%a %u' "$files/theirs")" = "644 65534"
printf 'old contents\n' >"$files/ours" && chmod 0644 "$files/ours"
if "${quick_trace[@]}" -o "$files/ours" 2>"$files/ours.log"; then
	check "our 0644 file as -o ends 0600, emptied" test "$(stat -c %a "$files/ours")" = 600 -a \
		"$(grep -c 'old contents' "$files/ours")" = 0
else
	check "trace -o onto our own file: $(head -1 "$files/ours.log")" false
fi
echo "e2e bad input: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
