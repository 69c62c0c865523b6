#!/usr/bin/env bash
# Runs the fuzz targets built in BUILD/fuzz (make fuzz-build): for each one,
# replays its regressions (tests/fuzz/regressions/TARGET/: inputs that once
# crashed it, each run once), then fuzzes SECONDS from its seeds
# (tests/fuzz/seeds.sh) and the corpus kept in $FUZZ_CORPUS/TARGET (unset:
# BUILD/fuzz/corpus; empty: a fresh one, thrown away). One fuzzer at a time,
# one process. A crash, leak, timeout or sanitizer report fails the run; its
# input is kept in BUILD/fuzz/crashes/TARGET/, its log in
# BUILD/fuzz/logs/TARGET.log. $FUZZ_RUNS, when set, also ends a run after
# that many executions; $FUZZ_MAX_LEN, when set, bounds every input instead
# of each target's own bound (longer seeds are cut to it). Prints a line per
# target: executions, exec/s, coverage, corpus size.
# Usage: run.sh BUILD SECONDS TARGET...
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${1:?usage: run.sh BUILD SECONDS TARGET...}
SECONDS_EACH=${2:?usage: run.sh BUILD SECONDS TARGET...}
shift 2
CORPUS=${FUZZ_CORPUS-$BUILD/fuzz/corpus}
RUNS=${FUZZ_RUNS:+-runs=$FUZZ_RUNS}
LOGS=$BUILD/fuzz/logs

log() { echo "fuzz: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Largest input per target: what its parser reads at once (an ELF file is
# read whole: the seeds are whole libraries and executables).
max_len() {
    if [[ -n ${FUZZ_MAX_LEN:-} ]]; then echo "$FUZZ_MAX_LEN"; return; fi
    case $1 in
        elf) echo $((4 * 1024 * 1024)) ;;
        x86|rustsym) echo 4096 ;;
        procmaps) echo 8192 ;;
        record) echo 16384 ;;
        *) echo 65536 ;;
    esac
}

"$HERE/seeds.sh" "$BUILD"
scratch=$(mktemp -d /tmp/tlsprobe-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$LOGS"
failed=()
for t in "$@"; do
    bin=$BUILD/fuzz/fuzz_$t
    [[ -x $bin ]] || die "$bin: not built (make fuzz-build)"
    crashes=$BUILD/fuzz/crashes/$t
    mkdir -p "$crashes"
    regressions=("$HERE/regressions/$t"/*)
    if [[ -e ${regressions[0]} ]]; then
        if ! "$bin" -artifact_prefix="$crashes/" "${regressions[@]}" > "$scratch/$t.replay" 2>&1; then
            tail -n 40 "$scratch/$t.replay" >&2
            log "$t: FAIL: a regression input crashes it again"
            failed+=("$t")
            continue
        fi
        log "$t: ${#regressions[@]} regression inputs replayed"
    fi
    corpus=${CORPUS:+$CORPUS/$t}
    corpus=${corpus:-$scratch/corpus-$t}
    mkdir -p "$corpus"
    if ! nice -n 10 "$bin" -max_total_time="$SECONDS_EACH" ${RUNS} -max_len="$(max_len "$t")" \
            -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$crashes/" "$corpus" "$BUILD/fuzz/seeds/$t" \
            > "$LOGS/$t.log" 2>&1; then
        tail -n 60 "$LOGS/$t.log" >&2
        log "$t: FAIL: crash input in $crashes/"
        failed+=("$t")
        continue
    fi
    # The last status line ("#N REDUCE cov: C ft: F corp: U/S ...") and the final stats.
    status=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$LOGS/$t.log" | tail -n 1 || true)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOGS/$t.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$LOGS/$t.log")
    log "$t: PASS: ${runs:-?} runs, ${rate:-?} exec/s, cov ${status#* cov: }"
done
((${#failed[@]} == 0)) || die "crashed: ${failed[*]}"
