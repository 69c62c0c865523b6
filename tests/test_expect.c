// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the expected-results file (conformance/expect.c) — parsing,
 * fnmatch patterns, the last matching line winning, and judging cells:
 * XFAIL, XPASS, an unexpected SKIP, ERROR rows, N/A. */
#define _POSIX_C_SOURCE 200809L	/* mkstemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "expect.h"
#include "assert.h"
#include "scratch.h"

static const char expected_text[] =
	"# the reference tracer\n"
	"*           *        *     PASS\n"
	"\n"
	"gnutls@*    ex       *     N/A\n"
	"openssl@bullseye size-* fd  XFAIL  1.1.1 loses the fd   # trailing comment\n"
	"openssl@*   size-1m  loss  SKIP   no loss to judge\n"
	"openssl@bullseye size-4k fd PASS\n";	/* later, so it wins over the XFAIL */

struct world {
	char path[64];
	struct expect_file ef;
};

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	char err[256];
	int fd;

	snprintf(w->path, sizeof(w->path), "/tmp/test_expect.XXXXXX");
	fd = mkstemp(w->path);
	if (fd < 0)
		return -1;
	close(fd);
	if (scratch_write(w->path, expected_text) || expect_load(w->path, &w->ef, err, sizeof(err))) {
		print_error("%s\n", err);
		return -1;
	}
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	expect_free(&w->ef);
	unlink(w->path);
	free(w);
	return 0;
}

static void test_load(void **state)
{
	struct world *w = *state;

	assert_int_equal(w->ef.n, 5);
	assert_string_equal(w->ef.v[2].row, "openssl@bullseye");
	assert_int_equal(w->ef.v[2].verdict, EXPECT_XFAIL);
	assert_string_equal(w->ef.v[2].reason, "1.1.1 loses the fd");	/* comment gone */
	assert_int_equal(w->ef.v[2].line, 5);
	assert_int_equal(w->ef.v[1].verdict, EXPECT_NA);
	assert_string_equal(w->ef.v[1].reason, "");
}

static enum expected want(const struct world *w, const char *row, const char *scenario,
			  const char *check)
{
	const struct expect_rule *r = expect_lookup(&w->ef, row, scenario, check);

	assert_non_null(r);
	return r->verdict;
}

static void test_globs_last_match_wins(void **state)
{
	struct world *w = *state;

	assert_int_equal(want(w, "openssl@host", "basic", "bytes"), EXPECT_PASS);
	assert_int_equal(want(w, "gnutls@trixie", "ex", "loss"), EXPECT_NA);
	assert_int_equal(want(w, "gnutls@trixie", "ex-2", "loss"), EXPECT_PASS);
	assert_int_equal(want(w, "openssl@bullseye", "size-100", "fd"), EXPECT_XFAIL);
	assert_int_equal(want(w, "openssl@bullseye", "size-100", "bytes"), EXPECT_PASS);
	assert_int_equal(want(w, "openssl@bookworm", "size-100", "fd"), EXPECT_PASS);
	/* the size-4k line comes after the size-* one */
	assert_int_equal(want(w, "openssl@bullseye", "size-4k", "fd"), EXPECT_PASS);
	/* and size-1m loss after the catch-all: SKIP on every openssl row */
	assert_int_equal(want(w, "openssl@trixie", "size-1m", "loss"), EXPECT_SKIP);
	assert_int_equal(want(w, "nss@trixie", "size-1m", "loss"), EXPECT_PASS);
}

static void test_no_match(void **state)
{
	struct expect_file ef = { .path = "f" };
	struct expect_rule rule;
	struct cell_expect cell;
	char err[128];

	(void)state;
	assert_int_equal(expect_parse_line("openssl@* * * PASS", &rule, err, sizeof(err)), 0);
	ef.v = &rule;
	ef.n = 1;
	assert_null(expect_lookup(&ef, "gnutls@trixie", "basic", "bytes"));
	expect_judge(&ef, NULL, VERDICT_PASS, "", "", &cell);
	assert_false(cell.as_expected);
	assert_string_equal(cell.difference, "no line of f matches it (got PASS)");
}

/* A tracer's adapter that does not claim fd: NOT-CLAIMED is expected of
 * it, and anything else (a FAIL, a PASS) differs. */
static void test_not_claimed(void **state)
{
	struct expect_file ef = { .path = "f" };
	struct expect_rule rule;
	struct cell_expect cell;
	char err[128];

	(void)state;
	assert_int_equal(expect_parse_line("* * fd NOT-CLAIMED", &rule, err, sizeof(err)), 0);
	assert_int_equal(rule.verdict, EXPECT_NOT_CLAIMED);
	ef.v = &rule;
	ef.n = 1;
	expect_judge(&ef, &rule, VERDICT_NOT_CLAIMED, "bpftrace does not claim fd", "", &cell);
	assert_true(cell.as_expected);
	expect_judge(&ef, &rule, VERDICT_FAIL, "wrong fd", "", &cell);
	assert_false(cell.as_expected);
	assert_string_equal(cell.difference, "expected NOT-CLAIMED, got FAIL (wrong fd)");
}

/* Judges a cell through the file's rules. */
static struct cell_expect judged(const struct world *w, const char *row, const char *scenario,
				 const char *check, enum verdict got, const char *detail,
				 const char *error)
{
	struct cell_expect cell;

	expect_judge(&w->ef, expect_lookup(&w->ef, row, scenario, check), got, detail, error, &cell);
	assert_true(cell.set);
	return cell;
}

