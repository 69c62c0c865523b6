// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the conformance report (HTML and Markdown) and what the
 * scorecard JSON gives it (facts, environment, tracer logs). */
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

#include "report.h"
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

/* Four rows of two stacks: a bytes FAIL with its facts (and a name and a
 * detail that need escaping), a wrong fd, a row that could not run, a row
 * that does not apply. Cells: 10 PASS, 8 FAIL, 6 N/A, as the scorecard
 * counts them; the report must show its totals as they are. */
static struct scorecard *sample(void)
{
	struct scorecard *sc = calloc(1, sizeof(*sc));
	struct score_row *row;
	struct check_facts *x;

	snprintf(sc->tracer, sizeof(sc->tracer), "tracer <A> & \"co\"");
	row = scorecard_add(sc);
	snprintf(row->fixture, sizeof(row->fixture), "openssl@host");
	snprintf(row->scenario, sizeof(row->scenario), "basic");
	snprintf(row->lib_version, sizeof(row->lib_version), "OpenSSL 3.0.19");
	set_cell(row, CHECK_BYTES, VERDICT_FAIL,
		 "pid 1 fd 3 out: offset 15: expected 0x84, got 0xa4 <b>|x|</b> (fd 3)");
	x = &row->checks[CHECK_BYTES].facts;
	x->has_offset = x->has_expected_byte = x->has_captured_byte = 1;
	x->offset = 15;
	x->expected_byte = 0x84;
	x->captured_byte = 0xa4;
	x->context_start = 0;
	x->n_expected_context = x->n_captured_context = 32;
	for (int i = 0; i < 32; i++)
		x->expected_context[i] = x->captured_context[i] = 'A' + i % 26;
	x->expected_context[15] = 0x84;
	x->captured_context[15] = 0xa4;
	x->has_totals = 1;
	x->bytes_expected = 5421;
	x->bytes_captured = 5400;
	x->bytes_lost = 21;
	row->checks[CHECK_LOSS].facts = (struct check_facts){ .has_totals = 1, .bytes_expected = 5421,
							      .bytes_captured = 5400, .bytes_lost = 21 };

	row = scorecard_add(sc);
	snprintf(row->fixture, sizeof(row->fixture), "openssl@host");
	snprintf(row->scenario, sizeof(row->scenario), "threads");
	snprintf(row->lib_version, sizeof(row->lib_version), "OpenSSL 3.0.19");
	set_cell(row, CHECK_FD, VERDICT_FAIL, "pid 1 fd 3 in: call 1: expected fd 3, got 7");
	row->checks[CHECK_FD].facts = (struct check_facts){ .has_fd = 1, .fd_expected = 3,
							    .fd_seen = 7 };

	row = scorecard_add(sc);
	snprintf(row->fixture, sizeof(row->fixture), "gnutls@<script>alert(1)</script>");
	snprintf(row->scenario, sizeof(row->scenario), "basic");
	snprintf(row->error, sizeof(row->error), "fixture failed: 'quoted'");
	row->checks[CHECK_BYTES].facts.has_offset = 1;	/* an error row shows no facts */

	row = scorecard_add(sc);
	snprintf(row->fixture, sizeof(row->fixture), "gnutls@<script>alert(1)</script>");
	snprintf(row->scenario, sizeof(row->scenario), "ex");
	for (int c = 0; c < N_CHECKS; c++)
		set_cell(row, c, VERDICT_NA, "the gnutls fixture has no such scenario");

