// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the comparator. Each test builds an oracle and a trace of the
 * same conversation in code, breaks the trace in one way, and checks that
 * exactly the checks concerned by that kind of breakage react. */
#define _POSIX_C_SOURCE 200809L	/* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compare.h"
#include "redact.h"
#include "assert.h"
#include "records.h"

/* The fixture: ns pid 100 ("client"), whose main thread writes three calls
 * and reads two on fd 3, and whose thread 101 writes one call on fd 4. The
 * tracer sees host pid 5100. The socket of fd N is 127.0.0.1:4000N ->
 * 127.0.0.1:4433, which is how failures name its streams. */
#define NSPID 100
#define HOST_PID 5100
#define COMM "client"
#define CONN3 "pid 100 conn 127.0.0.1:40003->127.0.0.1:4433"
#define CONN4 "pid 100 conn 127.0.0.1:40004->127.0.0.1:4433"

struct call_spec {
	int nstid;
	enum record_dir dir;
	int fd;
	size_t len;
};

static const struct call_spec conversation[] = {
	{ 100, DIR_OUT, 3, 5 },
	{ 100, DIR_IN, 3, 17 },
	{ 100, DIR_OUT, 3, 4096 },
	{ 101, DIR_OUT, 4, 300 },
	{ 100, DIR_OUT, 3, 3 },
	{ 100, DIR_IN, 3, 1000 },
};
#define N_CALLS (sizeof(conversation) / sizeof(conversation[0]))

struct fixture {
	struct record_set oracle, trace;
	struct check_result res[N_CHECKS];
};

/* Byte i of a call's payload: differs between calls and within a call. */
static uint8_t payload_byte(size_t call, size_t i)
{
	return (call * 31 + i * 7) & 0xff;
}

/* The host tid the tracer sees for ns tid nstid. */
static int host_tid(int nstid)
{
	return HOST_PID + nstid - NSPID;
}

/* A call of pid 100 on socket 127.0.0.1:lport -> 127.0.0.1:4433, whose
 * payload is that of conversation call `call` (or any other number). */
static struct record *push_data(struct record_set *set, size_t call, uint64_t ts, int nstid,
				enum record_dir dir, int fd, int lport, size_t len, bool host_view)
{
	struct record *rec = push(set);

	rec->type = RECORD_DATA;
	rec->ts_ns = ts;
	rec->nspid = NSPID;
	rec->nstid = nstid;
	rec->pid = host_view ? HOST_PID : NSPID;
	rec->tid = host_view ? host_tid(nstid) : nstid;
	snprintf(rec->comm, sizeof(rec->comm), COMM);
	snprintf(rec->func, sizeof(rec->func), dir == DIR_OUT ? "SSL_write" : "SSL_read");
	rec->dir = dir;
	rec->fd = fd;
	snprintf(rec->laddr, sizeof(rec->laddr), "127.0.0.1:%d", lport);
	snprintf(rec->raddr, sizeof(rec->raddr), "127.0.0.1:4433");
	rec->len = len;
	rec->data = malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		rec->data[i] = payload_byte(call, i);
	return rec;
}

static struct record *push_call(struct record_set *set, size_t call, bool host_view)
{
	const struct call_spec *c = &conversation[call];

