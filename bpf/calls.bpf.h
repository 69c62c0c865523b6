/* State shared by the uprobe programs (openssl.bpf.c) and the syscall
 * tracepoints (sockets.bpf.c). The maps are __weak so that both objects can
 * declare them and the BPF linker merges them into one. */
#ifndef TLSPROBE_CALLS_BPF_H
#define TLSPROBE_CALLS_BPF_H

#include <bpf/bpf_tracing.h>
#include "events.h"

/* Per thread, in task-local storage (a pointer off the task: no hashing on
 * the hot path): the TLS call in progress, and what is cached about the
 * thread so that each call does not look it up again. */
struct thread_state {
	/* the call in progress (active) */
	__u64 ssl;        /* the SSL* (remembers the fd for calls with no syscall) */
	__u64 buf;        /* plaintext buffer */
	__u64 len_out;    /* where the byte count is stored (LEN_FROM_ARG4/5) */
	__u64 sp;         /* stack pointer at entry: tells nested calls from stale ones */
	__u32 cookie;
	__u32 depth;      /* nested TLS calls inside this one (ignored) */
	__s32 fd;         /* first INET/INET6 socket read or written inside the call */
	__s32 other_fd;   /* else the first other fd (a pipe, a unix socket, stderr …) */
	struct sock_addrs addrs;
	__u8 active;
	/* cached for the thread, valid while its comm is `comm` */
	__u8 is_target;
	__u8 pad[2];
	__u32 nspid, nstid;
	char comm[TASK_COMM_LEN];
	/* the last SSL* this thread used, and its socket */
	__u64 last_ssl;
	__s32 last_fd;
	__u32 pad2;
	struct sock_addrs last_addrs;
};

struct ssl_key {
	__u64 ssl;
	__u32 tgid;
	__u32 pad;
};

struct ssl_socket {
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

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ssl_key);
	__type(value, struct ssl_socket);
} ssl_sockets SEC(".maps") __weak;


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

/* Where the probed function stores its byte count (LEN_FROM_ARG4/5), read
 * at entry. Both registers are loaded first (barrier_var): clang would
 * otherwise pick the ctx offset and load once, and the verifier refuses a
 * computed ctx access. */
static __always_inline __u64 count_pointer(struct pt_regs *ctx, __u32 cookie)
{
	__u64 arg4 = PT_REGS_PARM4(ctx), arg5 = PT_REGS_PARM5(ctx);

	barrier_var(arg4);
	barrier_var(arg5);
	return COOKIE_LEN_FROM(cookie) == LEN_FROM_ARG5 ? arg5 : arg4;
}

/* Bytes the call moved, at its return: the return value, or (for the _ex
 * and internal functions, which return 1 or a positive status) the count
 * stored through the pointer saved at entry. */
static __always_inline __u64 call_result_len(__u32 cookie, __u64 len_out, long ret)
{
	__u64 len = 0;

	if ((int)ret <= 0)
		return 0;
	if (COOKIE_LEN_FROM(cookie) == LEN_FROM_RETURN)
		return (int)ret;
	bpf_probe_read_user(&len, sizeof(len), (void *)len_out);
	return len;
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

#endif
