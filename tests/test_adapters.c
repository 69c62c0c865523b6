// SPDX-License-Identifier: GPL-2.0
/* Unit tests: adapters' claims, the bpftrace adapter's program and
 * converter, and conform --baseline's comparison of scorecards. */
#define _GNU_SOURCE /* open_memstream, fmemopen, mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "adapters/adapter.h"
#include "adapters/bpftrace.h"
#include "score_baseline.h"
#include "scorecard.h"
#include "../tracer/record.h"
#include "assert.h"
#include "scratch.h"

/* ---- claims ---- */

static void test_claims_parse(void **state)
{
	unsigned int mask = 0;
	char err[256] = "";

	(void)state;
	assert_int_equal(adapter_parse_checks("bytes,loss", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, CLAIM(CHECK_BYTES) | CLAIM(CHECK_LOSS));
	assert_int_equal(adapter_parse_checks("bytes,fds", &mask, err, sizeof(err)), -1);
	assert_contains(err, "'fds' is no check");
}

static void test_claims_lookup(void **state)
{
	const struct adapter *bt = adapter_find("bpftrace"), *ref = adapter_find("reference");

	(void)state;
	assert_non_null(bt);
	assert_non_null(ref);
	assert_null(adapter_find("nosuch"));
	assert_true(adapter_claims_stack(bt, "gnutls"));
	assert_false(adapter_claims_stack(bt, "go"));
	assert_false(adapter_claims_check(bt, CHECK_FD));
	assert_false(adapter_claims_check(bt, CHECK_ADDRESSES));
	assert_true(adapter_claims_check(bt, CHECK_BYTES));
	/* the reference claims every stack and every check */
	assert_true(adapter_claims_stack(ref, "rustls"));
	for (int c = 0; c < N_CHECKS; c++)
		assert_true(adapter_claims_check(ref, c));
}

/* ---- the bpftrace program ---- */

static int make_scratch(void **state)
{
	static char dir[] = "/tmp/tlsprobe-test-adapters.XXXXXX";

	*state = mkdtemp(dir);
	return *state ? 0 : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 1 << 20);

	if (f && text)
		text[fread(text, 1, (1 << 20) - 1, f)] = '\0';
	if (f)
		fclose(f);
	return text;
}

/* The host's OpenSSL (this machine runs Debian 12: libssl.so.3) gets
 * entry and return probes on its four functions, filtered by comm, and
 * the BEGIN line that says every probe is attached. */
static void test_program_host_openssl(void **state)
{
	char path[256], err[256] = "", *text;

	snprintf(path, sizeof(path), "%s/openssl.bt", (char *)*state);
	assert_int_equal(bpftrace_write_program("openssl", "tlsfix", path, err, sizeof(err)), 0);
	text = slurp(path);
	assert_contains(text, "uprobe:/usr/lib/x86_64-linux-gnu/libssl.so.3:SSL_write /comm == \"tlsfix\"/");
	assert_contains(text, "uretprobe:/usr/lib/x86_64-linux-gnu/libssl.so.3:SSL_read_ex ");
	assert_contains(text, "printf(\"TLSPROBE out SSL_write ");
	/* SSL_write returns an int: its -1 is 0xffffffff in rax, no count */
	assert_contains(text, "SSL_write /comm == \"tlsfix\" && @depth[tid]/ { $n = (int64)(int32)retval;");
	assert_contains(text, BPFTRACE_READY_LINE);
	free(text);
}

/* The command runs the user's binary on the program, each one shell word
 * whatever it holds. */
