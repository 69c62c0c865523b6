#!/usr/bin/env bash
# An environment the tracer cannot trace in gets one clear line, a non-zero
# exit, and nothing loaded: no privilege (uid 65534; root with a capability
# dropped), no tracefs, no kernel BTF, a locked-down kernel, an old libbpf.
# The kernel's own files are hidden or faked in a private mount namespace
# (unshare -m), so the machine's mounts are untouched. Needs root.
set -uo pipefail
cd "$(dirname "$0")/../.."
TLSPROBE=$PWD/build/tlsprobe
SHIM=$PWD/build/tests/e2e/old_libbpf.so
passed=0 failed=0

[[ $EUID -eq 0 ]] || { echo "FAIL: env_errors.sh needs root"; exit 1; }
[[ -x $TLSPROBE && -f $SHIM ]] || { echo "FAIL: build $TLSPROBE and $SHIM first"; exit 1; }

# expect NAME EXPECTED-SUBSTRING COMMAND...: non-zero exit, exactly one line
# on stderr, holding the message (a check that runs late would print more).
expect() {
	local name=$1 want=$2 err status lines
	shift 2
	err=$("$@" 2>&1 >/dev/null); status=$?
	lines=$(grep -c '' <<<"$err")
	if [[ $status -ne 0 && $err == *"$want"* && $lines -eq 1 ]]; then
		echo "PASS: $name (exit $status: $err)"; passed=$((passed + 1))
	else
		echo "FAIL: $name: exit $status, $lines lines, wanted one line with '$want' in: $err"
		failed=$((failed + 1))
	fi
}

# expect_runs NAME COMMAND...: the check lets a capable environment through
# (a check that refuses too much fails here).
expect_runs() {
	local name=$1 err status
	shift
	err=$("$@" 2>&1 >/dev/null); status=$?
	if [[ $status -eq 0 && $err == *"tracing ("* ]]; then
		echo "PASS: $name (runs)"; passed=$((passed + 1))
	else
		echo "FAIL: $name: exit $status: $err"; failed=$((failed + 1))
	fi
}

# A target with no TLS library keeps the runs that get through short.
sleep 60 & target=$!
trap 'kill $target 2>/dev/null' EXIT
TRACE="$TLSPROBE trace -p $target -d 1 --no-image-layers"

nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
expect "uid 65534" "missing CAP_BPF (loading BPF programs), CAP_PERFMON" "${nobody[@]}" $TRACE
expect "root without CAP_SYS_ADMIN" "missing CAP_SYS_ADMIN (uprobe perf events)" \
	capsh --drop=cap_sys_admin -- -c "exec $TRACE"
expect "root without CAP_SYS_PTRACE" "missing CAP_SYS_PTRACE" \
	capsh --drop=cap_sys_ptrace -- -c "exec $TRACE"
expect "root without CAP_DAC_*" "missing CAP_DAC_READ_SEARCH" \
	capsh --drop=cap_dac_read_search,cap_dac_override -- -c "exec $TRACE"
expect_runs "root without CAP_BPF (CAP_SYS_ADMIN stands in)" \
	capsh --drop=cap_bpf,cap_perfmon -- -c "exec $TRACE"
expect "bench uprobes, uid 65534" "tlsprobe bench uprobes: needs root" \
	"${nobody[@]}" $TLSPROBE bench uprobes

# /sys/kernel without tracing/ (read-only, so it cannot be mounted), BTF kept.
expect "no tracefs" "tracefs is mounted at neither" unshare -m sh -c "
	umount -l /sys/kernel/tracing 2>/dev/null; umount -l /sys/kernel/debug 2>/dev/null
	stage=\$(mktemp -d) && mount --bind /sys/kernel/btf \$stage &&
	mount -t tmpfs -o size=64k none /sys/kernel && mkdir /sys/kernel/btf &&
	mount --move \$stage /sys/kernel/btf && mount -o remount,ro /sys/kernel &&
	exec $TRACE"
expect "no BTF" "the kernel has no BTF" unshare -m sh -c "
	mount -t tmpfs none /sys/kernel/btf && exec $TRACE"

# lockdown LEVEL: /sys/kernel/security/lockdown as the kernel writes it.
lockdown() {
	local levels=$1
	shift
	unshare -m sh -c "mount -t tmpfs none /sys/kernel/security &&
		echo '$levels' > /sys/kernel/security/lockdown && exec $*"
}
expect "lockdown confidentiality" "locked down (confidentiality)" \
	lockdown "none integrity [confidentiality]" $TRACE
expect_runs "lockdown integrity (nothing it forbids is used)" \
	lockdown "none [integrity] confidentiality" $TRACE

expect "libbpf 0.8" "libbpf 0.8 is too old" env LD_PRELOAD="$SHIM" $TRACE

echo "e2e environment errors: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
