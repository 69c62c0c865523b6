/* The tracer's BPF call logic checked in isolation, in the style of the
 * kernel's selftests/bpf uprobe tests: the real programs (tls_entry,
 * tls_return, nss_entry, the fd syscall hook) attached to fake TLS functions
 * of this test binary, with site descriptions as the backends write them,
 * and the ring buffer decoded record by record (or through the tracer's own
 * consumer). One test per rule: byte counts, direction and site, nesting,
 * the fd (cache, reuse, which fd wins), chunking, loss accounting, the NSS
 * descriptor filter and the calls it declines, calls that never return,
 * untraced processes. Needs root and uprobes (tracefs is not needed: the
 * uprobes go through the uprobe PMU, the syscall hook is a raw tracepoint).
 * TLSPROBE_FD_WALK=core runs it with the CO-RE fd walk. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include "bpf_harness.h"
#include "attach.h"
#include "consumer.h"
#include "planner.h"
#include "record.h"

/* ---- the probed functions ----
 * Out of line, never cloned or specialised (noipa), kept although nothing
 * but the tests calls them: each keeps the C ABI the site rules describe. */
#if defined(__clang__)
#define PROBED __attribute__((noinline, optnone, used))
#else
#define PROBED __attribute__((noipa, used))
#endif

/* A fake TLS session: what the fake calls do with their bytes. */
struct fake_session {
	int fd;     /* the socket (or pipe) the call writes or reads; -1: no syscall,
		     * the bytes stay in the TLS layer (a buffered or coalesced write) */
	int log_fd; /* written first when >= 0, like curl -v logging from inside SSL_write */
	int fail;   /* the call fails, as its byte-count rule understands failure */
};

static ssize_t move_out(const struct fake_session *s, const void *buf, size_t n)
{
	if (s->log_fd >= 0 && write(s->log_fd, "log\n", 4) != 4)
		return -1;
	return s->fd >= 0 ? write(s->fd, buf, n) : (ssize_t)n;
}

/* LEN_RET32: SSL_write, PR_Write. */
PROBED int fake_write(const struct fake_session *s, const void *buf, int n)
{
	asm volatile("" ::: "memory");
	return s->fail ? -1 : (int)move_out(s, buf, n);
}

/* LEN_RET64: gnutls_record_send; failure is a negative error code. */
PROBED ssize_t fake_send(const struct fake_session *s, const void *buf, size_t n)
{
	asm volatile("" ::: "memory");
	return s->fail ? -28 /* GNUTLS_E_AGAIN */ : move_out(s, buf, n);
}

/* LEN_RET64, the other way: the bytes are in buf only once the call returns. */
PROBED ssize_t fake_recv(const struct fake_session *s, void *buf, size_t n)
{
	asm volatile("" ::: "memory");
	return s->fail ? -28 : read(s->fd, buf, n);
}

/* LEN_OUT_PTR: SSL_write_ex returns 1 and stores the count through rcx.
 * Failing, it returns 0 with the count stored anyway (no bytes moved). It
 * goes through fake_send, as SSL_write_ex goes through SSL_write_ex2: when
 * both are probed, that is a nested TLS call. */
PROBED int fake_write_ex(const struct fake_session *s, const void *buf, size_t n, size_t *written)
{
	ssize_t sent;

	asm volatile("" ::: "memory");
	if (s->fail) {
		*written = n;
		return 0;
	}
	sent = fake_send(s, buf, n);
	if (sent < 0)
		return 0;
	*written = sent;
	return 1;
}

/* LEN_RET_RDX: a Rust Result<usize, E> comes back in two registers, rax the
 * discriminant (0: Ok), rdx the count (or, for Err, the error). */
struct two_regs {
	uint64_t rax, rdx;
};

PROBED struct two_regs fake_rust_write(const struct fake_session *s, const void *buf, size_t n)
{
	asm volatile("" ::: "memory");
	if (s->fail)
		return (struct two_regs){ .rax = 1, .rdx = n };
	return (struct two_regs){ .rax = 0, .rdx = (uint64_t)move_out(s, buf, n) };
}

/* A read of a session on memory BIOs: the plaintext comes out of the TLS
 * layer's buffer, with no syscall (the app received the ciphertext and
 * filled the read BIO before the call). */
PROBED ssize_t fake_mem_read(const struct fake_session *s, void *buf, size_t n)
{
	asm volatile("" ::: "memory");
	(void)s;
	memset(buf, 'r', n);
	return (ssize_t)n;
}

/* A memory BIO (BIO_s_mem): its address is what the programs know it by;
 * its write and read functions are probed as mem_write and mem_read are. */
struct fake_bio {
	char held[64];
	int len;
};

PROBED int fake_bio_write(struct fake_bio *b, const void *data, int len)
{
	asm volatile("" ::: "memory");
	if (len > (int)sizeof(b->held) - b->len)
		len = (int)sizeof(b->held) - b->len;
	memcpy(b->held + b->len, data, len);
	b->len += len;
	return len;
}

PROBED int fake_bio_read(struct fake_bio *b, void *out, int len)
{
	asm volatile("" ::: "memory");
	if (len > b->len)
		len = b->len;
	memcpy(out, b->held, len);
	memmove(b->held, b->held + len, b->len - len);
	b->len -= len;
	return len;
}

/* A BIO made at b (BIO_new calls the method's create function). */
PROBED int fake_bio_new(struct fake_bio *b)
{
	asm volatile("" ::: "memory");
	b->len = 0;
	return 1;
}

/* A session on two memory BIOs: a read takes its ciphertext from the read
 * BIO (or, take 0, serves plaintext it holds already); a write puts its
 * ciphertext into the write BIO. No syscall inside either. */
struct fake_mem_session {
	struct fake_bio rbio, wbio;
};

PROBED ssize_t fake_ssl_read(struct fake_mem_session *s, void *buf, size_t n, int take)
{
	char cipher[64];

	asm volatile("" ::: "memory");
	if (take)
		fake_bio_read(&s->rbio, cipher, sizeof(cipher));
	memset(buf, 'r', n);
	return (ssize_t)n;
}