	sc->env_set = 1;
	snprintf(sc->env.machine, sizeof(sc->env.machine), "x86_64");
	snprintf(sc->env.cpu, sizeof(sc->env.cpu), "Test CPU <9000>");
	sc->env.ncpus = 2;
	snprintf(sc->env.kernel, sizeof(sc->env.kernel), "6.1.0-test");
	snprintf(sc->env.date, sizeof(sc->env.date), "2026-12-07T15:00:00Z");
	snprintf(sc->env.tracer_cmd, sizeof(sc->env.tracer_cmd), "tlsprobe trace");
	snprintf(sc->env.tracer_version, sizeof(sc->env.tracer_version), "tlsprobe v1-2-g123");
	sc->logs = calloc(1, sizeof(*sc->logs));
	sc->nlogs = 1;
	snprintf(sc->logs[0].row, sizeof(sc->logs[0].row), "openssl@host");
	sc->logs[0].text = strdup("attached 12 probes\nlost </pre> 3 events\n");
	return sc;
}

static int setup(void **state)
{
	*state = sample();
	return 0;
}

static int teardown(void **state)
{
	scorecard_free(*state);
	free(*state);
	return 0;
}

typedef int (*writer_fn)(const struct report_set *, FILE *);

static char *render(const struct report_set *rs, writer_fn fn)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_int_equal(fn(rs, f), 0);
	fclose(f);
	return text;
}

/* The report of scorecard JSON roots (checked first, as the command does). */
static char *render_json(json_t **roots, size_t n, json_t *bench, writer_fn fn)
{
	struct report_input in[4];
	struct report_set rs = { in, n, bench, "bench.json" };
	char err[256];

	for (size_t i = 0; i < n; i++) {
		in[i] = (struct report_input){ i ? "second.json" : "first.json", roots[i] };
		if (report_check_scorecard(roots[i], in[i].path, err, sizeof(err)))
			print_error("%s\n", err);
		assert_int_equal(report_check_scorecard(roots[i], in[i].path, err, sizeof(err)), 0);
	}
	return render(&rs, fn);
}

static json_t *cell_json(json_t *root, size_t row, const char *check)
{
	return json_object_get(json_object_get(json_array_get(json_object_get(root, "rows"), row),
					       "checks"), check);
}

/* ---- the scorecard's JSON: facts, environment, tracer logs ---- */

static void test_json_facts(void **state)
{
	json_t *root = scorecard_json(*state), *facts, *env;

	assert_non_null(root);
	facts = json_object_get(cell_json(root, 0, "bytes"), "facts");
	assert_non_null(facts);
	assert_int_equal(json_integer_value(json_object_get(facts, "offset")), 15);
	assert_int_equal(json_integer_value(json_object_get(facts, "expected_byte")), 0x84);
	assert_int_equal(json_integer_value(json_object_get(facts, "captured_byte")), 0xa4);
	assert_int_equal(json_integer_value(json_object_get(facts, "context_start")), 0);
	assert_string_equal(json_string_value(json_object_get(facts, "expected_context")),
			    "4142434445464748494a4b4c4d4e4f84"
			    "5152535455565758595a414243444546");
	assert_int_equal(strlen(json_string_value(json_object_get(facts, "captured_context"))), 64);
	assert_int_equal(json_integer_value(json_object_get(facts, "bytes_expected")), 5421);
	assert_int_equal(json_integer_value(json_object_get(facts, "bytes_captured")), 5400);
	assert_int_equal(json_integer_value(json_object_get(facts, "bytes_lost")), 21);
	assert_null(json_object_get(facts, "fd_expected"));
	facts = json_object_get(cell_json(root, 1, "fd"), "facts");
	assert_int_equal(json_integer_value(json_object_get(facts, "fd_expected")), 3);
	assert_int_equal(json_integer_value(json_object_get(facts, "fd_seen")), 7);
	assert_null(json_object_get(facts, "offset"));
	/* only the facts known: none for a PASS with none, none for an error row */
	assert_null(json_object_get(cell_json(root, 1, "bytes"), "facts"));
	assert_null(json_object_get(cell_json(root, 2, "bytes"), "facts"));
	env = json_object_get(root, "environment");
	assert_string_equal(json_string_value(json_object_get(env, "machine")), "x86_64");
	assert_string_equal(json_string_value(json_object_get(env, "kernel")), "6.1.0-test");
	assert_int_equal(json_integer_value(json_object_get(env, "cpus")), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(env, "tracer"),
							      "version")), "tlsprobe v1-2-g123");
	assert_string_equal(json_string_value(json_object_get(json_object_get(root, "tracer_logs"),
							      "openssl@host")),
			    "attached 12 probes\nlost </pre> 3 events\n");
	json_decref(root);
}

