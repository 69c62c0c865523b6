/* State shared by the call programs (tls.bpf.c and the stacks' own entry
 * programs, nss.bpf.c …) and the syscall tracepoints (sockets.bpf.c): per-
 * thread call state, the site table, targets, the ring buffer, and the
 * start of a call (call_begin). The maps are __weak so that every object can
 * declare them and the BPF linker merges them into one. */
#ifndef TLSPROBE_CALLS_BPF_H
#define TLSPROBE_CALLS_BPF_H

#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"

/* A TLS call in flight: the one in progress, or the one set aside while a
 * call that began deeper on the stack runs. */
struct tls_call {
	__u64 session;    /* the session object (remembers the fd for calls with no syscall) */
	__u64 buf;        /* plaintext buffer */
	__u64 len_out;    /* where the byte count is stored (LEN_OUT_PTR); BUF_IOVEC: the
			   * number of (base, len) pairs at buf */
	__u64 sp;         /* stack pointer at entry: which return is this call's */
	struct site_desc desc; /* the site's rules, copied at entry */
	__u32 site;
	__s32 fd;         /* first INET/INET6 socket read or written inside the call */
	__s32 other_fd;   /* else the first other fd (a pipe, a unix socket, stderr …) */
	struct sock_addrs addrs;
};

/* Per thread, in task-local storage (a pointer off the task: no hashing on
 * the hot path): the TLS call in progress, and what is cached about the
 * thread so that each call does not look it up again. */
struct thread_state {
	struct tls_call call; /* the call in progress (active) */
	__u32 depth;      /* nested TLS calls inside it (ignored) */
	__u8 active;
	/* cached for the thread, valid while its comm is `comm` */
	__u8 is_target;
	__u8 has_outer;   /* outer holds the call this one began inside of */
	__u8 covered;     /* an inner call on the same session and direction reported
			   * this call's bytes (SSL_write_ex around SSL_write_ex2): not again */
	__u32 nspid, nstid;
	char comm[TASK_COMM_LEN];
	/* the last session this thread used, and its socket */
	__u64 last_session;
	__s32 last_fd;
	struct sock_addrs last_addrs;
	/* Sessions whose socket the app moves itself (memory BIOs): the last
	 * INET socket the thread read outside a call (in_fd -1: none), and its
	 * buffer (what the app then writes into a session's read BIO,
	 * membio.bpf.c); in_unclaimed until the next call (the fallback rule,
	 * socket_around: that read names the very next call only). Then the
	 * write BIO last drained outside a call, with the memory it was drained
	 * into (what the app then sends). */
	__s32 in_fd;
	__u8 in_unclaimed;
	__u8 watch_sockets;     /* a target's thread: its socket I/O outside calls is kept */
	__u8 counts_early_io;   /* its process is in late_watch: count its socket I/O */
	__u8 pad3;
	__u64 in_buf, in_len;
	struct sock_addrs in_addrs;
	__u64 drain_bio, drain_lo, drain_hi;
	/* FD_SOCKET_AFTER: the session whose write waits for the thread's next
	 * socket write (0: none) */
	__u64 await_write;
	/* BUF_IOVEC, while its bytes are sent (send_iovec): the next pair, what
	 * is left of the current one, and the bytes sent */
	__u64 iov_next, iov_base, iov_left, iov_sent;
	/* The call in progress when this one began deeper on the stack: one
	 * level, restored when this one returns (call_resume_outer). */
	struct tls_call outer;
};

struct session_key {
	__u64 session;
	__u32 tgid;
	__u32 pad;
};

struct session_socket {
	__s32 fd;
	__u32 pad;
	struct sock_addrs addrs;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct thread_state);
} threads SEC(".maps") __weak;

/* The thread's state if it has any (syscall tracepoints: most threads don't). */
static __always_inline struct thread_state *thread_state_peek(void)
{
	return bpf_task_storage_get(&threads, bpf_get_current_task_btf(), 0, 0);
}

/* The socket last seen on a session object (SSL*, gnutls_session_t …). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct session_key);
	__type(value, struct session_socket);
} session_sockets SEC(".maps") __weak;

/* Sessions that learn their socket outside their calls (FD_SOCKET_BEFORE,
 * FD_SOCKET_AFTER), by socket: when the socket is closed, what
 * session_sockets says of them is forgotten, so that a new session at the
 * same address (the old one freed) is not given the closed socket. Per
 * data_dir: rustls reads and writes name different objects. */
