/* The records the BPF programs hand to user space through the ring buffer.
 * Shared by the bpf/ programs and tracer/ (like libbpf-tools' x.h). */
#ifndef TLSPROBE_EVENTS_H
#define TLSPROBE_EVENTS_H

/* A call's plaintext travels in chunks of at most this many bytes (the
 * largest ring-buffer record chunk_reserve_copy reserves). */
#define CHUNK_MAX 16384
/* Calls larger than this many chunks lose the rest, counted as loss (64 MiB). */
#define CHUNKS_PER_CALL_MAX 4096
/* A vectored call's (base, len) pairs past this many are lost, counted (BUF_IOVEC). */
#define IOVEC_PAIRS_MAX 1024
#define TASK_COMM_LEN 16
#define LIB_PATH_MAX 256
#define TARGET_COMMS_MAX 8
/* File-name prefixes of TLS libraries the openat hook reports (libopen.bpf.c). */
#define LIB_NAMES_MAX 8
#define LIB_NAME_LEN 16
/* The consumer drains the ring buffer at least this often (data records do
 * not wake it: see wakeup_flags() in calls.bpf.h). */
#define CONSUMER_POLL_MS 20

enum event_kind {
	EVENT_DATA = 1,     /* one chunk of one call's plaintext */
	EVENT_LOSS = 2,     /* the rest of a call did not fit in the ring buffer */
	EVENT_LIB_OPEN = 3, /* a target opened a TLS library: attach to it */
	EVENT_EXEC = 4,     /* a target exec'd: look at its executable (a stack may be linked in) */
	EVENT_FD_BIND = 5,  /* the socket of a thread's writes that waited for one (FD_PENDING) */
};

enum data_dir { DATA_OUT = 0, DATA_IN = 1 };

/* ---- Probe sites, described by data ----
 * Every probe site of every TLS stack is one entry of the BPF map `sites`
 * (bpf/calls.bpf.h), at the index the probe carries as its BPF cookie. The
 * entry says what kind of site it is, where the session object, the buffer
 * and the byte count are, what per-call state is keyed by and how the fd is
 * found. Backends (tracer/libs/) fill it; the generic programs read it. A
 * rule this tracer's programs do not implement yet is refused when attaching
 * (tracer/attach.c, unsupported_rule, says which), never attached and ignored. */
#define SITES_MAX 4096

enum site_kind {
	SITE_ENTRY_RETURN = 1,   /* an entry probe and a return probe (uretprobe) */
	SITE_ENTRY_RET_INSNS,    /* an entry probe and a probe on each return
				  * instruction (Go: uretprobes break moving stacks) */
	SITE_INNER,              /* one probe at an inner instruction */
	SITE_MEM_BIO_WRITE,      /* an entry probe on a memory BIO's write function
				  * (bio, data, len): no plaintext; it ties the BIO to
				  * the session calling it, or to the socket just read
				  * into data (membio.bpf.c) */
	SITE_MEM_BIO_READ,       /* the same on its read function (bio, out, len) */
	SITE_MEM_BIO_NEW,        /* the same on its create function (bio): a new BIO,
				  * whatever was known at its address is forgotten */
	SITE_QUEUE_TAKE,         /* an entry probe only: the call hands out the first
				  * `count` bytes of a queue of chunks (rustls's
				  * Reader::consume; where they are: struct site_ext) */
};

/* Where a value is at the probe: a register, or a stack slot (the 8 bytes
 * at rsp + 8 * n: Go's stack ABI, n >= 1 past the return address). */
enum site_loc {
	LOC_NONE = 0,
	LOC_RDI, LOC_RSI, LOC_RDX, LOC_RCX, LOC_R8, LOC_R9,  /* C: arguments 1-6 */
	LOC_RAX, LOC_RBX, LOC_R10, LOC_R11,                  /* Go's register ABI adds these */
	LOC_R14,                                             /* Go's register ABI: the goroutine (g) */
	LOC_STACK = 0x80,                                    /* | n: stack slot n */
};

/* Where the number of bytes the call moved comes from. */
enum site_len {
	LEN_RET32 = 1,  /* the return value as int, when > 0 (SSL_write, PR_Write) */
	LEN_RET64,      /* the return value as ssize_t, when > 0 (gnutls_record_send) */
	LEN_OUT_PTR,    /* return value > 0: *(size_t *)count, count saved at entry (SSL_write_ex) */
	LEN_RET_RDX,    /* two-register return, rax == 0 (Ok): rdx (Rust Result<usize>) */
	LEN_LOC64,      /* the value at `count` (a register or stack slot) at the return,
			 * as a signed 64-bit integer, when > 0 (Go's n of (n int, err error)) */
	LEN_ENTRY_LOC,  /* the value at `count` at the entry (SITE_QUEUE_TAKE's amount) */
};

/* What the state of a call in progress is kept by. */
enum site_state {
	STATE_THREAD = 1,  /* the thread: a call runs on one thread from entry to return */
	STATE_GOROUTINE,   /* the goroutine (its g): goroutines move between threads */
	STATE_SESSION,     /* the session object (calls split across callbacks) */
};

/* How the call's socket is found. */
enum site_fd {
	FD_SYSCALL_INSIDE = 1, /* the read/write-family syscall made inside the call, else
				* the last one seen on the same session object */
	FD_SOCKET_BEFORE,      /* the session's socket, else the socket the thread read since
				* its last call (rustls reads: ciphertext in, then plaintext out) */
	FD_KERNEL_SOCKET,      /* the kernel socket itself (kTLS) */
	FD_OBJECT_CHAIN,       /* read from the session object through a chain of pointers,
				* guarded by a method-table check (struct site_ext) */
	FD_SOCKET_AFTER,       /* the session's socket, else the first socket the thread writes
				* after the call (rustls writes: plaintext in, then ciphertext out) */
};