static void test_judge(void **state)
{
	struct world *w = *state;
	struct cell_expect c;
	char xpass[128];

	c = judged(w, "openssl@host", "basic", "bytes", VERDICT_PASS, "", "");
	assert_true(c.as_expected);
	assert_int_equal(c.verdict, EXPECT_PASS);

	/* an expected failure: as expected, with the file's reason */
	c = judged(w, "openssl@bullseye", "size-1", "fd", VERDICT_FAIL, "call 3: fd 5, want 4", "");
	assert_true(c.as_expected);
	assert_int_equal(c.verdict, EXPECT_XFAIL);
	assert_string_equal(c.reason, "1.1.1 loses the fd");

	/* it passes now: the line must go */
	c = judged(w, "openssl@bullseye", "size-1", "fd", VERDICT_PASS, "", "");
	assert_false(c.as_expected);
	snprintf(xpass, sizeof(xpass), "XPASS: remove it from the file (%s:5)", w->path);
	assert_string_equal(c.difference, xpass);

	/* an expected failure that became a SKIP is no XFAIL */
	c = judged(w, "openssl@bullseye", "size-1", "fd", VERDICT_SKIP, "trace reports no fd", "");
	assert_false(c.as_expected);
	assert_string_equal(c.difference, "expected XFAIL, got SKIP (trace reports no fd)");

	/* an unexpected SKIP, and an unexpected FAIL */
	c = judged(w, "openssl@host", "size-4k", "fd", VERDICT_SKIP, "trace reports no fd", "");
	assert_false(c.as_expected);
	assert_string_equal(c.difference, "expected PASS, got SKIP (trace reports no fd)");
	c = judged(w, "openssl@host", "size-4k", "bytes", VERDICT_FAIL, "offset 12: 0x41, want 0x42", "");
	assert_string_equal(c.difference, "expected PASS, got FAIL (offset 12: 0x41, want 0x42)");

	/* the expected SKIP */
	c = judged(w, "openssl@host", "size-1m", "loss", VERDICT_SKIP, "no loss", "");
	assert_true(c.as_expected);
	c = judged(w, "openssl@host", "size-1m", "loss", VERDICT_PASS, "", "");
	assert_string_equal(c.difference, "expected SKIP, got PASS");

	/* an ERROR row differs whatever is expected, even an XFAIL */
	c = judged(w, "openssl@host", "basic", "bytes", VERDICT_PASS, "", "fixture failed (timeout)");
	assert_false(c.as_expected);
	assert_string_equal(c.difference, "expected PASS, got ERROR (fixture failed (timeout))");
	c = judged(w, "openssl@bullseye", "size-1", "fd", VERDICT_FAIL, "", "fixture wrote no transcript");
	assert_false(c.as_expected);
	assert_string_equal(c.difference, "expected XFAIL, got ERROR (fixture wrote no transcript)");
}

static void test_na(void **state)
{
	struct world *w = *state;
	struct cell_expect c;

	c = judged(w, "gnutls@bookworm", "ex", "bytes", VERDICT_NA, "scenario not supported by gnutls", "");
	assert_true(c.as_expected);
	/* an N/A where the file expects the scenario to run */
	c = judged(w, "gnutls@bookworm", "basic", "bytes", VERDICT_NA, "scenario not supported by gnutls", "");
	assert_false(c.as_expected);
	assert_string_equal(c.difference, "expected PASS, got N/A (scenario not supported by gnutls)");
	/* and a run where the file says N/A */
	c = judged(w, "gnutls@bookworm", "ex", "bytes", VERDICT_PASS, "", "");
	assert_string_equal(c.difference, "expected N/A, got PASS");
}

static void parse_error(const char *line, const char *want)
{
	struct expect_rule rule;
	char err[256] = "";

	if (expect_parse_line(line, &rule, err, sizeof(err)) != -1) {
		print_error("no error for '%s'\n", line);
		fail();
	}
	assert_contains(err, want);
}

static void test_bad_lines(void **state)
{
	struct expect_rule rule;
	char err[256];

	(void)state;
	parse_error("openssl@host basic fd XFAIL", "XFAIL needs a reason");
	parse_error("openssl@host basic fd XFAIL   # a comment is no reason", "XFAIL needs a reason");
	parse_error("openssl@host basic fd SKIP", "SKIP needs a reason");
	parse_error("openssl@host basic fd FAIL broken", "verdict 'FAIL' is none of PASS, XFAIL, N/A, SKIP");
	parse_error("openssl@host basic fd", "want ROW SCENARIO CHECK VERDICT [reason]");
	parse_error("openssl@host basic fds PASS", "no check 'fds'");
	assert_int_equal(expect_parse_line("   # only a comment", &rule, err, sizeof(err)), 1);
	assert_int_equal(expect_parse_line("", &rule, err, sizeof(err)), 1);
	assert_int_equal(expect_parse_line("* * f? N/A", &rule, err, sizeof(err)), 0);
}

/* A bad line in the file: file:line, and nothing loaded. */
static void test_load_error(void **state)
{
	struct expect_file ef;
	char path[64], err[256], want[96];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_expect.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(scratch_write(path, "* * * PASS\n\nopenssl@host basic fd XFAIL\n"), 0);
	assert_int_equal(expect_load(path, &ef, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:3: XFAIL needs a reason", path);
	assert_string_equal(err, want);
	assert_null(ef.v);
	unlink(path);
	assert_int_equal(expect_load("/nonexistent/expected.txt", &ef, err, sizeof(err)), -1);
	assert_contains(err, "/nonexistent/expected.txt");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_globs_last_match_wins),
		cmocka_unit_test(test_no_match),
		cmocka_unit_test(test_not_claimed),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_na),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_load_error),
	};

	return cmocka_run_group_tests_name("expect", tests, setup, teardown);
}