struct socket_key {
	__u32 tgid;
	__s32 fd;
};

struct socket_sessions_val {
	__u64 session[2];
	struct sock_addrs addrs; /* while the socket had its local port */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct socket_key);
	__type(value, struct socket_sessions_val);
} socket_sessions SEC(".maps") __weak;

/* Processes whose probes may not have been in place yet (struct late_watch):
 * entered at exec or at a TLS library's open, removed by user space once it
 * has attached what they map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* one user space never settled ages out */
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct late_watch);
} late_watches SEC(".maps") __weak;

/* The site table (bpf/events.h): the probe's BPF cookie is its index. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SITES_MAX);
	__type(key, __u32);
	__type(value, struct site_desc);
} sites SEC(".maps") __weak;

/* The site table's second half (bpf/events.h), same index as `sites`. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SITES_MAX);
	__type(key, __u32);
	__type(value, struct site_ext);
} site_exts SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);      /* user space resizes (--ringbuf-mb) */
} events SEC(".maps") __weak;

/* Counters, per CPU so that no atomics are needed. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct trace_stats);
} stats SEC(".maps") __weak;

/* Who is traced: tgids in target_pids, comms in target_comms; key 0 in
 * target_pids means every process (--all). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} target_pids SEC(".maps") __weak;

struct comm_key {
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TARGET_COMMS_MAX);
	__type(key, struct comm_key);
	__type(value, __u8);
} target_comms SEC(".maps") __weak;

/* Set by user space before load: an eighth of the ring buffer. */
const volatile __u64 wakeup_threshold __weak = 1 << 20;

/* Set by user space when it stops: no call starts any more, the calls in
 * progress finish, and the last records are drained before the probes go
 * (their removal takes seconds, and happens after the tracer has exited). */
volatile __u32 tracer_stopped __weak = 0;

/* The registers a site can name, read from ctx once per probe: indexed by
 * enum site_loc (LOC_RDI … LOC_R14). Loaded one by one: a computed ctx
 * offset is what the verifier refuses. */
#define SITE_REGS (LOC_R14 + 1)

static __always_inline void site_regs(struct pt_regs *ctx, __u64 regs[SITE_REGS])
{
	regs[LOC_NONE] = 0;
	regs[LOC_RDI] = ctx->di;
	regs[LOC_RSI] = ctx->si;
	regs[LOC_RDX] = ctx->dx;
	regs[LOC_RCX] = ctx->cx;
	regs[LOC_R8] = ctx->r8;
	regs[LOC_R9] = ctx->r9;
	regs[LOC_RAX] = ctx->ax;
	regs[LOC_RBX] = ctx->bx;
	regs[LOC_R10] = ctx->r10;
	regs[LOC_R11] = ctx->r11;
	regs[LOC_R14] = ctx->r14;
}

/* The value at loc: a register of regs, or stack slot n (rsp + 8 n). */
static __always_inline __u64 site_value(struct pt_regs *ctx, const __u64 regs[SITE_REGS],
					__u8 loc)
{
	__u64 v = 0;

	if (loc & LOC_STACK)
		bpf_probe_read_user(&v, sizeof(v), (void *)(ctx->sp + 8 * (__u64)(loc & 0x7f)));
	else if (loc < SITE_REGS)
		v = regs[loc];
	return v;
}

