// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the load check (conformance/loadcheck.c). Each test builds a
 * ground truth and a trace of the same calls in code, breaks the trace in one
 * way, and checks the figures and the verdict. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loadcheck.h"
#include "assert.h"
#include "records.h"

/* Process 100 ("tlsload", one thread) runs two connections one after the
 * other on fd 5 (the fd reused): 127.0.0.1:40001 then 127.0.0.1:40002, each
 * to 127.0.0.1:4433, and one on fd 6 (127.0.0.1:40003) in between. */
#define PID 100
#define COMM "tlsload"

struct call_spec {
	enum record_dir dir;
	int fd;
	int lport;
	size_t len;
};

static const struct call_spec calls[] = {
	{ DIR_OUT, 5, 40001, 100 },
	{ DIR_IN, 5, 40001, 100 },
	{ DIR_OUT, 6, 40003, 16385 },
	{ DIR_OUT, 5, 40002, 1 },   /* fd 5 again: a new connection */
	{ DIR_IN, 6, 40003, 16384 },
	{ DIR_IN, 6, 40003, 1 },
	{ DIR_IN, 5, 40002, 1 },
};
#define N_CALLS (sizeof(calls) / sizeof(calls[0]))

static uint64_t total_bytes(void)
{
	uint64_t n = 0;

	for (size_t i = 0; i < N_CALLS; i++)
		n += calls[i].len;
	return n;
}

/* A record of call i of pid (its ids, socket, time), without data. */
static struct record *push_call(struct record_set *set, int pid, size_t i,
				enum record_type type)
{
	struct record *r = push(set);

	r->type = type;
	r->ts_ns = 1000 + i * 10;
	r->pid = r->tid = r->nspid = r->nstid = pid;
	snprintf(r->comm, sizeof(r->comm), COMM);
	r->dir = calls[i].dir;
	r->fd = calls[i].fd;
	snprintf(r->laddr, sizeof(r->laddr), "127.0.0.1:%d", calls[i].lport);
	snprintf(r->raddr, sizeof(r->raddr), "127.0.0.1:4433");
	r->len = calls[i].len;
	return r;
}

/* Call i's first n bytes (payloads differ between calls). */
static void fill_data(struct record *r, size_t i, size_t n)
{
	r->len = n;
	r->data = malloc(n ? n : 1);
	assert_non_null(r->data);
	for (size_t k = 0; k < n; k++)
		r->data[k] = (uint8_t)(i * 37 + k * 11 + (k >> 8));
}

static struct record *push_data(struct record_set *set, int pid, size_t i)
{
	struct record *r = push_call(set, pid, i, RECORD_DATA);

	fill_data(r, i, calls[i].len);
	return r;
}

struct fixture {
	struct record_set truth, trace;
	struct load_report r;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	for (size_t i = 0; i < N_CALLS; i++)
		push_data(&f->truth, PID, i);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	record_set_free(&f->truth);
	record_set_free(&f->trace);
	free(f);
	return 0;
}

/* The trace: every call as in the truth, except skip (SIZE_MAX: none). */
static void trace_all_but(struct fixture *f, size_t skip)
{
	for (size_t i = 0; i < N_CALLS; i++)
		if (i != skip)
			push_data(&f->trace, PID, i);
}

static void run(struct fixture *f)
{
	assert_int_equal(loadcheck(&f->truth, &f->trace, &f->r), 0);
}

static void test_exact_trace_passes(void **state)
{
	struct fixture *f = *state;

	trace_all_but(f, SIZE_MAX);
	run(f);
	assert_true(f->r.pass);
	assert_string_equal(f->r.problem, "");
	assert_int_equal(f->r.processes, 1);
	assert_int_equal(f->r.calls, N_CALLS);
	assert_int_equal(f->r.ends, 3);
	assert_int_equal(f->r.addr_pairs, 3);
	assert_int_equal(f->r.sent, 100 + 16385 + 1);
	assert_int_equal(f->r.moved, total_bytes());
	assert_int_equal(f->r.captured, total_bytes());
	assert_int_equal(f->r.calls_aligned, N_CALLS);
	assert_int_equal(f->r.lost, 0);
}

/* Both ends of one connection: one address pair, two ends. */
static void test_both_ends_one_pair(void **state)
{
	struct fixture *f = *state;
	struct record *r = push_data(&f->truth, PID + 1, 0);

	snprintf(r->laddr, sizeof(r->laddr), "127.0.0.1:4433");
	snprintf(r->raddr, sizeof(r->raddr), "127.0.0.1:40001");
	r->dir = DIR_IN;
	trace_all_but(f, SIZE_MAX);
	*push(&f->trace) = *r;
	f->trace.v[f->trace.n - 1].data = malloc(r->len);
	memcpy(f->trace.v[f->trace.n - 1].data, r->data, r->len);
	run(f);
	assert_true(f->r.pass);
	assert_int_equal(f->r.ends, 4);
	assert_int_equal(f->r.addr_pairs, 3);
	assert_int_equal(f->r.processes, 2);
}