static void test_collect_env(void **state)
{
	struct scorecard *sc = *state;

	scorecard_collect_env(sc, NULL, "my-tracer --jsonl");
	assert_true(sc->env_set);
	assert_true(sc->env.machine[0]);
	assert_true(sc->env.kernel[0]);
	assert_true(sc->env.ncpus > 0);
	assert_int_equal(strlen(sc->env.date), strlen("2026-12-07T15:00:00Z"));
	assert_string_equal(sc->env.tracer_cmd, "my-tracer --jsonl");
	assert_string_equal(sc->env.tracer_version, "");	/* unknown for another tracer */
	scorecard_collect_env(sc, NULL, NULL);
	assert_string_equal(sc->env.tracer_cmd, "tlsprobe trace");
	assert_contains(sc->env.tracer_version, "tlsprobe ");
}

static void test_log_tail(void **state)
{
	char text[4096] = "", *tail;
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 50; i++)
		n += snprintf(text + n, sizeof(text) - n, "line %d\n", i);
	tail = scorecard_log_tail(text, n, 40, 4096);
	assert_true(!strncmp(tail, "line 10\n", 8));
	assert_int_equal(count_occurrences(tail, "\n"), 39);	/* the last newline is dropped */
	assert_true(strstr(tail, "line 49") && !strstr(tail, "line 9\n"));
	free(tail);
	/* the byte cap, cut at a line start */
	tail = scorecard_log_tail(text, n, 40, 20);
	assert_string_equal(tail, "line 48\nline 49");
	free(tail);
	/* not UTF-8, control characters: '?'; valid UTF-8 stays */
	tail = scorecard_log_tail("caf\xe9 \x1b[1mbold\tok \xc3\xa9\n", 20, 40, 4096);
	assert_string_equal(tail, "caf? ?[1mbold\tok \xc3\xa9");
	free(tail);
	tail = scorecard_log_tail("", 0, 40, 4096);
	assert_string_equal(tail, "");
	free(tail);
}

static void test_add_tracer_log(void **state)
{
	struct scorecard *sc = *state;
	char path[] = "/tmp/test_report.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	for (int i = 0; i < 3000; i++)	/* more than the tail it reads */
		fprintf(f, "tracer line %d\n", i);
	fclose(f);
	assert_int_equal(scorecard_add_tracer_log(sc, "gnutls@trixie", path), 0);
	assert_int_equal(sc->nlogs, 2);
	assert_string_equal(sc->logs[1].row, "gnutls@trixie");
	assert_true(!strncmp(sc->logs[1].text, "tracer line 2960\n", 17));
	assert_int_equal(count_occurrences(sc->logs[1].text, "\n"), 39);
	unlink(path);
	assert_int_equal(scorecard_add_tracer_log(sc, "nss@trixie", path), 0);	/* gone: nothing */
	assert_int_equal(sc->nlogs, 2);
}

/* ---- HTML ---- */

static void test_html_escaping(void **state)
{
	json_t *root = scorecard_json(*state);
	char *html = render_json(&root, 1, NULL, html_report_write);

	/* one script element: ours */
	assert_int_equal(count_occurrences(html, "<script"), 1);
	assert_null(strstr(html, "alert(1)</script>"));
	assert_contains(html, "gnutls@&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_contains(html, "tracer &lt;A&gt; &amp; &quot;co&quot;");
	assert_contains(html, "fixture failed: &#39;quoted&#39;");
	assert_contains(html, "got 0xa4 &lt;b&gt;|x|&lt;/b&gt; (fd 3)");
	assert_contains(html, "lost &lt;/pre&gt; 3 events");
	assert_contains(html, "Test CPU &lt;9000&gt;");
	/* self-contained: nothing to fetch */
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "href=\"http"));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "url("));
	assert_contains(html, "Content-Security-Policy");
	free(html);
	json_decref(root);
}

