/* The records the BPF programs hand to user space through the ring buffer.
 * Shared by the bpf/ programs and tracer/ (like libbpf-tools' x.h). */
#ifndef TLSPROBE_EVENTS_H
#define TLSPROBE_EVENTS_H

/* A call's plaintext travels in chunks of at most this many bytes (the
 * largest ring-buffer record chunk_reserve_copy reserves). */
#define CHUNK_MAX 16384
/* Calls larger than this many chunks lose the rest, counted as loss (64 MiB). */
#define CHUNKS_PER_CALL_MAX 4096
#define TASK_COMM_LEN 16
#define LIB_PATH_MAX 256
#define TARGET_COMMS_MAX 8
/* The consumer drains the ring buffer at least this often (data records do
 * not wake it: see wakeup_flags() in calls.bpf.h). */
#define CONSUMER_POLL_MS 20

enum event_kind {
	EVENT_DATA = 1,     /* one chunk of one call's plaintext */
	EVENT_LOSS = 2,     /* the rest of a call did not fit in the ring buffer */
	EVENT_LIB_OPEN = 3, /* a target opened a TLS library: attach to it */
};

/* Which TLS function a probe belongs to. */
enum tls_func {
	FUNC_SSL_WRITE,
	FUNC_SSL_READ,
	FUNC_SSL_WRITE_EX,
	FUNC_SSL_READ_EX,
	FUNC_SSL_WRITE_EX2,         /* OpenSSL >= 3.3 */
	FUNC_SSL_WRITE_INTERNAL,    /* ssl_write_internal: SSL_write*, BIO_f_ssl all reach it */
	FUNC_SSL_READ_INTERNAL,     /* ssl_read_internal: SSL_read*, BIO_f_ssl */
	FUNC_COUNT,
};

enum data_dir { DATA_OUT = 0, DATA_IN = 1 };

/* Where the number of bytes a call moved comes from. */
enum len_source {
	LEN_FROM_RETURN = 0, /* the return value, when > 0 (SSL_write, SSL_read) */
	LEN_FROM_ARG4 = 1,   /* when the return value is > 0: *(size_t *)4th argument */
	LEN_FROM_ARG5 = 2,   /* the same, 5th argument (a flags argument comes first) */
};

/* The BPF cookie of a TLS probe: which library, which function, where its
 * byte count is and which direction its bytes go. */
#define COOKIE_FUNC(c) ((c) & 0xf)
#define COOKIE_LEN_FROM(c) (((c) >> 4) & 0x3)
#define COOKIE_DIR(c) (((c) >> 6) & 0x1)
#define COOKIE_LIB(c) ((c) >> 8)
#define MAKE_COOKIE(lib, func, len_from, dir) \
	((__u64)(lib) << 8 | (__u64)(dir) << 6 | (__u64)(len_from) << 4 | (__u64)(func))

struct sock_addrs {
	__u16 family;  /* AF_INET, AF_INET6, or 0 when the fd is no socket */
	__u16 lport;   /* host byte order */
	__u16 rport;
	__u8 laddr[16];
	__u8 raddr[16];
};

struct call_header {
	__u32 kind;
	__u32 lib_id;
	__u64 call_id;   /* chunks of one call share it; 0 for a call in one chunk */
	__u64 ts_ns;     /* at the call's return, CLOCK_MONOTONIC */
	__u32 pid, tid;  /* host ids */
	__u32 nspid, nstid;
	char comm[TASK_COMM_LEN];
	__u32 func;
	__u32 dir;
	__s32 fd;        /* -1: no syscall seen in this call nor earlier on this SSL* */
	__u32 chunk_len; /* DATA: bytes in data[] */
	__u64 call_len;  /* bytes the call moved */
	__u64 offset;    /* DATA: offset of data[] in the call; LOSS: bytes delivered */
	__u64 lost;      /* LOSS: bytes of the call that were not delivered */
	struct sock_addrs addrs;
};

struct data_event {
	struct call_header hdr;
	__u8 data[CHUNK_MAX];
};

struct lib_open_event {
	__u32 kind;
	__u32 pid;
	char path[LIB_PATH_MAX];
};

/* Loss whose loss record did not fit in the ring buffer either: summed per
 * thread, direction and fd, written out as one loss record each when the
 * tracer exits, so that the events account for every byte. */
struct loss_key {
	__u32 tgid, tid, dir;
	__s32 fd;
};

struct loss_tally {
	__u64 bytes, calls;
	__u32 nspid, nstid;
	char comm[TASK_COMM_LEN];
	__u32 lib_id, func;
};

/* Totals kept in BPF global data, read by user space at exit: loss is never
 * silent even when the loss record itself does not fit. */
struct trace_stats {
	__u64 calls;
	__u64 bytes;
	__u64 lost_calls;
	__u64 lost_bytes;
	__u64 lost_loss_records;
	__u64 untallied_bytes;   /* lost, and not even in a tally: the tally map was full */
	__u64 nested_calls;      /* TLS calls made inside another one, not reported apart */
	__u64 lost_lib_opens;
};

#endif
