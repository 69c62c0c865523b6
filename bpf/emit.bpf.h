/* The emit path every stack's programs share: at a call's return, its bytes
 * go to user space as chunks in the ring buffer, with the header that names
 * the call (site, ids, fd, addresses); what does not fit is reported as loss,
 * and a loss record that does not fit either is tallied per thread and fd.
 * The fd is settled first: the one seen inside this call, or the one last
 * seen on the same session object. */
#ifndef TLSPROBE_EMIT_BPF_H
#define TLSPROBE_EMIT_BPF_H

#include "calls.bpf.h"

/* Call ids: per CPU counters (no cache line shared between CPUs), the CPU
 * in the top bits, from 1 (0: a call that fits in one chunk). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} call_ids SEC(".maps") __weak;

/* The fd of this call, or of the last call on the same session that made one.
 * The thread's last session answers without a map operation in the common case
 * of a thread using one connection at a time. The same fd with other ports is
 * another connection (the number reused for a new socket): the session map
 * learns it too, or a later call without a syscall would get the old one's
 * addresses from it. */
/* A call with no syscall inside, on a session never seen with a socket:
 * its app moves the ciphertext itself (memory BIOs, custom BIOs). A read's
 * socket is the one the thread last read outside a call (the app receives,
 * fills the session's read BIO, then reads the plaintext); a write waits
 * for its session's first such read (FD_PENDING, announce_fd). Where it can
 * be wrong is in README.md ("Custom BIOs"). */
static __always_inline void socket_around(struct thread_state *st)
{
	if (!st->watch_sockets)
		return;
	if (st->call.desc.dir == DATA_IN) {
		if (st->in_unclaimed) {
			st->call.fd = st->in_fd;
			st->call.addrs = st->in_addrs;
			/* writes of this session that wait for their socket have it */
			announce_fd(st->call.session, st->call.fd, &st->call.addrs);
		}
		return;
	}
	/* Not the thread's next socket write: an event loop sends whichever
	 * socket is writable, another session's ciphertext as likely as this
	 * one's (measured: the loop scenario bound writes to the wrong
	 * connection that way). The write waits until its session is seen
	 * reading, or gives up after HELD_CALL_MAX_NS with fd -1. */
	st->call.fd = FD_PENDING;
}

/* FD_SOCKET_BEFORE and FD_SOCKET_AFTER: a stack that does no I/O (rustls).
 * A session keeps its socket for life: once its socket is known, that is the
 * fd (until the socket is closed: socket_closed). A read before that takes
 * the socket its thread read since its last call (the app read ciphertext,
 * the stack decrypted it, now hands it out), or, none read, waits for the
 * session's next read that has one (FD_PENDING); a write waits for the
 * thread's next socket write (FD_PENDING; sockets.bpf.c binds it). Where that can be
 * wrong is in README.md ("rustls"). */
#ifndef EMIT_FD_AT_CALL
static __noinline void settle_fd_outside(struct thread_state *st, __u32 tgid, __u64 len)
{
	struct tls_call *call = &st->call;
	struct session_key key = { .session = call->session, .tgid = tgid };
	struct session_socket *known = bpf_map_lookup_elem(&session_sockets, &key);

	if (call->fd >= 0) {
		/* a socket inside the call after all */
		if (!known || known->fd != call->fd)
			bind_session_socket(tgid, call->session, call->desc.dir, call->fd,
					    &call->addrs);
	} else if (known) {
		call->fd = known->fd;
		call->addrs = known->addrs;
	} else if (!len || !st->watch_sockets) {
		/* nothing moved, or a thread whose socket I/O is not watched */
	} else if (call->desc.fd == FD_SOCKET_BEFORE) {
		if (st->in_unclaimed) {
			call->fd = st->in_fd;
			call->addrs = st->in_addrs;
			bind_session_socket(tgid, call->session, DATA_IN, call->fd, &call->addrs);
			/* its reads that waited (below) have it too */
			announce_fd(call->session, call->fd, &call->addrs);
		} else {
			/* plaintext that came before any socket read of this thread
			 * since its last call (with the handshake's last flight, the
			 * thread's socket read claimed by a write in between): it
			 * waits for its session's first read after a socket read */
			call->fd = FD_PENDING;
		}
	} else {
		call->fd = FD_PENDING;
		st->await_write = call->session;
	}
	st->in_unclaimed = 0;
}
#endif

