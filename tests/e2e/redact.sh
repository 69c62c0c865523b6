#!/usr/bin/env bash
# End to end: `trace --redact` writes no plaintext, and conform judges redacted
# captures by hashes.
#  1. conform --redact on openssl@host (every scenario) and custom-bio@host (basic,
#     size-64k, loop: writes held until their socket is known) against the
#     expected results: each call's SHA-256 against the hash of the fixture's own
#     bytes, the other checks as usual. (A container row, go@1.24, passes too but
#     takes 35 s here, most of it removing every image layer's probes: not within
#     this script's minute.)
#  2. The needles: distinctive 16-byte strings of the fixtures' transcripts (the
#     ground truth of those very runs). None is in any file the tracer wrote (its
#     events and logs) nor in the scorecard, raw or base64 at any alignment.
#  3. Negative control, so that the search can fail: one run traced twice at
#     once, without --redact (the search must find every needle of that run)
#     and with --redact --format text (none).
set -euo pipefail
cd "$(dirname "$0")/../.."
TLSPROBE=$PWD/build/tlsprobe
FIXTURE=$PWD/build/fixtures/openssl/run.sh
CA=$PWD/build/ca
WORKDIR=$PWD/build/conform-redact
work=$(mktemp -d /tmp/tlsprobe-e2e-redact.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }
[[ -x $FIXTURE ]] || fail "$FIXTURE missing (make fixtures)"

# search MODE CAPTURE... -- TRANSCRIPT_DIR...: MODE none: no needle of the
# transcripts is in the capture files; all: every one is. Prints the counts.
search() {
	python3 - "$@" <<'EOF'
import base64, glob, json, os, sys

mode, args = sys.argv[1], sys.argv[2:]
split = args.index("--")
captures, transcript_dirs = args[:split], args[split + 1:]

def needles():
    """16 bytes from the start and the middle of every call of 16 bytes or
    more that has at least 8 distinct byte values (random payloads, HTTP)."""
    found = set()
    for d in transcript_dirs:
        for path in glob.glob(os.path.join(d, "*.jsonl")):
            for line in open(path):
                data = base64.b64decode(json.loads(line).get("data", ""))
                for start in (0, len(data) // 2):
                    n = data[start:start + 16]
                    if len(n) == 16 and len(set(n)) >= 8:
                        found.add(n)
    return found

def forms(needle):
    """The needle as bytes, and as base64 wherever it sits in an encoded
    call: the encoding of its part that starts on each of 3 alignments."""
    out = [needle]
    for k in range(3):
        part = needle[k:]
        out.append(base64.b64encode(part[:len(part) // 3 * 3]))
    return out

ns = needles()
if not ns:
    sys.exit("no needles: the transcripts hold no call of 16 bytes or more")
text = b"".join(open(p, "rb").read() for p in captures)
hits = [n for n in ns if any(f in text for f in forms(n))]
print(f"{len(hits)} of {len(ns)} needles found in {len(captures)} files "
      f"({len(text)} bytes)")
if mode == "none" and hits:
    sys.exit(f"plaintext in the capture: {hits[0]!r} (and {len(hits) - 1} more)")
if mode == "all" and len(hits) != len(ns):
    missing = next(n for n in ns if n not in hits)
    sys.exit(f"{len(ns) - len(hits)} needles not found, e.g. {missing!r}")
EOF
}

# 1. conform --redact: the expected results, every cell.
conform() { # FIXTURES SCENARIOS
	"$TLSPROBE" conform --redact --fixtures "$1" ${2:+--scenarios "$2"} --workdir "$WORKDIR" \
		--expect conformance/expected/reference.txt --json "$work/score-${1//@/-}.json" \
		--junit "$work/score-${1//@/-}.xml" >"$work/conform-${1//@/-}.txt" 2>&1 ||
		fail "conform --redact --fixtures $1 differs from the expected results:
$(tail -30 "$work/conform-${1//@/-}.txt")"
	pass "conform --redact --fixtures $1${2:+ --scenarios $2}: $(grep 'cells as expected' "$work/conform-${1//@/-}.txt") (at $SECONDS s)"
}
conform openssl@host ""
conform custom-bio@host basic,size-64k,loop

# 2. No needle in what the tracer and conform wrote: the rows' tracer
# directories (events, logs), the scorecards and conform's own output.
mapfile -t captures < <(find "$WORKDIR"/*/tracer -type f; ls "$work"/score-* "$work"/conform-*.txt)
mapfile -t transcripts < <(find "$WORKDIR" -type d -name transcript)
grep -q '"sha256":"' "$WORKDIR/openssl@host/tracer/events.jsonl" ||
	fail "the redacted events hold no sha256"
grep -q '"chunk_sha256":\["' "$WORKDIR/openssl@host/tracer/events.jsonl" ||
	fail "the redacted events hold no chunk hashes (size-1m has calls over 16 KiB)"
! grep -q '"data":' "$WORKDIR"/*/tracer/events.jsonl || fail "a redacted event has \"data\""
"$TLSPROBE" validate "$WORKDIR/custom-bio@host/tracer/events.jsonl" >"$work/validate.txt" ||
	fail "validate: $(cat "$work/validate.txt")"
pass "the redacted events validate: $(tail -1 "$work/validate.txt")"
found=$(search none "${captures[@]}" -- "${transcripts[@]}") || fail "$found"
pass "no plaintext in the redacted capture: $found"
[[ $(stat -c %a "$WORKDIR/openssl@host/tracer/events.jsonl") == 600 &&
	$(stat -c %a "$WORKDIR") == 700 ]] || fail "the events are not 0600 or the workdir not 0700"
pass "events.jsonl 0600 in a 0700 workdir"

# 3. The negative control: the same search over a capture without --redact.
start_tracer() { # NAME ARGS...
	local name=$1
	shift
	"$TLSPROBE" trace --comm tlsfix --no-image-layers --ready-file "$work/$name.ready" \
		-o "$work/$name.out" "$@" 2>"$work/$name.log" &
	pids+=($!)
}
start_tracer plain
start_tracer redacted --redact --format text
for _ in $(seq 600); do [[ -e $work/plain.ready && -e $work/redacted.ready ]] && break; sleep 0.1; done
[[ -e $work/plain.ready && -e $work/redacted.ready ]] || fail "tracers not ready: $(cat "$work"/*.log)"
for scenario in basic size-4k; do
	"$FIXTURE" "$scenario" "$work/$scenario" "$CA" >"$work/fixture.log" 2>&1 ||
		fail "fixture $scenario: $(cat "$work/fixture.log")"
done
sleep 0.5
kill -INT "${pids[@]}"
for p in "${pids[@]}"; do wait "$p" || fail "a tracer exited with an error: $(cat "$work"/*.log)"; done
found=$(search all "$work/plain.out" -- "$work/basic" "$work/size-4k") || fail "$found"
pass "negative control: without --redact the search finds them: $found"
found=$(search none "$work/redacted.out" "$work/redacted.log" -- "$work/basic" "$work/size-4k") ||
	fail "$found"
grep -q '  sha256 [0-9a-f]\{64\}$' "$work/redacted.out" || fail "--format text shows no sha256"
pass "--redact --format text of the same run: $found"
echo "e2e redact: all passed in $SECONDS s"
