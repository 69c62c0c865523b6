// SPDX-License-Identifier: GPL-2.0
/* The programs of `tlsprobe bench uprobes` (bench/uprobes.c): what a uprobe
 * costs with each amount of work in its program. The buffer they read is
 * the 16 KiB one every site of build/uprobe-target takes in rdi. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define READ_MAX 16384

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} records SEC(".maps");

struct scratch {
	__u8 bytes[READ_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* The one process whose probes do their work (the "others pay" rows set
 * another, so that the process measured is filtered out at once). */
__u32 target_tgid;
/* Where the programs that must do some work put its result, so that the
 * compiler keeps the work. */
__u64 sink;

SEC("uprobe")
int up_empty(void *ctx)
{
	return 0;
}

/* The same, for the scaling rows' other probes: one uprobe_multi link for
 * all of them (user space sets its attach type), removed in one grace
 * period where separate probes take one each (~0.1 s here). */
SEC("uprobe")
int up_empty_multi(void *ctx)
{
	return 0;
}

SEC("uretprobe")
int up_ret_empty(void *ctx)
{
	return 0;
}

SEC("uprobe")
int up_pid(void *ctx)
{
	sink = bpf_get_current_pid_tgid();
	return 0;
}

static __always_inline int read_user(struct pt_regs *ctx, __u32 n)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);

	if (s && n <= READ_MAX)
		bpf_probe_read_user(s->bytes, n, (void *)PT_REGS_PARM1(ctx));
	return 0;
}

/* Reserve an n-byte record, fill it from the buffer, submit it without a
 * wakeup: user space drains the ring on its own clock (uprobes.c), so what
 * is measured is the reservation, the copy and the commit. */
static __always_inline int ring_record(struct pt_regs *ctx, __u32 n)
{
	void *rec = bpf_ringbuf_reserve(&records, n, 0);

	if (!rec)
		return 0;
	bpf_probe_read_user(rec, n, (void *)PT_REGS_PARM1(ctx));
	bpf_ringbuf_submit(rec, BPF_RB_NO_WAKEUP);
	return 0;
}

#define WORK(n)                                           \
	SEC("uprobe") int up_read_##n(struct pt_regs *ctx)  \
	{                                                 \
		return read_user(ctx, n);                 \
	}                                                 \
	SEC("uprobe") int up_ring_##n(struct pt_regs *ctx)  \
	{                                                 \
		return ring_record(ctx, n);               \
	}
WORK(64)
WORK(1024)
WORK(16384)

/* What a process nobody traces pays when it runs a probed file: the trap and
 * a filter that turns it away (then the 64-byte read the target would get). */
SEC("uprobe")
int up_filtered(struct pt_regs *ctx)
{
	if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
		return 0;
	return read_user(ctx, 64);
}

/* A syscall hook on every syscall of the machine, turning away all but the
 * target: its collateral on the others. */
SEC("raw_tp/sys_enter")
int sys_filtered(struct bpf_raw_tracepoint_args *ctx)
{
	if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
		return 0;
	sink = ctx->args[1];
	return 0;
}

/* The alternative: the per-syscall tracepoint of one syscall of the I/O
 * family, the same filter. Only that syscall runs a program; every other
 * syscall of the machine still takes the kernel's traced-syscall path. */
SEC("tp/syscalls/sys_enter_write")
int sys_write_filtered(struct trace_event_raw_sys_enter *ctx)
{
	if (bpf_get_current_pid_tgid() >> 32 != target_tgid)
		return 0;
	sink = ctx->id;
	return 0;
}

/* A syscall tracepoint no measured syscall runs (openat: the reference
 * follows library loads with it): what turning on the kernel's syscall
 * tracing costs each syscall by itself. */
SEC("tp/syscalls/sys_enter_openat")
int sys_openat_empty(struct trace_event_raw_sys_enter *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
