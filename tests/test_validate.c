// SPDX-License-Identifier: GPL-2.0
/* Unit tests: `tlsprobe validate`'s line checker. Good lines come from the
 * project's own writer (record_write_json); each malformed line breaks one
 * thing, and the message must name the line and the field at fault. */
#define _POSIX_C_SOURCE 200809L	/* fmemopen, open_memstream */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "record.h"
#include "validate.h"
#include "assert.h"

/* A data record of 3 bytes ("foo", "Zm9v" in base64), as a fixture writes it. */
static char *good_line(void)
{
	struct record rec = {
		.type = RECORD_DATA, .ts_ns = 123456789, .pid = 10, .tid = 11, .nspid = 1,
		.nstid = 2, .comm = "tlsfix", .stack = "gnutls",
		.lib = "/usr/lib/x86_64-linux-gnu/libgnutls.so.30", .lib_version = "GnuTLS 3.7.9",
		.func = "gnutls_record_send", .dir = DIR_OUT, .fd = 5,
		.laddr = "127.0.0.1:51234", .raddr = "127.0.0.1:4433", .len = 3,
		.data = (uint8_t *)"foo",
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(record_write_json(f, &rec), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* good_line() with the text from `from` replaced by `to` (the caller frees). */
static char *edited_line(const char *from, const char *to)
{
	char *line = good_line(), *at = strstr(line, from), *out;

	if (!at)
		fail_msg("\"%s\" not in %s", from, line);
	out = malloc(strlen(line) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	sprintf(out, "%.*s%s%s", (int)(at - line), line, to, at + strlen(from));
	free(line);
	return out;
}

static void expect_valid(const char *line)
{
	char err[512] = "";

	if (validate_line(line, strlen(line), err, sizeof(err)))
		fail_msg("rejected %s: %s", line, err);
}

/* Replaces from by to in a good line and expects why (`field "X": ...`). */
static void expect_invalid(const char *from, const char *to, const char *why)
{
	char *line = edited_line(from, to), err[512] = "";

	if (!validate_line(line, strlen(line), err, sizeof(err)))
		fail_msg("accepted %s", line);
	assert_contains(err, why);
	free(line);
}

static void test_writer_output_is_valid(void **state)
{
	char *line = good_line();

	(void)state;
	expect_valid(line);
	free(line);
	/* Optional fields may be absent; tid -1 is an unknown thread. */
	line = edited_line(",\"fd\":5", "");
	expect_valid(line);
	free(line);
	line = edited_line("\"tid\":11,\"nspid\":1,\"nstid\":2", "\"tid\":-1,\"nspid\":1,\"nstid\":-1");
	expect_valid(line);
	free(line);
}

static void test_malformed_lines(void **state)
{
	(void)state;
	expect_invalid("\"pid\":10", "\"pid\":\"10\"", "field \"pid\": not an integer");
	expect_invalid("\"comm\":\"tlsfix\"", "\"comm\":7", "field \"comm\": not a string");
	expect_invalid("\"ts_ns\":123456789,", "", "field \"ts_ns\": missing");
	expect_invalid("\"dir\":\"out\"", "\"dir\":\"sideways\"", "field \"dir\": unknown value");
	expect_invalid("\"data\":\"Zm9v\"", "\"data\":\"Zm9v!\"", "field \"data\": not valid base64");
	expect_invalid("\"len\":3", "\"len\":4", "field \"data\": decodes to 3 bytes but \"len\" is 4");
	expect_invalid("\"fd\":5", "\"fd\":-7", "field \"fd\": -7 is out of range");
	expect_invalid("\"tid\":11", "\"tid\":-2", "field \"tid\": -2 is out of range");
	expect_invalid("{", "[", "bad JSON");
}

/* What the loader accepts from adapters but a writer of the schema must do. */
static void test_strict_fields(void **state)
{
	char newer[64], why[128];

	(void)state;
	snprintf(newer, sizeof(newer), "\"schema\":%d", RECORD_SCHEMA + 1);
	snprintf(why, sizeof(why), "field \"schema\": %d is newer than this tlsprobe reads",
		 RECORD_SCHEMA + 1);
	expect_invalid("\"schema\":2", newer, why);
	expect_invalid("\"schema\":2,", "", "field \"schema\": missing");
	expect_invalid("\"stack\":\"gnutls\",", "", "field \"stack\": missing");
	expect_invalid("\"stack\":\"gnutls\"", "\"stack\":\"\"", "field \"stack\": empty");
	expect_invalid("\"comm\":\"tlsfix\"", "\"comm\":\"\"", "field \"comm\": empty");
}

static void test_nul_byte(void **state)
{
	char *line = good_line();
	char err[512] = "";
	size_t len = strlen(line);

	(void)state;
	line[len - 2] = '\0';	/* the closing brace */
	assert_int_equal(validate_line(line, len, err, sizeof(err)), -1);
	assert_contains(err, "NUL");
	free(line);
}

/* Runs validate_stream on text; returns what it printed (caller frees). */
static char *run_stream(const char *text, struct validate_counts *counts)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	assert_non_null(in);
	assert_non_null(f);
	assert_int_equal(validate_stream(in, "t.jsonl", f, counts), 0);
	fclose(in);
	assert_int_equal(fclose(f), 0);
	return out;
}

/* Every bad line is reported with its line number, not only the first;
 * blank lines count as lines but not as records. */
static void test_stream_reports_each_bad_line(void **state)
{
	char *good = good_line(), *bad_len = edited_line("\"len\":3", "\"len\":4");
	char *no_schema = edited_line("\"schema\":2,", ""), *text, *out;
	struct validate_counts counts;

	(void)state;
	/* 1 good, 2 good, 3 bad len, 4 blank, 5 good, 6 no schema */
	text = malloc(strlen(good) * 3 + strlen(bad_len) + strlen(no_schema) + 8);
	assert_non_null(text);
	sprintf(text, "%s%s%s\n%s%s", good, good, bad_len, good, no_schema);
	out = run_stream(text, &counts);
	assert_int_equal(counts.records, 5);
	assert_int_equal(counts.errors, 2);
	assert_contains(out, "t.jsonl:3: field \"data\": decodes to 3 bytes but \"len\" is 4\n");
	assert_contains(out, "t.jsonl:6: field \"schema\": missing");
	assert_contains(out, "t.jsonl: 5 records, 2 errors\n");
	assert_null(strstr(out, "t.jsonl:1:"));
	assert_null(strstr(out, "more error"));
	free(out);

	out = run_stream(good, &counts);
	assert_string_equal(out, "t.jsonl: 1 record, 0 errors\n");
	free(out);
	free(text);
	free(good);
	free(bad_len);
	free(no_schema);
}

/* Lines of text that report a bad line of t.jsonl ("t.jsonl:LINE: ..."). */
static size_t count_error_lines(const char *text)
{
	size_t n = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');

		n += !strncmp(p, "t.jsonl:", 8) && isdigit((unsigned char)p[8]);
		p = nl ? nl + 1 : p + strlen(p);
	}
	return n;
}

/* A file that is wrong throughout prints the first 20 and counts the rest. */
static void test_stream_caps_errors(void **state)
{
	const size_t nbad = VALIDATE_MAX_ERRORS + 5;
	char *bad = edited_line("\"len\":3", "\"len\":4"), *text, *out, want[64];
	struct validate_counts counts;
	size_t len = strlen(bad);

	(void)state;
	text = malloc(len * nbad + 1);
	assert_non_null(text);
	for (size_t i = 0; i < nbad; i++)
		memcpy(text + i * len, bad, len);
	text[len * nbad] = '\0';
	out = run_stream(text, &counts);
	assert_int_equal(counts.errors, nbad);
	assert_int_equal(count_error_lines(out), VALIDATE_MAX_ERRORS);
	snprintf(want, sizeof(want), "t.jsonl:%d: field \"data\"", VALIDATE_MAX_ERRORS);
	assert_contains(out, want);
	assert_contains(out, "t.jsonl: ... 5 more errors\n");
	snprintf(want, sizeof(want), "t.jsonl: %zu records, %zu errors\n", nbad, nbad);
	assert_contains(out, want);
	free(out);
	free(text);
	free(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_output_is_valid),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_strict_fields),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_stream_reports_each_bad_line),
		cmocka_unit_test(test_stream_caps_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