/* The same socket: the same fd and ports (an fd number that a new connection
 * took at once has other ports). */
static __always_inline bool same_socket(__s32 fd, const struct sock_addrs *addrs, __s32 other_fd,
					const struct sock_addrs *other)
{
	return fd == other_fd && addrs->lport == other->lport && addrs->rport == other->rport;
}

/* A call that made no syscall (served from the library's buffer) takes the
 * socket its session last used only while that socket is open: a session
 * object freed with its connection comes back at once at the same address
 * for the next one, and the new socket at once under the same fd number, so
 * the remembered addresses would be the old connection's (make test-load,
 * reuse-buffered: 190 of 200 first reads, a server greeting read along with
 * the handshake). The close forgets the binding (socket_closed); the call
 * then takes the socket its thread read outside a call (socket_around). */
static __always_inline int still_bound(__u32 tgid, __u64 session, __s32 fd,
				       const struct sock_addrs *addrs)
{
	struct session_key key = { .session = session, .tgid = tgid };
	struct session_socket *known = bpf_map_lookup_elem(&session_sockets, &key);

	return known && same_socket(known->fd, &known->addrs, fd, addrs);
}

#ifdef EMIT_FD_AT_CALL
/* Go: the fd is read from the connection object at every call. */
static __always_inline void remember_session_socket(const struct session_key *key, __u32 tgid,
						    struct thread_state *st)
{
	struct session_socket seen = { .fd = st->call.fd, .addrs = st->call.addrs };

	bpf_map_update_elem(&session_sockets, key, &seen, BPF_ANY);
}
#else
/* A subprogram: inlined, its stack would push rustls_take's past 512 bytes. */
static __noinline void remember_session_socket(const struct session_key *key, __u32 tgid,
					       struct thread_state *st)
{
	bind_session_socket(tgid, key->session, st->call.desc.dir, st->call.fd, &st->call.addrs);
}
#endif