PROBED ssize_t fake_ssl_write(struct fake_mem_session *s, const void *buf, size_t n)
{
	asm volatile("" ::: "memory");
	return fake_bio_write(&s->wbio, buf, (int)n);
}

/* A call that never returns: the app longjmps out of it (from a callback). */
PROBED ssize_t fake_send_escape(const struct fake_session *s, const void *buf, size_t n, jmp_buf *env)
{
	asm volatile("" ::: "memory");
	(void)s; (void)buf; (void)n;
	longjmp(*env, 1);
}

/* NSPR's descriptor (prio.h) and NSS's sslSocket, as far as nss_entry reads. */
#define PR_DESC_FILE 1
#define PR_DESC_LAYERED 4

struct fake_pr_methods {
	int32_t file_type;
};

struct fake_pr_fd {
	const struct fake_pr_methods *methods;
	void *secret;
	struct fake_pr_fd *lower, *higher;
	void (*dtor)(struct fake_pr_fd *);
	int32_t identity;
};

struct fake_ssl_socket {
	struct fake_pr_fd *fd; /* points back at the layer's descriptor */
};

/* When set, a write on a layered descriptor first writes a line here, as an
 * app's callback run inside the write (the handshake's certificate hook)
 * logs with PR_fprintf(PR_STDERR, …), which is PR_Write on a plain NSPR
 * descriptor. */
static struct fake_pr_fd *pr_log_fd;

PROBED int fake_pr_write(struct fake_pr_fd *fd, const void *buf, int n)
{
	asm volatile("" ::: "memory");
	if (fd->identity && pr_log_fd)
		fake_pr_write(pr_log_fd, "hook: cert ok\n", 14);
	(void)buf;
	return n;
}

/* ---- checks that say what they saw ---- */

static void check_eq_at(const char *what, long long got, long long want, const char *file,
			int line)
{
	if (got == want)
		return;
	print_error("%s: got %lld, want %lld\n", what, got, want);
	_fail(file, line);
}
#define check_eq(got, want) check_eq_at(#got, (long long)(got), (long long)(want), __FILE__, __LINE__)

static void check_bytes_at(const char *what, const uint8_t *got, const void *want, size_t len,
			   const char *file, int line)
{
	const uint8_t *w = want;

	for (size_t i = 0; i < len; i++) {
		if (got[i] != w[i]) {
			print_error("%s: byte %zu of %zu is 0x%02x, want 0x%02x\n", what, i, len,
				    got[i], w[i]);
			_fail(file, line);
		}
	}
}
#define check_bytes(got, want, len) check_bytes_at(#got, got, want, len, __FILE__, __LINE__)

/* The helpers below check on behalf of their caller, whose line a failure
 * names: they take AT, their macros pass HERE. */
#define AT const char *file, int line
#define HERE __FILE__, __LINE__
#define expect_eq(got, want) check_eq_at(#got, (long long)(got), (long long)(want), file, line)
#define expect_bytes(got, want, len) check_bytes_at(#got, got, want, len, file, line)

/* ---- fixtures ---- */

static int harness_setup_ring(void **state, __u32 ringbuf_bytes)
{
	struct harness *h = calloc(1, sizeof(*h));

	if (!h || harness_open(h, ringbuf_bytes)) {
		free(h);
		return -1;
	}
	*state = h;
	return 0;
}

static int setup(void **state)
{
	return harness_setup_ring(state, 1 << 20);
}

/* 64 KiB: three 16 KiB chunks and some small calls fill it. */
static int setup_small_ring(void **state)
{
	return harness_setup_ring(state, 64 << 10);
}

static int teardown(void **state)
{
	struct harness *h = *state;

	if (h)
		harness_close(h);
	free(h);
	return 0;
}

/* A site as the backends describe a C function f(session, buf, …). */
static int c_site(struct harness *h, const char *func, enum data_dir dir, enum site_len len,
		  enum site_loc count)
{
	struct probe_site site;
	int index;

	site_init_c(&site, func, dir, len, count);
	index = harness_site(h, func, &site.desc, NULL);
	assert_true(index >= 0);
	return index;
}

/* The one record the calls since the last drain produced. */
static const struct harness_record *only_record_at(AT, struct harness *h)
{
	harness_forget(h);
	expect_eq(harness_drain(h), 1);
	return &h->recs[0];
}
#define only_record(h) only_record_at(HERE, h)

static void check_no_record_at(AT, struct harness *h)
{
	harness_forget(h);
	expect_eq(harness_drain(h), 0);
}
#define check_no_record(h) check_no_record_at(HERE, h)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static const struct fake_session no_socket = { .fd = -1, .log_fd = -1 };

/* A connected TCP pair on 127.0.0.1. */
struct tcp_pair {
	int client, server;
	struct sockaddr_in client_addr, server_addr;
};

static void tcp_pair_open(struct tcp_pair *p)
{
	struct sockaddr_in any = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(p->server_addr);
	int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(listener >= 0);
	assert_int_equal(bind(listener, (struct sockaddr *)&any, sizeof(any)), 0);
	assert_int_equal(listen(listener, 1), 0);
	assert_int_equal(getsockname(listener, (struct sockaddr *)&p->server_addr, &len), 0);
	p->client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(p->client >= 0);
	assert_int_equal(connect(p->client, (struct sockaddr *)&p->server_addr,
				 sizeof(p->server_addr)), 0);
	len = sizeof(p->client_addr);
	assert_int_equal(getsockname(p->client, (struct sockaddr *)&p->client_addr, &len), 0);
	p->server = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	assert_true(p->server >= 0);
	close(listener);
}

static void tcp_pair_close(struct tcp_pair *p)
{
	close(p->client);
	close(p->server);
}

