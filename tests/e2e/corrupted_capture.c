/* A real capture, from a conformance run of the reference tracer, corrupted
 * on purpose: one byte flipped, one event dropped. The comparator must PASS
 * the capture as it is and FAIL each corruption, naming the offset.
 * Usage: corrupted_capture SCENARIO_DIR (a conform workdir's ROW/SCENARIO,
 * holding transcript/; the row's events are in ROW/tracer/events.jsonl,
 * of which those of the scenario's time are kept). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "compare.h"
#include "../assert.h"

static const char *row_dir;
static struct record_set oracle, trace;

/* The row's tracer saw every scenario: keep the records from the
 * transcript's first call to its last (the trace's timestamps come a little
 * before the fixture's own, read after each call returned: 50 ms of slack;
 * the scenario before ended seconds earlier). */
static void keep_scenario_time(void)
{
	uint64_t first = UINT64_MAX, last = 0;
	size_t kept = 0;

	for (size_t i = 0; i < oracle.n; i++) {
		if (oracle.v[i].ts_ns < first)
			first = oracle.v[i].ts_ns;
		if (oracle.v[i].ts_ns > last)
			last = oracle.v[i].ts_ns;
	}
	for (size_t i = 0; i < trace.n; i++) {
		if (trace.v[i].ts_ns + 50000000ULL >= first && trace.v[i].ts_ns <= last)
			trace.v[kept++] = trace.v[i];
		else
			record_free(&trace.v[i]);
	}
	trace.n = kept;
}

static int load(void **state)
{
	char path[4096], err[512];
	(void)state;

	snprintf(path, sizeof(path), "%s/transcript", row_dir);
	if (record_set_load_dir(&oracle, path, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/../tracer/events.jsonl", row_dir);
	if (record_set_load_file(&trace, path, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	keep_scenario_time();
	return oracle.n && trace.n ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	record_set_free(&oracle);
	record_set_free(&trace);
	return 0;
}

/* The first data record of the trace with at least min_len bytes. */
static struct record *data_record(size_t min_len)
{
	for (size_t i = 0; i < trace.n; i++)
		if (trace.v[i].type == RECORD_DATA && trace.v[i].len >= min_len)
			return &trace.v[i];
	fail_msg("capture has no data record of %zu bytes or more", min_len);
	return NULL;
}

static void capture_as_is_passes(void **state)
{
	struct check_result res[N_CHECKS];
	(void)state;

	compare_records(&oracle, &trace, res);
	for (int c = 0; c < N_CHECKS; c++)
		if (res[c].verdict != VERDICT_PASS)
			fail_msg("%s: %s %s", check_name(c), verdict_name(res[c].verdict), res[c].detail);
}

static void flipped_byte_fails_with_offset(void **state)
{
	struct record *rec = data_record(2000);
	struct check_result res[N_CHECKS];
	char want[64];
	(void)state;

	rec->data[1234] ^= 0x20;
	compare_records(&oracle, &trace, res);
	rec->data[1234] ^= 0x20;
	assert_int_equal(res[CHECK_BYTES].verdict, VERDICT_FAIL);
	/* the record is the first of its stream in these scenarios: offset 1234 */
	snprintf(want, sizeof(want), "offset 1234: expected 0x%02x, got 0x%02x", rec->data[1234],
		 rec->data[1234] ^ 0x20);
	assert_contains(res[CHECK_BYTES].detail, want);
	assert_int_equal(res[CHECK_BOUNDARIES].verdict, VERDICT_PASS);
}

static void dropped_event_fails(void **state)
{
	struct record *rec = data_record(1), *last = &trace.v[trace.n - 1], tmp;
	struct check_result res[N_CHECKS];
	(void)state;

	/* Move the record past the end of the set, compare, put it back. */
	tmp = *rec, *rec = *last, *last = tmp;
	trace.n--;
	compare_records(&oracle, &trace, res);
	trace.n++;
	tmp = *rec, *rec = *last, *last = tmp;
	assert_int_equal(res[CHECK_BYTES].verdict, VERDICT_FAIL);
	assert_int_equal(res[CHECK_LOSS].verdict, VERDICT_FAIL);
	assert_contains(res[CHECK_LOSS].detail, "silent loss");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(capture_as_is_passes),
		cmocka_unit_test(flipped_byte_fails_with_offset),
		cmocka_unit_test(dropped_event_fails),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s ROW_DIR\n", argv[0]);
		return 2;
	}
	row_dir = argv[1];
	return cmocka_run_group_tests_name("corrupted_capture", tests, load, unload);
}
