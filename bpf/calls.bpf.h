/* State shared by the uprobe programs (openssl.bpf.c) and the syscall
 * tracepoints (sockets.bpf.c). The maps are __weak so that both objects can
 * declare them and the BPF linker merges them into one. */
#ifndef TLSPROBE_CALLS_BPF_H
#define TLSPROBE_CALLS_BPF_H

#include "events.h"

/* A TLS call in progress on one thread. */
struct active_call {
	__u64 ssl;        /* the SSL* (remembers the fd for calls with no syscall) */
	__u64 buf;        /* plaintext buffer */
	__u64 len_out;    /* _ex functions: where the byte count is written */
	__u32 cookie;
	__u32 depth;      /* nested TLS calls inside this one (ignored) */
	__s32 fd;         /* first INET/INET6 socket read or written inside the call */
	__s32 other_fd;   /* else the first other fd (a pipe, a unix socket, stderr …) */
	struct sock_addrs addrs;
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
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);                 /* tid */
	__type(value, struct active_call);
} active_calls SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ssl_key);
	__type(value, struct ssl_socket);
} ssl_sockets SEC(".maps") __weak;

#endif

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
