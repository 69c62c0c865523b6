// SPDX-License-Identifier: GPL-2.0
/* The floors: what a tracer costs beyond its probes is measured against
 * these (tlsprobe bench). Attached by `trace --mode floor` (and
 * floor-syscalls) at the same sites as the capturing programs.
 *
 * floor_entry/floor_return only return. copy_entry/copy_return (--mode
 * floor-copy) do the least that any capture of the plaintext must do: at
 * entry remember the buffer and where the byte count goes, at return read
 * the count and copy the bytes into a ring-buffer record. The record is
 * then discarded — there is nothing for user space to decode — so what is
 * measured is the copying alone (the reference's own chunk_reserve_copy):
 * no fd, no addresses, no ids, and whether a thread is traced asked once.
 * A vectored call's bytes are copied from its (base, len) pairs; a site with
 * an entry probe only (SITE_QUEUE_TAKE, rustls's reads) copies at entry,
 * from where the queue's front chunk says the bytes are. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "calls.bpf.h"

SEC("uprobe")
int floor_entry(void *ctx)
{
	return 0;
}

SEC("uretprobe")
int floor_return(void *ctx)
{
	return 0;
}

struct copy_call {
	__u64 buf;
	__u64 len_out;  /* BUF_IOVEC: the number of pairs */
	/* BUF_IOVEC: the pair copied next, what is left of the current one
	 * (kept here, not on the stack, for bpf_loop: see emit.bpf.h) */
	__u64 iov_next, iov_base, iov_left, iov_copied;
	struct site_desc desc;
	__u8 active;
	__u8 checked;   /* is_target asked (once per thread: threads of a
			 * process that is not traced must not copy) */
	__u8 is_target;
	__u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct copy_call);
} copy_calls SEC(".maps");

struct copy_chunks {
	__u64 buf, len, copied;
	struct copy_call *iov; /* BUF_IOVEC: buf is its array of pairs */
};

/* Discarded records hold their ring space until the consumer passes them:
 * it is woken as for the reference's records, and a copy that found the
 * ring full is counted lost (a floor that skipped copies would look cheap). */
static long copy_chunk(__u32 index, struct copy_chunks *c)
{
	__u64 offset = (__u64)index * CHUNK_MAX, record_size;
	__u64 n = c->len - offset > CHUNK_MAX ? CHUNK_MAX : c->len - offset;
	struct data_event *rec;

	if (offset >= c->len)
		return 1;
	rec = chunk_reserve_copy(n, (void *)(c->buf + offset), &record_size);
	if (!rec)
		return 1;
	bpf_ringbuf_discard(rec, wakeup_flags_reserved(record_size));
	c->copied = offset + n;
	return 0;
}

/* BUF_IOVEC: one step takes the next pair or copies one chunk of the
 * current one, as the reference's send_iovec_chunk does; the cursor is in
 * the map value (copy_call), not on the stack, for the verifier's sake
 * (emit.bpf.h says why). */
static long copy_iovec_chunk(__u32 index, struct copy_chunks *c)
{
	struct copy_call *call = c->iov;
	__u64 pair[2], n, record_size;
	struct data_event *rec;

	if (!call || call->iov_copied >= c->len)
		return 1;
	if (!call->iov_left) {
		if (call->iov_next >= call->len_out ||
		    bpf_probe_read_user(pair, sizeof(pair), (void *)(c->buf + 16 * call->iov_next)))
			return 1;
		call->iov_next++;
		call->iov_base = pair[0];
		call->iov_left = pair[1];
		return 0;
	}
	n = call->iov_left < c->len - call->iov_copied ? call->iov_left
							 : c->len - call->iov_copied;
	if (n > CHUNK_MAX)
		n = CHUNK_MAX;
	rec = chunk_reserve_copy(n, (void *)call->iov_base, &record_size);
	if (!rec)
		return 1;
	bpf_ringbuf_discard(rec, wakeup_flags_reserved(record_size));
	call->iov_copied += n;
	call->iov_base += n;
	call->iov_left -= n;
	return 0;
}

/* Copy len bytes at buf into discarded records; the totals the tracer
 * prints count what was copied (the bench checks it). */
static void copy_bytes(__u64 buf, __u64 len, struct copy_call *iov)
{
	struct copy_chunks chunks = { .buf = buf, .len = len, .iov = iov };
	struct trace_stats *stats;

	if (iov) {
		iov->iov_next = 0;
		iov->iov_left = 0;
		iov->iov_copied = 0;
		bpf_loop(CHUNKS_PER_CALL_MAX + IOVEC_PAIRS_MAX, copy_iovec_chunk, &chunks, 0);
		chunks.copied = iov->iov_copied;
	} else if (chunks.len <= CHUNK_MAX)
		copy_chunk(0, &chunks);
	else
		bpf_loop(CHUNKS_PER_CALL_MAX, copy_chunk, &chunks, 0);
	stats = stats_slot();
	if (!stats || !chunks.len)
		return;
	stats->bytes += chunks.copied;
	if (chunks.copied == chunks.len) {
		stats->calls++; /* "copied the bytes of N calls" */
		return;
	}
	stats->lost_calls++;
	stats->lost_bytes += chunks.len - chunks.copied;
}

/* SITE_QUEUE_TAKE (an entry probe only): the bytes are found in the queue
 * as the reference finds them (queue_front), and copied at once. */
static __always_inline void copy_taken(struct pt_regs *ctx, __u32 site)
{
	const struct site_ext *ext = bpf_map_lookup_elem(&site_exts, &site);
	struct queue_take take;

	if (!ext)
		return;
	take = queue_front(ext, ctx->di, ctx->si);
	if (take.bytes)
		copy_bytes(take.bytes, take.amt, NULL);
}

SEC("uprobe")
int copy_entry(struct pt_regs *ctx)
{
	const struct site_desc *desc;
	struct copy_call *call;
	__u64 regs[SITE_REGS];
	__u32 site;

	call = bpf_task_storage_get(&copy_calls, bpf_get_current_task_btf(), 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!call)
		return 0;
	if (!call->checked) {
		call->checked = 1;
		call->is_target = is_target(bpf_get_current_pid_tgid() >> 32);
	}
	if (!call->is_target)
		return 0;
	desc = site_of(ctx, &site);
	if (!desc)
		return 0;
	if (desc->kind == SITE_QUEUE_TAKE) {
		copy_taken(ctx, site);
		return 0;
	}
	call->desc = *desc;
	site_regs(ctx, regs);
	call->buf = site_value(ctx, regs, desc->buf);
	call->len_out = desc->len == LEN_OUT_PTR || desc->bufs == BUF_IOVEC
				? site_value(ctx, regs, desc->count) : 0;
	call->active = 1;
	return 0;
}

SEC("uretprobe")
int copy_return(struct pt_regs *ctx)
{
	struct copy_call *call = bpf_task_storage_get(&copy_calls, bpf_get_current_task_btf(), 0, 0);

	if (!call || !call->active)
		return 0;
	call->active = 0;
	copy_bytes(call->buf, call_result_len(&call->desc, call->len_out, ctx),
		   call->desc.bufs == BUF_IOVEC ? call : NULL);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