/* The header names the client end of p: its fd and both addresses. */
static void check_client_socket_at(AT, const struct call_header *hdr, const struct tcp_pair *p)
{
	expect_eq(hdr->fd, p->client);
	expect_eq(hdr->addrs.family, AF_INET);
	expect_eq(hdr->addrs.lport, ntohs(p->client_addr.sin_port));
	expect_eq(hdr->addrs.rport, ntohs(p->server_addr.sin_port));
	expect_bytes(hdr->addrs.laddr, &p->client_addr.sin_addr, 4);
	expect_bytes(hdr->addrs.raddr, &p->server_addr.sin_addr, 4);
}
#define check_client_socket(hdr, p) check_client_socket_at(HERE, hdr, p)

/* A write with no syscall inside, on a session never seen with a socket:
 * the memory-BIO rule makes it wait for the thread's next socket write. */
static void check_no_socket_at(AT, const struct call_header *hdr)
{
	expect_eq(hdr->fd, hdr->dir == DATA_OUT ? FD_PENDING : -1);
	expect_eq(hdr->addrs.family, 0);
}
#define check_no_socket(hdr) check_no_socket_at(HERE, hdr)

/* A whole call in one record: its kind, site, direction, length and bytes. */
static void check_call_at(AT, const struct harness_record *r, int site, enum data_dir dir,
			  const void *bytes, size_t len)
{
	const struct call_header *hdr = &r->rec->hdr;

	expect_eq(hdr->kind, EVENT_DATA);
	expect_eq(hdr->site, site);
	expect_eq(hdr->dir, dir);
	expect_eq(hdr->call_len, len);
	expect_eq(hdr->chunk_len, len);
	expect_eq(hdr->offset, 0);
	expect_eq(hdr->call_id, 0);
	expect_eq(hdr->lost, 0);
	expect_eq(r->size >= sizeof(*hdr) + len, 1);
	expect_bytes(harness_chunk(r), bytes, len);
}
#define check_call(r, site, dir, bytes, len) check_call_at(HERE, r, site, dir, bytes, len)

/* ---- byte-count rules, direction, site, identity ---- */

/* LEN_RET32: the int return value; the header says who called, and when. */
static void ret32_call(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_write", DATA_OUT, LEN_RET32, LOC_NONE);
	struct fake_session failing = no_socket;
	const struct harness_record *r;
	char comm[TASK_COMM_LEN] = {};
	struct trace_stats stats;
	uint64_t before, after;

	before = now_ns();
	check_eq(fake_write(&no_socket, "hello, ret32", 12), 12);
	after = now_ns();
	r = only_record(h);
	check_call(r, site, DATA_OUT, "hello, ret32", 12);
	check_eq(r->rec->hdr.pid, getpid());
	check_eq(r->rec->hdr.tid, gettid());
	check_eq(r->rec->hdr.nspid, getpid());
	check_eq(r->rec->hdr.nstid, gettid());
	prctl(PR_GET_NAME, comm);
	assert_string_equal(r->rec->hdr.comm, comm);
	assert_true(r->rec->hdr.ts_ns >= before && r->rec->hdr.ts_ns <= after);
	check_no_socket(&r->rec->hdr);

	failing.fail = 1;
	check_eq(fake_write(&failing, "nothing", 7), -1);
	check_no_record(h);
	assert_int_equal(harness_stats(h, &stats), 0);
	check_eq(stats.calls, 1);
	check_eq(stats.bytes, 12);
}

/* LEN_RET64: the ssize_t return value; a negative one (an error code) is
 * no call, and leaves no call in progress behind it. */
static void ret64_call(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	struct fake_session failing = no_socket;
	uint8_t buf[300];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	failing.fail = 1;
	check_eq(fake_send(&failing, buf, sizeof(buf)), -28);
	check_no_record(h);
	check_eq(fake_send(&no_socket, buf, sizeof(buf)), sizeof(buf));
	check_call(only_record(h), site, DATA_OUT, buf, sizeof(buf));
}

/* LEN_OUT_PTR: the count stored through the pointer saved at entry (not the
 * return value 1); a return of 0 is no call, whatever the pointer holds. */
static void out_ptr_call(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_write_ex", DATA_OUT, LEN_OUT_PTR, LOC_RCX);
	struct fake_session failing = no_socket;
	size_t written = 0;

	check_eq(fake_write_ex(&no_socket, "seventy-seven", 13, &written), 1);
	check_eq(written, 13);
	check_call(only_record(h), site, DATA_OUT, "seventy-seven", 13);

	failing.fail = 1;
	check_eq(fake_write_ex(&failing, "not sent", 8, &written), 0);
	check_eq(written, 8);
	check_no_record(h);
}

/* LEN_RET_RDX: rdx when rax is 0 (Ok); an Err (rax != 0) is no call even
 * with a count-like rdx. */
static void ret_rdx_call(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_rust_write", DATA_OUT, LEN_RET_RDX, LOC_NONE);
	struct fake_session failing = no_socket;
	struct two_regs ret;

	ret = fake_rust_write(&no_socket, "Ok(17) from rust", 16);
	check_eq(ret.rax, 0);
	check_eq(ret.rdx, 16);
	check_call(only_record(h), site, DATA_OUT, "Ok(17) from rust", 16);

	failing.fail = 1;
	ret = fake_rust_write(&failing, "Err", 3);
	check_eq(ret.rax, 1);
	check_eq(ret.rdx, 3);
	check_no_record(h);
}

/* DATA_IN: the buffer is read at the return, when the call has filled it,
 * and the fd comes from the read inside the call. */
static void read_call(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_recv", DATA_IN, LEN_RET64, LOC_NONE);
	struct fake_session session = no_socket;
	const struct harness_record *r;
	struct tcp_pair p;
	char buf[64];

	tcp_pair_open(&p);
	session.fd = p.client;
	memset(buf, 'x', sizeof(buf));
	check_eq(write(p.server, "pong from the server", 20), 20);
	check_eq(fake_recv(&session, buf, sizeof(buf)), 20);
	r = only_record(h);
	check_call(r, site, DATA_IN, "pong from the server", 20);
	check_client_socket(&r->rec->hdr, &p);
	tcp_pair_close(&p);
}

/* ---- nesting and calls that never return ---- */