static void test_html_rows_and_counts(void **state)
{
	json_t *root = scorecard_json(*state), *totals = json_object_get(root, "totals"), *v;
	char *html = render_json(&root, 1, NULL, html_report_write), want[256];
	const char *key;

	assert_int_equal(count_occurrences(html, "<tr class=\"row\""), 4);
	assert_contains(html, "data-fixture=\"openssl@host\" data-scenario=\"basic\"");
	assert_contains(html, "data-fixture=\"openssl@host\" data-scenario=\"threads\"");
	assert_contains(html, "data-fixture=\"gnutls@&lt;script&gt;alert(1)&lt;/script&gt;\" "
			      "data-scenario=\"ex\" data-na=\"1\">");
	/* that row does not apply: a checkbox hides it (it stays in the page) */
	assert_int_equal(count_occurrences(html, "data-na=\"1\""), 1);
	assert_contains(html, "id=\"hide-na\" checked> hide the 1 row that does not apply");
	/* one tbody per stack, in order of first appearance */
	assert_true(strstr(html, "<tbody data-stack=\"openssl\"") <
		    strstr(html, "<tbody data-stack=\"gnutls\""));
	/* the counts shown are the JSON's, each once */
	json_object_foreach(totals, key, v) {
		snprintf(want, sizeof(want), "data-count=\"%s\">%" JSON_INTEGER_FORMAT "<", key,
			 json_integer_value(v));
		assert_contains(html, want);
	}
	assert_contains(html, "data-count=\"passed\">10<");
	assert_contains(html, "data-count=\"failed\">8<");
	assert_contains(html, "data-count=\"na\">6<");
	/* the cells agree with them */
	assert_int_equal(count_occurrences(html, "data-verdict=\"PASS\""), 10);
	assert_int_equal(count_occurrences(html, "data-verdict=\"FAIL\""), 8);
	assert_int_equal(count_occurrences(html, "data-verdict=\"N/A\""), 6);
	assert_int_equal(count_occurrences(html, "<td class=\"cell "), 24);
	assert_contains(html, "<span class=\"badge v-fail\" data-failed=\"true\">run failed</span>");
	free(html);
	json_decref(root);
}

static void test_html_details(void **state)
{
	json_t *root = scorecard_json(*state);
	char *html = render_json(&root, 1, NULL, html_report_write);

	/* the bytes cell: offset, both bytes, the hex dump with the byte marked */
	assert_contains(html, "<dt>first difference</dt><dd>offset 15</dd>");
	assert_contains(html, "<dt>expected byte</dt><dd>0x84</dd><dt>captured byte</dt><dd>0xa4</dd>");
	assert_contains(html, "expected 00000000  41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f <mark>84</mark>");
	assert_contains(html, "captured 00000000  41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f <mark>a4</mark>");
	assert_contains(html, "<dt>bytes expected</dt><dd>5421</dd><dt>bytes captured</dt><dd>5400</dd>"
			      "<dt>reported lost</dt><dd>21</dd>");
	assert_contains(html, "<dt>fd expected</dt><dd>3</dd><dt>fd seen</dt><dd>7</dd>");
	/* a failing cell shows the end of its row's tracer log, and links the rest */
	assert_contains(html, "<a href=\"#log-0-0\">more</a>");
	assert_contains(html, "<details class=\"log\" id=\"log-0-0\"><summary>openssl@host</summary>");
	/* the environment */
	assert_contains(html, "<td>6.1.0-test</td>");
	assert_contains(html, "<td>tlsprobe v1-2-g123</td>");
	assert_contains(html, "<td>openssl@host</td><td>OpenSSL 3.0.19</td>");
	free(html);
	json_decref(root);
}

