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
 * no fd, no addresses, no ids, and whether a thread is traced asked once. */
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
	__u64 len_out;
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
	call->desc = *desc;
	site_regs(ctx, regs);
	call->buf = site_value(ctx, regs, desc->buf);
	call->len_out = desc->len == LEN_OUT_PTR ? site_value(ctx, regs, desc->count) : 0;
	call->active = 1;
	return 0;
}

struct copy_chunks {
	__u64 buf, len, copied;
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

SEC("uretprobe")
int copy_return(struct pt_regs *ctx)
{
	struct copy_call *call = bpf_task_storage_get(&copy_calls, bpf_get_current_task_btf(), 0, 0);
	struct copy_chunks chunks = {};
	struct trace_stats *stats;

	if (!call || !call->active)
		return 0;
	call->active = 0;
	chunks.len = call_result_len(&call->desc, call->len_out, ctx);
	chunks.buf = call->buf;
	if (chunks.len <= CHUNK_MAX)
		copy_chunk(0, &chunks);
	else
		bpf_loop(CHUNKS_PER_CALL_MAX, copy_chunk, &chunks, 0);
	/* the totals the tracer prints: what was copied (the bench checks it) */
	stats = stats_slot();
	if (!stats || !chunks.len)
		return 0;
	stats->bytes += chunks.copied;
	if (chunks.copied == chunks.len) {
		stats->calls++; /* "copied the bytes of N calls" */
		return 0;
	}
	stats->lost_calls++;
	stats->lost_bytes += chunks.len - chunks.copied;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
