#!/usr/bin/env bash
# Never harm the target, report no garbage: tlsfault (fixtures/fault) leaves
# its SSL calls in the ways a uprobe tracer must survive — longjmp out of a
# BIO callback, fork inside SSL_write, a thread ended inside SSL_write and
# SSL_read, a signal storm on blocking reads, exec during traffic — while
# the reference tracer runs.
#   1. untraced, twice: each scenario's output is deterministic;
#   2. traced, RUNS runs of each scenario: every run exits 0 with the
#      untraced output; the capture is valid (tlsprobe validate) and equals
#      the transcripts (tests/e2e/fault_compare: a call that never returned
#      is in no transcript, so bytes reported for it fail `bytes`); the
#      tracer's BPF maps are counted afterwards (bpftool);
#   3. RUNS times, the tracer SIGKILLed at a random moment of a run (seed
#      printed; TLSPROBE_FAULT_SEED=N repeats it): every target finishes
#      with the untraced output.
# Usage: tests/e2e/fault.sh [RUNS]   (default 100; make test runs 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-100}
TLSPROBE=${TLSPROBE:-build/tlsprobe}
FAULT=build/fixtures/fault/tlsfault
COMPARE=build/tests/e2e/fault_compare
CA=build/ca
SCENARIOS=(longjmp fork thread-exit signals exec)
for f in "$TLSPROBE" "$FAULT" "$COMPARE" "$CA/ca.crt"; do
	[[ -e $f ]] || { echo "FAIL: $f missing (make all fixtures $COMPARE)"; exit 1; }
done
work=$(mktemp -d /tmp/tlsprobe-e2e-fault.XXXXXX)
tracer=
cleanup() { [[ -n $tracer ]] && kill -KILL "$tracer" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
start_ms=$(now_ms)

# run SCENARIO DIR: one run, its stdout in DIR.out, transcripts in DIR/.
run() {
	timeout 90 "$FAULT" run "$1" "$CA" "$2" >"$2.out" 2>"$2.err"
}

# An earlier tracer's probes still being removed in the background (its
# tlsprobe-detach child) would slow this one's attaching: wait for that.
wait_detach() { for _ in $(seq 240); do pgrep -x tlsprobe-detach >/dev/null || break; sleep 0.5; done; }

# start_tracer EVENTS [OPTIONS]: the reference tracer, once it is ready.
start_tracer() {
	local events=$1 ready=$1.ready
	shift
	wait_detach
	"$TLSPROBE" trace --comm tlsfault --no-image-layers --ready-file "$ready" -o "$events" "$@" \
		2>"$events.log" &
	tracer=$!
	for _ in $(seq 300); do [[ -e $ready ]] && return 0; sleep 0.05; done
	echo "FAIL: tracer not ready: $(tail -3 "$events.log")"
	exit 1
}

# ---- 1. untraced ----
for s in "${SCENARIOS[@]}"; do
	if run "$s" "$work/ref-$s" && run "$s" "$work/ref2-$s" && cmp -s "$work/ref-$s.out" "$work/ref2-$s.out"; then
		pass "$s untraced: exit 0 twice, the same output ($(wc -l <"$work/ref-$s.out") lines)"
	else
		fail "$s untraced is not deterministic or fails: $(tail -2 "$work/ref-$s.err" "$work/ref2-$s.err")"
	fi
done

# ---- 2. traced ----
# The tracer's maps, by the ids of its map fds; one "NAME ENTRIES" line each
# (hash and LRU maps: the others cannot be listed or do not grow).
map_entries() {
	local fdinfo id
	for fdinfo in /proc/"$1"/fdinfo/*; do
		id=$(sed -n 's/^map_id:\s*//p' "$fdinfo" 2>/dev/null) || continue
		[[ -n $id ]] || continue
		bpftool -j map show id "$id" 2>/dev/null |
			python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["id"], m.get("name",""), m["type"])'
	done | sort -u | while read -r id name type; do
		case $type in
		hash | lru_hash) echo "$name $(bpftool -j map dump id "$id" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" ;;
		esac
	done
}

