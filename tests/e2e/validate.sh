#!/usr/bin/env bash
# `tlsprobe validate` as a user runs it: a good transcript passes (exit 0); a
# file whose 3rd line is malformed fails (exit 1) naming the line and the
# field; an unreadable file or no file at all is a usage error (exit 2).
set -uo pipefail
cd "$(dirname "$0")/../.."
TLSPROBE=build/tlsprobe
[[ -x $TLSPROBE ]] || { echo "FAIL: $TLSPROBE not built (make)"; exit 1; }
work=$(mktemp -d /tmp/tlsprobe-e2e-validate.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# record TS DIR TEXT [LEN]: one schema-2 data line carrying TEXT, as a
# fixture writes it; LEN defaults to TEXT's length.
record() {
	local text=$3 len=${4:-${#3}}
	printf '{"type":"data","schema":2,"ts_ns":%d,"pid":4321,"tid":4321,"nspid":1,"nstid":1,' "$1"
	printf '"comm":"tlsfix","stack":"openssl","lib":"/usr/lib/x86_64-linux-gnu/libssl.so.3",'
	printf '"lib_version":"OpenSSL 3.0.19","func":"SSL_write","dir":"%s","fd":5,' "$2"
	printf '"laddr":"127.0.0.1:51234","raddr":"127.0.0.1:4433","len":%d,"data":"%s"}\n' \
		"$len" "$(printf '%s' "$text" | base64 -w0)"
}

# run NAME WANT-STATUS FILE...: runs validate, keeps its output in $out.
run() {
	local name=$1 want=$2 status
	shift 2
	out=$($TLSPROBE validate "$@" 2>&1); status=$?
	if [[ $status -eq $want ]]; then
		pass "$name (exit $status)"
	else
		fail "$name: exit $status, wanted $want: $out"
	fi
}

# expect_output NAME SUBSTRING: the last run's output contains SUBSTRING.
expect_output() {
	if [[ $out == *"$2"* ]]; then pass "$1"; else fail "$1: wanted '$2' in: $out"; fi
}

# expect_summary NAME LINE: the last run's last line is LINE.
expect_summary() {
	if [[ ${out##*$'\n'} == "$2" ]]; then pass "$1"; else fail "$1: wanted '$2' last in: $out"; fi
}

good=$work/good.jsonl
{ record 1000 out 'GET / HTTP/1.1'; record 2000 in 'HTTP/1.1 200 OK'; echo; record 3000 out 'bye'; } >"$good"
run "good file" 0 "$good"
expect_summary "good file summary" "$good: 3 records, 0 errors"

bad=$work/bad.jsonl
{ record 1000 out 'GET / HTTP/1.1'; record 2000 in 'HTTP/1.1 200 OK'; record 3000 out 'bye' 4; } >"$bad"
run "malformed 3rd line" 1 "$bad"
expect_output "names line 3 and the field" "$bad:3: field \"data\": decodes to 3 bytes but \"len\" is 4"
expect_summary "bad file summary" "$bad: 3 records, 1 error"
[[ $out != *"$bad:1:"* && $out != *"$bad:2:"* ]] && pass "good lines not reported" ||
	fail "good lines reported: $out"

run "good and bad file" 1 "$good" "$bad"
expect_output "both files summarized" "$good: 3 records, 0 errors"
run "unreadable file" 2 "$good" "$work/missing.jsonl"
expect_output "unreadable file named" "$work/missing.jsonl: No such file or directory"
run "no file" 2
run "--help" 0 --help
expect_output "--help says the usage" "Usage: tlsprobe validate FILE..."

echo "e2e validate: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