/* A verdict the report does not know is shown as written; "NOT CLAIMED"
 * has its colour; a totals key it does not know is shown too. */
static void test_html_unknown_verdicts(void **state)
{
	json_t *root = scorecard_json(*state);
	char *html;

	json_object_set_new(cell_json(root, 0, "process"), "verdict", json_string("NOT CLAIMED"));
	json_object_set_new(cell_json(root, 0, "addresses"), "verdict", json_string("MAYBE <?>"));
	json_object_set_new(json_object_get(root, "totals"), "not_claimed", json_integer(1));
	html = render_json(&root, 1, NULL, html_report_write);
	assert_contains(html, "<td class=\"cell v-notclaimed");
	assert_contains(html, "data-verdict=\"NOT CLAIMED\"");
	assert_contains(html, "<td class=\"cell v-other");
	assert_contains(html, "data-verdict=\"MAYBE &lt;?&gt;\"");
	assert_contains(html, "data-count=\"not_claimed\">1</span> not claimed");
	free(html);
	json_decref(root);
}

/* Two tracers side by side: every row of either, a cell the other lacks. */
static void test_html_two_tracers(void **state)
{
	json_t *roots[2] = { scorecard_json(*state), scorecard_json(*state) };
	json_t *rows = json_object_get(roots[1], "rows");
	char *html;

	json_object_set_new(roots[1], "tracer", json_string("other"));
	json_array_remove(rows, 3);
	json_object_set_new(json_array_get(rows, 0), "scenario", json_string("size-1m"));
	html = render_json(roots, 2, NULL, html_report_write);
	assert_int_equal(count_occurrences(html, "<tr class=\"row\""), 5);
	assert_contains(html, "data-fixture=\"openssl@host\" data-scenario=\"size-1m\"");
	assert_int_equal(count_occurrences(html, "<td class=\"cell "), 5 * 2 * N_CHECKS);
	/* the rows one scorecard lacks: its cells are empty */
	assert_int_equal(count_occurrences(html, "<td class=\"cell v-none"), 3 * N_CHECKS);
	assert_int_equal(count_occurrences(html, "<th class=\"tracer group\" colspan=\"6\">"), 2);
	assert_int_equal(count_occurrences(html, "<div class=\"summary\""), 2);
	assert_contains(html, "<span class=\"name\">other</span>");
	free(html);
	json_decref(roots[0]);
	json_decref(roots[1]);
}

static const char bench_json[] =
	"{\"machine\":{\"kernel\":\"Linux 6.1\",\"cpu\":\"Test CPU\",\"cpus\":2,\"date\":\"today\"},"
	"\"fixtures\":[{\"fixture\":\"openssl@host\",\"version\":\"OpenSSL 3.0.19\",\"error\":\"\","
	"\"configs\":["
	"{\"config\":\"none\",\"sizes\":[{\"size\":64,\"stream_write\":{\"added_ns\":null}},"
	"{\"size\":1024,\"stream_write\":{\"added_ns\":null}}]},"
	"{\"config\":\"floor\",\"sizes\":[{\"size\":64,\"stream_write\":{\"added_ns\":1400.4}},"
	"{\"size\":1024,\"stream_write\":{\"added_ns\":1500}}]},"
	"{\"config\":\"reference <x>\",\"sizes\":[{\"size\":64,\"stream_write\":{\"added_ns\":-20}},"
	"{\"size\":1024,\"stream_write\":{\"added_ns\":null}}]}]}]}";