/* The 8 bytes at addr in the traced process, 0 when they cannot be read. */
static __always_inline __u64 read_word(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

/* SITE_QUEUE_TAKE: where the first amt bytes of the queue (a VecDeque of
 * chunks, laid out as ext says) are, and how many there are (no more than
 * its front chunk holds: the call panics then). bytes 0: the front is not
 * sane. Returned by value: pointers to the caller's locals would cost
 * rustls_take stack it does not have. */
struct queue_take {
	__u64 bytes, amt;
};

static __always_inline struct queue_take queue_front(const struct site_ext *ext, __u64 queue,
						     __u64 amt)
{
	__u64 head = read_word(queue + ext->q_head), cap = read_word(queue + ext->q_cap);
	__u64 taken = read_word(queue + ext->q_taken), front, front_len;
	struct queue_take t = {};

	front = read_word(queue + ext->q_elems) + (head >= cap ? head - cap : head) * ext->q_elem_size;
	front_len = read_word(front + ext->q_elem_len);
	if (taken > front_len)
		return t;
	t.amt = amt > front_len - taken ? front_len - taken : amt;
	t.bytes = read_word(front + ext->q_elem_ptr) + taken;
	return t;
}

/* The site's rules for the probe that fired, or NULL (not a site). */
static __always_inline const struct site_desc *site_of(void *ctx, __u32 *site)
{
	*site = bpf_get_attach_cookie(ctx);
	return bpf_map_lookup_elem(&sites, site);
}

/* Bytes the call moved, at its return: the return value (32 or 64 bit),
 * the count stored through the pointer saved at entry (the _ex and internal
 * functions, which return 1 or a positive status), or the second register
 * of a two-register result, or the value a register or stack slot holds
 * (LEN_LOC64). 0 when the call failed or moved nothing. */
static __always_inline __u64 call_result_len(const struct site_desc *desc, __u64 len_out,
					     struct pt_regs *ctx)
{
	long ret = PT_REGS_RC(ctx);
	__u64 len = 0, dx = ctx->dx;

	switch (desc->len) {
	case LEN_RET32:
		return (int)ret > 0 ? (int)ret : 0;
	case LEN_RET64:
		return ret > 0 ? ret : 0;
	case LEN_OUT_PTR:
		if ((int)ret > 0)
			bpf_probe_read_user(&len, sizeof(len), (void *)len_out);
		return len;
	case LEN_RET_RDX:
		return ret == 0 ? dx : 0;
	case LEN_LOC64: {
		__u64 regs[SITE_REGS];
		long n;

		site_regs(ctx, regs);
		n = site_value(ctx, regs, desc->count);
		return n > 0 ? n : 0;
	}
	}
	return 0;
}

/* What a record takes in the ring: an 8-byte header, rounded up to 8. */
#define RING_TAKES(record_size) (((record_size) + 8 + 7) & ~7ULL)

/* Waking the consumer costs an IPI to the CPU it sleeps on (~10 us on a VM):
 * records do not wake it, it polls every CONSUMER_POLL_MS; only the record
 * that fills the ring past wakeup_threshold wakes it at once. */
static __always_inline __u64 wakeup_flags(__u64 record_size)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	return avail < wakeup_threshold && avail + RING_TAKES(record_size) >= wakeup_threshold
		       ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* The same for a record already reserved: the ring's data counts it from
 * the moment it is reserved. */
static __always_inline __u64 wakeup_flags_reserved(__u64 record_size)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 taken = RING_TAKES(record_size);

	return avail >= wakeup_threshold && avail - taken < wakeup_threshold
		       ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* One size class of chunk_reserve_copy: a constant, as the verifier wants. */
#define CHUNK_CLASS(size)                                                          \
	if (n <= (size)) {                                                         \
		*record_size = sizeof(struct call_header) + (size);                \
		rec = bpf_ringbuf_reserve(&events, sizeof(struct call_header) + (size), 0); \
		if (rec && bpf_probe_read_user(rec->data, n, src)) {               \
			bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);                \
			rec = NULL;                                                \
		}                                                                  \
		return rec;                                                        \
	}

/* A ring-buffer record for a chunk of n (<= CHUNK_MAX) bytes, with the
 * bytes copied from user memory straight into it (no staging copy: 16 KiB
 * chunks would be copied twice). Records come in a few sizes, so a 64-byte
 * write takes a 64-byte slot and not 16 KiB; *record_size says which. NULL
 * when the ring is full or the bytes cannot be read. */
static __always_inline struct data_event *chunk_reserve_copy(__u64 n, const void *src,
							     __u64 *record_size)
{
	struct data_event *rec;

	CHUNK_CLASS(64);
	CHUNK_CLASS(256);
	CHUNK_CLASS(1024);
	CHUNK_CLASS(4096);
	CHUNK_CLASS(CHUNK_MAX);
	return NULL;
}

static __always_inline struct trace_stats *stats_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stats, &zero);
}

static __always_inline int is_target(__u32 tgid)
{
	__u32 all = 0;
	struct comm_key comm = {};

	if (bpf_map_lookup_elem(&target_pids, &all) ||
	    bpf_map_lookup_elem(&target_pids, &tgid))
		return 1;
	bpf_get_current_comm(comm.comm, sizeof(comm.comm));
	return bpf_map_lookup_elem(&target_comms, &comm) != NULL;
}