/* A probed function calling another probed one (SSL_write_ex → SSL_write_ex2):
 * one record; the inner call reports the bytes (an outer call may be one its
 * thread left by longjmp, which never returns), the outer one is counted.
 * The next call on its own is reported again. */
static void nested_call(void **state)
{
	struct harness *h = *state;
	int outer = c_site(h, "fake_write_ex", DATA_OUT, LEN_OUT_PTR, LOC_RCX);
	int inner = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	struct trace_stats stats;
	size_t written = 0;

	(void)outer;
	check_eq(fake_write_ex(&no_socket, "inner has these", 15, &written), 1);
	check_call(only_record(h), inner, DATA_OUT, "inner has these", 15);
	assert_int_equal(harness_stats(h, &stats), 0);
	check_eq(stats.nested_calls, 1);
	check_eq(stats.calls, 1);

	check_eq(fake_send(&no_socket, "inner alone", 11), 11);
	check_call(only_record(h), inner, DATA_OUT, "inner alone", 11);
	assert_int_equal(harness_stats(h, &stats), 0);
	check_eq(stats.nested_calls, 1);
}

/* A call left by longjmp never returns; the thread's next call, no deeper
 * on the stack, replaces it instead of being taken for a nested call. */
static void escaped_call_replaced(void **state)
{
	struct harness *h = *state;
	int escaping = c_site(h, "fake_send_escape", DATA_OUT, LEN_RET64, LOC_NONE);
	int site = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	struct trace_stats stats;
	jmp_buf env;

	(void)escaping;
	if (!setjmp(env))
		fake_send_escape(&no_socket, "never", 5, &env);
	check_no_record(h);
	check_eq(fake_send(&no_socket, "after the escape", 16), 16);
	check_call(only_record(h), site, DATA_OUT, "after the escape", 16);
	assert_int_equal(harness_stats(h, &stats), 0);
	check_eq(stats.nested_calls, 0);
}

/* Runs fake_send from depth frames of 512 uninitialised bytes further down
 * the stack: the stale call's frame lies in memory nothing writes again. */
static __attribute__((noinline)) ssize_t send_from_deeper(int depth, const char *text, size_t n)
{
	volatile char pad[512];
	ssize_t r;

	pad[0] = (char)depth;
	r = depth > 0 ? send_from_deeper(depth - 1, text, n) : fake_send(&no_socket, text, n);
	return r + (pad[0] & 0);
}

/* A call left by longjmp never returns; the thread's next calls come from
 * deeper on the stack than it was: they are not inside it, and each is
 * reported (measured before: every one was counted as nested, and lost). */
static void escaped_call_then_deeper(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	struct trace_stats stats;
	jmp_buf env;

	c_site(h, "fake_send_escape", DATA_OUT, LEN_RET64, LOC_NONE);
	if (!setjmp(env))
		fake_send_escape(&no_socket, "never", 5, &env);
	check_no_record(h);
	check_eq(send_from_deeper(8, "deeper, first", 13), 13);
	check_call(only_record(h), site, DATA_OUT, "deeper, first", 13);
	check_eq(send_from_deeper(8, "deeper, second", 14), 14);
	check_call(only_record(h), site, DATA_OUT, "deeper, second", 14);
	assert_int_equal(harness_stats(h, &stats), 0);
	check_eq(stats.nested_calls, 0);
}

/* ---- the fd ---- */

/* The socket written inside the call names it; later calls on the same
 * session without a syscall get it from the thread's last session and,
 * after another session came between, from the session map; a new session
 * without a syscall has none. */
static void fd_cache(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	struct fake_session a = no_socket, b = no_socket;
	const struct harness_record *r;
	struct tcp_pair p;

	tcp_pair_open(&p);
	a.fd = p.client;
	check_eq(fake_send(&a, "first, on the socket", 20), 20);
	r = only_record(h);
	check_call(r, site, DATA_OUT, "first, on the socket", 20);
	check_client_socket(&r->rec->hdr, &p);

	a.fd = -1; /* the same session object, this time no syscall */
	check_eq(fake_send(&a, "buffered", 8), 8);
	r = only_record(h);
	check_call(r, site, DATA_OUT, "buffered", 8);
	check_client_socket(&r->rec->hdr, &p);

	check_eq(fake_send(&b, "new session", 11), 11);
	r = only_record(h);
	check_call(r, site, DATA_OUT, "new session", 11);
	check_no_socket(&r->rec->hdr);

	check_eq(fake_send(&a, "back to a", 9), 9);
	r = only_record(h);
	check_call(r, site, DATA_OUT, "back to a", 9);
	check_client_socket(&r->rec->hdr, &p);
	tcp_pair_close(&p);
}

/* An app writing a log line (a pipe here) from inside the call before the
 * socket: the socket is the call's fd. */
static void socket_wins_over_log_fd(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	struct fake_session session = no_socket;
	const struct harness_record *r;
	struct tcp_pair p;
	int log_pipe[2];

	tcp_pair_open(&p);
	assert_int_equal(pipe2(log_pipe, O_CLOEXEC), 0);
	session.fd = p.client;
	session.log_fd = log_pipe[1];
	check_eq(fake_send(&session, "after the log line", 18), 18);
	r = only_record(h);
	check_call(r, site, DATA_OUT, "after the log line", 18);
	check_client_socket(&r->rec->hdr, &p);
	close(log_pipe[0]);
	close(log_pipe[1]);
	tcp_pair_close(&p);
}

/* The session's fd number now names another connection (closed, and a new
 * socket got the number: SSL_set_fd on a reused SSL*): the new addresses,
 * for the call that wrote and, after another session came between, for a
 * call without a syscall too. */
