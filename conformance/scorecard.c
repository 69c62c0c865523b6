// SPDX-License-Identifier: GPL-2.0
/* The scorecard in three forms. All of them go through cell_verdict(),
 * cell_detail() and cell_shown(), so a row reads the same everywhere: an
 * error row has every cell FAIL with the row's error as the reason, and a
 * FAIL that the expected results list shows as XFAIL. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* strnlen */
#endif
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "machine.h"
#include "scorecard.h"

/* The text of a fixed-size char array, which a caller may have filled to the
 * last byte without a NUL: printf("%.*s", FIELD(row->fixture)). */
#define FIELD(a) (int)strnlen((a), sizeof(a)), (a)

struct totals {
	size_t passed, failed, skipped, xfailed, na, not_claimed;
};

struct score_row *scorecard_add(struct scorecard *sc)
{
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 16;
		struct score_row *rows = realloc(sc->rows, cap * sizeof(*rows));

		if (!rows)
			return NULL;
		sc->rows = rows;
		sc->cap = cap;
	}
	memset(&sc->rows[sc->n], 0, sizeof(sc->rows[0]));
	return &sc->rows[sc->n++];
}

static bool row_failed(const struct score_row *row)
{
	return row->error[0] != '\0';
}

static enum verdict cell_verdict(const struct score_row *row, int check)
{
	return row_failed(row) ? VERDICT_FAIL : row->checks[check].verdict;
}

static const char *cell_detail(const struct score_row *row, int check)
{
	return row_failed(row) ? row->error : row->checks[check].detail;
}

/* A FAIL that the expected-results file lists, with its reason. */
static bool cell_xfail(const struct score_row *row, int check)
{
	const struct cell_expect *e = &row->expect[check];

	return e->set && e->as_expected && e->verdict == EXPECT_XFAIL;
}

static bool cell_differs(const struct score_row *row, int check)
{
	return row->expect[check].set && !row->expect[check].as_expected;
}

/* What the table, JSON and JUnit show for a cell. */
static const char *cell_shown(const struct score_row *row, int check)
{
	return cell_xfail(row, check) ? "XFAIL" : verdict_name(cell_verdict(row, check));
}

const char *scorecard_cell_shown(const struct score_row *row, int check)
{
	return cell_shown(row, check);
}

/* Every cell of the row one verdict (N/A, NOT CLAIMED) for one reason: one
 * line says it. */
static bool row_all(const struct score_row *row, enum verdict verdict)
{
	for (int c = 0; c < N_CHECKS; c++)
		if (row_failed(row) || row->checks[c].verdict != verdict ||
		    strcmp(row->checks[c].detail, row->checks[0].detail))
			return false;
	return true;
}

static struct totals count_cells(const struct score_row *rows, size_t n)
{
	struct totals t = { 0 };

	for (size_t i = 0; i < n; i++) {
		for (int c = 0; c < N_CHECKS; c++) {
			if (cell_xfail(&rows[i], c)) {
				t.xfailed++;
				continue;
			}
			switch (cell_verdict(&rows[i], c)) {
			case VERDICT_PASS: t.passed++; break;
			case VERDICT_FAIL: t.failed++; break;
			case VERDICT_SKIP: t.skipped++; break;
			case VERDICT_NA: t.na++; break;
			case VERDICT_NOT_CLAIMED: t.not_claimed++; break;
			}
		}
	}
	return t;
}

size_t scorecard_differences(const struct scorecard *sc)
{
	size_t n = 0;

	for (size_t i = 0; i < sc->n; i++)
		for (int c = 0; c < N_CHECKS; c++)
			n += cell_differs(&sc->rows[i], c);
	return n;
}

int scorecard_failed(const struct scorecard *sc)
{
	if (sc->expect_used)
		return scorecard_differences(sc) > 0;
	return count_cells(sc->rows, sc->n).failed > 0;
}

/* ---- text ---- */

