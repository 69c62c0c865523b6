// SPDX-License-Identifier: GPL-2.0
/* (BPF_KPROBE/BPF_KRETPROBE name the argument registers; they serve uprobes
 * too.) The TLS read and write probes, wherever the planner put them: the
 * internal functions, or the exported SSL_write / SSL_read / _ex entry
 * points. At entry remember the arguments; at return send every byte the call
 * moved to user space in chunks. The cookie says which function this is and
 * where its byte count is (bpf/events.h). The fd comes from sockets.bpf.c
 * (the syscall made inside the call), or, for a call served from OpenSSL's
 * own buffer, from the last one seen on this SSL*. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "calls.bpf.h"

/* Call ids: per CPU counters (no cache line shared between CPUs), the CPU
 * in the top bits, from 1 (0: a call that fits in one chunk). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} call_ids SEC(".maps");

static __always_inline __u32 ns_id(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_probe_read_kernel(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return upid.nr;
}

/* Fills the per-thread cache when the thread is new or changed its comm
 * (exec, prctl): whether it is traced, and its ids in its pid namespace.
 * The comm is compared with two plain loads from the task (bpf_get_current_comm
 * costs ~140 ns here). */
static __always_inline void refresh_thread(struct thread_state *st)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 comm0 = *(__u64 *)&task->comm[0], comm1 = *(__u64 *)&task->comm[8];

	if (st->comm[0] && comm0 == *(__u64 *)st->comm && comm1 == *(__u64 *)&st->comm[8])
		return;
	*(__u64 *)st->comm = comm0;
	*(__u64 *)&st->comm[8] = comm1;
	st->is_target = is_target(bpf_get_current_pid_tgid() >> 32);
	st->nspid = ns_id(BPF_CORE_READ(task, group_leader));
	st->nstid = ns_id(task);
}

SEC("uprobe")
int BPF_KPROBE(tls_entry, void *ssl, void *buf)
{
	struct thread_state *st;
	__u64 sp = PT_REGS_SP(ctx);

	st = bpf_task_storage_get(&threads, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return 0;
	refresh_thread(st);
	if (!st->is_target)
		return 0;
	/* Deeper on the stack than the call in progress: a TLS call inside it
	 * (SSL_write_ex calling SSL_write_ex2 when both are probed); the
	 * outermost call owns the bytes. Not deeper: that call never returned
	 * (its thread longjmp'ed past it), so this one replaces it. */
	if (st->active && sp < st->sp) {
		struct trace_stats *stats = stats_slot();

		st->depth++;
		if (stats)
			stats->nested_calls++;
		return 0;
	}
	st->cookie = bpf_get_attach_cookie(ctx);
	st->len_out = count_pointer(ctx, st->cookie);
	st->ssl = (__u64)ssl;
	st->buf = (__u64)buf;
	st->sp = sp;
	st->depth = 0;
	st->fd = -1;
	st->other_fd = -1;
	st->addrs.family = 0;
	st->active = 1;
	return 0;
}

/* The fd of this call, or of the last call on the same SSL* that made one.
 * The thread's last SSL* answers without a map operation in the common case
 * of a thread using one connection at a time. */
static __always_inline void settle_fd(struct thread_state *st, __u32 tgid)
{
	struct ssl_key key = { .ssl = st->ssl, .tgid = tgid };
	struct ssl_socket *known, seen = {};

	if (st->ssl == st->last_ssl && st->last_fd >= 0) {
		if (st->fd < 0) {
			st->fd = st->last_fd;
			st->addrs = st->last_addrs;
			return;
		}
		if (st->fd == st->last_fd) {
			st->last_addrs = st->addrs;
			return;
		}
	}
	known = bpf_map_lookup_elem(&ssl_sockets, &key);
	if (st->fd < 0 && st->other_fd >= 0 && !known)
		st->fd = st->other_fd; /* no socket ever: a pipe or file transport */
	if (st->fd >= 0) {
		if (!known || known->fd != st->fd || known->addrs.lport != st->addrs.lport ||
		    known->addrs.rport != st->addrs.rport) {
			seen.fd = st->fd;
			seen.addrs = st->addrs;
			bpf_map_update_elem(&ssl_sockets, &key, &seen, BPF_ANY);
		}
	} else if (known) {
		st->fd = known->fd;
		st->addrs = known->addrs;
	}
	st->last_ssl = st->ssl;
	st->last_fd = st->fd;
	st->last_addrs = st->addrs;
}

struct chunk_ctx {
	struct call_header hdr;
	__u64 buf;
	__u64 delivered;
};

static long send_chunk(__u32 index, struct chunk_ctx *c)
{
	__u64 offset = (__u64)index * CHUNK_MAX, left = c->hdr.call_len - offset, record_size;
	__u32 n = left > CHUNK_MAX ? CHUNK_MAX : left;
	struct data_event *rec;

	if (offset >= c->hdr.call_len)
		return 1;
	rec = chunk_reserve_copy(n, (void *)(c->buf + offset), &record_size);
	if (!rec)
		return 1; /* ring buffer full: the rest of the call is lost */
	__builtin_memcpy(&rec->hdr, &c->hdr, sizeof(rec->hdr));
	rec->hdr.offset = offset;
	rec->hdr.chunk_len = n;
	bpf_ringbuf_submit(rec, wakeup_flags_reserved(record_size));
	c->delivered = offset + n;
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct loss_key);
	__type(value, struct loss_tally);
} unreported_loss SEC(".maps");

