#!/usr/bin/env bash
# The ASan+UBSan build (make asan) on a subset of the conformance matrix: the
# sanitized conform runs its own binary as the tracer (/proc/self/exe), so
# both the runner and the tracer are checked. FAIL on a non-zero exit, a cell
# that differs from the expected results, or any sanitizer report on conform's
# stderr or in a tracer's log. ASAN_OPTIONS' atexit=1 prints allocator stats
# at each sanitized exit: their presence in every tracer log proves that the
# tracer was the sanitized one and that it exited normally (where LSan runs).
# Then the sanitized trace on its own, through the exit path conform does not
# take. Usage: asan_conform.sh FIXTURES SCENARIOS
set -uo pipefail
cd "$(dirname "$0")/../.."
fixtures=$1 scenarios=$2
TLSPROBE=build/asan/tlsprobe
work=build/asan/conform
fail() { echo "FAIL: asan conform: $*"; exit 1; }

[[ -x $TLSPROBE ]] || fail "$TLSPROBE missing (make asan)"
rm -rf "$work"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:atexit=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$PWD/tests/e2e/lsan.supp:print_suppressions=0
"$TLSPROBE" conform --fixtures "$fixtures" --scenarios "$scenarios" --workdir "$work" \
	--expect conformance/expected/reference.txt >"$work.out" 2>"$work.err"
status=$?
reports='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer'
found=$(grep -lE "$reports" "$work.err" "$work"/*/tracer/tracer.log 2>/dev/null)
[[ -z $found ]] || fail "sanitizer reports in: $found (first: $(grep -hE -m1 "$reports" $found | head -1))"
[[ $status -eq 0 ]] || fail "conform exited $status: $(tail -5 "$work.err")"
rows=0
for log in "$work"/*/tracer/tracer.log; do
	[[ -f $log ]] || continue
	grep -q 'AddressSanitizer exit stats' "$log" || fail "$log: no sanitized exit (not the ASan tracer, or it died)"
	rows=$((rows + 1))
done
[[ $rows -gt 0 ]] || fail "no tracer logs under $work"

# The exit path conform does not take (it waits for the teardown): the probes
# handed to the detach child; and the pcapng writer. The target maps libssl.
/usr/bin/python3 -c 'import ssl, time; time.sleep(30)' & target=$!
trap 'kill $target 2>/dev/null' EXIT
sleep 0.5
"$TLSPROBE" trace -p $target -d 1 --no-image-layers -o "$work/trace.jsonl" \
	--pcapng "$work/trace.pcapng" 2>"$work/trace.err"
status=$?
! grep -qE "$reports" "$work/trace.err" ||
	fail "trace: sanitizer report: $(grep -hE -m1 "$reports" "$work/trace.err")"
[[ $status -eq 0 ]] || fail "trace exited $status: $(tail -3 "$work/trace.err")"
grep -q 'AddressSanitizer exit stats' "$work/trace.err" || fail "trace: no sanitized exit"
grep -q 'tracing (' "$work/trace.err" || fail "trace did not start: $(tail -3 "$work/trace.err")"
echo "PASS: asan conform: $rows rows ($fixtures; $scenarios) and a trace run, no sanitizer report; $(tail -1 "$work.out")"
