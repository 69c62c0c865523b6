/* Memory BIOs, told exactly: an app that moves a session's ciphertext
 * itself (BIO_s_mem: SSL_set_bio with two memory BIOs) recv()s into a
 * buffer and writes that buffer into the session's read BIO, and drains
 * the write BIO into memory that it then send()s. Probes on the memory
 * BIO's own read and write functions (proved from BIO_s_mem's method table,
 * tracer/libs/openssl.c) tie each BIO to its session (the call in progress
 * when OpenSSL reads or writes it) and to its socket (the buffer addresses
 * match the recv or send around it). So each session learns the one socket
 * its ciphertext really crossed, whichever connection an event loop serves
 * next. Shared by membio.bpf.c (the probes) and sockets.bpf.c (the sends). */
#ifndef TLSPROBE_MEMBIO_BPF_H
#define TLSPROBE_MEMBIO_BPF_H

#include "calls.bpf.h"

struct bio_key {
	__u64 bio;
	__u32 tgid;
	__u32 pad;
};

struct bio_link {
	__u64 session;   /* the session that reads or writes it, 0: not seen yet */
	__s32 fd;        /* the socket its bytes crossed, -1: not seen yet */
	__s32 told_fd;   /* the fd last announced for its session */
	__u32 fd_fresh;  /* fd comes from a fill no call has read yet: the next
			  * session to read the BIO owns it */
	__u64 told_session;
	struct sock_addrs addrs;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bio_key);
	__type(value, struct bio_link);
} mem_bios SEC(".maps") __weak;

/* Whether [a, a + alen) and [b, b + blen) share a byte. */
static __always_inline int ranges_overlap(__u64 a, __u64 alen, __u64 b, __u64 blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static __always_inline struct bio_link *bio_link_of(__u64 bio, int create)
{
	struct bio_key key = { .bio = bio, .tgid = bpf_get_current_pid_tgid() >> 32 };
	struct bio_link *link = bpf_map_lookup_elem(&mem_bios, &key);
	struct bio_link fresh = { .fd = -1, .told_fd = -1 };

	if (link || !create)
		return link;
	bpf_map_update_elem(&mem_bios, &key, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&mem_bios, &key);
}

/* Once a BIO has both its session and its socket, the session's socket is
 * that one: written where later calls look (session_sockets) and announced
 * to user space, which holds the session's writes that waited for it
 * (FD_PENDING). Each pairing is told once. */
static __always_inline void bio_link_tell(struct bio_link *link)
{
	struct session_key key = { .session = link->session,
				   .tgid = bpf_get_current_pid_tgid() >> 32 };
	struct session_socket known = { .fd = link->fd, .addrs = link->addrs };

	if (!link->session || link->fd < 0 ||
	    (link->told_fd == link->fd && link->told_session == link->session))
		return;
	link->told_fd = link->fd;
	link->told_session = link->session;
	bpf_map_update_elem(&session_sockets, &key, &known, BPF_ANY);
	announce_fd(link->session, link->fd, &link->addrs);
}

/* A socket send outside any call: if it sends memory the thread drained
 * from a write BIO, that BIO's bytes go to this socket. */
static __always_inline void bio_sent(struct thread_state *st, __s32 fd,
				     const struct sock_addrs *addrs, __u64 buf, __u64 len)
{
	struct bio_link *link;

	if (!st->drain_bio ||
	    !ranges_overlap(buf, len, st->drain_lo, st->drain_hi - st->drain_lo))
		return;
	link = bio_link_of(st->drain_bio, 1);
	if (!link)
		return;
	link->fd = fd;
	link->addrs = *addrs;
	link->fd_fresh = 0; /* a send follows the calls that wrote the BIO */
	bio_link_tell(link);
}
#endif