/* The loss record did not fit: count the bytes for the thread and fd
 * instead. */
static __always_inline void tally_unreported(const struct call_header *hdr,
					     struct trace_stats *st)
{
	struct loss_key key = { .tgid = hdr->pid, .tid = hdr->tid, .dir = hdr->dir, .fd = hdr->fd };
	struct loss_tally *tally = bpf_map_lookup_elem(&unreported_loss, &key), fresh = {};

	if (!tally) {
		fresh.nspid = hdr->nspid;
		fresh.nstid = hdr->nstid;
		__builtin_memcpy(fresh.comm, hdr->comm, sizeof(fresh.comm));
		fresh.lib_id = hdr->lib_id;
		fresh.func = hdr->func;
		bpf_map_update_elem(&unreported_loss, &key, &fresh, BPF_NOEXIST);
		tally = bpf_map_lookup_elem(&unreported_loss, &key);
		if (!tally) {
			if (st) /* the map is full: the totals say so */
				st->untallied_bytes += hdr->lost;
			return;
		}
	}
	__sync_fetch_and_add(&tally->bytes, hdr->lost);
	__sync_fetch_and_add(&tally->calls, 1);
}

static __always_inline void report_loss(struct call_header *hdr, __u64 delivered,
					struct trace_stats *st)
{
	hdr->kind = EVENT_LOSS;
	hdr->offset = delivered;
	hdr->lost = hdr->call_len - delivered;
	hdr->chunk_len = 0;
	if (st) {
		st->lost_calls++;
		st->lost_bytes += hdr->lost;
	}
	if (bpf_ringbuf_output(&events, hdr, sizeof(*hdr), wakeup_flags(sizeof(*hdr)))) {
		if (st)
			st->lost_loss_records++;
		tally_unreported(hdr, st);
	}
}

static __always_inline __u64 next_call_id(void)
{
	__u32 zero = 0;
	__u64 *counter = bpf_map_lookup_elem(&call_ids, &zero);

	if (!counter)
		return 0;
	return (__u64)bpf_get_smp_processor_id() << 48 | ++(*counter);
}

static __always_inline void fill_header(struct call_header *hdr, const struct thread_state *st,
					__u64 pid_tgid, __u64 len)
{
	hdr->kind = EVENT_DATA;
	hdr->lib_id = COOKIE_LIB(st->cookie);
	/* Only the chunks of a call larger than one chunk need an id to be
	 * put back together (and their loss record, to find them). */
	hdr->call_id = len > CHUNK_MAX ? next_call_id() : 0;
	hdr->ts_ns = bpf_ktime_get_ns();
	hdr->pid = pid_tgid >> 32;
	hdr->tid = (__u32)pid_tgid;
	hdr->nspid = st->nspid;
	hdr->nstid = st->nstid;
	__builtin_memcpy(hdr->comm, st->comm, sizeof(hdr->comm));
	hdr->func = COOKIE_FUNC(st->cookie);
	hdr->dir = COOKIE_DIR(st->cookie);
	hdr->fd = st->fd;
	hdr->addrs = st->addrs;
	hdr->call_len = len;
	hdr->lost = 0;
}

SEC("uretprobe")
int BPF_KRETPROBE(tls_return, long ret)
{
	struct thread_state *st = thread_state_peek();
	struct trace_stats *stats;
	struct chunk_ctx chunks = {}; /* (all of the header goes out: no stale stack bytes) */
	__u64 pid_tgid, len;

	/* Every thread that runs the probed code comes here: ask nothing more
	 * until it is known to be a traced call's return. */
	if (!st || !st->active)
		return 0;
	if (st->depth) {
		st->depth--;
		return 0;
	}
	st->active = 0;
	pid_tgid = bpf_get_current_pid_tgid();
	stats = stats_slot();
	len = call_result_len(st->cookie, st->len_out, ret);
	settle_fd(st, pid_tgid >> 32);
	if (!len)
		return 0;
	fill_header(&chunks.hdr, st, pid_tgid, len);
	chunks.buf = st->buf;
	chunks.delivered = 0;
	if (len <= CHUNK_MAX)
		send_chunk(0, &chunks); /* most calls: no loop */
	else
		bpf_loop(CHUNKS_PER_CALL_MAX, send_chunk, &chunks, 0);
	if (stats) {
		stats->calls++;
		stats->bytes += chunks.delivered;
	}
	if (chunks.delivered < len)
		report_loss(&chunks.hdr, chunks.delivered, stats);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
