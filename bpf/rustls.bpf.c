// SPDX-License-Identifier: GPL-2.0
/* rustls's reads (tokio-rustls): Reader::consume(amt) hands out the first amt
 * bytes of the connection's received-plaintext queue, which is at hand at
 * its entry: one probe, no return. Where the queue keeps its fields comes
 * from the plan (struct site_ext, read from consume's code). The fd: the
 * socket read before (FD_SOCKET_BEFORE, emit.bpf.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#define EMIT_FLAT_ONLY /* one chunk of the queue per call */
#include "emit.bpf.h"

SEC("uprobe")
int rustls_take(struct pt_regs *ctx)
{
	struct thread_state *st = traced_thread();
	const struct site_desc *desc;
	const struct site_ext *ext;
	__u64 queue, head, cap, front, taken, front_len, amt;
	__u32 site;

	if (!st || st->active)
		return 0; /* not traced, or inside a call that owns its bytes */
	desc = site_of(ctx, &site);
	ext = bpf_map_lookup_elem(&site_exts, &site);
	if (!desc || desc->kind != SITE_QUEUE_TAKE || !ext)
		return 0;
	/* the queue in rdi, the amount in rsi (attach.c refuses other places:
	 * reading all registers, site_regs, would not fit this stack) */
	queue = ctx->di;
	amt = ctx->si;
	head = read_word(queue + ext->q_head);
	cap = read_word(queue + ext->q_cap);
	taken = read_word(queue + ext->q_taken);
	front = read_word(queue + ext->q_elems) + (head >= cap ? head - cap : head) * ext->q_elem_size;
	front_len = read_word(front + ext->q_elem_len);
	if (taken > front_len)
		return 0;
	if (amt > front_len - taken)
		amt = front_len - taken; /* consume panics then: what there is */
	st->site = site;
	st->desc = *desc;
	st->session = queue;
	st->buf = read_word(front + ext->q_elem_ptr) + taken;
	call_state_fresh(st);
	call_emit(st, amt);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
