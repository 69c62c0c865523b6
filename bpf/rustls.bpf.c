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

static __always_inline __u64 user_u64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

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
	queue = ctx->di;
	amt = ctx->si;
	head = user_u64(queue + ext->q_head);
	cap = user_u64(queue + ext->q_cap);
	taken = user_u64(queue + ext->q_taken);
	front = user_u64(queue + ext->q_elems) + (head >= cap ? head - cap : head) * ext->q_elem_size;
	front_len = user_u64(front + ext->q_elem_len);
	if (taken > front_len)
		return 0;
	if (amt > front_len - taken)
		amt = front_len - taken; /* consume panics then: what there is */
	st->site = site;
	st->desc = *desc;
	st->session = queue;
	st->buf = user_u64(front + ext->q_elem_ptr) + taken;
	st->fd = -1;
	st->other_fd = -1;
	st->addrs.family = 0;
	st->depth = 0;
	call_emit(st, amt);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
