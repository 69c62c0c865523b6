#!/usr/bin/env bash
# `tlsprobe convert --from ecapture` as a user runs it on eCapture outputs
# recorded on this machine (tests/data/ecapture): the events pass `tlsprobe
# validate`, hold the calls eCapture printed (lengths from the recorded
# headers), what could not be given back is said on stderr, colours make no
# difference, and usage errors exit 2.
set -uo pipefail
cd "$(dirname "$0")/../.."
TLSPROBE=build/tlsprobe
DATA=tests/data/ecapture
[[ -x $TLSPROBE ]] || { echo "FAIL: $TLSPROBE not built (make)"; exit 1; }
work=$(mktemp -d /tmp/tlsprobe-e2e-ecapture.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# convert NAME RAW OUT: converts, keeps stderr in $err; passes when exit 0.
convert() {
	local status
	err=$($TLSPROBE convert --from ecapture "$2" -o "$3" 2>&1 >/dev/null); status=$?
	[[ $status -eq 0 ]] && pass "$1: converted" || fail "$1: exit $status: $err"
}

# lens FILE: the "len" of each record, space-separated.
lens() { grep -o '"len":[0-9]*' "$1" | cut -d: -f2 | tr '\n' ' ' | sed 's/ $//'; }

# expect NAME GOT WANT
expect() { [[ $2 == "$3" ]] && pass "$1" || fail "$1: got '$2', wanted '$3'"; }

# valid NAME FILE RECORDS: tlsprobe validate accepts FILE, RECORDS lines.
valid() {
	local out status s=s
	out=$($TLSPROBE validate "$2" 2>&1); status=$?
	[[ $3 == 1 ]] && s=
	expect "$1: validate exit" "$status" 0
	expect "$1: validate summary" "${out##*$'\n'}" "$2: $3 record$s, 0 errors"
}

# curl, text mode with colours, cut inside its 5th event (1000 bytes printed).
convert curl "$DATA/curl-text.cut.txt" "$work/curl.jsonl"
valid curl "$work/curl.jsonl" 5
expect "curl: lengths" "$(lens "$work/curl.jsonl")" "83 16384 16384 16384 1000"
expect "curl: fds" "$(grep -o '"fd":[-0-9]*' "$work/curl.jsonl" | sort -u)" '"fd":0'
[[ $err == *"1 event printed fewer bytes than their header says"* ]] &&
	pass "curl: the cut event is said" || fail "curl: stderr: $err"
grep -q '"type":"loss"' "$work/curl.jsonl" && fail "curl: a loss record was made up" ||
	pass "curl: no loss record"

# The same without colours: the same events.
sed 's/\x1b\[[0-9;]*m//g' "$DATA/curl-text.cut.txt" >"$work/curl-nocolor.txt"
cmp -s "$DATA/curl-text.cut.txt" "$work/curl-nocolor.txt" && fail "no colours were stripped"
convert curl-nocolor "$work/curl-nocolor.txt" "$work/curl-nocolor.jsonl"
if diff <(sed 's/"ts_ns":[0-9]*,//' "$work/curl.jsonl") \
	<(sed 's/"ts_ns":[0-9]*,//' "$work/curl-nocolor.jsonl") >/dev/null; then
	pass "colours make no difference"
else
	fail "colours change the events"
fi

# One 3 MiB SSL_write, --hex: one event of 16384 bytes, from standard input.
err=$($TLSPROBE convert --from ecapture - <"$DATA/single-SSL_write-3MiB-hex.txt" \
	2>&1 >"$work/single.jsonl") && pass "single: from stdin" || fail "single: $err"
valid single "$work/single.jsonl" 1
expect "single: length" "$(lens "$work/single.jsonl")" 16384
expect "single: nothing said" "$err" ""

# python → s_server, --hex, cut inside its 2nd event's dump.
convert python "$DATA/python-3MiB-hex.head64KiB.txt" "$work/python.jsonl"
valid python "$work/python.jsonl" 2
expect "python: lengths" "$(lens "$work/python.jsonl")" "16384 1536"

# Usage errors.
$TLSPROBE convert --from nosuchtracer "$DATA/curl-text.cut.txt" >/dev/null 2>&1
expect "unknown tracer" "$?" 2
$TLSPROBE convert --from ecapture "$work/absent.txt" >/dev/null 2>&1
expect "missing file" "$?" 2
$TLSPROBE convert "$DATA/curl-text.cut.txt" >/dev/null 2>&1
expect "no --from" "$?" 2

echo "ecapture_convert: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
