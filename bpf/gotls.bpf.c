// SPDX-License-Identifier: GPL-2.0
/* Go's crypto/tls: an entry probe on (*Conn).Write/Read and a probe on each
 * of its return instructions (never a uretprobe: it rewrites the return
 * address on a stack Go may move). A goroutine can block in the call and go
 * on on another thread, and other goroutines run on its thread meanwhile, so
 * the call in progress is kept by the goroutine (its g), not the thread. The
 * fd is read from the connection object at entry (struct site_ext), and the
 * socket's addresses from the kernel by that fd: a read served from the
 * connection's buffer makes no syscall, and a write's syscalls may happen on
 * other threads. At the return, the call is finished as every other stack's
 * (call_finish). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#define EMIT_FLAT_ONLY /* Go's buffers are slices: one piece each */
#define EMIT_FD_AT_CALL /* from the connection object at the entry */
#include "emit.bpf.h"
#include "sockaddr.bpf.h"

struct goroutine_key {
	__u64 g;
	__u32 tgid;
	__u32 pad;
};

/* A goroutine's call in progress, from its entry to its return. */
struct goroutine_call {
	__u64 session, buf;
	__u64 stack_lo, stack_hi; /* the goroutine's stack at entry */
	struct site_desc desc;
	__u32 site;
	__s32 fd;
	struct sock_addrs addrs;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* a call that never returns ages out */
	__uint(max_entries, 65536);
	__type(key, struct goroutine_key);
	__type(value, struct goroutine_call);
} goroutine_calls SEC(".maps");

/* The running goroutine: a register (register ABI: R14), or the word at the
 * thread pointer + g_tls (stack ABI: where the function's own prologue
 * loads it from). */
static __always_inline __u64 goroutine_of(struct pt_regs *ctx, const __u64 regs[SITE_REGS],
					 const struct site_ext *ext)
{
	__u64 g = 0, fsbase;

	if (ext->g_loc != LOC_NONE)
		return site_value(ctx, regs, ext->g_loc);
	fsbase = BPF_CORE_READ(bpf_get_current_task_btf(), thread.fsbase);
	bpf_probe_read_user(&g, sizeof(g), (void *)(fsbase + ext->g_tls));
	return g;
}

/* The session's fd through the chain of struct site_ext, or -1 when the
 * interface holds another type than the chain is for (or the memory cannot
 * be read), or when that fd is no socket. */
static __always_inline __s32 chain_fd(struct pt_regs *ctx, const struct site_ext *ext,
				      __u64 session, struct sock_addrs *addrs)
{
	__u64 itab = read_word(session + ext->iface_off), p, fd;
	struct file *file;

	if (!itab || read_word(itab + ext->check_off) != PT_REGS_IP(ctx) + ext->check_delta)
		return -1;
	p = read_word(session + ext->iface_off + 8);
	for (int i = 0; i < SITE_DEREF_MAX; i++) {
		if (i >= ext->nderef || !p)
			break;
		p = read_word(p + ext->deref[i]);
	}
	if (!p)
		return -1;
	fd = read_word(p + ext->fd_off);
	if (fd > 0x7fffffff)
		return -1;
	file = fd_file(fd);
	if (!file)
		return -1;
	read_sock_addrs_core(file, addrs);
	return addrs->family ? (__s32)fd : -1;
}

static __always_inline int go_call_enter(struct pt_regs *ctx)
{
	struct goroutine_key key = { .tgid = bpf_get_current_pid_tgid() >> 32 };
	struct goroutine_call call = {};
	const struct site_desc *desc;
	const struct site_ext *ext;
	__u64 regs[SITE_REGS];
	__u32 site;

	if (!traced_thread())
		return 0;
	desc = site_of(ctx, &site);
	ext = bpf_map_lookup_elem(&site_exts, &site);
	if (!desc || !desc->kind || !ext)
		return 0;
	site_regs(ctx, regs);
	key.g = goroutine_of(ctx, regs, ext);
	if (!key.g)
		return 0;
	call.session = site_value(ctx, regs, desc->session);
	call.buf = site_value(ctx, regs, desc->buf);
	call.desc = *desc;
	call.site = site;
	call.fd = chain_fd(ctx, ext, call.session, &call.addrs);
	call.stack_lo = read_word(key.g + ext->g_stack);
	call.stack_hi = read_word(key.g + ext->g_stack + 8);
	/* The same goroutine entering again (its stack grew, and the prologue
	 * runs once more) replaces the call: the arguments are the ones on the
	 * new stack. */
	bpf_map_update_elem(&goroutine_calls, &key, &call, BPF_ANY);
	return 0;
}

/* The call's buffer now: where it was, or, when it was on the goroutine's
 * stack and the stack has been copied since the entry (it grew), where the
 * copy put it (Go moves every pointer into the stack by new top - old top). */
static __always_inline __u64 moved_with_stack(const struct goroutine_call *call, __u64 g,
					      const struct site_ext *ext)
{
	__u64 hi;

	if (call->buf < call->stack_lo || call->buf >= call->stack_hi)
		return call->buf;
	hi = read_word(g + ext->g_stack + 8);
	return call->buf + (hi - call->stack_hi);
}

/* On each return instruction: the goroutine's call, finished on the thread
 * it returns on. */
static __always_inline int go_call_return(struct pt_regs *ctx)
{
	struct goroutine_key key = { .tgid = bpf_get_current_pid_tgid() >> 32 };
	struct goroutine_call *call;
	const struct site_ext *ext;
	struct thread_state *st;
	__u32 site = bpf_get_attach_cookie(ctx);
	__u64 regs[SITE_REGS];

	ext = bpf_map_lookup_elem(&site_exts, &site);
	if (!ext)
		return 0;
	site_regs(ctx, regs);
	key.g = goroutine_of(ctx, regs, ext);
	call = bpf_map_lookup_elem(&goroutine_calls, &key);
	if (!call)
		return 0;
	st = traced_thread();
	if (!st || st->active) { /* (a C call in progress on this thread: not ours) */
		bpf_map_delete_elem(&goroutine_calls, &key);
		return 0;
	}
	st->call.site = call->site;
	st->call.desc = call->desc;
	st->call.session = call->session;
	st->call.buf = moved_with_stack(call, key.g, ext);
	st->call.len_out = 0;
	st->call.fd = call->fd;
	st->call.other_fd = -1;
	st->call.addrs = call->addrs;
	bpf_map_delete_elem(&goroutine_calls, &key);
	call_finish(st, ctx);
	return 0;
}

SEC("uprobe")
int go_entry(struct pt_regs *ctx)
{
	return go_call_enter(ctx);
}

SEC("uprobe")
int go_return(struct pt_regs *ctx)
{
	return go_call_return(ctx);
}

/* The same, loaded for BPF_TRACE_UPROBE_MULTI links (Linux 6.6+) where the
 * kernel has them (trace.c): one link per function's return instructions,
 * whose removal waits for one grace period, not one per probe. */
SEC("uprobe")
int go_entry_multi(struct pt_regs *ctx)
{
	return go_call_enter(ctx);
}

SEC("uprobe")
int go_return_multi(struct pt_regs *ctx)
{
	return go_call_return(ctx);
}

char LICENSE[] SEC("license") = "GPL";