static void test_command_quoted(void **state)
{
	struct adapter_run run = { .stack = "openssl", .comm = "tlsfix", .dir = *state,
				   .tracer_bin = "/opt/it's/bpftrace" };
	char cmd[1024], want[1024], err[256] = "";

	assert_int_equal(bpftrace_adapter.command(&run, cmd, sizeof(cmd), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "BPFTRACE_STRLEN=200 BPFTRACE_MAX_PROBES=1024 exec "
		 "'/opt/it'\\''s/bpftrace' '%s/bpftrace.bt'", (char *)*state);
	assert_string_equal(cmd, want);
	assert_int_equal(bpftrace_adapter.command(&run, cmd, 60, err, sizeof(err)), -1);
	assert_contains(err, "too long");
}

static void test_program_unclaimed_stack(void **state)
{
	char path[256], err[256] = "";

	snprintf(path, sizeof(path), "%s/go.bt", (char *)*state);
	assert_int_equal(bpftrace_write_program("go", "tlsfix", path, err, sizeof(err)), -1);
	assert_contains(err, "no probes for stack go");
}

/* ---- the converter ---- */

/* Converts text and reads the records back. */
static size_t convert(const char *text, struct record *out, size_t max, int *ret)
{
	FILE *raw = fmemopen((void *)text, strlen(text), "r");
	char *json = NULL, err[256] = "", *save = NULL;
	size_t len = 0, n = 0;
	FILE *events = open_memstream(&json, &len);

	*ret = bpftrace_convert(raw, events, err, sizeof(err));
	fclose(raw);
	fclose(events);
	for (char *line = strtok_r(json, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save))
		assert_int_equal(record_parse_json(line, &out[n++], err, sizeof(err)), 0);
	free(json);
	return n;
}

static void test_convert_call(void **state)
{
	struct record r[4] = {};
	int ret;
	size_t n = convert("Attaching 9 probes...\n"
			   "TLSPROBE out SSL_write 12345 100 101 30064771080 4 tlsfix \\x47\\x45\\x54\\x20\n",
			   r, 4, &ret);

	(void)state;
	assert_int_equal(ret, 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].type, RECORD_DATA);
	assert_int_equal(r[0].dir, DIR_OUT);
	assert_int_equal(r[0].ts_ns, 12345);
	assert_int_equal(r[0].pid, 100);
	assert_int_equal(r[0].tid, 101);
	assert_int_equal(r[0].nspid, 7);
	assert_int_equal(r[0].nstid, 8);
	assert_int_equal(r[0].fd, -1);
	assert_string_equal(r[0].stack, "openssl");
	assert_int_equal(r[0].len, 4);
	assert_memory_equal(r[0].data, "GET ", 4);
	record_free(&r[0]);
}

/* A call longer than buf() printed: its bytes, then a loss record of the
 * rest at the right offset. */
static void test_convert_truncated(void **state)
{
	struct record r[4] = {};
	int ret;
	size_t n = convert("TLSPROBE in gnutls_record_recv 5 1 1 4294967297 16384 tlsfix \\x48\\x54\n",
			   r, 4, &ret);

	(void)state;
	assert_int_equal(ret, 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].type, RECORD_DATA);
	assert_int_equal(r[0].len, 2);
	assert_string_equal(r[0].stack, "gnutls");
	assert_int_equal(r[1].type, RECORD_LOSS);
	assert_int_equal(r[1].len, 16384);
	assert_int_equal(r[1].offset, 2);
	assert_int_equal(r[1].lost, 16382);
	assert_contains(r[1].reason, "at most 200 bytes");
	record_free(&r[0]);
	record_free(&r[1]);
}

static void test_convert_garbled(void **state)
{
	struct record r[4] = {};
	int ret;

	(void)state;
	convert("TLSPROBE out SSL_write 1 2 3 4 4 tlsfix \\x47\\xZZ\n", r, 4, &ret);
	assert_int_equal(ret, -1);
}

/* ---- the baseline gate ---- */

static void set_row(struct score_row *row, const char *fixture, const char *scenario)
{
	snprintf(row->fixture, sizeof(row->fixture), "%s", fixture);
	snprintf(row->scenario, sizeof(row->scenario), "%s", scenario);
}

/* A baseline written by the scorecard's own JSON writer, where
 * openssl@host/basic passed everything and size-1m's fd failed. */
static void write_baseline(const char *path)
{
	struct scorecard sc = {};

	set_row(scorecard_add(&sc), "openssl@host", "basic");
	set_row(scorecard_add(&sc), "openssl@host", "size-1m");
	sc.rows[1].checks[CHECK_FD].verdict = VERDICT_FAIL;
	assert_int_equal(scorecard_write_json(&sc, path), 0);
	scorecard_free(&sc);
}

