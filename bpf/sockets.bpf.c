// SPDX-License-Identifier: GPL-2.0
/* fd correlation without struct offsets: the read/write-family syscalls a
 * thread makes inside a TLS call name the call's fd; for sessions whose app
 * moves the ciphertext itself (memory BIOs), the socket reads before and
 * writes after the calls (socket_around in emit.bpf.h). An app may write other
 * fds meanwhile (curl -v logs to stderr from inside SSL_write, through its own
 * BIO), so the first INET/INET6 socket wins; another fd is only a fallback.
 * Socket addresses are read from the kernel's socket at that moment.
 *
 * One raw tracepoint for all syscalls, filtered by number: about half what a
 * perf-based tracepoint per syscall costs (measured here: ~110 against ~200
 * ns per hooked syscall). Two versions, user space loads one: fd_syscall
 * walks fd → file → socket with typed loads (bpf_task_pt_regs, 5.15;
 * bpf_rdonly_cast, 6.2), one helper call in all; fd_syscall_core does the same
 * with CO-RE reads, a helper call (~80 ns here) per field. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "calls.bpf.h"
#include "membio.bpf.h"
#include "sockaddr.bpf.h"


/* x86-64 syscall numbers; the fd is the first argument of each. */
#define NR_read 0
#define NR_write 1
#define NR_close 3
#define NR_readv 19
#define NR_writev 20
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

static __always_inline int is_fd_syscall(long id)
{
	return id == NR_read || id == NR_write || id == NR_readv || id == NR_writev ||
	       (id >= NR_sendto && id <= NR_recvmsg) || id == NR_close;
}

static __always_inline int is_read_syscall(long id)
{
	return id == NR_read || id == NR_readv || id == NR_recvfrom || id == NR_recvmsg;
}

/* What a syscall of this thread is looked at for. */
enum fd_use {
	FD_UNUSED,
	FD_OF_CALL,      /* the TLS call in progress has not found its socket yet */
	FD_READ_BEFORE,  /* outside a call: the socket read before a memory-BIO read */
	FD_WRITE_AROUND, /* outside a call: before user space looked at the process,
			  * the send of memory drained from a write BIO, or the
			  * socket a write of a stack without I/O waits for (rustls) */
	FD_CLOSED,       /* a target closes an fd: sessions bound to it forget it */
};

/* Most syscalls of the machine stop at the first test or the peek. */
static __always_inline enum fd_use fd_use_of(long syscall_id, struct thread_state **out)
{
	struct thread_state *st;

	if (!is_fd_syscall(syscall_id))
		return FD_UNUSED;
	st = thread_state_peek();
	*out = st;
	if (!st)
		return FD_UNUSED;
	if (syscall_id == NR_close)
		return st->watch_sockets ? FD_CLOSED : FD_UNUSED;
	if (st->active)
		return st->call.fd < 0 ? FD_OF_CALL : FD_UNUSED;
	if (!st->watch_sockets)
		return FD_UNUSED;
	if (is_read_syscall(syscall_id))
		return FD_READ_BEFORE;
	return st->counts_early_io || st->drain_bio || st->await_write ? FD_WRITE_AROUND
								       : FD_UNUSED;
}

/* read, write, recvfrom, sendto name one buffer (buf, len); the vector
 * calls are left out (0): no buffer address to match a memory BIO's. */
static __always_inline int has_flat_buffer(long id)
{
	return id == NR_read || id == NR_write || id == NR_sendto || id == NR_recvfrom;
}

/* One more socket syscall before the process's probes were surely in place;
 * once user space has removed the process from late_watches, no more. */
static __always_inline void count_early_io(struct thread_state *st)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct late_watch *w = bpf_map_lookup_elem(&late_watches, &tgid);

	if (w)
		__sync_fetch_and_add(&w->socket_calls, 1);
	else
		st->counts_early_io = 0;
}

static __always_inline int is_inet(const struct sock_addrs *addrs)
{
	return addrs->family == AF_INET || addrs->family == AF_INET6;
}

static __always_inline void note_fd(struct thread_state *st, long fd,
				    const struct sock_addrs *addrs)
{
	if (is_inet(addrs)) {
		st->call.fd = fd;
		st->call.addrs = *addrs;
	} else if (st->call.other_fd < 0) {
		st->call.other_fd = fd;
	}
}

/* buf, len: the syscall's buffer, 0 when it has none (has_flat_buffer). */
static __always_inline void use_fd(struct thread_state *st, enum fd_use use, long fd,
				   struct sock_addrs *addrs, __u64 buf, __u64 len)
{
	recover_socket_addrs(bpf_get_current_pid_tgid() >> 32, fd, addrs);
	if (use == FD_OF_CALL) {
		note_fd(st, fd, addrs);
		return;
	}
	if (!is_inet(addrs))
		return; /* files, pipes, unix sockets: not a TLS connection's */
	if (st->counts_early_io)
		count_early_io(st);
	if (use == FD_READ_BEFORE) {
		st->in_fd = fd;
		st->in_unclaimed = 1;
		st->in_addrs = *addrs;
		st->in_buf = buf;
		st->in_len = buf ? len : 0;
		return;
	}
	if (st->await_write) {
		/* the plaintext just written goes out here: its session's socket */
		announce_fd(st->await_write, fd, addrs);
		bind_session_socket(bpf_get_current_pid_tgid() >> 32, st->await_write, DATA_OUT, fd,
				    addrs);
		st->await_write = 0;
	}
	if (buf)
		bio_sent(st, fd, addrs, buf, len);
}