	return push_data(set, call, 1000 * (call + 1), c->nstid, c->dir, c->fd, 40000 + c->fd,
			 c->len, host_view);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	for (size_t i = 0; i < N_CALLS; i++) {
		push_call(&fx->oracle, i, false);
		push_call(&fx->trace, i, true);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	record_set_free(&fx->oracle);
	record_set_free(&fx->trace);
	free(fx);
	return 0;
}

static struct check_result *compare(struct fixture *fx)
{
	compare_records(&fx->oracle, &fx->trace, fx->res);
	return fx->res;
}

/* The trace record of conversation call i (setup pushes them in order). */
static struct record *trace_call(struct fixture *fx, size_t i)
{
	return &fx->trace.v[i];
}

static void remove_trace_record(struct fixture *fx, size_t i)
{
	record_free(&fx->trace.v[i]);
	memmove(&fx->trace.v[i], &fx->trace.v[i + 1], (fx->trace.n - i - 1) * sizeof(fx->trace.v[0]));
	fx->trace.n--;
}

static void assert_verdict(const struct check_result *res, enum check_id id, enum verdict want)
{
	if (res[id].verdict != want)
		print_error("check %s: expected %s, got %s (detail \"%s\")\n", check_name(id),
			    verdict_name(want), verdict_name(res[id].verdict), res[id].detail);
	assert_int_equal(res[id].verdict, want);
	if (want == VERDICT_PASS)
		assert_string_equal(res[id].detail, "");
	else
		assert_true(res[id].detail[0] != '\0');
}

/* Check id is SKIP, saying why; then marked PASS, so that
 * assert_only_failing can look at the others. */
static void assert_skipped(struct check_result *res, enum check_id id, const char *why)
{
	assert_verdict(res, id, VERDICT_SKIP);
	assert_contains(res[id].detail, why);
	res[id].verdict = VERDICT_PASS;
	res[id].detail[0] = '\0';
}

/* All checks PASS except those listed (terminated by N_CHECKS), which FAIL. */
static void assert_only_failing(const struct check_result *res, ...)
{
	bool failing[N_CHECKS] = { false };
	va_list ap;

	va_start(ap, res);
	for (int id = va_arg(ap, int); id != N_CHECKS; id = va_arg(ap, int))
		failing[id] = true;
	va_end(ap);
	for (int id = 0; id < N_CHECKS; id++)
		assert_verdict(res, id, failing[id] ? VERDICT_FAIL : VERDICT_PASS);
}

static void test_identical(void **state)
{
	assert_only_failing(compare(*state), N_CHECKS);
}

/* Call order comes from ts_ns, not from where a record sits in the file. */
static void test_trace_order_irrelevant(void **state)
{
	struct fixture *fx = *state;
	struct record tmp;

	for (size_t i = 0; i < fx->trace.n / 2; i++) {
		tmp = fx->trace.v[i];
		fx->trace.v[i] = fx->trace.v[fx->trace.n - 1 - i];
		fx->trace.v[fx->trace.n - 1 - i] = tmp;
	}
	assert_only_failing(compare(fx), N_CHECKS);
}

static void test_flipped_byte(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	/* Byte 10 of call 2: offset 5 + 10 in thread 100's out stream;
	 * payload_byte(2, 10) = 62 + 70 = 0x84, flipped 0xa4. */
	trace_call(fx, 2)->data[10] ^= 0x20;
	res = compare(fx);
	assert_only_failing(res, CHECK_BYTES, N_CHECKS);
	assert_contains(res[CHECK_BYTES].detail, CONN3 " out: offset 15: ");
	assert_string_equal(res[CHECK_BYTES].detail,
			    CONN3 " out: offset 15: expected 0x84, got 0xa4 (fd 3)");
	/* The same, as facts: both bytes, 15 before and 16 after (the stream
	 * starts at 0), and the cell's totals. */
	assert_true(res[CHECK_BYTES].facts.has_offset);
	assert_int_equal(res[CHECK_BYTES].facts.offset, 15);
	assert_true(res[CHECK_BYTES].facts.has_expected_byte);
	assert_true(res[CHECK_BYTES].facts.has_captured_byte);
	assert_int_equal(res[CHECK_BYTES].facts.expected_byte, 0x84);
	assert_int_equal(res[CHECK_BYTES].facts.captured_byte, 0xa4);
	assert_int_equal(res[CHECK_BYTES].facts.context_start, 0);
	assert_int_equal(res[CHECK_BYTES].facts.n_expected_context, 32);
	assert_int_equal(res[CHECK_BYTES].facts.n_captured_context, 32);
	assert_int_equal(res[CHECK_BYTES].facts.expected_context[0], payload_byte(0, 0));
	assert_int_equal(res[CHECK_BYTES].facts.expected_context[15], 0x84);
	assert_int_equal(res[CHECK_BYTES].facts.captured_context[15], 0xa4);
	assert_int_equal(res[CHECK_BYTES].facts.captured_context[16], payload_byte(2, 11));
	assert_true(res[CHECK_BYTES].facts.has_totals);
	assert_int_equal(res[CHECK_BYTES].facts.bytes_expected, 5421);
	assert_int_equal(res[CHECK_BYTES].facts.bytes_captured, 5421);
	assert_int_equal(res[CHECK_BYTES].facts.bytes_lost, 0);
	assert_false(res[CHECK_FD].facts.has_fd);
	assert_false(res[CHECK_BOUNDARIES].facts.has_offset);
}

/* The trace's out stream of fd 3 ends 3 bytes early (its last call is
 * missing): the first difference is where it ends, with no captured byte. */
static void test_short_stream_facts(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	remove_trace_record(fx, 4);
	res = compare(fx);
	assert_string_equal(res[CHECK_BYTES].detail,
			    CONN3 " out: trace has 4101 of 4104 bytes (fd 3)");
	assert_true(res[CHECK_BYTES].facts.has_offset);
	assert_int_equal(res[CHECK_BYTES].facts.offset, 4101);
	assert_true(res[CHECK_BYTES].facts.has_expected_byte);
	assert_false(res[CHECK_BYTES].facts.has_captured_byte);
	assert_int_equal(res[CHECK_BYTES].facts.expected_byte, payload_byte(4, 0));
	assert_int_equal(res[CHECK_BYTES].facts.context_start, 4085);
	assert_int_equal(res[CHECK_BYTES].facts.n_expected_context, 19);
	assert_int_equal(res[CHECK_BYTES].facts.n_captured_context, 16);
	assert_int_equal(res[CHECK_BYTES].facts.bytes_expected, 5421);
	assert_int_equal(res[CHECK_BYTES].facts.bytes_captured, 5418);
	assert_true(res[CHECK_LOSS].facts.has_totals);
	assert_int_equal(res[CHECK_LOSS].facts.bytes_captured, 5418);
	assert_int_equal(res[CHECK_LOSS].facts.bytes_lost, 0);
}

static void test_dropped_event(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	remove_trace_record(fx, 2);
	res = compare(fx);
	assert_verdict(res, CHECK_BYTES, VERDICT_FAIL);
	assert_verdict(res, CHECK_BOUNDARIES, VERDICT_FAIL);
	assert_contains(res[CHECK_BYTES].detail, CONN3 " out: offset 5: ");
	assert_contains(res[CHECK_BOUNDARIES].detail, CONN3 " out: call 1: expected 4096 bytes, got 3");
	/* Nothing said the event was lost. */
	assert_verdict(res, CHECK_LOSS, VERDICT_FAIL);
	assert_contains(res[CHECK_LOSS].detail, "silent loss");
}

static void test_stream_missing(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	remove_trace_record(fx, 3);	/* thread 101's only call */
	res = compare(fx);
	assert_contains(res[CHECK_BYTES].detail,
			CONN4 " out: missing from the trace (300 bytes expected, fd 4)");
	assert_contains(res[CHECK_PROCESS].detail, "pid 100 tid 101 (client): no trace events");
	assert_contains(res[CHECK_LOSS].detail, "silent loss: 300 bytes");
	assert_verdict(res, CHECK_FD, VERDICT_PASS);
}

/* Trace calls a and b reported as one call, at a's place. */
static void merge_trace_calls(struct fixture *fx, size_t a, size_t b)
{
	struct record *first = trace_call(fx, a), *second = trace_call(fx, b);
	uint8_t *joined = malloc(first->len + second->len);

	memcpy(joined, first->data, first->len);
	memcpy(joined + first->len, second->data, second->len);
	free(first->data);
	first->data = joined;
	first->len += second->len;
	remove_trace_record(fx, b);
}

static void test_split_differently(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	/* Calls 0 and 2 (5 and 4096 bytes, out) reported as one call. */
	merge_trace_calls(fx, 0, 2);
	res = compare(fx);
	assert_only_failing(res, CHECK_BOUNDARIES, N_CHECKS);
	assert_string_equal(res[CHECK_BOUNDARIES].detail,
			    CONN3 " out: call 0: expected 5 bytes, got 4101");
}

/* Trace call i split in two: its first `at` bytes, then the rest, 1 ns later. */
static void split_trace_call(struct fixture *fx, size_t i, size_t at)
{
	struct record *whole = trace_call(fx, i), *tail;
	struct record copy = *whole;

	tail = push(&fx->trace);
	whole = trace_call(fx, i); /* (push may move the set) */
	copy = *whole;
	*tail = copy;
	tail->data = malloc(copy.len - at + 1);
	memcpy(tail->data, copy.data + at, copy.len - at);
	tail->len = copy.len - at;
	tail->ts_ns = copy.ts_ns + 1;
	whole->len = at;
}

static struct check_result *compare_split(struct fixture *fx)
{
	struct compare_opts opts = { .split_calls = 1 };