struct widths {
	int fixture, scenario, version, check[N_CHECKS];
};

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static struct widths column_widths(const struct scorecard *sc)
{
	struct widths w = { strlen("fixture"), strlen("scenario"), strlen("version"), { 0 } };

	for (size_t i = 0; i < sc->n; i++) {
		const struct score_row *row = &sc->rows[i];

		w.fixture = max_int(w.fixture, strnlen(row->fixture, sizeof(row->fixture)));
		w.scenario = max_int(w.scenario, strnlen(row->scenario, sizeof(row->scenario)));
		w.version = max_int(w.version, strnlen(row->lib_version, sizeof(row->lib_version)));
	}
	for (int c = 0; c < N_CHECKS; c++)
		w.check[c] = max_int(strlen(check_name(c)), strlen("XFAIL"));
	/* "NOT CLAIMED" widens the columns only where a cell has it */
	for (size_t i = 0; i < sc->n; i++)
		for (int c = 0; c < N_CHECKS; c++)
			if (cell_verdict(&sc->rows[i], c) == VERDICT_NOT_CLAIMED)
				w.check[c] = max_int(w.check[c], strlen("NOT CLAIMED"));
	return w;
}

static void print_rule(const struct widths *w, FILE *out)
{
	int cols[3 + N_CHECKS] = { w->fixture, w->scenario, w->version };

	memcpy(cols + 3, w->check, sizeof(w->check));
	for (int i = 0; i < 3 + N_CHECKS; i++)
		fprintf(out, "%s%.*s", i ? "-+-" : "", cols[i],
			"----------------------------------------------------------------");
	fputc('\n', out);
}

static void print_table(const struct scorecard *sc, const struct widths *w, FILE *out)
{
	fprintf(out, "%-*s | %-*s | %-*s", w->fixture, "fixture", w->scenario, "scenario",
		w->version, "version");
	for (int c = 0; c < N_CHECKS; c++)
		fprintf(out, " | %-*s", w->check[c], check_name(c));
	fputc('\n', out);
	print_rule(w, out);
	for (size_t i = 0; i < sc->n; i++) {
		const struct score_row *row = &sc->rows[i];

		fprintf(out, "%-*.*s | %-*.*s | %-*.*s", w->fixture, FIELD(row->fixture),
			w->scenario, FIELD(row->scenario), w->version, FIELD(row->lib_version));
		for (int c = 0; c < N_CHECKS; c++)
			fprintf(out, " | %-*s", w->check[c], cell_shown(row, c));
		fputc('\n', out);
	}
}

/* What the table cannot show: why each cell that is not PASS is what it
 * is. An error row, and a row that does not apply, get one line, not one
 * identical line per check. */
static void print_details(const struct scorecard *sc, FILE *out)
{
	for (size_t i = 0; i < sc->n; i++) {
		const struct score_row *row = &sc->rows[i];

		if (row_failed(row)) {
			fprintf(out, "%.*s/%.*s: all checks: FAIL: %.*s\n", FIELD(row->fixture),
				FIELD(row->scenario), FIELD(row->error));
			continue;
		}
		if (row_all(row, VERDICT_NA) || row_all(row, VERDICT_NOT_CLAIMED)) {
			fprintf(out, "%.*s/%.*s: all checks: %s: %.*s\n", FIELD(row->fixture),
				FIELD(row->scenario), verdict_name(row->checks[0].verdict),
				FIELD(row->checks[0].detail));
			continue;
		}
		for (int c = 0; c < N_CHECKS; c++) {
			if (row->checks[c].verdict == VERDICT_PASS)
				continue;
			if (cell_xfail(row, c))
				fprintf(out, "%.*s/%.*s: %s: XFAIL: %.*s (%.*s)\n", FIELD(row->fixture),
					FIELD(row->scenario), check_name(c), FIELD(row->expect[c].reason),
					FIELD(row->checks[c].detail));
			else
				fprintf(out, "%.*s/%.*s: %s: %s: %.*s\n", FIELD(row->fixture),
					FIELD(row->scenario), check_name(c),
					verdict_name(row->checks[c].verdict), FIELD(row->checks[c].detail));
		}
	}
}