static __always_inline void settle_fd(struct thread_state *st, __u32 tgid, __u64 len)
{
	struct tls_call *call = &st->call;
	struct session_key key = { .session = call->session, .tgid = tgid };
	struct session_socket *known;

#ifndef EMIT_FD_AT_CALL
	if (call->desc.fd == FD_SOCKET_BEFORE || call->desc.fd == FD_SOCKET_AFTER) {
		settle_fd_outside(st, tgid, len);
		return;
	}
#endif
	if (call->session == st->last_session && st->last_fd >= 0) {
		if (call->fd == st->last_fd && addrs_lost(&call->addrs))
			call->addrs = st->last_addrs; /* reset by the peer since */
		if (call->fd < 0 &&
		    still_bound(tgid, call->session, st->last_fd, &st->last_addrs)) {
			call->fd = st->last_fd;
			call->addrs = st->last_addrs;
			return;
		}
		if (same_socket(call->fd, &call->addrs, st->last_fd, &st->last_addrs))
			return;
	}
	known = bpf_map_lookup_elem(&session_sockets, &key);
	if (call->fd < 0 && call->other_fd >= 0 && !known)
		call->fd = call->other_fd; /* no socket ever: a pipe or file transport */
	if (call->fd < 0 && !known && len && call->desc.fd == FD_SYSCALL_INSIDE)
		socket_around(st);
	if (call->fd >= 0 && known && known->fd == call->fd && addrs_lost(&call->addrs))
		call->addrs = known->addrs; /* reset by the peer since */
	if (call->fd >= 0) {
		/* Bound both ways (but Go's: remember_session_socket), so that
		 * the socket's close forgets it (socket_closed). */
		if (!known || !same_socket(known->fd, &known->addrs, call->fd, &call->addrs))
			remember_session_socket(&key, tgid, st);
	} else if (known) {
		call->fd = known->fd;
		call->addrs = known->addrs;
	}
	st->last_session = call->session;
	st->last_fd = call->fd;
	st->last_addrs = call->addrs;
	/* A socket read names the session of the very next call only: a call
	 * after it (another session's, served from its buffer) must not take it. */
	st->in_unclaimed = 0;
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
} unreported_loss SEC(".maps") __weak;

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
		fresh.site = hdr->site;
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
	hdr->site = st->call.site;
	/* Only the chunks of a call larger than one chunk need an id to be
	 * put back together (and their loss record, to find them). */
	hdr->call_id = len > CHUNK_MAX ? next_call_id() : 0;
	hdr->ts_ns = bpf_ktime_get_ns();
	hdr->pid = pid_tgid >> 32;
	hdr->tid = (__u32)pid_tgid;
	hdr->nspid = st->nspid;
	hdr->nstid = st->nstid;
	__builtin_memcpy(hdr->comm, st->comm, sizeof(hdr->comm));
	hdr->dir = st->call.desc.dir;
	hdr->fd = st->call.fd;
	hdr->session = st->call.fd == FD_PENDING ? st->call.session : 0;
	hdr->addrs = st->call.addrs;
	hdr->call_len = len;
	hdr->lost = 0;
}

/* BUF_IOVEC: the call's bytes are those of its (base, len) pairs in order;
 * each step sends one chunk of the current pair (at most CHUNK_MAX bytes).
 * Where it is (the pair, what is left of it, bytes sent) is kept in the
 * thread's state, a map value, not on the stack: the verifier tracks stack
 * values from step to step and would never see two steps alike. */
struct iovec_ctx {
	struct chunk_ctx *c;  /* the call (on the program's stack) */
	struct thread_state *st;
};

#ifndef EMIT_FLAT_ONLY
static long send_iovec_chunk(__u32 index, struct iovec_ctx *v)
{
	struct thread_state *st = v->st;
	__u64 pair[2], left, record_size, n;
	struct data_event *rec;

	if (st->iov_sent >= v->c->hdr.call_len)
		return 1;
	left = v->c->hdr.call_len - st->iov_sent;
	if (!st->iov_left) {
		if (st->iov_next >= st->call.len_out ||
		    bpf_probe_read_user(pair, sizeof(pair),
					(void *)(st->call.buf + 16 * st->iov_next)))
			return 1; /* fewer bytes in the pairs than the call says: loss */
		st->iov_next++;
		st->iov_base = pair[0];
		st->iov_left = pair[1];
		return 0;
	}
	n = st->iov_left < left ? st->iov_left : left;
	if (n > CHUNK_MAX)
		n = CHUNK_MAX;
	rec = chunk_reserve_copy(n, (void *)st->iov_base, &record_size);
	if (!rec)
		return 1;
	__builtin_memcpy(&rec->hdr, &v->c->hdr, sizeof(rec->hdr));
	rec->hdr.offset = st->iov_sent;
	rec->hdr.chunk_len = n;
	bpf_ringbuf_submit(rec, wakeup_flags_reserved(record_size));
	st->iov_sent += n;
	st->iov_base += n;
	st->iov_left -= n;
	return 0;
}

/* A program whose sites all have one flat buffer (Go's, rustls_take)
 * defines EMIT_FLAT_ONLY and goes without this, one whose sites' fd is
 * found in or at the call (Go's) EMIT_FD_AT_CALL and goes without
 * settle_fd_outside (a frame of its own): the programs' stacks are near the
 * limit, and Go's with them would not fit. */