static void fd_reused_for_new_connection(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	struct fake_session a = no_socket, b = no_socket;
	const struct harness_record *r;
	struct tcp_pair first, second;

	tcp_pair_open(&first);
	a.fd = first.client;
	check_eq(fake_send(&a, "first connection", 16), 16);
	check_client_socket(&only_record(h)->rec->hdr, &first);

	tcp_pair_open(&second);
	assert_int_equal(dup2(second.client, first.client), first.client);
	close(second.client);
	second.client = first.client;
	close(first.server);
	check_eq(fake_send(&a, "second connection", 17), 17);
	check_client_socket(&only_record(h)->rec->hdr, &second);

	check_eq(fake_send(&b, "another session", 15), 15);
	check_no_socket(&only_record(h)->rec->hdr);
	a.fd = -1;
	check_eq(fake_send(&a, "buffered on a", 13), 13);
	r = only_record(h);
	check_call(r, site, DATA_OUT, "buffered on a", 13);
	check_client_socket(&r->rec->hdr, &second);
	tcp_pair_close(&second);
}

/* The socket I/O the app does itself outside the calls, as on memory BIOs. */
static void app_receives(const struct tcp_pair *p)
{
	char byte;

	assert_int_equal(write(p->server, "c", 1), 1);
	assert_int_equal(read(p->client, &byte, 1), 1);
}

static void app_sends(const struct tcp_pair *p)
{
	assert_int_equal(write(p->client, "c", 1), 1);
}

static void check_bind_at(AT, const struct harness_record *r, int fd, const struct tcp_pair *p)
{
	const struct fd_bind_event *bind = (const void *)r->rec;

	expect_eq(r->rec->hdr.kind, EVENT_FD_BIND);
	expect_eq(bind->pid, getpid());
	expect_eq(bind->tid, gettid());
	expect_eq(bind->fd, fd);
	if (p)
		expect_eq(bind->addrs.lport, ntohs(p->client_addr.sin_port));
}
#define check_bind(r, fd, p) check_bind_at(HERE, r, fd, p)

/* Memory BIOs, two connections on one thread, interleaved: a read's socket
 * is the one the thread read last before it, remembered by the session; a
 * write on a session not known yet waits (FD_PENDING) for the session's
 * first read, never for the thread's next socket write. */
static void memory_bio_sessions(void **state)
{
	struct harness *h = *state;
	int rsite = c_site(h, "fake_mem_read", DATA_IN, LEN_RET64, LOC_NONE);
	int wsite = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	struct fake_session a = no_socket, b = no_socket, c = no_socket;
	const struct harness_record *r;
	struct tcp_pair p, q;
	char buf[16];

	tcp_pair_open(&p);
	tcp_pair_open(&q);
	/* This thread is older than the programs: its state (and with it the
	 * socket watch) begins at its first probed call. A process started
	 * later gets it at exec, a thread at its creation. */
	check_eq(fake_mem_read(&a, buf, 0), 0);
	check_no_record(h);
	app_receives(&p);
	check_eq(fake_mem_read(&a, buf, 10), 10);
	/* a session's first read teaches it its socket, and says so (writes
	 * of it that wait are released with it), then the call */
	harness_forget(h);
	check_eq(harness_drain(h), 2);
	check_bind(&h->recs[0], p.client, &p);
	r = &h->recs[1];
	check_eq(r->rec->hdr.site, rsite);
	check_client_socket(&r->rec->hdr, &p);
	app_receives(&q);
	check_eq(fake_mem_read(&b, buf, 7), 7);
	harness_forget(h);
	check_eq(harness_drain(h), 2);
	check_client_socket(&h->recs[1].rec->hdr, &q);
	check_eq(fake_mem_read(&a, buf, 3), 3); /* the last read was q's: a remembers p */
	check_client_socket(&only_record(h)->rec->hdr, &p);

	/* A write waits: not for the thread's next socket write (an event loop
	 * may send another connection's ciphertext first), for its session's
	 * first read */
	check_eq(fake_send(&c, "to q", 4), 4);
	r = only_record(h);
	check_call(r, wsite, DATA_OUT, "to q", 4);
	check_eq(r->rec->hdr.fd, FD_PENDING);
	check_eq(r->rec->hdr.session, (uintptr_t)&c);
	app_sends(&q);
	check_no_record(h);
	app_receives(&q);
	check_eq(fake_mem_read(&c, buf, 5), 5);
	harness_forget(h);
	check_eq(harness_drain(h), 2);
	check_bind(&h->recs[0], q.client, &q);
	check_eq(((const struct fd_bind_event *)h->recs[0].rec)->session, (uintptr_t)&c);
	check_client_socket(&h->recs[1].rec->hdr, &q);
	check_eq(fake_send(&c, "q again", 7), 7);
	check_client_socket(&only_record(h)->rec->hdr, &q);
	check_eq(fake_send(&b, "then b", 6), 6); /* b is known: no wait */
	check_client_socket(&only_record(h)->rec->hdr, &q);
	tcp_pair_close(&p);
	tcp_pair_close(&q);
}

/* The app receives on p into a buffer and writes that into a read BIO. */
static void app_fills(const struct tcp_pair *p, struct fake_bio *rbio)
{
	char cipher[8];

	assert_int_equal(write(p->server, "cipher", 6), 6);
	assert_int_equal(read(p->client, cipher, sizeof(cipher)), 6);
	assert_int_equal(fake_bio_write(rbio, cipher, 6), 6);
}

/* The app drains a write BIO into memory and sends that on p. */
static void app_drains(const struct tcp_pair *p, struct fake_bio *wbio)
{
	char out[64];
	int n = fake_bio_read(wbio, out, sizeof(out));

	assert_true(n > 0);
	assert_int_equal(write(p->client, out, n), n);
}

/* Memory BIOs with their functions probed: each session's socket is the
 * one its ciphertext crossed, matched by buffer (the recv'd buffer written
 * into its read BIO, the drained memory sent), whatever the thread did
 * between. Here the last socket read before b's read is p's (a's fill),
 * and a send on p comes between c's drain and its send on q: the socket
 * around the call would be wrong in both (without the BIO probes this test
 * fails: "bind->fd: got p's, want q's"). */