/* Before the file is looked up: a closed fd needs no socket. */
static __always_inline int fd_closed(enum fd_use use, long fd)
{
	if (use != FD_CLOSED)
		return 0;
	socket_closed(bpf_get_current_pid_tgid() >> 32, fd);
	return 1;
}

SEC("raw_tp/sys_enter")
int fd_syscall(struct bpf_raw_tracepoint_args *ctx)
{
	struct thread_state *st = NULL;
	enum fd_use use = fd_use_of(ctx->args[1], &st);
	struct sock_addrs addrs = {};
	struct sock_common *skc;
	struct socket *sock;
	struct pt_regs *regs;
	struct file *file;
	__u64 buf = 0, len = 0;
	long fd;

	if (use == FD_UNUSED || !st)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	fd = regs->di;
	if (fd_closed(use, fd))
		return 0;
	if (use != FD_OF_CALL && has_flat_buffer(ctx->args[1])) {
		buf = regs->si;
		len = regs->dx;
	}
	file = fd_file(fd);
	if (file) {
		file = bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file));
		if ((file->f_inode->i_mode & S_IFMT) != S_IFSOCK)
			goto done;
		sock = bpf_rdonly_cast(file->private_data, bpf_core_type_id_kernel(struct socket));
		skc = &sock->sk->__sk_common;
		addrs.family = skc->skc_family;
		addrs.lport = skc->skc_num;
		addrs.rport = __builtin_bswap16(skc->skc_dport);
		if (addrs.family == AF_INET) {
			*(__u32 *)addrs.laddr = skc->skc_rcv_saddr;
			*(__u32 *)addrs.raddr = skc->skc_daddr;
		} else if (addrs.family == AF_INET6) {
			__builtin_memcpy(addrs.laddr, &skc->skc_v6_rcv_saddr, 16);
			__builtin_memcpy(addrs.raddr, &skc->skc_v6_daddr, 16);
		}
	}
done:
	use_fd(st, use, fd, &addrs, buf, len);
	return 0;
}

SEC("raw_tp/sys_enter")
int fd_syscall_core(struct bpf_raw_tracepoint_args *ctx)
{
	struct thread_state *st = NULL;
	enum fd_use use = fd_use_of(ctx->args[1], &st);
	struct sock_addrs addrs = {};
	struct pt_regs *regs;
	struct file *file;
	__u64 buf = 0, len = 0;
	long fd;

	if (use == FD_UNUSED || !st)
		return 0;
	regs = (struct pt_regs *)ctx->args[0];
	fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	if (fd_closed(use, fd))
		return 0;
	if (use != FD_OF_CALL && has_flat_buffer(ctx->args[1])) {
		buf = PT_REGS_PARM2_CORE_SYSCALL(regs);
		len = PT_REGS_PARM3_CORE_SYSCALL(regs);
	}
	file = fd_file(fd);
	if (file)
		read_sock_addrs_core(file, &addrs);
	use_fd(st, use, fd, &addrs, buf, len);
	return 0;
}

/* A process forked inside a TLS call (from a callback in it): the child
 * returns from the call too (the kernel copies the pending uretprobes), and
 * finishes it on its own, often instead of the parent. Without the call's
 * state its return would find none and its bytes would go unreported. So
 * the child gets the call, as its own thread (its ids, the same comm). */
static __always_inline void inherit_call(struct thread_state *cst, const struct thread_state *st,
					 struct task_struct *child)
{
	cst->call = st->call;
	cst->depth = st->depth;
	__builtin_memcpy(cst->comm, st->comm, sizeof(cst->comm));
	cst->is_target = st->is_target;
	cst->outer = st->outer;
	cst->has_outer = st->has_outer;
	cst->covered = st->covered;
	cst->nspid = ns_id(child);
	cst->nstid = cst->nspid;
	cst->active = 1;
}

/* A target's new thread gets its state now (watch_new_thread). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(thread_created, struct task_struct *parent, struct task_struct *child)
{
	struct thread_state *st = thread_state_peek(), *cst;

	if (!st || !st->watch_sockets)
		return 0;
	cst = bpf_task_storage_get(&threads, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!cst)
		return 0;
	watch_new_thread(cst, st->counts_early_io);
	/* a new thread starts outside any call; a new process may not */
	if (st->active && child->tgid != parent->tgid)
		inherit_call(cst, st, child);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