	compare_records_opts(&fx->oracle, &fx->trace, &opts, fx->res);
	return fx->res;
}

/* split-calls (tokio-rustls over rustls's sink): one application write is
 * several probed calls; their bytes in order are the write's. */
static void test_split_calls_allowed(void **state)
{
	struct fixture *fx = *state;

	split_trace_call(fx, 2, 1000); /* the 4096-byte write: 1000 + 3096 */
	assert_only_failing(compare(fx), CHECK_BOUNDARIES, N_CHECKS);
	assert_only_failing(compare_split(fx), N_CHECKS);
}

/* ... but two application calls merged into one probed call still fail. */
static void test_split_calls_merged(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	merge_trace_calls(fx, 0, 2);
	res = compare_split(fx);
	assert_only_failing(res, CHECK_BOUNDARIES, N_CHECKS);
	assert_contains(res[CHECK_BOUNDARIES].detail,
			CONN3 " out: call 0: expected 5 bytes, trace calls 0..0 (of 2) hold 4101");
}

static void test_wrong_fd(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	trace_call(fx, 5)->fd = 7;
	res = compare(fx);
	assert_only_failing(res, CHECK_FD, N_CHECKS);
	assert_string_equal(res[CHECK_FD].detail, CONN3 " in: call 1: expected fd 3, got 7");
	assert_true(res[CHECK_FD].facts.has_fd);
	assert_int_equal(res[CHECK_FD].facts.fd_expected, 3);
	assert_int_equal(res[CHECK_FD].facts.fd_seen, 7);

	/* The fd of the other connection: the addresses say which it is. */
	trace_call(fx, 5)->fd = 4;
	res = compare(fx);
	assert_only_failing(res, CHECK_FD, N_CHECKS);
	assert_string_equal(res[CHECK_FD].detail, CONN3 " in: call 1: expected fd 3, got 4");
}

static void test_no_fd_in_trace(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	for (size_t i = 0; i < fx->trace.n; i++)
		fx->trace.v[i].fd = -1;
	res = compare(fx);
	assert_skipped(res, CHECK_FD, "no fd");
	assert_only_failing(res, N_CHECKS);	/* the others are unaffected */
}

static void test_addresses(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	/* The same address, as a dual-stack socket reports it. */
	snprintf(trace_call(fx, 0)->raddr, sizeof(trace_call(fx, 0)->raddr), "[::ffff:127.0.0.1]:04433");
	assert_only_failing(compare(fx), N_CHECKS);

	snprintf(trace_call(fx, 4)->raddr, sizeof(trace_call(fx, 4)->raddr), "127.0.0.2:4433");
	res = compare(fx);
	assert_only_failing(res, CHECK_ADDRESSES, N_CHECKS);
	assert_string_equal(res[CHECK_ADDRESSES].detail,
			    CONN3 " out: call 2: expected raddr \"127.0.0.1:4433\", got \"127.0.0.2:4433\"");

	for (size_t i = 0; i < fx->trace.n; i++)
		fx->trace.v[i].laddr[0] = fx->trace.v[i].raddr[0] = '\0';
	assert_verdict(compare(fx), CHECK_ADDRESSES, VERDICT_SKIP);
}

/* Call 2 (4096 bytes) delivered 1000 bytes, the rest is reported lost. */
static void lose_part_of_call_2(struct fixture *fx, bool report)
{
	struct record *rec = trace_call(fx, 2), *loss;

	rec->len = 1000;
	if (!report)
		return;
	loss = push(&fx->trace);
	*loss = *rec;
	loss->data = NULL;
	loss->type = RECORD_LOSS;
	loss->len = 4096;
	loss->offset = 1000;
	loss->lost = 3096;
}

static void test_reported_loss(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	lose_part_of_call_2(fx, true);
	res = compare(fx);
	/* Missing is missing; but it was reported, and the lossy call still has
	 * its length, so later calls stay aligned. */
	assert_only_failing(res, CHECK_BYTES, N_CHECKS);
	/* Where call 2's byte 1000 was expected (payload_byte(2, 1000) = 7062
	 * & 0xff = 0x96), call 4's byte 0 came (payload_byte(4, 0) = 0x7c). */
	assert_string_equal(res[CHECK_BYTES].detail,
			    CONN3 " out: offset 1005: expected 0x96, got 0x7c (fd 3)");
	assert_int_equal(res[CHECK_BYTES].facts.offset, 1005);
	assert_int_equal(res[CHECK_BYTES].facts.context_start, 989);
	assert_int_equal(res[CHECK_LOSS].facts.bytes_expected, 5421);
	assert_int_equal(res[CHECK_LOSS].facts.bytes_captured, 5421 - 3096);
	assert_int_equal(res[CHECK_LOSS].facts.bytes_lost, 3096);
}

static void test_silent_loss(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	lose_part_of_call_2(fx, false);
	res = compare(fx);
	assert_verdict(res, CHECK_BYTES, VERDICT_FAIL);
	assert_verdict(res, CHECK_LOSS, VERDICT_FAIL);
	assert_string_equal(res[CHECK_LOSS].detail,
			    CONN3 " out: silent loss: 3096 bytes (3096 missing, 0 reported lost)");
}

/* A whole call lost, reported by a loss record alone. */
static void test_loss_record_alone(void **state)
{
	struct fixture *fx = *state;
	struct record *rec = trace_call(fx, 2);

	free(rec->data);
	rec->data = NULL;
	rec->type = RECORD_LOSS;
	rec->lost = rec->len;
	assert_only_failing(compare(fx), CHECK_BYTES, N_CHECKS);
}

/* A notice about the fixture's process (no call, no connection). */
static struct record *push_notice(struct record_set *set, enum record_type type, uint64_t ts,
				  const char *reason)
{
	struct record *rec = push(set);

	rec->type = type;
	rec->ts_ns = ts;
	rec->pid = HOST_PID;
	rec->tid = HOST_PID;
	rec->nspid = NSPID;
	rec->nstid = NSPID;
	rec->fd = -1;
	snprintf(rec->comm, sizeof(rec->comm), COMM);
	snprintf(rec->reason, sizeof(rec->reason), "%s", reason);
	return rec;
}

/* The first three calls were made before the tracer attached (calls are
 * at ts 1000, 2000 …; attached at 3500): it says so, so missing them is
 * reported, not silent, though the bytes still differ. */
static void test_attached_late_covers_earlier_calls(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	for (int i = 0; i < 3; i++)
		remove_trace_record(fx, 0);
	push_notice(&fx->trace, RECORD_LOSS, 3500, "attached late: 9 socket reads/writes");
	res = compare(fx);
	assert_verdict(res, CHECK_LOSS, VERDICT_PASS);
	assert_verdict(res, CHECK_BYTES, VERDICT_FAIL);
}

/* A call after the attach moment that is missing is silent loss still. */
static void test_attached_late_not_after(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	remove_trace_record(fx, 4); /* ts 5000, 3 bytes on fd 3 */
	push_notice(&fx->trace, RECORD_LOSS, 3500, "attached late: 9 socket reads/writes");
	res = compare(fx);
	assert_verdict(res, CHECK_LOSS, VERDICT_FAIL);
	assert_contains(res[CHECK_LOSS].detail, "silent loss: 3 bytes");
}

/* A loss record without that reason covers nothing by its time. */
static void test_other_reason_is_no_late_notice(void **state)
{
	struct fixture *fx = *state;

	remove_trace_record(fx, 0);
	push_notice(&fx->trace, RECORD_LOSS, 3500, "something else");
	assert_verdict(compare(fx), CHECK_LOSS, VERDICT_FAIL);
}

/* The tracer says it cannot trace the fixture's process: what fails is
 * not judged, and says why; what passes stays PASS. */
static void test_skip_record(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	while (fx->trace.n)
		remove_trace_record(fx, 0);
	push_notice(&fx->trace, RECORD_SKIP, 10, "BoringSSL without symbols");
	res = compare(fx);
	assert_skipped(res, CHECK_BYTES, "cannot trace client pid 100: BoringSSL without symbols");
	assert_skipped(res, CHECK_LOSS, "BoringSSL without symbols");
	assert_verdict(res, CHECK_BOUNDARIES, VERDICT_SKIP);
}

/* A skip record about another process changes nothing. */
static void test_skip_record_of_other_process(void **state)
{
	struct fixture *fx = *state;
	struct record *rec;

	remove_trace_record(fx, 0);
	rec = push_notice(&fx->trace, RECORD_SKIP, 10, "not ours");
	rec->nspid = NSPID + 7;
	assert_verdict(compare(fx), CHECK_BYTES, VERDICT_FAIL);
}

static void test_truncated_stream(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	remove_trace_record(fx, 4);	/* the last out call of thread 100: 3 bytes */
	res = compare(fx);
	assert_string_equal(res[CHECK_BYTES].detail,
			    CONN3 " out: trace has 4101 of 4104 bytes (fd 3)");
	assert_string_equal(res[CHECK_BOUNDARIES].detail,
			    CONN3 " out: trace has 2 calls, expected 3");
}

static void test_unrelated_processes_ignored(void **state)
{
	struct fixture *fx = *state;
	struct record *rec;

	/* Same ns pid, other comm: pid 100 of another container. */
	rec = push_call(&fx->trace, 0, true);
	snprintf(rec->comm, sizeof(rec->comm), "nginx");
	rec->pid = 777;
	/* Same comm, other ns pid. */
	rec = push_call(&fx->trace, 1, true);
	rec->nspid = rec->nstid = 200;
	rec->fd = 9;
	assert_only_failing(compare(fx), N_CHECKS);
}

/* A connection of the fixture that wrote no transcript, on a thread that
 * wrote none either: a stream of its own, and its bytes are not expected. */
static void test_extra_stream(void **state)
{
	struct fixture *fx = *state;
	struct record *rec = push_call(&fx->trace, 1, true);
	struct check_result *res;

	rec->nstid = 102;
	rec->tid = HOST_PID + 2;
	rec->fd = 9;
	snprintf(rec->laddr, sizeof(rec->laddr), "127.0.0.1:40009");
	res = compare(fx);
	assert_verdict(res, CHECK_BYTES, VERDICT_FAIL);
	assert_string_equal(res[CHECK_BYTES].detail,
			    "pid 100 conn 127.0.0.1:40009->127.0.0.1:4433 in: trace has 17 bytes not in the transcript (fd 9)");
	assert_verdict(res, CHECK_BOUNDARIES, VERDICT_FAIL);
	assert_string_equal(res[CHECK_BOUNDARIES].detail,
			    "pid 100 conn 127.0.0.1:40009->127.0.0.1:4433 in: trace has 1 calls not in the transcript");
}

/* Moves the trace's calls 1 (in) and 2 (out) of fd 3 to thread 102, as a
 * Go or tokio runtime does with a connection between two calls. */
static void move_calls_to_thread_102(struct fixture *fx)
{
	for (size_t i = 1; i <= 2; i++) {
		trace_call(fx, i)->nstid = 102;
		trace_call(fx, i)->tid = host_tid(102);
	}
}

/* The fixture's runtime cannot say which thread made a call (tid -1): the
 * connection is the stream, wherever its calls ran. */
static void test_connection_moves_between_threads(void **state)
{
	struct fixture *fx = *state;

	move_calls_to_thread_102(fx);
	for (size_t i = 0; i < fx->oracle.n; i++) {
		if (fx->oracle.v[i].fd == 3)
			fx->oracle.v[i].nstid = fx->oracle.v[i].tid = -1;
	}
	assert_only_failing(compare(fx), N_CHECKS);
}

/* The fixture pins its connections to threads: a call on another thread is
 * a process failure, though the connection's bytes are right. */
static void test_call_on_wrong_thread(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	move_calls_to_thread_102(fx);
	res = compare(fx);
	assert_only_failing(res, CHECK_PROCESS, N_CHECKS);
	/* Call 2 is call 1 of the out stream, call 1 call 0 of the in stream. */
	assert_string_equal(res[CHECK_PROCESS].detail,
			    CONN3 " out: call 1: expected tid 100, got 102 (and 1 more problems)");
}

/* A wrong local address with the right fd: the calls still land on their
 * connection, so it is the addresses check that fails, not bytes. */
static void test_wrong_addresses_right_fd(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	for (size_t i = 0; i < fx->trace.n; i++) {
		struct record *rec = &fx->trace.v[i];

		if (rec->fd == 3)
			snprintf(rec->laddr, sizeof(rec->laddr), "127.0.0.1:50003");
	}
	res = compare(fx);
	assert_only_failing(res, CHECK_ADDRESSES, N_CHECKS);
	assert_string_equal(res[CHECK_ADDRESSES].detail,
			    CONN3 " out: call 0: expected laddr \"127.0.0.1:40003\", got "
			    "\"127.0.0.1:50003\" (and 4 more calls differ)");

	/* Where the fixture cannot name the thread, the fd alone says it. */
	for (size_t i = 0; i < fx->oracle.n; i++) {
		if (fx->oracle.v[i].fd == 3)
			fx->oracle.v[i].nstid = fx->oracle.v[i].tid = -1;
	}
	res = compare(fx);
	assert_only_failing(res, CHECK_ADDRESSES, N_CHECKS);
}

/* A fixture that gives no addresses: its connections are its fds. */
static void test_fixture_without_addresses(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	for (size_t i = 0; i < fx->oracle.n; i++)
		fx->oracle.v[i].laddr[0] = fx->oracle.v[i].raddr[0] = '\0';
	res = compare(fx);
	assert_skipped(res, CHECK_ADDRESSES, "fixture reports no addresses");
	assert_only_failing(res, N_CHECKS);

	trace_call(fx, 2)->data[10] ^= 0x20;	/* as in test_flipped_byte */
	res = compare(fx);
	assert_string_equal(res[CHECK_BYTES].detail,
			    "pid 100 fd 3 out: offset 15: expected 0x84, got 0xa4 (fd 3)");
}

/* Two connections one after the other on fd 5 of thread 100 (the first
 * closed, its fd reused): 127.0.0.1:50001 over [1000, 3000], then
 * 127.0.0.1:50002 over [10000, 12000]. The trace has no addresses and stamps
 * each call 500 ns later than the fixture, so A's last call and B's last
 * call fall outside their spans: each must go to the nearest connection. */
static void reuse_fd(struct fixture *fx, int trace_fd)
{
	static const struct { uint64_t ts; enum record_dir dir; int lport; size_t len; } calls[] = {
		{ 1000, DIR_OUT, 50001, 10 }, { 2000, DIR_IN, 50001, 20 },
		{ 3000, DIR_OUT, 50001, 30 }, { 10000, DIR_OUT, 50002, 40 },
		{ 11000, DIR_IN, 50002, 50 }, { 12000, DIR_OUT, 50002, 60 },
	};

	record_set_free(&fx->oracle);
	record_set_free(&fx->trace);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct record *rec;

		push_data(&fx->oracle, i, calls[i].ts, 100, calls[i].dir, 5, calls[i].lport,
			  calls[i].len, false);
		rec = push_data(&fx->trace, i, calls[i].ts + 500, 100, calls[i].dir, trace_fd,
				calls[i].lport, calls[i].len, true);
		rec->laddr[0] = rec->raddr[0] = '\0';
	}
}