static void memory_bio_exact(void **state)
{
	struct harness *h = *state;
	int rsite = c_site(h, "fake_ssl_read", DATA_IN, LEN_RET64, LOC_NONE);
	int wsite = c_site(h, "fake_ssl_write", DATA_OUT, LEN_RET64, LOC_NONE);
	struct fake_mem_session a = {}, b = {}, c = {};
	const struct harness_record *r;
	struct tcp_pair p, q;
	char buf[16];

	assert_int_equal(harness_entry_probe(h, "fake_bio_write", "membio_write"), 0);
	assert_int_equal(harness_entry_probe(h, "fake_bio_read", "membio_read"), 0);
	assert_int_equal(harness_entry_probe(h, "fake_bio_new", "membio_new"), 0);
	tcp_pair_open(&p);
	tcp_pair_open(&q);
	check_eq(fake_ssl_read(&a, buf, 0, 0), 0); /* the thread's state begins */
	check_no_record(h);
	app_fills(&q, &b.rbio);
	app_fills(&p, &a.rbio);
	check_eq(fake_ssl_read(&b, buf, 10, 1), 10);
	harness_forget(h);
	check_eq(harness_drain(h), 2);
	check_bind(&h->recs[0], q.client, &q);
	check_eq(((const struct fd_bind_event *)h->recs[0].rec)->session, (uintptr_t)&b);
	check_eq(h->recs[1].rec->hdr.site, rsite);
	check_client_socket(&h->recs[1].rec->hdr, &q);
	check_eq(fake_ssl_read(&a, buf, 5, 1), 5);
	harness_forget(h);
	check_eq(harness_drain(h), 2);
	check_client_socket(&h->recs[1].rec->hdr, &p);
	check_eq(fake_ssl_read(&b, buf, 3, 0), 3); /* from b's buffer: b remembers q */
	check_client_socket(&only_record(h)->rec->hdr, &q);

	/* c's first write waits for its socket: its ciphertext's send */
	check_eq(fake_ssl_write(&c, "to q", 4), 4);
	r = only_record(h);
	check_call(r, wsite, DATA_OUT, "to q", 4);
	check_eq(r->rec->hdr.fd, FD_PENDING);
	app_sends(&p); /* another connection's bytes: no binding */
	check_no_record(h);
	app_drains(&q, &c.wbio);
	r = only_record(h);
	check_bind(r, q.client, &q);
	check_eq(((const struct fd_bind_event *)r->rec)->session, (uintptr_t)&c);
	check_eq(fake_ssl_write(&c, "q again", 7), 7);
	check_client_socket(&only_record(h)->rec->hdr, &q);

	/* c freed and a new session made in the same memory, BIOs and all
	 * (malloc reuses it at once), for a connection on p: q is forgotten */
	check_eq(fake_bio_new(&c.rbio), 1);
	check_eq(fake_bio_new(&c.wbio), 1);
	check_eq(fake_ssl_write(&c, "to p", 4), 4);
	check_eq(only_record(h)->rec->hdr.fd, FD_PENDING);
	app_drains(&p, &c.wbio);
	check_bind(only_record(h), p.client, &p);
	tcp_pair_close(&p);
	tcp_pair_close(&q);
}

/* No socket ever, only a pipe (TLS over a pipe transport): the pipe. */
static void pipe_transport_fd(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	struct fake_session session = no_socket;
	const struct harness_record *r;
	int transport[2];

	assert_int_equal(pipe2(transport, O_CLOEXEC), 0);
	session.fd = transport[1];
	check_eq(fake_send(&session, "over a pipe", 11), 11);
	r = only_record(h);
	check_call(r, site, DATA_OUT, "over a pipe", 11);
	check_eq(r->rec->hdr.fd, transport[1]);
	check_eq(r->rec->hdr.addrs.family, 0);
	close(transport[0]);
	close(transport[1]);
}

/* ---- chunks ---- */

static uint8_t *pattern(size_t len, uint8_t seed)
{
	uint8_t *p = malloc(len);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 131 + (i >> 12) + seed);
	return p;
}

/* The records drained so far, through the tracer's consumer (reassembly
 * and JSON output, no libraries named), parsed back. Returns how many. */
static int consume_as_records(struct harness *h, struct record *recs, int max)
{
	static struct lib_registry no_libs;
	struct consumer c = { .reg = &no_libs, .out.format = OUTPUT_JSON };
	char *text = NULL, *line, *save = NULL, err[256];
	size_t len = 0;
	int n = 0;

	c.out.f = open_memstream(&text, &len);
	assert_non_null(c.out.f);
	for (size_t i = 0; i < h->nrecs; i++)
		consumer_handle(&c, h->recs[i].rec, h->recs[i].size);
	consumer_flush(&c);
	fclose(c.out.f);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		assert_true(n < max);
		if (record_parse_json(line, &recs[n], err, sizeof(err)))
			fail_msg("consumer wrote a line it cannot parse back: %s", err);
		n++;
	}
	free(text);
	return n;
}

/* A call larger than a chunk: chunks of at most CHUNK_MAX in order, one
 * call id, reassembled byte-exact by the consumer. A call of exactly
 * CHUNK_MAX is one record without an id; one byte more takes two. */