/* ---- the thread's identity, cached ---- */

static __always_inline __u32 ns_id(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_probe_read_kernel(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return upid.nr;
}

/* The process starts (or opens a TLS library) before user space has looked
 * at it: its socket I/O is counted until then (struct late_watch). */
static __always_inline void watch_early_io(struct thread_state *st, __u32 tgid)
{
	struct late_watch fresh = { .since_ns = bpf_ktime_get_ns() };

	fresh.nspid = ns_id(BPF_CORE_READ(bpf_get_current_task_btf(), group_leader));
	bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
	bpf_map_update_elem(&late_watches, &tgid, &fresh, BPF_NOEXIST);
	if (st)
		st->counts_early_io = 1;
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
	if (st->is_target && !st->watch_sockets) {
		st->watch_sockets = 1;
		st->in_fd = -1;
		st->in_unclaimed = 0;
		st->drain_bio = 0;
		st->await_write = 0;
	}
	st->nspid = ns_id(BPF_CORE_READ(task, group_leader));
	st->nstid = ns_id(task);
}

/* The thread's state, refreshed, when the thread is traced; NULL if not. */
static __always_inline struct thread_state *traced_thread(void)
{
	struct thread_state *st;

	if (tracer_stopped)
		return NULL;
	st = bpf_task_storage_get(&threads, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return NULL;
	refresh_thread(st);
	return st->is_target ? st : NULL;
}

/* A session's socket, learned around its calls (memory BIOs): user space,
 * holding the session's FD_PENDING calls, gets it. */
static __always_inline void announce_fd(__u64 session, __s32 fd, const struct sock_addrs *addrs)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct fd_bind_event ev = { .kind = EVENT_FD_BIND, .pid = pid_tgid >> 32,
				    .tid = (__u32)pid_tgid, .fd = fd, .session = session,
				    .addrs = *addrs };

	bpf_ringbuf_output(&events, &ev, sizeof(ev), wakeup_flags(sizeof(ev)));
}

/* A TCP socket that has gone to CLOSE (the peer reset it) has given its
 * local port back (inet_put_port sets inet_num 0), while the data it
 * received before can still be read: its addresses are no longer the
 * connection's. Family 2, 10: AF_INET, AF_INET6. */
static __always_inline int addrs_lost(const struct sock_addrs *addrs)
{
	return (addrs->family == 2 || addrs->family == 10) && addrs->lport == 0;
}

/* A session of an FD_SOCKET_BEFORE/AFTER site is seen with its socket:
 * remembered both ways (session_sockets, socket_sessions). */
static __always_inline void bind_session_socket(__u32 tgid, __u64 session, __u32 dir, __s32 fd,
						const struct sock_addrs *addrs)
{
	struct session_key key = { .session = session, .tgid = tgid };
	struct socket_key sk = { .tgid = tgid, .fd = fd };
	struct session_socket seen = { .fd = fd, .addrs = *addrs };
	struct socket_sessions_val *of_socket, fresh = {};

	bpf_map_update_elem(&session_sockets, &key, &seen, BPF_ANY);
	of_socket = bpf_map_lookup_elem(&socket_sessions, &sk);
	if (!of_socket) {
		bpf_map_update_elem(&socket_sessions, &sk, &fresh, BPF_NOEXIST);
		of_socket = bpf_map_lookup_elem(&socket_sessions, &sk);
	}
	if (!of_socket)
		return;
	of_socket->session[dir & 1] = session;
	if (!addrs_lost(addrs))
		of_socket->addrs = *addrs;
}

/* addrs read from socket fd of process tgid after it lost its local port
 * (addrs_lost): the ones it had when a session was bound to it, if any. */
static __always_inline void recover_socket_addrs(__u32 tgid, __s32 fd, struct sock_addrs *addrs)
{
	struct socket_key sk = { .tgid = tgid, .fd = fd };
	struct socket_sessions_val *of_socket;

	if (!addrs_lost(addrs))
		return;
	of_socket = bpf_map_lookup_elem(&socket_sessions, &sk);
	if (of_socket && !addrs_lost(&of_socket->addrs) && of_socket->addrs.family)
		*addrs = of_socket->addrs;
}

/* The socket fd of process tgid is closed: its sessions forget it. */
static __always_inline void socket_closed(__u32 tgid, __s32 fd)
{
	struct socket_key sk = { .tgid = tgid, .fd = fd };
	struct socket_sessions_val *of_socket = bpf_map_lookup_elem(&socket_sessions, &sk);
	struct session_key key = { .tgid = tgid };
	struct session_socket *known;

	if (!of_socket)
		return;
	for (int dir = 0; dir < 2; dir++) {
		key.session = of_socket->session[dir];
		known = bpf_map_lookup_elem(&session_sockets, &key);
		if (known && known->fd == fd)
			bpf_map_delete_elem(&session_sockets, &key);
	}
	bpf_map_delete_elem(&socket_sessions, &sk);
}

/* A target's thread that has not made a TLS call yet (just exec'd, just
 * created): its state is made now, so that the socket I/O before its first
 * call (memory BIOs: the app receives, then calls) is seen. */
static __always_inline void watch_new_thread(struct thread_state *st, __u8 counts_early_io)
{
	st->counts_early_io = counts_early_io;
	st->active = 0;
	st->has_outer = 0;
	st->comm[0] = '\0'; /* refreshed at the first call */
	st->watch_sockets = 1;
	st->in_fd = -1;
	st->in_unclaimed = 0;
	st->drain_bio = 0;
	st->await_write = 0;
	st->last_session = 0;
}

/* A call's per-call state before anything is known of its socket (every
 * program that starts a call). */
static __always_inline void call_state_fresh(struct thread_state *st)
{
	st->depth = 0;
	st->call.fd = -1;
	st->call.other_fd = -1;
	st->call.addrs.family = 0;
}

/* The calls a probe at sp is above (or at) the frame of have been left:
 * they returned unseen, or their thread longjmp'ed past them. */
static __always_inline void drop_left_calls(struct thread_state *st, __u64 sp)
{
	if (st->active && sp >= st->call.sp)
		st->active = 0;
	if (st->has_outer && sp >= st->outer.sp)
		st->has_outer = 0;
}

/* Starts the call this probe is the entry of: records its site, session,
 * buffer and count pointer. Deeper on the stack than the call in progress
 * need not mean inside it: a call its thread left by longjmp never returns,
 * and every later call from deeper than it would be taken for nested (and
 * its bytes lost, measured with tests/e2e/fault.sh). So that call is set
 * aside, not trusted: each call is reported when its own return comes
 * (call_returning tells whose by the stack pointer), the one set aside
 * resumes when the new one returns, and if both were one (SSL_write_ex
 * calling SSL_write_ex2 when both are probed) its bytes are reported once,
 * by the inner call. A third level is counted as nested, not reported. */
static __always_inline void call_begin(struct thread_state *st, struct pt_regs *ctx)
{
	const struct site_desc *desc;
	__u64 sp = PT_REGS_SP(ctx), regs[SITE_REGS];
	__u32 site;

	drop_left_calls(st, sp);
	if (st->active && st->has_outer) {
		struct trace_stats *stats = stats_slot();

		st->depth++;
		if (stats)
			stats->nested_calls++;
		return;
	}
	desc = site_of(ctx, &site);
	if (!desc || !desc->kind)
		return;
	if (st->active) {
		st->outer = st->call;
		st->has_outer = 1;
	}
	st->call.site = site;
	st->call.desc = *desc;
	site_regs(ctx, regs);
	st->call.session = site_value(ctx, regs, desc->session);
	if (desc->session_deref)
		st->call.session = read_word(st->call.session + desc->session_off);
	st->call.buf = site_value(ctx, regs, desc->buf);
	st->call.len_out = desc->len == LEN_OUT_PTR || desc->bufs == BUF_IOVEC
			      ? site_value(ctx, regs, desc->count) : 0;
	st->call.sp = sp;
	call_state_fresh(st);
	st->covered = 0;
	st->active = 1;
}

/* An entry program that starts no call at its probe (nss_entry on a
 * descriptor that is not NSS's SSL layer) shares the function's return
 * probe with the calls it does start. Deeper on the stack than the call in
 * progress, it may run inside it (a callback in the handshake logging with
 * PR_fprintf, which is PR_Write): its return is not that call's
 * (call_returning compares stack pointers). Else the calls it is above were
 * left. */
static __always_inline void call_not_begun(struct thread_state *st, struct pt_regs *ctx)
{
	if (st->active && PT_REGS_SP(ctx) < st->call.sp)
		st->depth++;
	else
		drop_left_calls(st, PT_REGS_SP(ctx));
}

#endif