/* One line per cell that is not what the expected-results file says. */
static void print_differences(const struct scorecard *sc, FILE *out)
{
	size_t differ = scorecard_differences(sc), cells = sc->n * N_CHECKS;

	fputc('\n', out);
	for (size_t i = 0; i < sc->n; i++) {
		const struct score_row *row = &sc->rows[i];

		for (int c = 0; c < N_CHECKS; c++)
			if (cell_differs(row, c))
				fprintf(out, "%.*s %.*s %s: %.*s\n", FIELD(row->fixture),
					FIELD(row->scenario), check_name(c),
					FIELD(row->expect[c].difference));
	}
	fprintf(out, "%zu cells as expected, %zu differ\n", cells - differ, differ);
}

void scorecard_print_text(const struct scorecard *sc, FILE *out)
{
	struct widths w = column_widths(sc);
	struct totals t = count_cells(sc->rows, sc->n);

	if (sc->tracer[0])
		fprintf(out, "tracer: %.*s\n\n", FIELD(sc->tracer));
	print_table(sc, &w, out);
	if (t.passed < sc->n * N_CHECKS)
		fputc('\n', out);
	print_details(sc, out);
	fprintf(out, "\n%zu passed, %zu failed, %zu skipped, %zu xfailed, %zu n/a", t.passed,
		t.failed, t.skipped, t.xfailed, t.na);
	if (t.not_claimed)
		fprintf(out, ", %zu not claimed", t.not_claimed);
	fputc('\n', out);
	if (sc->expect_used)
		print_differences(sc, out);
}

/* ---- JSON and JUnit ---- */

/* Copies s (at most max bytes) into out. Both outputs must be UTF-8, but
 * names and details can carry bytes from a traced process: if s is not
 * valid UTF-8, its non-ASCII bytes become '?'. */