static void multi_chunk_call(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	const size_t big = 100 << 10;
	uint8_t *data = pattern(big, 5);
	struct record out[2];
	uint64_t call_id, offset = 0;

	check_eq(fake_send(&no_socket, data, big), big);
	harness_forget(h);
	check_eq(harness_drain(h), (big + CHUNK_MAX - 1) / CHUNK_MAX);
	call_id = h->recs[0].rec->hdr.call_id;
	assert_true(call_id != 0);
	for (size_t i = 0; i < h->nrecs; i++) {
		const struct call_header *hdr = &h->recs[i].rec->hdr;

		check_eq(hdr->kind, EVENT_DATA);
		check_eq(hdr->site, site);
		check_eq(hdr->call_id, call_id);
		check_eq(hdr->call_len, big);
		check_eq(hdr->offset, offset);
		assert_true(hdr->chunk_len > 0 && hdr->chunk_len <= CHUNK_MAX);
		check_bytes(harness_chunk(&h->recs[i]), data + offset, hdr->chunk_len);
		offset += hdr->chunk_len;
	}
	check_eq(offset, big);
	check_eq(consume_as_records(h, out, 2), 1);
	check_eq(out[0].type, RECORD_DATA);
	check_eq(out[0].len, big);
	check_bytes(out[0].data, data, big);
	record_free(&out[0]);

	check_eq(fake_send(&no_socket, data, CHUNK_MAX), CHUNK_MAX);
	check_call(only_record(h), site, DATA_OUT, data, CHUNK_MAX);
	check_eq(fake_send(&no_socket, data, CHUNK_MAX + 1), CHUNK_MAX + 1);
	harness_forget(h);
	check_eq(harness_drain(h), 2);
	assert_true(h->recs[0].rec->hdr.call_id != 0);
	assert_true(h->recs[0].rec->hdr.call_id != call_id);
	check_eq(h->recs[1].rec->hdr.call_id, h->recs[0].rec->hdr.call_id);
	check_eq(h->recs[1].rec->hdr.chunk_len, 1);
	check_eq(consume_as_records(h, out, 2), 1);
	check_eq(out[0].len, CHUNK_MAX + 1);
	check_bytes(out[0].data, data, CHUNK_MAX + 1);
	record_free(&out[0]);
	free(data);
}

/* ---- loss ---- */

struct loss_sums {
	uint64_t delivered;    /* bytes in data records */
	uint64_t reported;     /* bytes lost, in loss records */
	uint64_t whole_calls;  /* calls delivered whole */
	uint64_t loss_records;
};

/* Sums the records; checks that each loss record says what its call
 * delivered before it (the chunks with its call id). */
static void sum_records(const struct harness *h, struct loss_sums *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < h->nrecs; i++) {
		const struct call_header *hdr = &h->recs[i].rec->hdr;
		uint64_t before;

		if (hdr->kind == EVENT_DATA) {
			s->delivered += hdr->chunk_len;
			s->whole_calls += hdr->offset + hdr->chunk_len == hdr->call_len;
			continue;
		}
		check_eq(hdr->kind, EVENT_LOSS);
		check_eq(hdr->offset + hdr->lost, hdr->call_len);
		before = 0;
		for (size_t j = 0; j < i && hdr->call_id; j++)
			if (h->recs[j].rec->hdr.kind == EVENT_DATA &&
			    h->recs[j].rec->hdr.call_id == hdr->call_id)
				before += h->recs[j].rec->hdr.chunk_len;
		check_eq(hdr->offset, before);
		s->reported += hdr->lost;
		s->loss_records++;
	}
}

/* The tracer's consumer writes what the records hold: the data it delivers
 * and the loss records' bytes, partial calls' prefixes included. */
static void check_consumer_sums(struct harness *h, const struct loss_sums *sums)
{
	struct record *out = calloc(h->nrecs + 1, sizeof(*out));
	uint64_t data = 0, lost = 0;
	int n;

	assert_non_null(out);
	n = consume_as_records(h, out, h->nrecs + 1);
	for (int i = 0; i < n; i++) {
		if (out[i].type == RECORD_DATA)
			data += out[i].len;
		else
			lost += out[i].lost;
		record_free(&out[i]);
	}
	check_eq(data, sums->delivered);
	check_eq(lost, sums->reported);
	free(out);
}

/* A ring buffer nobody drains: a large call that fits only in part, then
 * small calls until neither data nor loss records fit. What was delivered,
 * the loss records and the thread's tally add up to every byte and every
 * call, and the totals agree; all three paths were taken. */
static void loss_accounting(void **state)
{
	struct harness *h = *state;
	const size_t big = 100 << 10, small = 1000, nsmall = 300;
	struct loss_key key = { .tgid = getpid(), .tid = gettid(), .dir = DATA_OUT,
				.fd = FD_PENDING };
	uint8_t *data = pattern(big, 9);
	struct loss_tally tally = {};
	struct trace_stats stats;
	struct loss_sums sums;
	int tally_lookup;

	c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	check_eq(fake_send(&no_socket, data, big), big);
	for (size_t i = 0; i < nsmall; i++)
		check_eq(fake_send(&no_socket, data + i, small), small);
	tally_lookup = bpf_map_lookup_elem(bpf_map__fd(h->skel->maps.unreported_loss), &key, &tally);
	check_eq(tally_lookup, 0);
	assert_true(harness_drain(h) > 0);
	sum_records(h, &sums);
	assert_int_equal(harness_stats(h, &stats), 0);

	/* all three paths taken: data, loss records, the tally */
	check_eq(sums.delivered > 0, 1);
	check_eq(sums.reported > 0, 1);
	check_eq(tally.bytes > 0, 1);
	check_eq(sums.delivered + sums.reported + tally.bytes, big + nsmall * small);
	check_eq(sums.whole_calls + sums.loss_records + tally.calls, 1 + nsmall);
	check_eq(stats.bytes, sums.delivered);
	check_eq(stats.lost_bytes, sums.reported + tally.bytes);
	check_eq(stats.lost_calls, sums.loss_records + tally.calls);
	check_eq(stats.lost_loss_records, tally.calls);
	check_eq(stats.untallied_bytes, 0);
	check_eq(tally.site, 0);
	check_consumer_sums(h, &sums);
	free(data);
}

/* ---- NSS ---- */

/* nss_entry starts a call only on a descriptor NSS's SSL layer tops: a
 * layer (identity != 0) whose methods say PR_DESC_LAYERED and whose secret
 * points back at it. A plain NSPR descriptor, a file and a layer whose
 * secret is someone else's pass unseen. */
struct fake_pr_fds {
	struct fake_pr_fd ssl, plain, file, other_layer;
	struct fake_ssl_socket ssl_secret, plain_secret, file_secret, other_secret;
};

