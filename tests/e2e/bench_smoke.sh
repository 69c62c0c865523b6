#!/usr/bin/env bash
# The bench's smoke run: every pass at a small scale, then the reports must be
# there and complete — bench.json with each section, bench.md with its
# tables, the plots. No timing is asserted: these figures are not measurements.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/tlsprobe-e2e-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

build/tlsprobe bench --smoke --out "$out" >"$out/stdout.md" 2>"$out/stderr.log" ||
	fail "bench --smoke exited $?: $(tail -5 "$out/stderr.log")"
for f in bench.json bench.md added-cost-openssl@host.png added-cost-openssl@host.svg \
	added-cost-echo-openssl@host.png added-cost-echo-openssl@host.svg; do
	[[ -s $out/$f ]] || fail "$f missing or empty"
done
python3 - "$out/bench.json" <<'PY' || fail "bench.json incomplete"
import json, sys
b = json.load(open(sys.argv[1]))
host = b["fixtures"][0]
configs = {c["config"]: c for c in host["configs"]}
assert set(configs) >= {"none", "floor", "reference"}, configs.keys()
for name in ("none", "floor", "reference"):
    size = configs[name]["sizes"][0]
    assert size["size"] == 64 and size["rounds"] == 1, size
    for m in ("stream_write", "echo_write", "echo_read"):
        assert size[m]["median_ns"] > 0, (name, m, size)
ref = configs["reference"]["sizes"][0]
assert ref["capture"]["captured"] == ref["capture"]["calls"] > 0, ref["capture"]
assert ref["bpf_ns_per_call"] > 0 and ref["tracer_cpu_ns_per_call"] > 0, ref
# floor-copy really copies: every call's bytes went through its ring-buffer records
copy = configs["floor-copy"]["sizes"][0]
assert copy["capture"]["captured"] == copy["capture"]["calls"] > 0, copy["capture"]
assert copy["capture"]["lost_bytes"] == 0, copy["capture"]
assert host["planned_sites"] and host["entry_sites"]
assert b["collateral"]["reference"]["write_ns"] > 0
assert b["loss"] and b["loss"][0]["silent_bytes"] == 0, b["loss"]
forced = b["forced_loss"]
assert forced["lost_bytes"] > 0 and forced["silent_bytes"] == 0, forced
assert b["consumer"]["records_per_s_64"] > 0
assert b["whole"]["reference"]["mean_s"] > 0
assert {"reference_over_floor", "floor_copy_over_floor"} <= set(b["targets"]), b["targets"]
# every stack of the default rows is measured, with the same figures and bounds
stacks = {row["stack"] for row in b["stacks"]}
assert stacks == {"openssl", "gnutls", "nss"}, stacks
for f in b["fixtures"][1:]:
    configs = {c["config"]: c for c in f["configs"]}
    for name in ("none", "floor", "floor-copy", "reference", "floor-entry"):
        size = configs[name]["sizes"][0]
        assert size["stream_write"]["median_ns"] > 0, (f["fixture"], name, size)
    ref = configs["reference"]["sizes"][0]
    assert ref["capture"]["captured"] == ref["capture"]["calls"] > 0, (f["fixture"], ref)
    assert f["planned_sites"] and f["entry_sites"], f["fixture"]
PY
grep -q '^## Loss' "$out/bench.md" || fail "bench.md has no loss table"
grep -q '^## Per stack' "$out/bench.md" || fail "bench.md has no per-stack table"
grep -q '^## Targets' "$out/stdout.md" || fail "the report was not printed"
echo "PASS: bench --smoke produced bench.json (every section), bench.md and the plots"
echo "e2e bench smoke: 1 passed, 0 failed"
