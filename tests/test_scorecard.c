// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the scorecard's text, JSON and JUnit forms. */
#define _POSIX_C_SOURCE 200809L	/* open_memstream, mkstemp */
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
#include <jansson.h>

#include "scorecard.h"
#include "assert.h"

static size_t count_occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void set_cell(struct score_row *row, enum check_id id, enum verdict v, const char *detail)
{
	row->checks[id].verdict = v;
	snprintf(row->checks[id].detail, sizeof(row->checks[id].detail), "%s", detail);
}

/* Four rows: one with a SKIP, one with two FAILs (one detail needing XML
 * escaping), one that could not run, one whose scenario the fixture does
 * not have. Cells: 9 PASS, 8 FAIL, 1 SKIP, 6 N/A. */
static int setup(void **state)
{
	struct scorecard *sc = calloc(1, sizeof(*sc));
	struct score_row *row;

	snprintf(sc->tracer, sizeof(sc->tracer), "tlsprobe 0.1");
	row = scorecard_add(sc);
	snprintf(row->fixture, sizeof(row->fixture), "openssl-3.0");
	snprintf(row->scenario, sizeof(row->scenario), "small-writes");
	snprintf(row->lib_version, sizeof(row->lib_version), "OpenSSL 3.0.19");
	set_cell(row, CHECK_FD, VERDICT_SKIP, "trace reports no fd (all -1)");

	row = scorecard_add(sc);
	snprintf(row->fixture, sizeof(row->fixture), "openssl-3.0");
	snprintf(row->scenario, sizeof(row->scenario), "one-mib");
	snprintf(row->lib_version, sizeof(row->lib_version), "OpenSSL 3.0.19");
	set_cell(row, CHECK_BYTES, VERDICT_FAIL, "pid 12 tid 13 out: trace has 16384 of 1048576 bytes (fd 3)");
	set_cell(row, CHECK_LOSS, VERDICT_FAIL, "<silent> loss & \"more\"\nsecond line");

	row = scorecard_add(sc);
	snprintf(row->fixture, sizeof(row->fixture), "gnutls");
	snprintf(row->scenario, sizeof(row->scenario), "small-writes");
	snprintf(row->error, sizeof(row->error), "fixture exited with status 1");

	row = scorecard_add(sc);
	snprintf(row->fixture, sizeof(row->fixture), "gnutls");
	snprintf(row->scenario, sizeof(row->scenario), "ex");
	for (int c = 0; c < N_CHECKS; c++)
		set_cell(row, c, VERDICT_NA, "scenario not supported by gnutls");
	*state = sc;
	return 0;
}

static int teardown(void **state)
{
	scorecard_free(*state);
	free(*state);
	return 0;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	return buf;
}

