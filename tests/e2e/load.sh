#!/usr/bin/env bash
# make test-load: the reference tracer under load, not one byte lost silently.
# Each run MODE:N starts `tlsprobe trace --comm tlsload`, runs fixtures/load's
# tlsload server and client (mode conns: N connections open at once; churn: N
# client processes exec'd in a row; reuse: N fd numbers reused at once by new
# connections; reuse-buffered: the same, each new connection's first read
# served from OpenSSL's buffer), stops the tracer and has `tlsprobe loadcheck` compare the
# capture with the transcripts tlsload wrote. Work files stay in
# build/load/MODE (TLSPROBE_LOAD_DIR). No timing is judged: the wall times
# are printed for the record. TLSPROBE_LOAD_TRACE_ARGS: more tracer options
# (e.g. "--ringbuf-mb 1", to see loss reported and balanced).
#   tests/e2e/load.sh conns:1000 churn:10000 reuse:2000 reuse-buffered:2000
set -euo pipefail
cd "$(dirname "$0")/../.."
TLSPROBE=build/tlsprobe
TLSLOAD=build/fixtures/load/tlsload
CA=build/ca
OUT=${TLSPROBE_LOAD_DIR:-build/load}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
failed=0 passed=0 summary=()

[[ -x $TLSLOAD && -x $TLSPROBE && -f $CA/ca.crt ]] ||
	{ echo "FAIL: build first: $TLSPROBE, $TLSLOAD, $CA (make test-load does)" >&2; exit 1; }

# wait_file PATH SECONDS PID: until PATH exists and is not empty; fails when
# PID (the process that makes it) exits first.
wait_file() {
	for _ in $(seq $(( $2 * 10 ))); do
		[[ -s $1 || ( $1 == *ready && -e $1 ) ]] && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

now() { date +%s.%N; }

# run_load MODE N DIR: the server and the client, under the tracer started by run.
run_load() {
	local mode=$1 n=$2 dir=$3 server
	"$TLSLOAD" server --mode "$mode" --n "$n" --cert $CA/server.crt --key $CA/server.key \
		--port-file "$dir/port" --transcript "$dir/truth" 2>"$dir/server.log" &
	server=$!; pids+=("$server")
	wait_file "$dir/port" 10 "$server" || { echo "server not ready: $(cat "$dir/server.log")"; return 1; }
	"$TLSLOAD" client --mode "$mode" --n "$n" --ca $CA/ca.crt --port "$(cat "$dir/port")" \
		--transcript "$dir/truth" 2>"$dir/client.log" ||
		{ echo "client failed: $(tail -3 "$dir/client.log")"; kill "$server" 2>/dev/null; return 1; }
	wait "$server" || { echo "server failed: $(tail -3 "$dir/server.log")"; return 1; }
	cat "$dir/server.log" "$dir/client.log"
}

run() {
	local mode=${1%%:*} n=${1#*:} dir=$OUT/${1%%:*} tracer t0 t1 secs ok=1
	rm -rf "$dir"; mkdir -p "$dir/truth"
	echo "== $mode: $n"
	# shellcheck disable=SC2086 # options, split on purpose
	$TLSPROBE trace --comm tlsload --no-image-layers ${TLSPROBE_LOAD_TRACE_ARGS:-} -o "$dir/events.jsonl" \
		--ready-file "$dir/ready" 2>"$dir/tracer.log" &
	tracer=$!; pids+=("$tracer")
	wait_file "$dir/ready" 120 "$tracer" || { echo "FAIL: $mode: tracer not ready: $(cat "$dir/tracer.log")"; return 1; }
	t0=$(now)
	run_load "$mode" "$n" "$dir" || ok=0
	t1=$(now)
	kill -INT "$tracer"
	wait "$tracer" || { echo "tracer exited with an error: $(tail -3 "$dir/tracer.log")"; ok=0; }
	grep -i 'lost\|loss' "$dir/tracer.log" || true
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	echo "$mode: load run $secs s (wall, traced)"
	$TLSPROBE loadcheck --name "$mode" --truth "$dir/truth" "$dir/events.jsonl" | tee "$dir/check.txt" || ok=0
	summary+=("$mode:$n $( ((ok)) && echo PASS || echo FAIL) ($secs s)")
	((ok))
}

for spec in "${@:-conns:1000 churn:10000 reuse:2000 reuse-buffered:2000}"; do
	for one in $spec; do
		if run "$one"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	done
done
printf '%s\n' "${summary[@]}"
echo "test-load: $passed passed, $failed failed"
((failed == 0))