static void test_fd_reused_over_time(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	reuse_fd(fx, 5);	/* assigned by fd, then by time */
	res = compare(fx);
	assert_skipped(res, CHECK_ADDRESSES, "trace reports no addresses");
	assert_only_failing(res, N_CHECKS);

	reuse_fd(fx, -1);	/* no fd either: by thread, then by time */
	res = compare(fx);
	assert_skipped(res, CHECK_FD, "trace reports no fd");
	assert_skipped(res, CHECK_ADDRESSES, "trace reports no addresses");
	assert_only_failing(res, N_CHECKS);
}

/* A tracer that knows neither fd nor addresses (a bpftrace script) is
 * matched by thread; a thread the fixture never used is a stream of its
 * own, named by its thread. */
static void test_no_fd_no_addresses(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;
	struct record *rec;

	for (size_t i = 0; i < fx->trace.n; i++) {
		fx->trace.v[i].fd = -1;
		fx->trace.v[i].laddr[0] = fx->trace.v[i].raddr[0] = '\0';
	}
	res = compare(fx);
	assert_skipped(res, CHECK_FD, "trace reports no fd");
	assert_skipped(res, CHECK_ADDRESSES, "trace reports no addresses");
	assert_only_failing(res, N_CHECKS);

	rec = push_data(&fx->trace, 1, 2000, 102, DIR_IN, -1, 0, 17, true);
	rec->laddr[0] = rec->raddr[0] = '\0';
	res = compare(fx);
	assert_string_equal(res[CHECK_BYTES].detail,
			    "pid 100 tid 102 in: trace has 17 bytes not in the transcript (fd -1)");

	rec->fd = 9;	/* an fd the fixture never used names it instead */
	res = compare(fx);
	assert_string_equal(res[CHECK_BYTES].detail,
			    "pid 100 fd 9 in: trace has 17 bytes not in the transcript (fd 9)");
}