static void temp_path(char *path, size_t size)
{
	int fd;

	snprintf(path, size, "/tmp/test_scorecard.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static void test_text(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	scorecard_print_text(*state, f);
	fclose(f);
	assert_contains(text, "\n9 passed, 8 failed, 1 skipped, 0 xfailed, 6 n/a\n");
	assert_contains(text, "fixture     | scenario     | version        | bytes | boundaries | fd    | addresses | process | loss ");
	assert_contains(text, "openssl-3.0 | one-mib      | OpenSSL 3.0.19 | FAIL  | PASS       | PASS  | PASS      | PASS    | FAIL ");
	assert_contains(text, "gnutls      | small-writes |                | FAIL  | FAIL       | FAIL  | FAIL      | FAIL    | FAIL ");
	assert_contains(text, "gnutls      | ex           |                | N/A   | N/A        | N/A   | N/A       | N/A     | N/A  ");
	/* one line for the N/A row, not one per check */
	assert_contains(text, "gnutls/ex: all checks: N/A: scenario not supported by gnutls\n");
	assert_int_equal(count_occurrences(text, "not supported"), 1);
	/* without expectations there is nothing to differ from */
	assert_null(strstr(text, "as expected"));
	assert_contains(text, "openssl-3.0/small-writes: fd: SKIP: trace reports no fd (all -1)\n");
	assert_contains(text, "openssl-3.0/one-mib: bytes: FAIL: pid 12 tid 13 out: trace has 16384 of 1048576 bytes (fd 3)\n");
	assert_contains(text, "gnutls/small-writes: all checks: FAIL: fixture exited with status 1\n");
	free(text);
}

static void test_failed(void **state)
{
	struct scorecard *sc = *state;

	assert_true(scorecard_failed(sc));
	sc->n = 1;	/* only the row with a SKIP */
	assert_false(scorecard_failed(sc));
}

static json_t *path_get(json_t *root, const char *a, size_t i, const char *b, const char *c, const char *d)
{
	json_t *v = json_array_get(json_object_get(root, a), i);

	v = json_object_get(json_object_get(json_object_get(v, b), c), d);
	if (!v)
		print_error("no %s[%zu].%s.%s.%s\n", a, i, b, c, d);
	assert_non_null(v);
	return v;
}

static void test_json(void **state)
{
	char path[64];
	json_error_t jerr;
	json_t *root, *totals;

	temp_path(path, sizeof(path));
	assert_int_equal(scorecard_write_json(*state, path), 0);
	root = json_load_file(path, 0, &jerr);
	if (!root)
		print_error("%s: line %d: %s\n", path, jerr.line, jerr.text);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "tracer")), "tlsprobe 0.1");
	assert_int_equal(json_array_size(json_object_get(root, "rows")), 4);
	assert_string_equal(json_string_value(path_get(root, "rows", 1, "checks", "bytes", "verdict")), "FAIL");
	assert_string_equal(json_string_value(path_get(root, "rows", 1, "checks", "loss", "detail")),
			    "<silent> loss & \"more\"\nsecond line");
	assert_string_equal(json_string_value(path_get(root, "rows", 0, "checks", "fd", "verdict")), "SKIP");
	/* An error row's cells are FAIL with the error as detail. */
	assert_string_equal(json_string_value(path_get(root, "rows", 2, "checks", "process", "detail")),
			    "fixture exited with status 1");
	totals = json_object_get(root, "totals");
	assert_int_equal(json_integer_value(json_object_get(totals, "passed")), 9);
	assert_int_equal(json_integer_value(json_object_get(totals, "failed")), 8);
	assert_int_equal(json_integer_value(json_object_get(totals, "skipped")), 1);
	assert_int_equal(json_integer_value(json_object_get(totals, "na")), 6);
	assert_string_equal(json_string_value(path_get(root, "rows", 3, "checks", "fd", "verdict")), "N/A");
	assert_null(json_object_get(json_object_get(json_object_get(json_array_get(
		json_object_get(root, "rows"), 0), "checks"), "fd"), "expected"));
	assert_null(json_object_get(totals, "differ"));
	assert_true(json_is_true(json_object_get(root, "failed")));
	json_decref(root);
	unlink(path);
}

