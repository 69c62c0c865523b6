// SPDX-License-Identifier: GPL-2.0
/* The memory BIO's write and read functions (membio.bpf.h says why): entry
 * probes only, on any thread of a target that watches its sockets. Inside a
 * traced call they tie the BIO to the call's session, and give the call the
 * BIO's socket when it is known; outside one they tie the BIO to the socket
 * whose buffer the app writes into it, or note the memory it is drained
 * into, for the send that follows (bio_sent). A new BIO starts afresh. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "membio.bpf.h"

static __always_inline struct thread_state *membio_thread(void)
{
	struct thread_state *st = thread_state_peek();

	return st && st->watch_sockets && !tracer_stopped ? st : NULL;
}

/* A BIO new to the session (a new BIO, or a session object at an address
 * an earlier one had): what the session's address knew of a socket is
 * another connection's, and so is what the BIO knew from another session,
 * except a fill nobody has read yet (the app fills, then calls). */
static __always_inline void bio_meets_session(struct thread_state *st, struct bio_link *link)
{
	struct session_key key = { .session = st->call.session,
				   .tgid = bpf_get_current_pid_tgid() >> 32 };

	bpf_map_delete_elem(&session_sockets, &key);
	if (st->last_session == st->call.session)
		st->last_session = 0;
	if (!link->fd_fresh)
		link->fd = -1;
	link->session = st->call.session;
}

/* OpenSSL reads or writes a session's BIO inside a call on it. */
static __always_inline void bio_used_by_call(struct thread_state *st, __u64 bio)
{
	struct bio_link *link = bio_link_of(bio, 1);

	if (!link)
		return;
	if (link->session != st->call.session)
		bio_meets_session(st, link);
	link->fd_fresh = 0;
	if (link->fd >= 0 && st->call.fd < 0) {
		st->call.fd = link->fd;
		st->call.addrs = link->addrs;
	}
	bio_link_tell(link);
}

/* mem_write(BIO *bio, const char *data, int len) */
SEC("uprobe")
int membio_write(struct pt_regs *ctx)
{
	struct thread_state *st = membio_thread();
	__u64 bio = PT_REGS_PARM1(ctx), data = PT_REGS_PARM2(ctx);
	int len = (int)PT_REGS_PARM3(ctx);
	struct bio_link *link;

	if (!st)
		return 0;
	if (st->active) {
		bio_used_by_call(st, bio);
		return 0;
	}
	/* The app fills a read BIO: from the buffer of its last socket read? */
	if (st->in_fd < 0 || len <= 0 || !ranges_overlap(data, len, st->in_buf, st->in_len))
		return 0;
	link = bio_link_of(bio, 1);
	if (!link)
		return 0;
	link->fd = st->in_fd;
	link->addrs = st->in_addrs;
	link->fd_fresh = 1;
	bio_link_tell(link);
	return 0;
}

/* mem_read(BIO *bio, char *out, int len) */
SEC("uprobe")
int membio_read(struct pt_regs *ctx)
{
	struct thread_state *st = membio_thread();
	__u64 bio = PT_REGS_PARM1(ctx), out = PT_REGS_PARM2(ctx);
	int len = (int)PT_REGS_PARM3(ctx);

	if (!st)
		return 0;
	if (st->active) {
		bio_used_by_call(st, bio);
		return 0;
	}
	if (len <= 0)
		return 0;
	/* The app drains a write BIO; its send of that memory follows (a
	 * drain in several reads into one buffer widens the range). */
	if (st->drain_bio == bio && out <= st->drain_hi && out + len >= st->drain_lo) {
		if (out < st->drain_lo)
			st->drain_lo = out;
		if (out + len > st->drain_hi)
			st->drain_hi = out + len;
		return 0;
	}
	st->drain_bio = bio;
	st->drain_lo = out;
	st->drain_hi = out + len;
	return 0;
}

/* mem_new(BIO *bio): the memory at bio is a new BIO now (a freed one's
 * address is soon reused): nothing known of it holds. */
SEC("uprobe")
int membio_new(struct pt_regs *ctx)
{
	struct bio_key key = { .bio = PT_REGS_PARM1(ctx),
			       .tgid = bpf_get_current_pid_tgid() >> 32 };

	bpf_map_delete_elem(&mem_bios, &key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