static void test_wrong_fd(void **state)
{
	struct fixture *f = *state;

	trace_all_but(f, SIZE_MAX);
	f->trace.v[4].fd = 5;
	run(f);
	assert_false(f->r.pass);
	assert_int_equal(f->r.fd_mismatch, 1);
	assert_int_equal(f->r.addr_mismatch, 0);
	assert_contains(f->r.problem, "fd 5, expected 6");
}

/* The reused fd's new connection reported with the old one's addresses. */
static void test_stale_addresses_on_reused_fd(void **state)
{
	struct fixture *f = *state;

	trace_all_but(f, SIZE_MAX);
	snprintf(f->trace.v[3].laddr, sizeof(f->trace.v[3].laddr), "127.0.0.1:40001");
	snprintf(f->trace.v[6].laddr, sizeof(f->trace.v[6].laddr), "127.0.0.1:40001");
	run(f);
	assert_false(f->r.pass);
	assert_int_equal(f->r.fd_mismatch, 0);
	assert_int_equal(f->r.addr_mismatch, 2);
	assert_contains(f->r.problem, "addresses 127.0.0.1:40001->127.0.0.1:4433, expected "
			"127.0.0.1:40002->127.0.0.1:4433");
}

static void test_unknown_addresses(void **state)
{
	struct fixture *f = *state;

	trace_all_but(f, SIZE_MAX);
	f->trace.v[0].laddr[0] = f->trace.v[0].raddr[0] = '\0';
	run(f);
	assert_false(f->r.pass);
	assert_int_equal(f->r.addr_mismatch, 1);
	assert_contains(f->r.problem, "addresses ?->?");
}

/* A call delivered in part: its loss record completes it. */
static void test_partial_loss_reported(void **state)
{
	struct fixture *f = *state;
	struct record *d, *l;

	for (size_t i = 0; i < N_CALLS; i++) {
		if (i != 2) {
			push_data(&f->trace, PID, i);
			continue;
		}
		d = push_call(&f->trace, PID, i, RECORD_DATA);
		fill_data(d, i, 4096);
		l = push_call(&f->trace, PID, i, RECORD_LOSS);
		l->offset = 4096;
		l->lost = 16385 - 4096;
	}
	run(f);
	assert_true(f->r.pass);
	assert_int_equal(f->r.lost, 16385 - 4096);
	assert_int_equal(f->r.lost_unattributed, 0);
	assert_int_equal(f->r.captured + f->r.lost, total_bytes());
	assert_int_equal(f->r.calls_aligned, N_CALLS);
}

/* A call lost whole, its loss record on its connection. */
static void test_whole_call_loss_reported(void **state)
{
	struct fixture *f = *state;
	struct record *l;

	trace_all_but(f, 4);
	l = push_call(&f->trace, PID, 4, RECORD_LOSS);
	l->lost = 16384;
	run(f);
	assert_true(f->r.pass);
	assert_int_equal(f->r.calls_missing, 1);
	assert_int_equal(f->r.lost, 16384);
	assert_int_equal(f->r.lost_unattributed, 0);
	assert_int_equal(f->r.ends_unbalanced, 0);
}

/* Loss records summed at exit, without addresses: the sums close over the
 * run, and the report says the loss is not attributed. */
static void test_unattributed_loss_closes_overall(void **state)
{
	struct fixture *f = *state;
	struct record *l;

	for (size_t i = 0; i < N_CALLS; i++)
		if (i != 1 && i != 5)
			push_data(&f->trace, PID, i);
	l = push_call(&f->trace, PID, 5, RECORD_LOSS);
	l->ts_ns = 99999;
	l->laddr[0] = l->raddr[0] = '\0';
	l->fd = -1;
	l->len = l->lost = 100 + 1;
	l->calls = 2;
	run(f);
	assert_true(f->r.pass);
	assert_int_equal(f->r.calls_missing, 2);
	assert_int_equal(f->r.lost_unattributed, 101);
	assert_int_equal(f->r.ends_unbalanced, 2);
}

static void test_unattributed_loss_must_close(void **state)
{
	struct fixture *f = *state;
	struct record *l;

	trace_all_but(f, 1);
	l = push_call(&f->trace, PID, 5, RECORD_LOSS);
	l->laddr[0] = l->raddr[0] = '\0';
	l->lost = 99;	/* one short of the missing call's 100 */
	run(f);
	assert_false(f->r.pass);
	assert_contains(f->r.problem, "not attributable");
}