static void test_junit(void **state)
{
	char path[64], *xml;

	temp_path(path, sizeof(path));
	assert_int_equal(scorecard_write_junit(*state, path), 0);
	xml = read_all(path);
	assert_int_equal(count_occurrences(xml, "<failure "), 8);
	assert_int_equal(count_occurrences(xml, "<skipped "), 7);
	assert_int_equal(count_occurrences(xml, "<testcase "), 24);
	assert_int_equal(count_occurrences(xml, "<testsuite "), 2);
	assert_contains(xml, "<testsuites name=\"tlsprobe: tlsprobe 0.1\" tests=\"24\" failures=\"8\" errors=\"0\" skipped=\"7\">");
	assert_contains(xml, "<testsuite name=\"gnutls\" tests=\"12\" failures=\"6\" errors=\"0\" skipped=\"6\">");
	assert_contains(xml, "<testcase classname=\"gnutls\" name=\"ex.fd\">\n"
			     "      <skipped message=\"scenario not supported by gnutls\"/>");
	assert_contains(xml, "<testsuite name=\"openssl-3.0\" tests=\"12\" failures=\"2\" errors=\"0\" skipped=\"1\">");
	assert_contains(xml, "<testcase classname=\"openssl-3.0\" name=\"one-mib.bytes\">\n"
			     "      <failure message=\"pid 12 tid 13 out: trace has 16384 of 1048576 bytes (fd 3)\"/>");
	assert_contains(xml, "<failure message=\"&lt;silent&gt; loss &amp; &quot;more&quot;&#10;second line\"/>");
	assert_contains(xml, "<testcase classname=\"gnutls\" name=\"small-writes.loss\">\n"
			     "      <failure message=\"fixture exited with status 1\"/>");
	assert_contains(xml, "<property name=\"lib_version\" value=\"OpenSSL 3.0.19\"/>");
	assert_int_equal(count_occurrences(xml, "<property "), 1);
	free(xml);
	unlink(path);
}

/* Names and details can carry a traced process's bytes: the files must
 * stay valid UTF-8 whatever they are. */
static void test_invalid_utf8(void **state)
{
	struct scorecard *sc = *state;
	char path[64];
	json_error_t jerr;
	json_t *root;

	set_cell(&sc->rows[0], CHECK_BYTES, VERDICT_FAIL, "comm \"caf\xe9\"");
	temp_path(path, sizeof(path));
	assert_int_equal(scorecard_write_json(sc, path), 0);
	root = json_load_file(path, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(path_get(root, "rows", 0, "checks", "bytes", "detail")),
			    "comm \"caf?\"");
	json_decref(root);
	unlink(path);
}

/* The cells judged against a file: everything PASS, one-mib's bytes an
 * expected failure, small-writes' fd an expected SKIP, gnutls ex N/A. So
 * 17 cells are as expected; one-mib's loss FAIL and the error row's six
 * cells differ. */
static const char expected_text[] =
	"* * * PASS\n"
	"openssl-3.0 one-mib bytes XFAIL known: 16 KiB only\n"
	"openssl-3.0 small-writes fd SKIP no fd in this fixture\n"
	"gnutls ex * N/A\n";

static void judge_all(struct scorecard *sc)
{
	static struct expect_rule rules[8];
	static struct expect_file ef = { .path = "expected.txt", .v = rules };
	const char *line = expected_text;
	char err[128];

	ef.n = 0;
	for (; *line; line += strcspn(line, "\n") + 1)
		assert_int_equal(expect_parse_line(line, &rules[ef.n++], err, sizeof(err)), 0);
	sc->expect_used = 1;
	for (size_t i = 0; i < sc->n; i++) {
		struct score_row *row = &sc->rows[i];

		for (int c = 0; c < N_CHECKS; c++)
			expect_judge(&ef, expect_lookup(&ef, row->fixture, row->scenario, check_name(c)),
				     row->checks[c].verdict, row->checks[c].detail, row->error,
				     &row->expect[c]);
	}
}

static void test_expected_text(void **state)
{
	struct scorecard *sc = *state;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	judge_all(sc);
	f = open_memstream(&text, &len);
	scorecard_print_text(sc, f);
	fclose(f);
	assert_contains(text, "openssl-3.0 | one-mib      | OpenSSL 3.0.19 | XFAIL | PASS       | PASS  | PASS      | PASS    | FAIL ");
	assert_contains(text, "openssl-3.0/one-mib: bytes: XFAIL: known: 16 KiB only (pid 12 tid 13 out: trace has 16384 of 1048576 bytes (fd 3))\n");
	assert_contains(text, "\n9 passed, 7 failed, 1 skipped, 1 xfailed, 6 n/a\n");
	assert_contains(text, "\nopenssl-3.0 one-mib loss: expected PASS, got FAIL (<silent> loss");
	assert_contains(text, "\ngnutls small-writes bytes: expected PASS, got ERROR (fixture exited with status 1)\n");
	assert_int_equal(count_occurrences(text, ": expected "), 7);
	assert_contains(text, "\n17 cells as expected, 7 differ\n");
	assert_int_equal(scorecard_differences(sc), 7);
	assert_true(scorecard_failed(sc));
	free(text);
}