static void test_process_ids(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	trace_call(fx, 4)->tid = HOST_PID + 50;
	res = compare(fx);
	assert_only_failing(res, CHECK_PROCESS, N_CHECKS);
	assert_string_equal(res[CHECK_PROCESS].detail,
			    "pid 100 tid 100: trace reports host pid/tid 5100/5100 and 5100/5150");

	trace_call(fx, 4)->tid = HOST_PID;
	trace_call(fx, 3)->pid = 0;
	res = compare(fx);
	assert_only_failing(res, CHECK_PROCESS, N_CHECKS);
	assert_contains(res[CHECK_PROCESS].detail, "host pid 0");
}

static void test_wrong_comm(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	for (size_t i = 0; i < fx->trace.n; i++)
		snprintf(fx->trace.v[i].comm, sizeof(fx->trace.v[i].comm), "clien");
	res = compare(fx);
	assert_verdict(res, CHECK_PROCESS, VERDICT_FAIL);
	assert_contains(res[CHECK_PROCESS].detail,
			"pid 100 tid 100 (client): no trace events; trace has pid 100 tid 100 with comm \"clien\"");
	assert_contains(res[CHECK_PROCESS].detail, "(and 1 more problems)");
}

/* A call that moved no bytes (a read that hit EOF) is reported by some
 * tracers and not by others: neither side may require it of the other. */