/* What the plaintext buffer is. */
enum site_buf {
	BUF_FLAT = 0,   /* the bytes themselves */
	BUF_IOVEC,      /* an array of (base, len) pairs, struct iovec's layout (Rust's
			 * IoSlice on Unix), as many as `count` says at the entry: the
			 * call's bytes are theirs in order (write_vectored) */
};

struct site_desc {
	__u8 kind;      /* enum site_kind */
	__u8 dir;       /* enum data_dir */
	__u8 len;       /* enum site_len */
	__u8 state;     /* enum site_state */
	__u8 fd;        /* enum site_fd */
	__u8 session;   /* enum site_loc: the session object (SSL*, gnutls_session_t, PRFileDesc*) */
	__u8 buf;       /* enum site_loc: the plaintext buffer */
	__u8 count;     /* enum site_loc: LEN_OUT_PTR's count pointer; BUF_IOVEC: the count */
	__u8 bufs;      /* enum site_buf */
	__u8 session_deref; /* 1: the session is the pointer stored at `session` +
			     * session_off (the site gets a short-lived object that
			     * points at it: rustls's Reader); 0: `session` itself */
	__u8 session_off;
};

/* What a site needs beyond struct site_desc (the map site_exts, same index).
 * STATE_GOROUTINE: where the goroutine's g is at the probe: a register
 * (g_loc, LOC_R14), or, g_loc LOC_NONE, the 8 bytes at the thread pointer
 * (fsbase) + g_tls. FD_OBJECT_CHAIN: the fd is in the connection object the
 * session holds: at session + iface_off an interface (method table, data
 * pointer); the table's method at check_off must be the function at
 * check_delta from the probed instruction (so the interface holds the type
 * the chain is for: *net.TCPConn), then from the data pointer, p = *(p +
 * deref[i]) for i < nderef, and the fd is the 8 bytes at p + fd_off.
 * A goroutine's stack is copied elsewhere when it grows, pointers into it
 * moved by the same distance (the stack's top to the new top): g_stack says
 * where its bounds are, so that a buffer on it is found again at the return. */
#define SITE_DEREF_MAX 4
struct site_ext {
	__u8 g_loc;       /* enum site_loc, or LOC_NONE: thread pointer + g_tls */
	__u8 nderef;
	__u16 check_off;
	__u16 iface_off;
	__u16 fd_off;
	__u16 g_stack;    /* the goroutine's stack bounds (lo, hi) in its g: a buffer on
			   * the stack moves with it when the stack grows */
	__u16 pad[3];
	__s64 g_tls;
	__s64 check_delta;
	__u16 deref[SITE_DEREF_MAX];
	/* SITE_QUEUE_TAKE: the queue (the session, a VecDeque of chunks) holds
	 * its front index, capacity, chunk array and the bytes of the front
	 * chunk taken already at q_head, q_cap, q_elems, q_taken; a chunk is
	 * q_elem_size bytes, its byte pointer and length at q_elem_ptr,
	 * q_elem_len. The bytes handed out: at front.ptr + taken. */
	__u16 q_head, q_cap, q_elems, q_taken;
	__u16 q_elem_size, q_elem_ptr, q_elem_len, q_pad;
};

struct sock_addrs {
	__u16 family;  /* AF_INET, AF_INET6, or 0 when the fd is no socket */
	__u16 lport;   /* host byte order */
	__u16 rport;
	__u8 laddr[16];
	__u8 raddr[16];
};

struct call_header {
	__u32 kind;
	__u32 site;      /* index in the site table: library, function, stack */
	__u64 call_id;   /* chunks of one call share it; 0 for a call in one chunk */
	__u64 ts_ns;     /* at the call's return, CLOCK_MONOTONIC */
	__u32 pid, tid;  /* host ids */
	__u32 nspid, nstid;
	char comm[TASK_COMM_LEN];
	__u32 dir;
	__s32 fd;        /* -1: no syscall seen in this call nor earlier on its session */
	__u32 chunk_len; /* DATA: bytes in data[] */
	__u32 pad;
	__u64 call_len;  /* bytes the call moved */
	__u64 offset;    /* DATA: offset of data[] in the call; LOSS: bytes delivered */
	__u64 lost;      /* LOSS: bytes of the call that were not delivered */
	__u64 session;   /* FD_PENDING: the session whose socket it waits for */
	struct sock_addrs addrs;
};

/* call_header.fd of a write whose socket is not known when it returns: the
 * session's app moves the ciphertext itself (memory BIOs), so the socket is
 * the one the session is later seen to read; an EVENT_FD_BIND names it, and
 * user space holds the session's calls until then. */
#define FD_PENDING (-2)

struct fd_bind_event {
	__u32 kind;
	__u32 pid, tid;
	__s32 fd;
	__u64 session;
	struct sock_addrs addrs;
};

struct data_event {
	struct call_header hdr;
	__u8 data[CHUNK_MAX];
};

/* EVENT_LIB_OPEN (path set) and EVENT_EXEC (path empty). */
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
	__u32 site;
};

/* A target's TLS I/O before its probes could be in place: from its exec
 * (or its open of a TLS library) until user space has looked at what it
 * maps, its socket syscalls are counted; if a stack it maps was attached
 * only after it started and it did socket I/O meanwhile, an "attached late"
 * loss record says that its plaintext before then may be missing. */
struct late_watch {
	__u64 since_ns;       /* the exec or library open, CLOCK_MONOTONIC */
	__u64 socket_calls;   /* its INET socket reads/writes outside probed calls since */
	__u32 nspid;          /* for the record, should the process be gone by then */
	char comm[TASK_COMM_LEN];
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