/* With expectations, FAIL alone does not fail the run; a difference does. */
static void test_expected_failed(void **state)
{
	struct scorecard *sc = *state;

	judge_all(sc);
	sc->n = 1;	/* the SKIP that the file expects */
	assert_false(scorecard_failed(sc));
	sc->rows[0].checks[CHECK_FD].verdict = VERDICT_PASS;
	judge_all(sc);
	assert_true(scorecard_failed(sc));	/* "expected SKIP, got PASS" */
	assert_string_equal(sc->rows[0].expect[CHECK_FD].difference, "expected SKIP, got PASS");
}

static void test_expected_json(void **state)
{
	struct scorecard *sc = *state;
	char path[64];
	json_t *root, *totals, *bytes;

	judge_all(sc);
	temp_path(path, sizeof(path));
	assert_int_equal(scorecard_write_json(sc, path), 0);
	root = json_load_file(path, 0, NULL);
	assert_non_null(root);
	bytes = json_object_get(json_object_get(json_array_get(json_object_get(root, "rows"), 1),
						"checks"), "bytes");
	assert_string_equal(json_string_value(json_object_get(bytes, "verdict")), "XFAIL");
	assert_string_equal(json_string_value(json_object_get(json_object_get(bytes, "expected"),
							      "verdict")), "XFAIL");
	assert_string_equal(json_string_value(json_object_get(json_object_get(bytes, "expected"), "reason")),
			    "known: 16 KiB only");
	assert_true(json_is_true(json_object_get(json_object_get(bytes, "expected"), "as_expected")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
		json_object_get(json_array_get(json_object_get(root, "rows"), 3), "checks"), "loss"),
		"expected"), "verdict")), "N/A");
	totals = json_object_get(root, "totals");
	assert_int_equal(json_integer_value(json_object_get(totals, "xfailed")), 1);
	assert_int_equal(json_integer_value(json_object_get(totals, "failed")), 7);
	assert_int_equal(json_integer_value(json_object_get(totals, "as_expected")), 17);
	assert_int_equal(json_integer_value(json_object_get(totals, "differ")), 7);
	assert_true(json_is_true(json_object_get(root, "failed")));
	json_decref(root);
	unlink(path);
}

static void test_expected_junit(void **state)
{
	struct scorecard *sc = *state;
	char path[64], *xml;

	judge_all(sc);
	temp_path(path, sizeof(path));
	assert_int_equal(scorecard_write_junit(sc, path), 0);
	xml = read_all(path);
	/* the differences fail; SKIP, XFAIL and N/A are skipped */
	assert_int_equal(count_occurrences(xml, "<failure "), 7);
	assert_int_equal(count_occurrences(xml, "<skipped "), 8);
	assert_contains(xml, "<testcase classname=\"openssl-3.0\" name=\"one-mib.bytes\">\n"
			     "      <skipped message=\"XFAIL: known: 16 KiB only (pid 12 tid 13");
	assert_contains(xml, "<testcase classname=\"gnutls\" name=\"small-writes.fd\">\n"
			     "      <failure message=\"expected PASS, got ERROR (fixture exited with status 1)\"/>");
	free(xml);
	unlink(path);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_text),
		T(test_failed),
		T(test_json),
		T(test_junit),
		T(test_invalid_utf8),
		T(test_expected_text),
		T(test_expected_failed),
		T(test_expected_json),
		T(test_expected_junit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