static void test_empty_calls_ignored(void **state)
{
	struct fixture *fx = *state;
	struct record *rec;

	rec = push_call(&fx->oracle, 1, false);
	rec->nstid = rec->tid = 103;	/* a thread whose only call read nothing */
	rec->len = 0;
	rec = push_call(&fx->trace, 5, true);
	rec->len = 0;
	rec->ts_ns++;
	assert_only_failing(compare(fx), N_CHECKS);
}

static void test_empty_oracle(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	record_set_free(&fx->oracle);
	res = compare(fx);
	for (int id = 0; id < N_CHECKS; id++) {
		assert_verdict(res, id, VERDICT_SKIP);
		assert_string_equal(res[id].detail, "fixture wrote no transcript");
	}
}

static void test_empty_trace(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	record_set_free(&fx->trace);
	res = compare(fx);
	assert_verdict(res, CHECK_BYTES, VERDICT_FAIL);
	assert_verdict(res, CHECK_BOUNDARIES, VERDICT_FAIL);
	assert_verdict(res, CHECK_PROCESS, VERDICT_FAIL);
	assert_verdict(res, CHECK_LOSS, VERDICT_FAIL);
	assert_contains(res[CHECK_BYTES].detail, "(and 2 more streams differ)");
}

/* ---- loading ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

#define LINE(ts) "{\"type\":\"data\",\"ts_ns\":" #ts ",\"pid\":1,\"tid\":1,\"dir\":\"out\",\"len\":3,\"data\":\"Zm9v\"}\n"

static void test_load(void **state)
{
	char dir[] = "/tmp/test_compare.XXXXXX", path[4096], err[512] = "";
	struct record_set set = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/b.jsonl", dir);
	write_file(path, LINE(2) "\n  \n" LINE(3));
	snprintf(path, sizeof(path), "%s/a.jsonl", dir);
	write_file(path, LINE(1));
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	write_file(path, "not json\n");

	assert_int_equal(record_set_load_dir(&set, dir, err, sizeof(err)), 0);
	assert_int_equal(set.n, 3);
	assert_int_equal(set.v[0].ts_ns, 1);	/* a.jsonl first */
	assert_int_equal(set.v[2].ts_ns, 3);
	assert_memory_equal(set.v[2].data, "foo", 3);

	/* An error names file and line and leaves the set as it was. */
	snprintf(path, sizeof(path), "%s/c.jsonl", dir);
	write_file(path, LINE(4) "\n" LINE(5) "{\"type\":\"data\"}\n");
	assert_int_equal(record_set_load_file(&set, path, err, sizeof(err)), -1);
	assert_contains(err, "/c.jsonl:4: field \"dir\": missing");
	assert_int_equal(set.n, 3);
	assert_int_equal(record_set_load_dir(&set, dir, err, sizeof(err)), -1);
	assert_int_equal(set.n, 3);
	assert_int_equal(record_set_load_file(&set, "/nonexistent.jsonl", err, sizeof(err)), -1);
	assert_contains(err, "/nonexistent.jsonl: ");

	record_set_free(&set);
	remove(path);
	snprintf(path, sizeof(path), "%s/a.jsonl", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/b.jsonl", dir);
	remove(path);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	remove(path);
	rmdir(dir);
}