static void test_baseline_regression(void **state)
{
	char path[256], err[256] = "", *text = NULL;
	struct score_baseline b;
	struct score_baseline_diff d;
	struct scorecard now = {};
	size_t len = 0;
	FILE *out;

	snprintf(path, sizeof(path), "%s/baseline.json", (char *)*state);
	write_baseline(path);
	assert_int_equal(score_baseline_load(path, &b, err, sizeof(err)), 0);
	assert_int_equal(b.n, 2 * N_CHECKS);
	/* now: basic's bytes broke, size-1m's fd got fixed, a new row came */
	set_row(scorecard_add(&now), "openssl@host", "basic");
	now.rows[0].checks[CHECK_BYTES].verdict = VERDICT_FAIL;
	snprintf(now.rows[0].checks[CHECK_BYTES].detail, 64, "byte 3 differs");
	set_row(scorecard_add(&now), "openssl@host", "size-1m");
	set_row(scorecard_add(&now), "gnutls@trixie", "basic");
	out = open_memstream(&text, &len);
	d = score_baseline_compare(&b, &now, out);
	fclose(out);
	assert_int_equal(d.compared, 2 * N_CHECKS);
	assert_int_equal(d.regressed, 1);
	assert_int_equal(d.improved, 1);
	assert_int_equal(d.missing, 0);
	assert_contains(text, "openssl@host basic bytes: PASS in the baseline, now FAIL (byte 3 differs)");
	assert_contains(text, "openssl@host size-1m fd: FAIL in the baseline, now PASS");
	free(text);
	scorecard_free(&now);
	score_baseline_free(&b);
}

/* An error row is FAIL in every cell: each one that passed is named. */
static void test_baseline_error_row(void **state)
{
	char path[256], err[256] = "";
	struct score_baseline b;
	struct scorecard now = {};
	FILE *devnull = fopen("/dev/null", "w");

	snprintf(path, sizeof(path), "%s/baseline2.json", (char *)*state);
	write_baseline(path);
	assert_int_equal(score_baseline_load(path, &b, err, sizeof(err)), 0);
	set_row(scorecard_add(&now), "openssl@host", "basic");
	snprintf(now.rows[0].error, sizeof(now.rows[0].error), "the tracer did not start");
	assert_int_equal(score_baseline_compare(&b, &now, devnull).regressed, N_CHECKS);
	fclose(devnull);
	scorecard_free(&now);
	score_baseline_free(&b);
}

/* A baseline none of whose cells this run has (another matrix, renamed
 * rows) compares nothing: that fails the gate rather than passing it. */
static void test_baseline_nothing_compared(void **state)
{
	char path[256], err[256] = "";
	struct score_baseline b;
	struct score_baseline_diff d;
	struct scorecard now = {};
	FILE *devnull = fopen("/dev/null", "w");

	snprintf(path, sizeof(path), "%s/baseline3.json", (char *)*state);
	write_baseline(path);
	assert_int_equal(score_baseline_load(path, &b, err, sizeof(err)), 0);
	set_row(scorecard_add(&now), "openssl@renamed", "basic");
	d = score_baseline_compare(&b, &now, devnull);
	assert_int_equal(d.compared, 0);
	assert_int_equal(d.regressed, 0);
	assert_true(score_baseline_failed(&d));
	/* the same row, unchanged, passes */
	set_row(&now.rows[0], "openssl@host", "basic");
	d = score_baseline_compare(&b, &now, devnull);
	assert_int_equal(d.compared, N_CHECKS);
	assert_false(score_baseline_failed(&d));
	fclose(devnull);
	scorecard_free(&now);
	score_baseline_free(&b);
}

static void test_baseline_bad_file(void **state)
{
	char path[256], err[256] = "";
	struct score_baseline b;

	snprintf(path, sizeof(path), "%s/notascorecard.json", (char *)*state);
	assert_int_equal(scratch_write(path, "{\"totals\": {}}\n"), 0);
	assert_int_equal(score_baseline_load(path, &b, err, sizeof(err)), -1);
	assert_contains(err, "no \"rows\" array");
	assert_int_equal(score_baseline_load("/nonexistent.json", &b, err, sizeof(err)), -1);
	assert_contains(err, "/nonexistent.json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claims_parse),
		cmocka_unit_test(test_claims_lookup),
		cmocka_unit_test(test_program_host_openssl),
		cmocka_unit_test(test_program_unclaimed_stack),
		cmocka_unit_test(test_command_quoted),
		cmocka_unit_test(test_convert_call),
		cmocka_unit_test(test_convert_truncated),
		cmocka_unit_test(test_convert_garbled),
		cmocka_unit_test(test_baseline_regression),
		cmocka_unit_test(test_baseline_error_row),
		cmocka_unit_test(test_baseline_nothing_compared),
		cmocka_unit_test(test_baseline_bad_file),
	};

	return cmocka_run_group_tests(tests, make_scratch, scratch_remove);
}