static __always_inline void send_iovec(struct thread_state *st, struct chunk_ctx *c)
{
	struct iovec_ctx v = { .c = c, .st = st };

	/* several chunks even when the call fits in one */
	if (!c->hdr.call_id)
		c->hdr.call_id = next_call_id();
	st->iov_next = 0;
	st->iov_left = 0;
	st->iov_sent = 0;
	bpf_loop(CHUNKS_PER_CALL_MAX + IOVEC_PAIRS_MAX, send_iovec_chunk, &v, 0);
	c->delivered = st->iov_sent;
}
#endif

/* Sends the len bytes of the call st has just finished (at st->call.buf). */
static __always_inline void call_emit(struct thread_state *st, __u64 len)
{
	struct trace_stats *stats;
	struct chunk_ctx chunks = {}; /* (all of the header goes out: no stale stack bytes) */
	__u64 pid_tgid;

	st->active = 0;
	pid_tgid = bpf_get_current_pid_tgid();
	stats = stats_slot();
	settle_fd(st, pid_tgid >> 32, len);
	if (!len)
		return;
	fill_header(&chunks.hdr, st, pid_tgid, len);
	chunks.buf = st->call.buf;
	chunks.delivered = 0;
#ifndef EMIT_FLAT_ONLY
	if (st->call.desc.bufs == BUF_IOVEC)
		send_iovec(st, &chunks);
	else
#endif
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
}

/* Sends the bytes of the call st has just finished, whose result is in ctx. */
static __always_inline void call_finish(struct thread_state *st, struct pt_regs *ctx)
{
	call_emit(st, call_result_len(&st->call.desc, st->call.len_out, ctx));
}

/* The call set aside when the one just finished (or left) began
 * (call_begin) is the call in progress again; covered when the finished one
 * reported its bytes. */
static __always_inline void call_resume_outer(struct thread_state *st, int inner_finished)
{
	__u64 inner_session = st->call.session;
	__u8 inner_dir = st->call.desc.dir;

	if (!st->has_outer)
		return;
	st->call = st->outer;
	st->depth = 0;
	st->covered = inner_finished && inner_session == st->call.session &&
		      inner_dir == st->call.desc.dir;
	st->has_outer = 0;
	st->active = 1;
}

/* A return at sp is that of the call that began at entry_sp: a uretprobe
 * fires with the return address popped (entry_sp + 8), a probe on a return
 * instruction just before (entry_sp). */
static __always_inline int returns_from(__u64 entry_sp, __u64 sp)
{
	return sp == entry_sp || sp == entry_sp + 8;
}

/* The return of a traced call on this thread: the state to finish it with,
 * or NULL (not traced; the return of a call inside the one in progress that
 * was not begun; a call whose bytes were reported by the call inside it). A
 * return from above the call in progress means that call was left (its
 * thread longjmp'ed out of it): it is dropped, and the call set aside, if
 * this is its return, finishes. */
static __always_inline struct thread_state *call_returning(struct pt_regs *ctx)
{
	struct thread_state *st = thread_state_peek();
	__u64 sp = PT_REGS_SP(ctx);

	/* Every thread that runs the probed code comes here: ask nothing more
	 * until it is known to be a traced call's return. */
	if (!st || (!st->active && !st->has_outer))
		return NULL;
	if (st->active && sp < st->call.sp)
		return NULL;
	if (st->active && !returns_from(st->call.sp, sp))
		st->active = 0;
	if (!st->active && st->has_outer && returns_from(st->outer.sp, sp))
		call_resume_outer(st, 0);
	if (!st->active || !returns_from(st->call.sp, sp))
		return NULL;
	if (st->covered) {
		struct trace_stats *stats = stats_slot();

		st->active = 0;
		if (stats)
			stats->nested_calls++;
		return NULL;
	}
	return st;
}

#endif
