#!/usr/bin/env bash
# bench uprobes' smoke run: the matrix's reports must be there and complete —
# every row measured (an added cost, or an error that fails this test), the
# machine named with its mitigations, the plots. No timing is asserted.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/tlsprobe-e2e-uprobes.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

build/tlsprobe bench uprobes --smoke --out "$out" >"$out/stdout.md" 2>"$out/stderr.log" ||
	fail "bench uprobes --smoke exited $?: $(tail -5 "$out/stderr.log")"
for f in uprobes.json uprobes.md uprobes.png uprobes.svg; do
	[[ -s $out/$f ]] || fail "$f missing or empty"
done
grep -q '^| jne rel8 |' "$out/stdout.md" || fail "the table was not printed"
python3 - "$out/uprobes.json" <<'PY' || fail "uprobes.json incomplete"
import json, sys
b = json.load(open(sys.argv[1]))
m = b["machine"]
assert m["kernel_release"] and m["cpu"] and m["ncpus"] >= 1, m
assert m["mitigations"], "no /sys/devices/system/cpu/vulnerabilities read"
rows = b["rows"]
assert len(rows) >= 30, len(rows)
for r in rows:
    assert r["error"] is None, (r["name"], r["error"])
    assert r["none_ns"] > 0 and r["probed_ns"] > 0 and r["added_ns"] is not None, r
    if r["site"]:
        # the probe was in place while measured: an int3, or an optimized call
        assert r["site_bytes_probed"][:2] in ("cc", "e8"), r
insn = [r for r in rows if r["group"].startswith("the probed instruction")]
assert len(insn) == 10, len(insn)
for r in insn:
    assert r["decoder"] in ("emulated", "single-stepped"), r
    assert r["measured"] in ("emulated", "single-stepped", "optimized", None), r
names = {r["name"] for r in rows}
for want in ("ret", "uprobe + uretprobe (nop)", "ring-buffer record of 16 KiB",
             "1000 probes on the file (999 under one link)", "100 other processes map the file"):
    assert want in names, want
assert any(r["selftest"] == "trig-uprobe-nop5" for r in rows)
# the syscall hooks a tracer can choose from, each on getppid and write
hooks = [r for r in rows if r["syscall"]]
for hook in ("raw_tp/sys_enter", "tp/syscalls/sys_enter_write", "tp/syscalls/sys_enter_openat"):
    assert sorted(r["syscall"] for r in hooks if hook + "," in r["name"]) == ["getppid", "write"], hook
PY
echo "bench uprobes: reports complete ($(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["rows"]))' "$out/uprobes.json") rows)"