static void test_check_names(void **state)
{
	(void)state;
	assert_string_equal(check_name(CHECK_BYTES), "bytes");
	assert_string_equal(check_name(CHECK_BOUNDARIES), "boundaries");
	assert_string_equal(check_name(CHECK_FD), "fd");
	assert_string_equal(check_name(CHECK_ADDRESSES), "addresses");
	assert_string_equal(check_name(CHECK_PROCESS), "process");
	assert_string_equal(check_name(CHECK_LOSS), "loss");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* ---- redacted traces (trace --redact): hashes instead of bytes ---- */

/* What trace --redact writes for each data record of the set: its hashes
 * of its bytes, and no bytes. */
static void redact_set(struct record_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct record *rec = &set->v[i];
		uint8_t *bytes = rec->data;

		if (rec->type != RECORD_DATA)
			continue;
		assert_int_equal(redact_record(rec, bytes), 0);
		free(bytes);
		assert_null(rec->data);
	}
}

static void test_redacted_identical(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	redact_set(&fx->trace);
	res = compare(fx);
	assert_only_failing(res, N_CHECKS);
	assert_int_equal(res[CHECK_BYTES].facts.bytes_captured, 5421);
}

/* One byte of call 2 (the second call of fd 3's out stream, at offset 5)
 * changed before it was hashed: bytes fails, naming that call, and only
 * bytes. */
static void test_redacted_flipped_byte(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	trace_call(fx, 2)->data[700] ^= 0x20;
	redact_set(&fx->trace);
	res = compare(fx);
	assert_only_failing(res, CHECK_BYTES, N_CHECKS);
	assert_string_equal(res[CHECK_BYTES].detail, CONN3 " out: call 1 (offset 5, 4096 bytes, "
			    "fd 3): SHA-256 differs from the transcript's bytes");
	/* No byte in the facts, neither side's (a redacted run's scorecard
	 * holds no plaintext): the totals only. */
	assert_false(res[CHECK_BYTES].facts.has_offset);
	assert_true(res[CHECK_BYTES].facts.has_totals);
	assert_false(res[CHECK_BYTES].facts.has_expected_byte);
	assert_false(res[CHECK_BYTES].facts.has_captured_byte);
	assert_int_equal(res[CHECK_BYTES].facts.n_expected_context, 0);
	assert_int_equal(res[CHECK_BYTES].facts.n_captured_context, 0);
}

