// SPDX-License-Identifier: GPL-2.0
/* For timing the tracer's user-space consumer: fills a ring buffer with
 * data records shaped like the tracer's (bpf/events.h), `count` of them with
 * `len` payload bytes each, when user space runs it (BPF_PROG_TEST_RUN). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "events.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 20);
} records SEC(".maps");

struct data_event scratch;

struct fill_args {
	__u32 count;
	__u32 len;
};

static long emit(__u32 i, struct fill_args *args)
{
	__u32 len = args->len & (CHUNK_MAX - 1);

	scratch.hdr.kind = EVENT_DATA;
	scratch.hdr.call_id = 0;
	scratch.hdr.ts_ns = i;
	scratch.hdr.pid = scratch.hdr.nspid = 4242;
	scratch.hdr.tid = scratch.hdr.nstid = 4242;
	__builtin_memcpy(scratch.hdr.comm, "tlsfix", 7);
	scratch.hdr.site = 0;
	scratch.hdr.fd = 5;
	scratch.hdr.addrs.family = 2;
	scratch.hdr.addrs.lport = 40000;
	scratch.hdr.addrs.rport = 4433;
	scratch.hdr.chunk_len = len;
	scratch.hdr.call_len = len;
	scratch.data[i & 63] = (__u8)i;
	return bpf_ringbuf_output(&records, &scratch, sizeof(scratch.hdr) + len,
				  BPF_RB_NO_WAKEUP) ? 1 : 0;
}

SEC("syscall")
int fill(struct fill_args *args)
{
	/* bpf_loop takes its context from the stack; the count is loaded on its
	 * own: the inlined bpf_loop checks all 64 bits of its register, and
	 * clang would pack len into the upper half. */
	struct fill_args copy = { .len = args->len };
	__u32 count = args->count;

	copy.count = count;
	return bpf_loop(count, emit, &copy, 0);
}

char LICENSE[] SEC("license") = "GPL";
