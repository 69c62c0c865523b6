// SPDX-License-Identifier: GPL-2.0
/* (BPF_KPROBE/BPF_KRETPROBE name the argument registers; they serve uprobes
 * too.) SSL_write / SSL_read / SSL_write_ex / SSL_read_ex: remember the arguments at
 * entry, and at return send every byte the call moved to user space in chunks.
 * The fd comes from sockets.bpf.c (the syscall made inside the call), or, for a
 * call served from OpenSSL's own buffer, from the last one seen on this SSL*. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "calls.bpf.h"

/* One call's chunk being assembled; per CPU because a data_event is too big
 * for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct data_event);
} chunk_scratch SEC(".maps");

__u64 next_call_id = 0;

static __always_inline __u32 ns_id(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_probe_read_kernel(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return upid.nr;
}

SEC("uprobe")
int BPF_KPROBE(tls_entry, void *ssl, void *buf)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct active_call *outer, call = {};
	__u64 arg4, arg5;

	if (!is_target(pid_tgid >> 32))
		return 0;
	outer = bpf_map_lookup_elem(&active_calls, &tid);
	if (outer) {
		/* e.g. SSL_write_ex calling SSL_write_ex2 when both are probed:
		 * the outermost call owns the bytes. */
		outer->depth++;
		return 0;
	}
	call.ssl = (__u64)ssl;
	call.buf = (__u64)buf;
	/* Both registers are read unconditionally: clang would otherwise pick
	 * the ctx offset first, and the verifier refuses a computed ctx access. */
	arg4 = PT_REGS_PARM4(ctx);
	arg5 = PT_REGS_PARM5(ctx);
	call.cookie = bpf_get_attach_cookie(ctx);
	call.len_out = COOKIE_LEN_FROM(call.cookie) == LEN_FROM_ARG5 ? arg5 : arg4;
	call.fd = -1;
	call.other_fd = -1;
	bpf_map_update_elem(&active_calls, &tid, &call, BPF_ANY);
	return 0;
}

/* Bytes the call moved: the return value, or (for the _ex and internal
 * functions, which return 1 or a positive status) the count stored through
 * the pointer argument saved at entry. */
static __always_inline __u64 call_result_len(const struct active_call *call, long ret)
{
	__u64 len = 0;

	if ((int)ret <= 0)
		return 0;
	if (COOKIE_LEN_FROM(call->cookie) == LEN_FROM_RETURN)
		return (int)ret;
	bpf_probe_read_user(&len, sizeof(len), (void *)call->len_out);
	return len;
}

/* The fd of this call, or of the last call on the same SSL* that made one. */
static __always_inline void settle_fd(struct active_call *call, __u32 tgid)
{
	struct ssl_key key = { .ssl = call->ssl, .tgid = tgid };
	struct ssl_socket *known, seen = {};

	if (call->fd < 0 && call->other_fd >= 0 &&
	    !bpf_map_lookup_elem(&ssl_sockets, &key))
		call->fd = call->other_fd; /* no socket ever: a pipe or file transport */
	if (call->fd >= 0) {
		seen.fd = call->fd;
		seen.addrs = call->addrs;
		bpf_map_update_elem(&ssl_sockets, &key, &seen, BPF_ANY);
		return;
	}
	known = bpf_map_lookup_elem(&ssl_sockets, &key);
	if (known) {
		call->fd = known->fd;
		call->addrs = known->addrs;
	}
}

struct chunk_ctx {
	struct data_event *ev;
	__u64 buf;
	__u64 delivered;
};

static long send_chunk(__u32 index, struct chunk_ctx *c)
{
	struct data_event *ev = c->ev;
	__u64 offset = (__u64)index * CHUNK_MAX;
	__u64 left = ev->hdr.call_len - offset;
	__u32 n = left > CHUNK_MAX ? CHUNK_MAX : left;

	if (offset >= ev->hdr.call_len)
		return 1;
	ev->hdr.offset = offset;
	ev->hdr.chunk_len = n;
	if (bpf_probe_read_user(ev->data, n, (void *)(c->buf + offset)))
		return 1;
	if (bpf_ringbuf_output(&events, ev, sizeof(ev->hdr) + n, 0))
		return 1; /* ring buffer full: the rest of the call is lost */
	c->delivered = offset + n;
	return 0;
}

static __always_inline void report_loss(struct data_event *ev, __u64 delivered,
					struct trace_stats *st)
{
	ev->hdr.kind = EVENT_LOSS;
	ev->hdr.offset = delivered;
	ev->hdr.lost = ev->hdr.call_len - delivered;
	ev->hdr.chunk_len = 0;
	if (st) {
		st->lost_calls++;
		st->lost_bytes += ev->hdr.lost;
	}
	if (bpf_ringbuf_output(&events, &ev->hdr, sizeof(ev->hdr), 0) && st)
		st->lost_loss_records++;
}

SEC("uretprobe")
int BPF_KRETPROBE(tls_return, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, zero = 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct trace_stats *st = stats_slot();
	struct active_call *call;
	struct data_event *ev;
	struct chunk_ctx chunks;
	__u64 len;
	__u32 func;

	call = bpf_map_lookup_elem(&active_calls, &tid);
	if (!call)
		return 0;
	if (call->depth) {
		call->depth--;
		return 0;
	}
	len = call_result_len(call, ret);
	settle_fd(call, pid_tgid >> 32);
	ev = bpf_map_lookup_elem(&chunk_scratch, &zero);
	if (!ev || !len)
		goto done;

	func = COOKIE_FUNC(call->cookie);
	ev->hdr.kind = EVENT_DATA;
	ev->hdr.lib_id = COOKIE_LIB(call->cookie);
	ev->hdr.call_id = __sync_fetch_and_add(&next_call_id, 1);
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ev->hdr.pid = pid_tgid >> 32;
	ev->hdr.tid = tid;
	ev->hdr.nspid = ns_id(BPF_CORE_READ(task, group_leader));
	ev->hdr.nstid = ns_id(task);
	bpf_get_current_comm(ev->hdr.comm, sizeof(ev->hdr.comm));
	ev->hdr.func = func;
	ev->hdr.dir = COOKIE_DIR(call->cookie);
	ev->hdr.fd = call->fd;
	ev->hdr.addrs = call->addrs;
	ev->hdr.call_len = len;
	ev->hdr.lost = 0;

	chunks.ev = ev;
	chunks.buf = call->buf;
	chunks.delivered = 0;
	bpf_loop(CHUNKS_PER_CALL_MAX, send_chunk, &chunks, 0);
	if (st) {
		st->calls++;
		st->bytes += chunks.delivered;
	}
	if (chunks.delivered < len)
		report_loss(ev, chunks.delivered, st);
done:
	bpf_map_delete_elem(&active_calls, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