static void test_silent_loss(void **state)
{
	struct fixture *f = *state;

	trace_all_but(f, 2);
	run(f);
	assert_false(f->r.pass);
	assert_int_equal(f->r.calls_missing, 1);
	assert_int_equal(f->r.ends_unbalanced, 1);
	assert_contains(f->r.problem, "127.0.0.1:40003->127.0.0.1:4433: moved 32770 bytes, "
			"captured 16385 + lost 0");
}

static void test_loss_over_reported(void **state)
{
	struct fixture *f = *state;
	struct record *l;

	trace_all_but(f, 4);
	l = push_call(&f->trace, PID, 4, RECORD_LOSS);
	l->lost = 16385;
	run(f);
	assert_false(f->r.pass);
	assert_int_equal(f->r.ends_unbalanced, 1);
}

/* Bytes the ground truth never moved: an extra event. */
static void test_extra_event(void **state)
{
	struct fixture *f = *state;
	struct record *r;

	trace_all_but(f, SIZE_MAX);
	r = push_data(&f->trace, PID, 0);
	r->ts_ns = 99999;
	r->data[0] ^= 1;
	run(f);
	assert_false(f->r.pass);
	assert_int_equal(f->r.events_extra, 1);
	assert_int_equal(f->r.bytes_extra, 100);
	assert_contains(f->r.problem, "matches no call");
}

/* One wrong byte: the call does not align, and its bytes are not accounted for. */
static void test_corrupted_bytes(void **state)
{
	struct fixture *f = *state;

	trace_all_but(f, SIZE_MAX);
	f->trace.v[2].data[16000] ^= 0x80;
	run(f);
	assert_false(f->r.pass);
	assert_int_equal(f->r.events_extra, 1);
	assert_int_equal(f->r.calls_missing, 1);
}

static void test_other_processes_ignored(void **state)
{
	struct fixture *f = *state;
	struct record *r;

	trace_all_but(f, SIZE_MAX);
	push_data(&f->trace, PID + 7, 3);
	r = push_data(&f->trace, PID, 3);
	snprintf(r->comm, sizeof(r->comm), "curl");
	run(f);
	assert_true(f->r.pass);
	assert_int_equal(f->r.events, N_CALLS);
}

static void test_skip_record_fails(void **state)
{
	struct fixture *f = *state;
	struct record *r;

	trace_all_but(f, SIZE_MAX);
	r = push_call(&f->trace, PID, 0, RECORD_SKIP);
	snprintf(r->reason, sizeof(r->reason), "BoringSSL without symbols");
	run(f);
	assert_false(f->r.pass);
	assert_int_equal(f->r.skips, 1);
	assert_contains(f->r.problem, "BoringSSL without symbols");
}

/* "Attached late" says bytes may be missing: counted, and the balance judges. */
static void test_attached_late_counted(void **state)
{
	struct fixture *f = *state;
	struct record *r;

	trace_all_but(f, SIZE_MAX);
	r = push_call(&f->trace, PID, 0, RECORD_LOSS);
	r->len = 0;
	snprintf(r->reason, sizeof(r->reason), "attached late: 17 socket reads/writes");
	run(f);
	assert_true(f->r.pass);
	assert_int_equal(f->r.late, 1);
	assert_int_equal(f->r.lost, 0);
	assert_contains(f->r.first_late, "attached late: 17");
}

static void test_attached_late_with_missing_bytes(void **state)
{
	struct fixture *f = *state;
	struct record *r;

	trace_all_but(f, 0);
	r = push_call(&f->trace, PID, 0, RECORD_LOSS);
	r->len = 0;
	snprintf(r->reason, sizeof(r->reason), "attached late: 3 socket reads/writes");
	run(f);
	assert_false(f->r.pass);
	assert_int_equal(f->r.late, 1);
	assert_int_equal(f->r.ends_unbalanced, 1);
}

static void test_empty_trace_fails(void **state)
{
	struct fixture *f = *state;

	run(f);
	assert_false(f->r.pass);
	assert_int_equal(f->r.calls_missing, N_CALLS);
}

static void test_empty_truth_fails(void **state)
{
	struct fixture *f = *state;

	record_set_free(&f->truth);
	trace_all_but(f, SIZE_MAX);
	run(f);
	assert_false(f->r.pass);
	assert_contains(f->r.problem, "no call");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_exact_trace_passes),
		T(test_both_ends_one_pair),
		T(test_wrong_fd),
		T(test_stale_addresses_on_reused_fd),
		T(test_unknown_addresses),
		T(test_partial_loss_reported),
		T(test_whole_call_loss_reported),
		T(test_unattributed_loss_closes_overall),
		T(test_unattributed_loss_must_close),
		T(test_silent_loss),
		T(test_loss_over_reported),
		T(test_extra_event),
		T(test_corrupted_bytes),
		T(test_other_processes_ignored),
		T(test_skip_record_fails),
		T(test_attached_late_counted),
		T(test_attached_late_with_missing_bytes),
		T(test_empty_trace_fails),
		T(test_empty_truth_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