static void test_cost(void **state)
{
	json_t *root = scorecard_json(*state), *bench = json_loads(bench_json, 0, NULL);
	char path[] = "/tmp/test_report_bench.XXXXXX", err[256], *html, *md;
	int fd = mkstemp(path);
	json_t *loaded;

	assert_non_null(bench);
	assert_int_equal(write(fd, bench_json, strlen(bench_json)), strlen(bench_json));
	close(fd);
	loaded = report_load_bench(path, err, sizeof(err));
	assert_non_null(loaded);
	json_decref(loaded);
	unlink(path);
	html = render_json(&root, 1, bench, html_report_write);
	assert_int_equal(count_occurrences(html, "<svg class=\"cost\""), 1);
	assert_contains(html, "data-fixture=\"openssl@host\"");
	/* a bar per measured value; no tracer is the baseline, not a bar */
	assert_int_equal(count_occurrences(html, "<rect "), 3);
	assert_contains(html, "floor 64 B: +1400 ns");
	assert_contains(html, "reference &lt;x&gt; 64 B: -20 ns");
	assert_int_equal(count_occurrences(html, ">not measured</text>"), 1);
	assert_null(strstr(html, ">none</text>"));
	assert_contains(html, "<a href=\"#cost\">cost</a>");
	md = render_json(&root, 1, bench, md_report_write);
	assert_contains(md, "| configuration | 64 B | 1 KiB |\n|---|---:|---:|\n"
			    "| floor | +1400 | +1500 |\n| reference &lt;x&gt; | -20 | – |\n");
	free(md);
	free(html);
	json_decref(bench);
	json_decref(root);
}