static void fake_pr_fds_init(struct fake_pr_fds *f)
{
	static const struct fake_pr_methods layered = { PR_DESC_LAYERED }, file = { PR_DESC_FILE };
	const struct fake_pr_fd layer = { .methods = &layered, .identity = 7 };

	f->ssl = f->plain = f->file = f->other_layer = layer;
	f->ssl_secret.fd = &f->ssl;
	f->ssl.secret = &f->ssl_secret;
	f->plain_secret.fd = &f->plain;
	f->plain.secret = &f->plain_secret;
	f->plain.identity = 0;                   /* PR_NSPR_IO_LAYER */
	f->file_secret.fd = &f->file;
	f->file.secret = &f->file_secret;
	f->file.methods = &file;
	f->other_secret.fd = &f->ssl;            /* another descriptor's */
	f->other_layer.secret = &f->other_secret;
	pr_log_fd = NULL;
}

/* PR_Write as the NSS backend describes it, with nss_entry. */
static int nss_site(struct harness *h)
{
	struct probe_site nss;
	int site;

	site_init_c(&nss, "PR_Write", DATA_OUT, LEN_RET32, LOC_NONE);
	site = harness_site(h, "fake_pr_write", &nss.desc, "nss_entry");
	assert_true(site >= 0);
	return site;
}

static void nss_ssl_layer_only(void **state)
{
	struct harness *h = *state;
	int site = nss_site(h);
	struct fake_pr_fds f;

	fake_pr_fds_init(&f);
	check_eq(fake_pr_write(&f.plain, "plain NSPR", 10), 10);
	check_eq(fake_pr_write(&f.file, "a file", 6), 6);
	check_eq(fake_pr_write(&f.other_layer, "other layer", 11), 11);
	check_no_record(h);
	check_eq(fake_pr_write(&f.ssl, "through the SSL layer", 21), 21);
	check_call(only_record(h), site, DATA_OUT, "through the SSL layer", 21);
}

/* A plain PR_Write inside the SSL one (a callback logging to PR_STDERR):
 * not captured, and its return does not end the SSL call, which is
 * captured whole at its own return. */
static void nss_plain_write_inside(void **state)
{
	struct harness *h = *state;
	int site = nss_site(h);
	struct fake_pr_fds f;

	fake_pr_fds_init(&f);
	pr_log_fd = &f.plain;
	check_eq(fake_pr_write(&f.ssl, "the whole SSL write", 19), 19);
	pr_log_fd = NULL;
	check_call(only_record(h), site, DATA_OUT, "the whole SSL write", 19);
}

/* A plain PR_Write after a TLS call that never returned (longjmp): its
 * return finishes nothing; the next SSL write is captured. */
static void nss_plain_write_after_escape(void **state)
{
	struct harness *h = *state;
	int site = nss_site(h);
	struct fake_pr_fds f;
	jmp_buf env;

	c_site(h, "fake_send_escape", DATA_OUT, LEN_RET64, LOC_NONE);
	fake_pr_fds_init(&f);
	if (!setjmp(env))
		fake_send_escape(&no_socket, "escaped", 7, &env);
	check_eq(fake_pr_write(&f.plain, "plain after", 11), 11);
	check_no_record(h);
	check_eq(fake_pr_write(&f.ssl, "next SSL write", 14), 14);
	check_call(only_record(h), site, DATA_OUT, "next SSL write", 14);
}

/* ---- targets ---- */

/* The probes fire in every process running this binary; only targets'
 * calls are captured: a forked child (not in target_pids) is not. */
static void untargeted_process_not_captured(void **state)
{
	struct harness *h = *state;
	int site = c_site(h, "fake_send", DATA_OUT, LEN_RET64, LOC_NONE);
	int status;
	pid_t child = fork();

	assert_true(child >= 0);
	if (!child)
		_exit(fake_send(&no_socket, "child", 5) == 5 ? 0 : 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	check_no_record(h);
	check_eq(fake_send(&no_socket, "parent", 6), 6);
	check_call(only_record(h), site, DATA_OUT, "parent", 6);
}

/* The planner reads code from the file, not through a mapping of it: the
 * kernel puts every uprobe registered on a file into each new mapping, and
 * the planner would decode another tracer's int3 (and fall back). */
static void planner_reads_the_code_under_a_probe(void **state)
{
	struct harness *h = *state;
	uint64_t vaddr, size, offset;
	struct elf_image *img;
	struct x86_instr in;
	uint8_t on_disk = 0;
	int fd;

	c_site(h, "fake_write", DATA_OUT, LEN_RET32, LOC_NONE);
	img = elf_image_open(h->exe);
	assert_non_null(img);
	assert_int_equal(elf_image_func(img, "fake_write", &vaddr, &size), 0);
	assert_int_equal(elf_image_func_offset(img, "fake_write", &offset), 0);
	assert_int_equal(x86_decode_one(img, vaddr, &in), 0);
	fd = open(h->exe, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &on_disk, 1, (off_t)offset), 1);
	close(fd);
	check_eq(in.bytes[0], on_disk);
	assert_true(in.bytes[0] != 0xcc); /* int3 */
	elf_image_close(img);
}

#define BPF_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BPF_TEST(ret32_call),
		BPF_TEST(ret64_call),
		BPF_TEST(out_ptr_call),
		BPF_TEST(ret_rdx_call),
		BPF_TEST(read_call),
		BPF_TEST(nested_call),
		BPF_TEST(escaped_call_replaced),
		BPF_TEST(escaped_call_then_deeper),
		BPF_TEST(fd_cache),
		BPF_TEST(socket_wins_over_log_fd),
		BPF_TEST(fd_reused_for_new_connection),
		BPF_TEST(memory_bio_sessions),
		BPF_TEST(memory_bio_exact),
		BPF_TEST(pipe_transport_fd),
		BPF_TEST(multi_chunk_call),
		cmocka_unit_test_setup_teardown(loss_accounting, setup_small_ring, teardown),
		BPF_TEST(nss_ssl_layer_only),
		BPF_TEST(nss_plain_write_inside),
		BPF_TEST(nss_plain_write_after_escape),
		BPF_TEST(untargeted_process_not_captured),
		BPF_TEST(planner_reads_the_code_under_a_probe),
	};

	/* Not a skip: without root these tests cannot run, and that fails. */
	if (geteuid() != 0) {
		fprintf(stderr, "test_bpf_calls: needs root (BPF programs, uprobes)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