/* A call of 40000 bytes on fd 4's stream (after call 3's 300): a change in
 * its byte 20000 is found in its second 16 KiB chunk. */
static void test_redacted_chunk_named(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	push_data(&fx->oracle, 9, 9000, 101, DIR_OUT, 4, 40004, 40000, false);
	push_data(&fx->trace, 9, 9000, 101, DIR_OUT, 4, 40004, 40000, true)->data[20000] ^= 1;
	redact_set(&fx->trace);
	res = compare(fx);
	assert_only_failing(res, CHECK_BYTES, N_CHECKS);
	assert_string_equal(res[CHECK_BYTES].detail, CONN4 " out: call 1 (offset 300, 40000 "
			    "bytes, fd 4): SHA-256 differs from the transcript's bytes; first in "
			    "bytes 16384..32767 of the call (chunk 1)");
}

/* Call 2 delivered its first 1000 bytes, the rest reported lost: the
 * prefix is judged by its hash (it is right), the missing bytes fail bytes
 * as they do unredacted, loss passes, and the call after the loss is
 * still hashed at its own place. */
static void test_redacted_partial_loss(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	lose_part_of_call_2(fx, true);
	redact_set(&fx->trace);
	res = compare(fx);
	assert_only_failing(res, CHECK_BYTES, N_CHECKS);
	assert_string_equal(res[CHECK_BYTES].detail, CONN3 " out: trace has 1008 of 4104 bytes (fd 3)");
	assert_int_equal(res[CHECK_LOSS].facts.bytes_lost, 3096);
}

/* The same, with the delivered prefix wrong: its hash names the call. */
static void test_redacted_partial_loss_prefix_wrong(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	lose_part_of_call_2(fx, true);
	trace_call(fx, 2)->data[999] ^= 1;
	redact_set(&fx->trace);
	res = compare(fx);
	assert_string_equal(res[CHECK_BYTES].detail, CONN3 " out: call 1 (offset 5, 1000 bytes, "
			    "fd 3): SHA-256 differs from the transcript's bytes");
}

/* A wrong call after a partial loss is found at its own offset (5 + 4096),
 * not shifted by the lost bytes. */
static void test_redacted_after_loss(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	lose_part_of_call_2(fx, true);
	trace_call(fx, 4)->data[0] ^= 1;
	redact_set(&fx->trace);
	res = compare(fx);
	assert_string_equal(res[CHECK_BYTES].detail, CONN3 " out: call 2 (offset 4101, 3 bytes, "
			    "fd 3): SHA-256 differs from the transcript's bytes");
}

/* A call past the transcript's end: named, at its offset. */
static void test_redacted_extra_call(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	push_data(&fx->trace, 4, 9000, 100, DIR_OUT, 3, 40003, 10, true);
	redact_set(&fx->trace);
	res = compare(fx);
	assert_verdict(res, CHECK_BYTES, VERDICT_FAIL);
	assert_string_equal(res[CHECK_BYTES].detail, CONN3 " out: call 3 (offset 4104, 10 bytes): "
			    "past the transcript's 4104 bytes (fd 3)");
}

/* A redacted transcript is no ground truth. */
static void test_redacted_transcript(void **state)
{
	struct fixture *fx = *state;
	struct check_result *res;

	redact_set(&fx->oracle);
	res = compare(fx);
	assert_false(res[CHECK_BYTES].facts.has_offset);
	assert_verdict(res, CHECK_BYTES, VERDICT_FAIL);
	assert_contains(res[CHECK_BYTES].detail, "the transcript is redacted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identical),
		T(test_trace_order_irrelevant),
		T(test_flipped_byte),
		T(test_dropped_event),
		T(test_stream_missing),
		T(test_split_differently),
		T(test_split_calls_allowed),
		T(test_split_calls_merged),
		T(test_wrong_fd),
		T(test_short_stream_facts),
		T(test_no_fd_in_trace),
		T(test_addresses),
		T(test_reported_loss),
		T(test_silent_loss),
		T(test_loss_record_alone),
		T(test_truncated_stream),
		T(test_unrelated_processes_ignored),
		T(test_extra_stream),
		T(test_connection_moves_between_threads),
		T(test_call_on_wrong_thread),
		T(test_wrong_addresses_right_fd),
		T(test_fixture_without_addresses),
		T(test_fd_reused_over_time),
		T(test_no_fd_no_addresses),
		T(test_process_ids),
		T(test_wrong_comm),
		T(test_empty_calls_ignored),
		T(test_empty_oracle),
		T(test_empty_trace),
		T(test_attached_late_covers_earlier_calls),
		T(test_attached_late_not_after),
		T(test_other_reason_is_no_late_notice),
		T(test_skip_record),
		T(test_skip_record_of_other_process),
		T(test_redacted_identical),
		T(test_redacted_flipped_byte),
		T(test_redacted_chunk_named),
		T(test_redacted_partial_loss),
		T(test_redacted_partial_loss_prefix_wrong),
		T(test_redacted_after_loss),
		T(test_redacted_extra_call),
		T(test_redacted_transcript),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_check_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