/* conform --html: the run's own scorecard, straight to a page. */
static void test_write_scorecard(void **state)
{
	char path[] = "/tmp/test_report_html.XXXXXX", err[256], buf[1 << 16];
	int fd = mkstemp(path);
	FILE *f;
	size_t n;

	close(fd);
	assert_int_equal(report_write_scorecard(*state, path, err, sizeof(err)), 0);
	f = fopen(path, "r");
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_contains(buf, "<!DOCTYPE html>");
	assert_int_equal(count_occurrences(buf, "<tr class=\"row\""), 4);
	assert_contains(buf, "<code>this run</code>");
	unlink(path);
	assert_int_equal(report_write_scorecard(*state, "/nonexistent/dir/x.html", err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/dir/x.html: No such file or directory");
}

/* ---- Markdown ---- */

static void test_markdown(void **state)
{
	json_t *root = scorecard_json(*state);
	char *md = render_json(&root, 1, NULL, md_report_write);

	assert_contains(md, "| tracer | passed | failed | skipped | xfailed | n/a | not claimed | run |\n"
			    "|---|---:|---:|---:|---:|---:|---:|---|\n"
			    "| tracer &lt;A&gt; &amp; \"co\" | 10 | 8 | 0 | 0 | 6 | 0 | **failed** |\n");
	assert_contains(md, "| row | scenario | library | bytes | boundaries | fd | addresses | "
			    "process | loss |\n");
	assert_contains(md, "| openssl@host | basic | OpenSSL 3.0.19 | **FAIL** | PASS | PASS | "
			    "PASS | PASS | PASS |\n");
	assert_contains(md, "| gnutls@&lt;script&gt;alert(1)&lt;/script&gt; | ex |  | N/A | N/A |");
	/* the list of cells that did not pass, with their facts */
	assert_contains(md, "- openssl@host / basic / bytes: **FAIL** — pid 1 fd 3 out: offset 15: "
			    "expected 0x84, got 0xa4 &lt;b&gt;\\|x\\|&lt;/b&gt; (fd 3)\n");
	assert_contains(md, "  - first difference at offset 15: expected 0x84, captured 0xa4\n");
	assert_contains(md, "  expected @0: 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f [84] 51");
	assert_contains(md, "  - bytes expected 5421, captured 5400, reported lost 21\n");
	assert_contains(md, "  - fd expected 3, seen 7\n");
	assert_contains(md, "1 row not applicable");
	/* the error row: one line for its six cells */
	assert_int_equal(count_occurrences(md, "fixture failed: 'quoted'"), 1);
	assert_contains(md, "- gnutls@&lt;script&gt;alert(1)&lt;/script&gt; / basic / all checks: "
			    "**FAIL** — fixture failed: 'quoted'\n");
	assert_contains(md, "<details><summary>openssl@host</summary>\n\n```\nattached 12 probes\n"
			    "lost </pre> 3 events\n```\n");
	assert_contains(md, "| kernel | 6.1.0-test |\n");
	assert_contains(md, "| openssl@host | OpenSSL 3.0.19 |\n");
	free(md);
	json_decref(root);
}

/* Cells that fail as expected, for a reason the expected results give:
 * one line per fixture, verdict and reason, not one per cell. */
static void test_explained(void **state)
{
	json_t *root = scorecard_json(*state), *e = json_pack("{s:s, s:s, s:b, s:s}", "verdict",
		"XFAIL", "reason", "known: <x>", "as_expected", 1, "difference", "");
	char *md, *html;

	json_object_set_new(cell_json(root, 0, "bytes"), "verdict", json_string("XFAIL"));
	json_object_set(cell_json(root, 0, "bytes"), "expected", e);
	json_object_set_new(cell_json(root, 1, "fd"), "verdict", json_string("XFAIL"));
	json_object_set(cell_json(root, 1, "fd"), "expected", e);
	json_decref(e);
	md = render_json(&root, 1, NULL, md_report_write);
	assert_contains(md, "- openssl@host / basic, threads / bytes, fd: **XFAIL** as expected "
			    "(2 cells) — known: &lt;x&gt;\n  - e.g. pid 1 fd 3 out: offset 15");
	assert_null(strstr(md, "first difference at offset 15"));	/* its facts: in the matrix */
	html = render_json(&root, 1, NULL, html_report_write);
	assert_contains(html, "<tr><td>openssl@host</td><td>basic, threads</td><td>bytes, fd</td>"
			      "<td class=\"v-xfail\">XFAIL</td><td class=\"detail mono\"><b>as "
			      "expected</b> (2 cells): known: &lt;x&gt;");
	free(md);
	free(html);
	json_decref(root);
}

/* ---- bad input ---- */

static void expect_bad(const char *json, const char *why)
{
	json_t *root = json_loads(json, 0, NULL);
	char err[256] = "";

	assert_non_null(root);
	assert_int_equal(report_check_scorecard(root, "x.json", err, sizeof(err)), -1);
	assert_string_equal(err, why);
	json_decref(root);
}

static void test_bad_scorecards(void **state)
{
	char path[] = "/tmp/test_report_bad.XXXXXX", err[256];
	int fd = mkstemp(path);

	(void)state;
	expect_bad("[]", "x.json: not a scorecard (tlsprobe conform --json): the top level is not "
			 "an object");
	expect_bad("{\"bench\":1}", "x.json: not a scorecard (tlsprobe conform --json): no \"rows\" "
				    "array");
	expect_bad("{\"rows\":[{\"scenario\":\"a\",\"checks\":{}}]}",
		   "x.json: rows[0]: no \"fixture\" string");
	expect_bad("{\"rows\":[{\"fixture\":\"f\",\"scenario\":\"a\"}]}",
		   "x.json: rows[0] (f a): no \"checks\" object");
	expect_bad("{\"rows\":[{\"fixture\":\"f\",\"scenario\":\"a\",\"checks\":{\"fd\":{\"verdict\":1}}}]}",
		   "x.json: rows[0].checks.fd: no \"verdict\" string");
	expect_bad("{\"rows\":[],\"totals\":{\"passed\":\"3\"}}", "x.json: totals.passed is not a count");
	expect_bad("{\"rows\":[],\"tracer_logs\":{\"a\":1}}", "x.json: tracer_logs.a is not a string");
	assert_int_equal(write(fd, "{\"rows\": [\n}", 12), 12);
	close(fd);
	assert_null(report_load_scorecard(path, err, sizeof(err)));
	assert_contains(err, path);
	assert_contains(err, ":2:1: not JSON: ");
	unlink(path);
	assert_null(report_load_scorecard(path, err, sizeof(err)));
	assert_contains(err, ": No such file or directory");
	assert_null(report_load_bench("/nonexistent/bench.json", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/bench.json: No such file or directory");
}

/* Many rows of many stacks: each stack's rows in its own group, in order
 * of first appearance, however the rows interleave. */
static void test_many_stacks(void **state)
{
	json_t *root = json_pack("{s:[], s:{s:i}}", "rows", "totals", "passed", 0);
	char name[64], *html;

	(void)state;
	for (int i = 0; i < 400; i++) {
		snprintf(name, sizeof(name), "stack%d@v%d", i % 37, i % 3);
		json_array_append_new(json_object_get(root, "rows"), json_pack(
			"{s:s, s:s, s:{s:{s:s}}}", "fixture", name, "scenario", i % 2 ? "a" : "b",
			"checks", "bytes", "verdict", "PASS"));
	}
	html = render_json(&root, 1, NULL, html_report_write);
	assert_int_equal(count_occurrences(html, "<tbody data-stack=\"stack"), 37);
	assert_int_equal(count_occurrences(html, "<tr class=\"stack\"><th colspan=\"4\">stack"), 37);
	/* 37 stacks x 3 variants x 2 scenarios */
	assert_int_equal(count_occurrences(html, "<tr class=\"row\""), 37 * 3 * 2);
	assert_true(strstr(html, "data-stack=\"stack36\"") > strstr(html, "data-stack=\"stack35\""));
	assert_contains(html, "<tbody data-stack=\"stack0\"><tr class=\"stack\"><th colspan=\"4\">"
			      "stack0</th></tr>\n<tr class=\"row\" data-fixture=\"stack0@v0\"");
	free(html);
	json_decref(root);
}

/* An empty scorecard still makes a page. */
/* Facts no comparator writes (found by fuzzing: a negative context start
 * was cast to an offset): a byte out of 0..255 is no byte, a context at a
 * negative offset no context. */
static void test_facts_out_of_range(void **state)
{
	json_t *root = json_loads(
		"{\"rows\":[{\"fixture\":\"openssl@host\",\"scenario\":\"basic\",\"checks\":"
		"{\"bytes\":{\"verdict\":\"FAIL\",\"detail\":\"differs\",\"facts\":"
		"{\"offset\":3,\"expected_byte\":1e20,\"captured_byte\":-1,\"context_start\":-200,"
		"\"expected_context\":\"41\",\"captured_context\":\"42\"}}}}],"
		"\"totals\":{\"failed\":1}}", 0, NULL);
	char *md;

	(void)state;
	assert_non_null(root);
	md = render_json(&root, 1, NULL, md_report_write);
	assert_contains(md, "first difference at offset 3: expected none (past the end), "
			    "captured none (past the end)");
	free(md);
	json_decref(root);
}

static void test_empty(void **state)
{
	json_t *root = json_loads("{\"rows\":[],\"totals\":{\"passed\":0}}", 0, NULL);
	char *html, *md;

	(void)state;
	html = render_json(&root, 1, NULL, html_report_write);
	assert_contains(html, "data-count=\"passed\">0<");
	assert_contains(html, "</html>\n");
	md = render_json(&root, 1, NULL, md_report_write);
	assert_contains(md, "No cells: the scorecard holds no rows (nothing ran).");
	assert_contains(md, "Not recorded in the scorecard");
	free(html);
	free(md);
	json_decref(root);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_json_facts),
		T(test_collect_env),
		cmocka_unit_test(test_log_tail),
		T(test_add_tracer_log),
		T(test_html_escaping),
		T(test_html_rows_and_counts),
		T(test_html_details),
		T(test_html_unknown_verdicts),
		T(test_html_two_tracers),
		T(test_cost),
		T(test_write_scorecard),
		T(test_markdown),
		T(test_explained),
		cmocka_unit_test(test_bad_scorecards),
		cmocka_unit_test(test_many_stacks),
		cmocka_unit_test(test_facts_out_of_range),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