declare -A ms_total
start_tracer "$work/events.jsonl" --wait-teardown
for s in "${SCENARIOS[@]}"; do
	ok=0 t0=$(now_ms)
	for i in $(seq "$RUNS"); do
		mkdir -p "$work/tx"
		if run "$s" "$work/tx/$s-$i" && cmp -s "$work/ref-$s.out" "$work/tx/$s-$i.out"; then
			ok=$((ok + 1))
		elif [[ $ok -eq $((i - 1)) ]]; then
			echo "  $s run $i: exit or output differs:"; diff "$work/ref-$s.out" "$work/tx/$s-$i.out" | head -5
			tail -3 "$work/tx/$s-$i.err"
		fi
	done
	ms_total[$s]=$(($(now_ms) - t0))
	if [[ $ok -eq $RUNS ]]; then
		pass "$s traced: $ok of $RUNS runs exit 0 with the untraced output ($((ms_total[$s] / RUNS)) ms a run)"
	else
		fail "$s traced: $ok of $RUNS runs exit 0 with the untraced output"
	fi
done
sleep 0.3 # the last calls' records
map_entries "$tracer" >"$work/maps.txt"
kill -INT "$tracer"
wait "$tracer" || fail "tracer exited with status $?: $(tail -3 "$work/events.jsonl.log")"
tracer=
echo "  tracer: $(grep -h 'calls,' "$work/events.jsonl.log")"
echo "  hash/LRU map entries after the runs: $(tr '\n' ' ' <"$work/maps.txt")"
# Entries that outlive their process: late_watches (user space removes each
# once it has looked at the process) and unreported_loss (written at exit)
# must be empty; goroutine_calls (Go only) too. The per-thread call state is
# task storage, freed with its thread by the kernel (it cannot be listed).
left=$(awk '($1 == "late_watches" || $1 == "unreported_loss" || $1 == "goroutine_calls") && $2 != 0' "$work/maps.txt")
if [[ -z $left && -s $work/maps.txt ]]; then
	pass "no per-process or per-call map entries left behind by $((RUNS * ${#SCENARIOS[@]})) runs"
else
	fail "map entries left behind (or none counted): ${left:-no maps read}"
fi
if "$TLSPROBE" validate "$work/events.jsonl" >"$work/validate.out" 2>&1; then
	pass "tlsprobe validate accepts the capture ($(tail -1 "$work/validate.out"))"
else
	fail "tlsprobe validate: $(tail -3 "$work/validate.out")"
fi
if "$COMPARE" "$work/events.jsonl" "$work/tx"/*/ >"$work/compare.out" 2>&1; then
	pass "the capture equals the transcripts: bytes, boundaries, fd, addresses, loss ($(tail -1 "$work/compare.out"))"
else
	fail "the capture differs from the transcripts:"; sed 's/^/  /' "$work/compare.out"
fi

# ---- 3. tracer SIGKILLed at random moments ----
seed=${TLSPROBE_FAULT_SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$seed
echo "  kill test: seed $seed (TLSPROBE_FAULT_SEED=$seed repeats it)"
ok=0 mid=0 t0=$(now_ms)
for i in $(seq "$RUNS"); do
	s=${SCENARIOS[$((i % ${#SCENARIOS[@]}))]}
	# within the first 3/4 of a traced run's time: a kill after the target
	# has finished tests nothing (counted below)
	window=$((ms_total[$s] * 3 / 4 / RUNS)); ((window > 0)) || window=1
	delay=$((RANDOM % window))
	start_tracer "$work/kill-$i.jsonl"
	"$FAULT" run "$s" "$CA" "$work/kill-$i" >"$work/kill-$i.out" 2>"$work/kill-$i.err" &
	target=$!
	sleep "$(printf '0.%03d' "$delay")"
	kill -0 "$target" 2>/dev/null && mid=$((mid + 1))
	kill -KILL "$tracer"; wait "$tracer" 2>/dev/null || true; tracer=
	if wait "$target" && cmp -s "$work/ref-$s.out" "$work/kill-$i.out"; then
		ok=$((ok + 1))
	else
		echo "  kill $i ($s, after $delay ms): exit or output differs: $(tail -2 "$work/kill-$i.err")"
	fi
	rm -rf "$work/kill-$i" "$work/kill-$i.jsonl"*
done
if [[ $ok -eq $RUNS ]]; then
	pass "tracer SIGKILLed at a random moment: $ok of $RUNS targets finished with the untraced output ($mid killed mid-run, $(($(now_ms) - t0)) ms)"
else
	fail "tracer SIGKILLed at a random moment: $ok of $RUNS targets finished with the untraced output"
fi
# A kill that always came after the target had finished would test nothing.
if ((mid * 2 >= RUNS)); then
	pass "$mid of $RUNS kills landed while the target ran"
else
	fail "only $mid of $RUNS kills landed while the target ran"
fi

echo "e2e fault: $passed passed, $failed failed ($(( ($(now_ms) - start_ms) / 1000 )) s, $RUNS runs)"
[[ $failed -eq 0 ]]