static void sanitize(const char *s, size_t max, char *out, size_t outlen)
{
	size_t n = strnlen(s, max);
	json_t *probe;

	snprintf(out, outlen, "%.*s", (int)n, s);
	probe = json_string(out);	/* jansson refuses invalid UTF-8 */
	if (probe) {
		json_decref(probe);
		return;
	}
	for (char *p = out; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
}

static json_t *json_text(const char *s, size_t max)
{
	char buf[512];

	sanitize(s, max, buf, sizeof(buf));
	return json_string(buf);
}

#define JSON_FIELD(a) json_text((a), sizeof(a))

static json_t *json_expectation(const struct cell_expect *e)
{
	json_t *obj = json_object();

	json_object_set_new(obj, "verdict", json_string(expected_name(e->verdict)));
	json_object_set_new(obj, "reason", JSON_FIELD(e->reason));
	json_object_set_new(obj, "as_expected", json_boolean(e->as_expected));
	json_object_set_new(obj, "difference", JSON_FIELD(e->difference));
	return obj;
}

static json_t *json_hex(const uint8_t *b, size_t n)
{
	char buf[2 * (2 * FACT_CONTEXT + 1) + 1];

	for (size_t i = 0; i < n && i < 2 * FACT_CONTEXT + 1; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
	buf[2 * (n < 2 * FACT_CONTEXT + 1 ? n : 2 * FACT_CONTEXT + 1)] = '\0';
	return json_string(buf);
}

/* The facts a check knows (compare.h), NULL when it knows none. Contexts
 * are hex strings starting at context_start. */
static json_t *json_facts(const struct check_facts *x)
{
	json_t *o = json_object();

	if (x->has_offset) {
		json_object_set_new(o, "offset", json_integer(x->offset));
		if (x->has_expected_byte)
			json_object_set_new(o, "expected_byte", json_integer(x->expected_byte));
		if (x->has_captured_byte)
			json_object_set_new(o, "captured_byte", json_integer(x->captured_byte));
		json_object_set_new(o, "context_start", json_integer(x->context_start));
		json_object_set_new(o, "expected_context",
				    json_hex(x->expected_context, x->n_expected_context));
		json_object_set_new(o, "captured_context",
				    json_hex(x->captured_context, x->n_captured_context));
	}
	if (x->has_totals) {
		json_object_set_new(o, "bytes_expected", json_integer(x->bytes_expected));
		json_object_set_new(o, "bytes_captured", json_integer(x->bytes_captured));
		json_object_set_new(o, "bytes_lost", json_integer(x->bytes_lost));
	}
	if (x->has_fd) {
		json_object_set_new(o, "fd_expected", json_integer(x->fd_expected));
		json_object_set_new(o, "fd_seen", json_integer(x->fd_seen));
	}
	if (!json_object_size(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *json_cells(const struct score_row *row)
{
	json_t *cells = json_object();

	for (int c = 0; c < N_CHECKS; c++) {
		json_t *cell = json_object();
		json_t *facts = row_failed(row) ? NULL : json_facts(&row->checks[c].facts);

		json_object_set_new(cell, "verdict", json_string(cell_shown(row, c)));
		json_object_set_new(cell, "detail", json_text(cell_detail(row, c), 512));
		if (facts)
			json_object_set_new(cell, "facts", facts);
		if (row->expect[c].set)
			json_object_set_new(cell, "expected", json_expectation(&row->expect[c]));
		json_object_set_new(cells, check_name(c), cell);
	}
	return cells;
}

static json_t *json_row(const struct score_row *row)
{
	json_t *obj = json_object();

	json_object_set_new(obj, "fixture", JSON_FIELD(row->fixture));
	json_object_set_new(obj, "scenario", JSON_FIELD(row->scenario));
	json_object_set_new(obj, "lib_version", JSON_FIELD(row->lib_version));
	json_object_set_new(obj, "error", JSON_FIELD(row->error));
	json_object_set_new(obj, "checks", json_cells(row));
	return obj;
}

static json_t *json_env(const struct score_env *e)
{
	json_t *o = json_object(), *tracer = json_object();

	json_object_set_new(o, "machine", JSON_FIELD(e->machine));
	json_object_set_new(o, "cpu", JSON_FIELD(e->cpu));
	json_object_set_new(o, "cpus", json_integer(e->ncpus));
	json_object_set_new(o, "os", JSON_FIELD(e->os));
	json_object_set_new(o, "kernel", JSON_FIELD(e->kernel));
	json_object_set_new(o, "kernel_build", JSON_FIELD(e->kernel_build));
	json_object_set_new(o, "date", JSON_FIELD(e->date));
	if (e->tlsprobe[0])
		json_object_set_new(o, "tlsprobe", JSON_FIELD(e->tlsprobe));
	json_object_set_new(tracer, "command", JSON_FIELD(e->tracer_cmd));
	if (e->tracer_version[0])
		json_object_set_new(tracer, "version", JSON_FIELD(e->tracer_version));
	json_object_set_new(o, "tracer", tracer);
	return o;
}

json_t *scorecard_json(const struct scorecard *sc)
{
	struct totals t = count_cells(sc->rows, sc->n);
	json_t *root = json_object(), *rows = json_array(), *totals = json_object();

	for (size_t i = 0; i < sc->n; i++)
		json_array_append_new(rows, json_row(&sc->rows[i]));
	json_object_set_new(totals, "passed", json_integer(t.passed));
	json_object_set_new(totals, "failed", json_integer(t.failed));
	json_object_set_new(totals, "skipped", json_integer(t.skipped));
	json_object_set_new(totals, "xfailed", json_integer(t.xfailed));
	json_object_set_new(totals, "na", json_integer(t.na));
	json_object_set_new(totals, "not_claimed", json_integer(t.not_claimed));
	if (sc->expect_used) {
		size_t differ = scorecard_differences(sc);

		json_object_set_new(totals, "as_expected", json_integer(sc->n * N_CHECKS - differ));
		json_object_set_new(totals, "differ", json_integer(differ));
	}
	json_object_set_new(root, "tracer", JSON_FIELD(sc->tracer));
	json_object_set_new(root, "rows", rows);
	json_object_set_new(root, "totals", totals);
	json_object_set_new(root, "failed", json_boolean(scorecard_failed(sc)));
	if (sc->env_set)
		json_object_set_new(root, "environment", json_env(&sc->env));
	if (sc->nlogs) {
		json_t *logs = json_object();

		for (size_t i = 0; i < sc->nlogs; i++) {
			char row[sizeof(sc->logs[i].row)];

			sanitize(sc->logs[i].row, sizeof(sc->logs[i].row), row, sizeof(row));
			json_object_set_new(logs, row, json_string(sc->logs[i].text));
		}
		json_object_set_new(root, "tracer_logs", logs);
	}
	return root;
}

int scorecard_write_json(const struct scorecard *sc, const char *path)
{
	json_t *root = scorecard_json(sc);
	int ret;

	if (!root)
		return -1;
	ret = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return ret ? -1 : 0;
}

const char *scorecard_json_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* ---- environment and tracer logs ---- */

/* The first line of a command's output, "" if none. */
void scorecard_command_line(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");

	out[0] = '\0';
	if (!p)
		return;
	if (!fgets(out, len, p))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

void scorecard_collect_env(struct scorecard *sc, const char *root, const char *tracer_cmd)
{
	struct score_env *e = &sc->env;
	struct machine_facts m;
	time_t now = time(NULL);
	struct tm tm;
	char cmd[4200];

	memset(e, 0, sizeof(*e));
	sc->env_set = 1;
	machine_facts_read(&m);
	snprintf(e->machine, sizeof(e->machine), "%s", m.arch);
	snprintf(e->kernel, sizeof(e->kernel), "%s", m.kernel_release);
	snprintf(e->kernel_build, sizeof(e->kernel_build), "%s", m.kernel_version);
	snprintf(e->cpu, sizeof(e->cpu), "%s", m.cpu);
	snprintf(e->os, sizeof(e->os), "%s", m.os);
	e->ncpus = m.ncpus;
	gmtime_r(&now, &tm);
	strftime(e->date, sizeof(e->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (root && !strchr(root, '\'')) {
		/* no optional locks: others may be using the checkout's index */
		snprintf(cmd, sizeof(cmd), "GIT_OPTIONAL_LOCKS=0 git -C '%s' describe --always "
			 "--dirty --tags 2>/dev/null", root);
		scorecard_command_line(cmd, e->tlsprobe, sizeof(e->tlsprobe));
	}
	snprintf(e->tracer_cmd, sizeof(e->tracer_cmd), "%s", tracer_cmd ? tracer_cmd : "tlsprobe trace");
	if (!tracer_cmd)
		snprintf(e->tracer_version, sizeof(e->tracer_version), "tlsprobe %s",
			 e->tlsprobe[0] ? e->tlsprobe : "(version unknown)");
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 if
 * there is none (overlong forms, surrogates and > U+10FFFF are invalid). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

char *scorecard_log_tail(const char *text, size_t len, int max_lines, size_t max_bytes)
{
	size_t start = len, end = len;
	int lines = 0;
	char *out, *o;

	if (end && text[end - 1] == '\n')	/* the last line's newline */
		end--;
	start = end;
	while (start > 0 && end - start < max_bytes) {
		if (text[start - 1] == '\n' && ++lines == max_lines)
			break;
		start--;
	}
	if (end - start >= max_bytes) {		/* too long: from a line start if one is in it */
		const char *nl = memchr(text + start, '\n', end - start);

		if (nl && nl + 1 < text + end)
			start = nl + 1 - text;
	}
	out = malloc(end - start + 1);
	if (!out)
		return NULL;
	o = out;
	for (size_t i = start; i < end;) {
		const unsigned char *s = (const unsigned char *)text + i;
		size_t n = utf8_seq(s, end - i);

		if (!n || (*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f) {
			*o++ = '?';
			i++;
			continue;
		}
		memcpy(o, s, n);
		o += n;
		i += n;
	}
	*o = '\0';
	return out;
}

int scorecard_add_tracer_log(struct scorecard *sc, const char *row, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf, *tail;
	struct score_log *logs;
	size_t n;
	long size;

	if (!f)
		return 0;
	/* The tail is within the last few KiB: lines are short */
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0) {
		fclose(f);
		return 0;
	}
	if (size > 16 * TRACER_LOG_BYTES)
		fseek(f, size - 16 * TRACER_LOG_BYTES, SEEK_SET);
	else
		rewind(f);
	buf = malloc(16 * TRACER_LOG_BYTES);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, 16 * TRACER_LOG_BYTES, f);
	fclose(f);
	tail = scorecard_log_tail(buf, n, TRACER_LOG_LINES, TRACER_LOG_BYTES);
	free(buf);
	logs = tail ? realloc(sc->logs, (sc->nlogs + 1) * sizeof(*logs)) : NULL;
	if (!logs) {
		free(tail);
		return -1;
	}
	sc->logs = logs;
	snprintf(logs[sc->nlogs].row, sizeof(logs[sc->nlogs].row), "%s", row);
	logs[sc->nlogs++].text = tail;
	return 0;
}

/* Writes s as the inside of an XML attribute value. Newlines and tabs are
 * character references (a raw one would be normalized to a space); other
 * control characters are not allowed in XML 1.0 at all. */
static void xml_attr(FILE *out, const char *s, size_t max)
{
	char buf[512];

	sanitize(s, max, buf, sizeof(buf));
	for (const char *p = buf; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\n': fputs("&#10;", out); break;
		case '\t': fputs("&#9;", out); break;
		case '\r': fputs("&#13;", out); break;
		default: fputc((unsigned char)*p < 0x20 ? '?' : *p, out);
		}
	}
}

#define XML_FIELD(out, a) xml_attr((out), (a), sizeof(a))

static bool same_fixture(const struct score_row *a, const struct score_row *b)
{
	return !strncmp(a->fixture, b->fixture, sizeof(a->fixture));
}

enum junit_kind { JUNIT_PASSED, JUNIT_FAILURE, JUNIT_SKIPPED };

/* A cell in JUnit's terms, and the message it carries. With expectations,
 * a cell fails when it differs from its own (an unexpected SKIP too) and
 * an expected failure is skipped with its reason; without, FAIL fails. */
static enum junit_kind junit_cell(const struct score_row *row, int c, char *msg, size_t len)
{
	enum verdict v = cell_verdict(row, c);

	snprintf(msg, len, "%s", cell_detail(row, c));
	if (cell_differs(row, c)) {
		snprintf(msg, len, "%s", row->expect[c].difference);
		return JUNIT_FAILURE;
	}
	if (cell_xfail(row, c)) {
		snprintf(msg, len, "XFAIL: %.255s (%.200s)", row->expect[c].reason, cell_detail(row, c));
		return JUNIT_SKIPPED;
	}
	return v == VERDICT_PASS ? JUNIT_PASSED : v == VERDICT_FAIL ? JUNIT_FAILURE : JUNIT_SKIPPED;
}

static void junit_count(const struct score_row *rows, size_t n, size_t *failures, size_t *skipped)
{
	char msg[512];

	for (size_t i = 0; i < n; i++) {
		for (int c = 0; c < N_CHECKS; c++) {
			enum junit_kind k = junit_cell(&rows[i], c, msg, sizeof(msg));

			*failures += k == JUNIT_FAILURE;
			*skipped += k == JUNIT_SKIPPED;
		}
	}
}

static void junit_testcase(FILE *out, const struct score_row *row, int c)
{
	char msg[512];
	enum junit_kind k = junit_cell(row, c, msg, sizeof(msg));

	fputs("    <testcase classname=\"", out);
	XML_FIELD(out, row->fixture);
	fputs("\" name=\"", out);
	XML_FIELD(out, row->scenario);
	fprintf(out, ".%s\"", check_name(c));
	if (k == JUNIT_PASSED) {
		fputs("/>\n", out);
		return;
	}
	fprintf(out, ">\n      <%s message=\"", k == JUNIT_FAILURE ? "failure" : "skipped");
	XML_FIELD(out, msg);
	fputs("\"/>\n    </testcase>\n", out);
}

/* The library versions a fixture ran against, each once, as properties. */
static void junit_properties(FILE *out, const struct score_row *rows, size_t first, size_t n)
{
	bool any = false;

	for (size_t i = first; i < n; i++) {
		bool seen = false;

		if (!same_fixture(&rows[i], &rows[first]) || !rows[i].lib_version[0])
			continue;
		for (size_t j = first; j < i && !seen; j++)
			seen = same_fixture(&rows[j], &rows[first]) &&
			       !strncmp(rows[j].lib_version, rows[i].lib_version,
					sizeof(rows[i].lib_version));
		if (seen)
			continue;
		fputs(any ? "" : "    <properties>\n", out);
		any = true;
		fputs("      <property name=\"lib_version\" value=\"", out);
		XML_FIELD(out, rows[i].lib_version);
		fputs("\"/>\n", out);
	}
	if (any)
		fputs("    </properties>\n", out);
}

/* One testsuite for every row of rows[first]'s fixture, wherever they are. */
static void junit_testsuite(FILE *out, const struct score_row *rows, size_t first, size_t n)
{
	size_t tests = 0, failures = 0, skipped = 0;

	for (size_t i = first; i < n; i++) {
		if (same_fixture(&rows[i], &rows[first])) {
			junit_count(&rows[i], 1, &failures, &skipped);
			tests += N_CHECKS;
		}
	}
	fputs("  <testsuite name=\"", out);
	XML_FIELD(out, rows[first].fixture);
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		tests, failures, skipped);
	junit_properties(out, rows, first, n);
	for (size_t i = first; i < n; i++)
		for (int c = 0; c < N_CHECKS && same_fixture(&rows[i], &rows[first]); c++)
			junit_testcase(out, &rows[i], c);
	fputs("  </testsuite>\n", out);
}

static bool fixture_seen_before(const struct score_row *rows, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_fixture(&rows[j], &rows[i]))
			return true;
	return false;
}

int scorecard_write_junit(const struct scorecard *sc, const char *path)
{
	size_t failures = 0, skipped = 0;
	FILE *out = fopen(path, "w");
	int ret;

	if (!out)
		return -1;
	junit_count(sc->rows, sc->n, &failures, &skipped);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tlsprobe", out);
	if (sc->tracer[0]) {
		fputs(": ", out);
		XML_FIELD(out, sc->tracer);
	}
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		sc->n * N_CHECKS, failures, skipped);
	for (size_t i = 0; i < sc->n; i++)
		if (!fixture_seen_before(sc->rows, i))
			junit_testsuite(out, sc->rows, i, sc->n);
	fputs("</testsuites>\n", out);
	ret = ferror(out) ? -1 : 0;
	if (fclose(out))
		ret = -1;
	return ret;
}

void scorecard_free(struct scorecard *sc)
{
	for (size_t i = 0; i < sc->nlogs; i++)
		free(sc->logs[i].text);
	free(sc->logs);
	free(sc->rows);
	memset(sc, 0, sizeof(*sc));
}
