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
	struct queue_take take;
	__u32 site;

	if (!st || st->active)
		return 0; /* not traced, or inside a call that owns its bytes */
	desc = site_of(ctx, &site);
	ext = bpf_map_lookup_elem(&site_exts, &site);
	if (!desc || desc->kind != SITE_QUEUE_TAKE || !ext)
		return 0;
	/* the queue in rdi, the amount in rsi (attach.c refuses other places:
	 * reading all registers, site_regs, would not fit this stack) */
	take = queue_front(ext, ctx->di, ctx->si);
	if (!take.bytes)
		return 0;
	st->call.site = site;
	st->call.desc = *desc;
	st->call.session = ctx->di;
	st->call.buf = take.bytes;
	call_state_fresh(st);
	call_emit(st, take.amt);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
