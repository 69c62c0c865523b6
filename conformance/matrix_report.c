// SPDX-License-Identifier: GPL-2.0
/* The conformance report (report.h): scorecard JSON files in, one HTML page
 * and one Markdown text out. Everything is read from the JSON, so a report
 * can be made of any runs, on any machine, later; a scorecard is checked
 * before anything is written, and a bad one is named with the reason. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* strnlen */
#endif
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "report.h"

/* ---- reading the JSON ---- */

static bool jnum(const json_t *o, const char *key, double *v)
{
	const json_t *x = json_object_get(o, key);

	if (!json_is_number(x) || !isfinite(json_number_value(x)))
		return false;
	*v = json_number_value(x);
	return true;
}

/* A byte's value (0..255) at key: whatever a file says, never cast out of
 * range. */
static bool jbyte(const json_t *o, const char *key, unsigned int *b)
{
	double v;

	if (!jnum(o, key, &v) || v < 0 || v > 255)
		return false;
	*b = (unsigned int)v;
	return true;
}

/* An offset or count (0..2^53) at key. */
static bool jcount(const json_t *o, const char *key, uint64_t *n)
{
	double v;

	if (!jnum(o, key, &v) || v < 0 || v > 9007199254740992.0)
		return false;
	*n = (uint64_t)v;
	return true;
}

/* A tracer's name: its scorecard's "tracer", else its file's path. */
static const char *tracer_name(const struct report_input *in)
{
	const char *t = scorecard_json_str(in->scorecard, "tracer");

	return t[0] ? t : in->path;
}

/* ---- checking ---- */

__attribute__((format(printf, 3, 4)))
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_cell(const json_t *cell, const char *what, size_t i, const char *check,
		      char *err, size_t errlen)
{
	const json_t *v;

	if (!json_is_object(cell))
		return bad(err, errlen, "%s: rows[%zu].checks.%s is not an object", what, i, check);
	if (!json_is_string(json_object_get(cell, "verdict")))
		return bad(err, errlen, "%s: rows[%zu].checks.%s: no \"verdict\" string", what, i,
			   check);
	v = json_object_get(cell, "detail");
	if (v && !json_is_string(v))
		return bad(err, errlen, "%s: rows[%zu].checks.%s.detail is not a string", what, i,
			   check);
	v = json_object_get(cell, "facts");
	if (v && !json_is_object(v))
		return bad(err, errlen, "%s: rows[%zu].checks.%s.facts is not an object", what, i,
			   check);
	v = json_object_get(cell, "expected");
	if (v && !json_is_object(v))
		return bad(err, errlen, "%s: rows[%zu].checks.%s.expected is not an object", what, i,
			   check);
	return 0;
}

static int check_row(const json_t *row, const char *what, size_t i, char *err, size_t errlen)
{
	static const char *const strings[] = { "fixture", "scenario" };
	const json_t *checks, *cell;
	const char *check;

	if (!json_is_object(row))
		return bad(err, errlen, "%s: rows[%zu] is not an object", what, i);
	for (size_t k = 0; k < sizeof(strings) / sizeof(strings[0]); k++)
		if (!json_is_string(json_object_get(row, strings[k])) ||
		    !json_string_value(json_object_get(row, strings[k]))[0])
			return bad(err, errlen, "%s: rows[%zu]: no \"%s\" string", what, i, strings[k]);
	for (size_t k = 0; k < 2; k++) {
		const char *key = k ? "error" : "lib_version";
		const json_t *v = json_object_get(row, key);

		if (v && !json_is_string(v))
			return bad(err, errlen, "%s: rows[%zu].%s is not a string", what, i, key);
	}
	checks = json_object_get(row, "checks");
	if (!json_is_object(checks))
		return bad(err, errlen, "%s: rows[%zu] (%s %s): no \"checks\" object", what, i,
			   scorecard_json_str(row, "fixture"), scorecard_json_str(row, "scenario"));
	json_object_foreach((json_t *)checks, check, cell)
		if (check_cell(cell, what, i, check, err, errlen))
			return -1;
	return 0;
}

int report_check_scorecard(const json_t *root, const char *what, char *err, size_t errlen)
{
	const json_t *rows, *totals, *logs, *v;
	const char *key;
	size_t i;

	if (!json_is_object(root))
		return bad(err, errlen, "%s: not a scorecard (tlsprobe conform --json): the top level "
			   "is not an object", what);
	rows = json_object_get(root, "rows");
	if (!json_is_array(rows))
		return bad(err, errlen, "%s: not a scorecard (tlsprobe conform --json): no \"rows\" "
			   "array", what);
	v = json_object_get(root, "tracer");
	if (v && !json_is_string(v))
		return bad(err, errlen, "%s: \"tracer\" is not a string", what);
	json_array_foreach((json_t *)rows, i, v)
		if (check_row(v, what, i, err, errlen))
			return -1;
	totals = json_object_get(root, "totals");
	if (totals && !json_is_object(totals))
		return bad(err, errlen, "%s: \"totals\" is not an object", what);
	json_object_foreach((json_t *)totals, key, v)
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return bad(err, errlen, "%s: totals.%s is not a count", what, key);
	v = json_object_get(root, "environment");
	if (v && !json_is_object(v))
		return bad(err, errlen, "%s: \"environment\" is not an object", what);
	logs = json_object_get(root, "tracer_logs");
	if (logs && !json_is_object(logs))
		return bad(err, errlen, "%s: \"tracer_logs\" is not an object", what);
	json_object_foreach((json_t *)logs, key, v)
		if (!json_is_string(v))
			return bad(err, errlen, "%s: tracer_logs.%s is not a string", what, key);
	return 0;
}

static json_t *load_json(const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	FILE *f = fopen(path, "r");

	if (!f) {
		bad(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	root = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!root)
		bad(err, errlen, "%s:%d:%d: not JSON: %s", path, jerr.line, jerr.column, jerr.text);
	return root;
}

json_t *report_load_scorecard(const char *path, char *err, size_t errlen)
{
	json_t *root = load_json(path, err, errlen);

	if (root && report_check_scorecard(root, path, err, errlen)) {
		json_decref(root);
		return NULL;
	}
	return root;
}

json_t *report_load_bench(const char *path, char *err, size_t errlen)
{
	json_t *root = load_json(path, err, errlen), *fixtures, *f, *c, *s;
	size_t i, j, k;

	if (!root)
		return NULL;
	fixtures = json_object_get(root, "fixtures");
	if (!json_is_object(root) || !json_is_array(fixtures)) {
		bad(err, errlen, "%s: not a bench report (tlsprobe bench: build/bench/bench.json): no "
		    "\"fixtures\" array", path);
		goto fail;
	}
	json_array_foreach(fixtures, i, f) {
		if (!json_is_string(json_object_get(f, "fixture")) ||
		    !json_is_array(json_object_get(f, "configs"))) {
			bad(err, errlen, "%s: fixtures[%zu]: no \"fixture\" string or \"configs\" array",
			    path, i);
			goto fail;
		}
		json_array_foreach(json_object_get(f, "configs"), j, c) {
			if (!json_is_string(json_object_get(c, "config")) ||
			    !json_is_array(json_object_get(c, "sizes"))) {
				bad(err, errlen, "%s: fixtures[%zu].configs[%zu]: no \"config\" string "
				    "or \"sizes\" array", path, i, j);
				goto fail;
			}
			json_array_foreach(json_object_get(c, "sizes"), k, s) {
				if (!json_is_integer(json_object_get(s, "size"))) {
					bad(err, errlen, "%s: fixtures[%zu].configs[%zu].sizes[%zu]: "
					    "no \"size\" integer", path, i, j, k);
					goto fail;
				}
			}
		}
	}
	return root;
fail:
	json_decref(root);
	return NULL;
}

/* ---- the matrix: rows of every scorecard, grouped by stack ---- */

struct mrow {
	const char *fixture, *scenario;
	char stack[64];		/* the fixture up to its '@' */
	const json_t **by_tracer; /* the row in each scorecard, or NULL */
};

struct model {
	const struct report_set *rs;
	struct mrow *rows;
	size_t n;
	const char **checks;	/* every check name, in order of first appearance */
	size_t nchecks;
	char **stacks;		/* every stack, in order of first appearance (copies:
				 * the rows move as they grow) */
	size_t nstacks;
};

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->rows[i].by_tracer);
	free(m->rows);
	free(m->checks);
	for (size_t i = 0; i < m->nstacks; i++)
		free(m->stacks[i]);
	free(m->stacks);
	memset(m, 0, sizeof(*m));
}

static int add_name(const char ***v, size_t *n, const char *name)
{
	const char **grown;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], name))
			return 0;
	grown = realloc(*v, (*n + 1) * sizeof(**v));
	if (!grown)
		return -1;
	*v = grown;
	grown[(*n)++] = name;
	return 0;
}

static int add_stack(struct model *m, const char *stack)
{
	char **grown;

	for (size_t i = 0; i < m->nstacks; i++)
		if (!strcmp(m->stacks[i], stack))
			return 0;
	grown = realloc(m->stacks, (m->nstacks + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	m->stacks = grown;
	grown[m->nstacks] = strdup(stack);
	return grown[m->nstacks++] ? 0 : -1;
}

static struct mrow *find_or_add_row(struct model *m, const json_t *row)
{
	const char *fixture = scorecard_json_str(row, "fixture"), *scenario = scorecard_json_str(row, "scenario");
	struct mrow *rows, *r;

	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->rows[i].fixture, fixture) && !strcmp(m->rows[i].scenario, scenario))
			return &m->rows[i];
	rows = realloc(m->rows, (m->n + 1) * sizeof(*rows));
	if (!rows)
		return NULL;
	m->rows = rows;
	r = &rows[m->n];
	memset(r, 0, sizeof(*r));
	r->fixture = fixture;
	r->scenario = scenario;
	snprintf(r->stack, sizeof(r->stack), "%.*s", (int)strcspn(fixture, "@"), fixture);
	r->by_tracer = calloc(m->rs->n ? m->rs->n : 1, sizeof(*r->by_tracer));
	if (!r->by_tracer)
		return NULL;
	m->n++;
	return r;
}

static int build_model(const struct report_set *rs, struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->rs = rs;
	for (size_t t = 0; t < rs->n; t++) {
		const json_t *row;
		size_t i;

		json_array_foreach(json_object_get(rs->v[t].scorecard, "rows"), i, row) {
			struct mrow *r = find_or_add_row(m, row);
			const char *check;
			const json_t *cell;

			if (!r || add_stack(m, r->stack))
				return -1;
			if (!r->by_tracer[t])
				r->by_tracer[t] = row;
			json_object_foreach(json_object_get(row, "checks"), check, cell)
				if (add_name(&m->checks, &m->nchecks, check))
					return -1;
		}
	}
	return 0;
}

static const json_t *cell_of(const struct mrow *r, size_t t, const char *check)
{
	return r->by_tracer[t] ? json_object_get(json_object_get(r->by_tracer[t], "checks"), check)
			       : NULL;
}

/* The row's library version: the first any scorecard gives. */
static const char *row_version(const struct model *m, const struct mrow *r)
{
	for (size_t t = 0; t < m->rs->n; t++)
		if (r->by_tracer[t] && scorecard_json_str(r->by_tracer[t], "lib_version")[0])
			return scorecard_json_str(r->by_tracer[t], "lib_version");
	return "";
}

/* ---- verdicts and counts ---- */

static const struct {
	const char *verdict, *cls, *total;
} verdicts[] = {
	{ "PASS", "pass", "passed" },
	{ "FAIL", "fail", "failed" },
	{ "XFAIL", "xfail", "xfailed" },
	{ "SKIP", "skip", "skipped" },
	{ "N/A", "na", "na" },
	{ "NOT CLAIMED", "notclaimed", "not_claimed" },
};
#define N_VERDICTS (sizeof(verdicts) / sizeof(verdicts[0]))

/* The CSS class of a verdict; "other" for one this report does not know. */
static const char *verdict_class(const char *v)
{
	for (size_t i = 0; i < N_VERDICTS; i++)
		if (!strcmp(verdicts[i].verdict, v))
			return verdicts[i].cls;
	return "other";
}

/* How a "totals" key reads: "passed", "n/a", "as expected", "not claimed". */
static void total_label(const char *key, char *buf, size_t len)
{
	if (!strcmp(key, "na")) {
		snprintf(buf, len, "n/a");
		return;
	}
	snprintf(buf, len, "%s", key);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
}

static bool cell_passes(const json_t *cell)
{
	return !strcmp(scorecard_json_str(cell, "verdict"), "PASS");
}

static bool cell_not_applicable(const json_t *cell)
{
	return !strcmp(scorecard_json_str(cell, "verdict"), "N/A");
}

/* The cell differs from its expected result (conform --expect). */
static bool cell_differs(const json_t *cell)
{
	const json_t *e = json_object_get(cell, "expected");

	return e && json_is_false(json_object_get(e, "as_expected"));
}

/* ---- the tracer logs ---- */

/* The tracer log of a fixture row in scorecard t, and its index among the
 * scorecard's logs (the anchor of its full text). NULL if none. */
static const char *tracer_log(const struct report_set *rs, size_t t, const char *fixture,
			      size_t *index)
{
	const json_t *logs = json_object_get(rs->v[t].scorecard, "tracer_logs"), *v;
	const char *key;
	size_t i = 0;

	json_object_foreach((json_t *)logs, key, v) {
		if (!strcmp(key, fixture)) {
			*index = i;
			return json_string_value(v);
		}
		i++;
	}
	return NULL;
}

/* The last n lines of text. */
static const char *last_lines(const char *text, int n)
{
	const char *p = text + strlen(text);

	if (p > text && p[-1] == '\n')
		p--;
	while (p > text) {
		if (p[-1] == '\n' && --n == 0)
			break;
		p--;
	}
	return p;
}

/* ---- hex ---- */


/* The bytes of a hex string (at most max); -1 if it is not one. */
static int unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = hi << 4 | lo;
	}
	return n / 2;
}

/* A context of the facts, decoded: its bytes, its first offset and the
 * differing offset. */
struct context {
	uint8_t exp[64], cap[64];
	int nexp, ncap;
	uint64_t start, offset;
};

static bool facts_context(const json_t *facts, struct context *c)
{
	if (!jcount(facts, "context_start", &c->start) || !jcount(facts, "offset", &c->offset))
		return false;
	c->nexp = unhex(scorecard_json_str(facts, "expected_context"), c->exp, sizeof(c->exp));
	c->ncap = unhex(scorecard_json_str(facts, "captured_context"), c->cap, sizeof(c->cap));
	return c->nexp >= 0 && c->ncap >= 0 && (c->nexp || c->ncap);
}

/* ---- HTML ---- */

/* Text as HTML (element content and attribute values alike): the five
 * special characters as references, control characters but newline and
 * tab as U+FFFD. The JSON's strings are valid UTF-8 (jansson checks). */
static void h(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		case '\n': case '\t': fputc(c, out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fputs("\xef\xbf\xbd", out);
			else
				fputc(c, out);
		}
	}
}

static const char html_style[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5em;"
	"color:#1d2329;background:#fff}\n"
	"h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:"
	"1px solid #d5dae0;padding-bottom:.2em}h3{font-size:1.05em;margin:1.2em 0 .4em}\n"
	"code,pre,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;"
	"font-size:12px}\n"
	"pre{background:#f4f6f8;border:1px solid #dde2e7;padding:.5em;overflow:auto;margin:.3em 0;"
	"white-space:pre}\n"
	"table{border-collapse:collapse}th,td{border:1px solid #d5dae0;padding:2px 6px;"
	"text-align:left;vertical-align:top}\n"
	"th{background:#f0f3f6}\n"
	".muted{color:#66707a}.small{font-size:12px}\n"
	".summary{display:flex;flex-wrap:wrap;gap:.6em 1.5em;align-items:baseline;margin:.4em 0}\n"
	".summary .name{font-weight:600}.count{font-weight:600;font-variant-numeric:tabular-nums}\n"
	".chip{padding:1px .5em;border-radius:3px;border:1px solid #0001}\n"
	".badge{display:inline-block;padding:0 .5em;border-radius:3px;font-size:12px;font-weight:600}\n"
	".legend span{display:inline-block;margin-right:.8em}\n"
	".legend i{display:inline-block;width:1em;height:1em;vertical-align:-2px;margin-right:.3em;"
	"border:1px solid #0002}\n"
	".matrix{font-size:12px}.matrix td.cell{padding:0;text-align:center;position:relative;"
	"min-width:3.6em}\n"
	".matrix td.cell>span,.matrix td.cell summary{display:block;padding:2px 4px;cursor:default}\n"
	".matrix td.cell summary{cursor:pointer;list-style:none}\n"
	".matrix td.cell summary::-webkit-details-marker{display:none}\n"
	".matrix th.tracer{text-align:center;background:#e3e8ee}\n"
	".matrix th.group{border-left:3px solid #8a96a3}.matrix td.first{border-left:3px solid #8a96a3}\n"
	".matrix tr.stack th{background:#e9edf1;font-size:13px;text-align:left}\n"
	".matrix td.fixture{white-space:nowrap}.matrix td.repeat{color:#9aa3ad}\n"
	".matrix td.scenario{white-space:nowrap}.matrix td.version{color:#55606b;white-space:nowrap}\n"
	".matrix td.differs{outline:3px solid #111;outline-offset:-3px}\n"
	".pop{display:block;position:absolute;left:0;top:100%;z-index:10;width:660px;max-width:90vw;"
	"text-align:left;background:#fff;color:#1d2329;border:1px solid #8a96a3;border-radius:4px;"
	"box-shadow:0 4px 14px #0003;padding:.5em .7em;font-size:12px;white-space:normal}\n"
	".matrix td.right .pop{left:auto;right:0}\n"
	".pop dl{display:grid;grid-template-columns:max-content 1fr;gap:1px .8em;margin:.3em 0}\n"
	".pop dt{color:#55606b}.pop dd{margin:0}\n"
	"mark{background:#ffd54a;color:#000}\n"
	".v-pass{background:#2e9e4f;color:#fff}.v-fail{background:#d7263d;color:#fff}\n"
	".v-xfail{background:#f08c1c;color:#1d1206}.v-skip{background:#9aa3ad;color:#fff}\n"
	".v-na{background:#eef1f4;color:#7a848e}.v-notclaimed{background:#7d8fa8;color:#fff}\n"
	".v-other{background:#b58ad6;color:#fff}.v-none{background:#fff;color:#b0b7be}\n"
	".findings td{font-size:12px}.findings td.detail{max-width:60em}\n"
	"details.log>summary{cursor:pointer}\n"
	"svg.cost{max-width:100%;height:auto;font-family:system-ui,sans-serif}\n"
	"nav a{margin-right:1em}\n"
	"body:has(#hide-na:checked) .matrix tr[data-na]{display:none}\n";

/* Opens the <details> an anchor names (a cell's link to its tracer log);
 * keeps one cell open at a time. */
static const char html_script[] =
	"(function(){\n"
	"function openTarget(){var id=decodeURIComponent(location.hash.slice(1));"
	"var e=id&&document.getElementById(id);if(e&&e.tagName==='DETAILS'){e.open=true;}}\n"
	"window.addEventListener('hashchange',openTarget);openTarget();\n"
	"document.addEventListener('toggle',function(ev){var d=ev.target;"
	"if(!d.open||!d.closest||!d.closest('td.cell'))return;"
	"var all=document.querySelectorAll('td.cell details[open]');"
	"for(var i=0;i<all.length;i++){if(all[i]!==d)all[i].open=false;}},true);\n"
	"})();\n";

static void html_hex_dump(FILE *out, const struct context *c)
{
	int n = c->nexp > c->ncap ? c->nexp : c->ncap;

	fputs("<pre class=\"hex\">", out);
	for (int line = 0; line < n; line += 16) {
		for (int side = 0; side < 2; side++) {
			const uint8_t *b = side ? c->cap : c->exp;
			int nb = side ? c->ncap : c->nexp;

			fprintf(out, "%s %08" PRIx64 " ", side ? "captured" : "expected", c->start + line);
			for (int i = line; i < line + 16; i++) {
				bool here = c->start + i == c->offset;

				if (i >= nb) {
					fputs(i < n ? " --" : "   ", out);
					continue;
				}
				fprintf(out, " %s%02x%s", here ? "<mark>" : "", b[i], here ? "</mark>" : "");
			}
			fputs("  ", out);
			for (int i = line; i < line + 16 && i < nb; i++) {
				char ch[2] = { b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.', 0 };
				bool here = c->start + i == c->offset;

				fputs(here ? "<mark>" : "", out);
				h(out, ch);
				fputs(here ? "</mark>" : "", out);
			}
			fputc('\n', out);
		}
	}
	fputs("</pre>", out);
}

static void html_byte(FILE *out, const json_t *facts, const char *key)
{
	unsigned int b;

	if (jbyte(facts, key, &b))
		fprintf(out, "0x%02x", b);
	else
		fputs("<span class=\"muted\">none (past the end)</span>", out);
}

static void html_facts(FILE *out, const json_t *facts)
{
	struct context ctx;
	double v, a, b;

	if (!facts)
		return;
	fputs("<dl>", out);
	if (jnum(facts, "offset", &v)) {
		fprintf(out, "<dt>first difference</dt><dd>offset %.0f</dd><dt>expected byte</dt><dd>", v);
		html_byte(out, facts, "expected_byte");
		fputs("</dd><dt>captured byte</dt><dd>", out);
		html_byte(out, facts, "captured_byte");
		fputs("</dd>", out);
	}
	if (jnum(facts, "bytes_expected", &v)) {
		fprintf(out, "<dt>bytes expected</dt><dd>%.0f</dd>", v);
		if (jnum(facts, "bytes_captured", &v))
			fprintf(out, "<dt>bytes captured</dt><dd>%.0f</dd>", v);
		if (jnum(facts, "bytes_lost", &v))
			fprintf(out, "<dt>reported lost</dt><dd>%.0f</dd>", v);
	}
	if (jnum(facts, "fd_expected", &a) && jnum(facts, "fd_seen", &b))
		fprintf(out, "<dt>fd expected</dt><dd>%.0f</dd><dt>fd seen</dt><dd>%.0f</dd>", a, b);
	fputs("</dl>", out);
	if (facts_context(facts, &ctx))
		html_hex_dump(out, &ctx);
}

static void html_expected(FILE *out, const json_t *cell)
{
	const json_t *e = json_object_get(cell, "expected");

	if (!e)
		return;
	fputs("<p>expected result: <b>", out);
	h(out, scorecard_json_str(e, "verdict"));
	fputs("</b>", out);
	if (scorecard_json_str(e, "reason")[0]) {
		fputs(" — ", out);
		h(out, scorecard_json_str(e, "reason"));
	}
	if (cell_differs(cell)) {
		fputs("<br><b>differs:</b> ", out);
		h(out, scorecard_json_str(e, "difference"));
	}
	fputs("</p>", out);
}

static void html_cell_log(FILE *out, const struct report_set *rs, size_t t, const char *fixture)
{
	size_t index;
	const char *log = tracer_log(rs, t, fixture, &index);

	if (!log)
		return;
	fputs("<p>the tracer's stderr (", out);
	h(out, fixture);
	fprintf(out, "), its end — <a href=\"#log-%zu-%zu\">more</a>:</p><pre>", t, index);
	h(out, log[0] ? last_lines(log, 8) : "(empty)");
	fputs("</pre>", out);
}

static void html_cell(FILE *out, const struct model *m, const struct mrow *r, size_t t,
		      size_t c)
{
	const json_t *cell = cell_of(r, t, m->checks[c]);
	const char *v = cell ? scorecard_json_str(cell, "verdict") : "";
	const json_t *facts = cell ? json_object_get(cell, "facts") : NULL;
	bool has_more;

	fprintf(out, "<td class=\"cell v-%s%s%s%s\"", cell ? verdict_class(v) : "none",
		c == 0 ? " first" : "", t * m->nchecks + c >= (m->rs->n * m->nchecks) / 2 &&
		m->rs->n * m->nchecks > 3 ? " right" : "", cell && cell_differs(cell) ? " differs" : "");
	fprintf(out, " data-tracer=\"%zu\" data-check=\"", t);
	h(out, m->checks[c]);
	fputs("\" data-verdict=\"", out);
	h(out, cell ? v : "");
	fputs("\">", out);
	if (!cell) {
		fputs("<span title=\"not in this scorecard\">—</span></td>", out);
		return;
	}
	has_more = scorecard_json_str(cell, "detail")[0] || facts || json_object_get(cell, "expected");
	if (!has_more) {
		fputs("<span>", out);
		h(out, v);
		fputs("</span></td>", out);
		return;
	}
	fputs("<details><summary>", out);
	h(out, v);
	fputs("</summary><div class=\"pop\"><b>", out);
	h(out, m->checks[c]);
	fputs("</b> · ", out);
	h(out, r->fixture);
	fputs(" / ", out);
	h(out, r->scenario);
	if (m->rs->n > 1) {
		fputs(" · ", out);
		h(out, tracer_name(&m->rs->v[t]));
	}
	fputs(": <b>", out);
	h(out, v);
	fputs("</b>", out);
	if (scorecard_json_str(cell, "detail")[0]) {
		fputs("<p class=\"mono\">", out);
		h(out, scorecard_json_str(cell, "detail"));
		fputs("</p>", out);
	}
	html_expected(out, cell);
	html_facts(out, facts);
	if (!cell_passes(cell) && !cell_not_applicable(cell))
		html_cell_log(out, m->rs, t, r->fixture);
	fputs("</div></details></td>", out);
}

static void html_matrix_head(FILE *out, const struct model *m)
{
	fputs("<thead><tr><th rowspan=\"2\">row</th><th rowspan=\"2\">scenario</th>"
	      "<th rowspan=\"2\">library</th>", out);
	for (size_t t = 0; t < m->rs->n; t++) {
		fprintf(out, "<th class=\"tracer group\" colspan=\"%zu\">", m->nchecks);
		h(out, tracer_name(&m->rs->v[t]));
		fputs("</th>", out);
	}
	fputs("</tr><tr>", out);
	for (size_t t = 0; t < m->rs->n; t++) {
		for (size_t c = 0; c < m->nchecks; c++) {
			fprintf(out, "<th%s>", c == 0 ? " class=\"group\"" : "");
			h(out, m->checks[c]);
			fputs("</th>", out);
		}
	}
	fputs("</tr></thead>\n", out);
}

/* Every cell of the row, of every scorecard, is N/A. */
static bool row_not_applicable(const struct model *m, const struct mrow *r)
{
	for (size_t t = 0; t < m->rs->n; t++)
		for (size_t c = 0; c < m->nchecks; c++) {
			const json_t *cell = cell_of(r, t, m->checks[c]);

			if (!cell || !cell_not_applicable(cell) || cell_differs(cell))
				return false;
		}
	return m->nchecks > 0;
}

/* A checkbox hides the rows that do not apply at all (CSS only: they stay
 * in the page). */
static void html_na_toggle(FILE *out, const struct model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++)
		n += row_not_applicable(m, &m->rows[i]);
	if (n)
		fprintf(out, "<p class=\"small\"><label><input type=\"checkbox\" id=\"hide-na\" "
			"checked> hide the %zu %s not apply (N/A in every check)</label></p>\n",
			n, n == 1 ? "row that does" : "rows that do");
}

static void html_matrix(FILE *out, const struct model *m)
{
	fputs("<table class=\"matrix\" id=\"matrix\">", out);
	html_matrix_head(out, m);
	for (size_t s = 0; s < m->nstacks; s++) {
		const char *prev = NULL;

		fputs("<tbody data-stack=\"", out);
		h(out, m->stacks[s]);
		fprintf(out, "\"><tr class=\"stack\"><th colspan=\"%zu\">", 3 + m->rs->n * m->nchecks);
		h(out, m->stacks[s]);
		fputs("</th></tr>\n", out);
		for (size_t i = 0; i < m->n; i++) {
			const struct mrow *r = &m->rows[i];

			if (strcmp(r->stack, m->stacks[s]))
				continue;
			fputs("<tr class=\"row\" data-fixture=\"", out);
			h(out, r->fixture);
			fputs("\" data-scenario=\"", out);
			h(out, r->scenario);
			fprintf(out, "\"%s><td class=\"fixture%s\">",
				row_not_applicable(m, r) ? " data-na=\"1\"" : "", prev && !strcmp(prev, r->fixture) ?
				" repeat" : "");
			h(out, r->fixture);
			fputs("</td><td class=\"scenario\">", out);
			h(out, r->scenario);
			fputs("</td><td class=\"version\">", out);
			h(out, row_version(m, r));
			fputs("</td>", out);
			for (size_t t = 0; t < m->rs->n; t++)
				for (size_t c = 0; c < m->nchecks; c++)
					html_cell(out, m, r, t, c);
			fputs("</tr>\n", out);
			prev = r->fixture;
		}
		fputs("</tbody>\n", out);
	}
	fputs("</table>\n", out);
}

static void html_summary(FILE *out, const struct report_set *rs, size_t t)
{
	const json_t *root = rs->v[t].scorecard, *totals = json_object_get(root, "totals"), *v;
	const json_t *failed = json_object_get(root, "failed");
	const char *key;
	char label[64];

	fprintf(out, "<div class=\"summary\" data-tracer=\"%zu\"><span class=\"name\">", t);
	h(out, tracer_name(&rs->v[t]));
	fputs("</span>", out);
	json_object_foreach((json_t *)totals, key, v) {
		const char *cls = "";

		for (size_t i = 0; i < N_VERDICTS; i++)
			if (!strcmp(verdicts[i].total, key))
				cls = verdicts[i].cls;
		if (!strcmp(key, "differ"))
			cls = "fail";
		if (!json_integer_value(v))	/* nothing to look at */
			cls = "";
		total_label(key, label, sizeof(label));
		fprintf(out, "<span class=\"chip%s%s\"><span class=\"count\" data-tracer=\"%zu\" "
			"data-count=\"", cls[0] ? " v-" : "", cls, t);
		h(out, key);
		fprintf(out, "\">%" JSON_INTEGER_FORMAT "</span> ", json_integer_value(v));
		h(out, label);
		fputs("</span>", out);
	}
	if (json_is_boolean(failed))
		fprintf(out, "<span class=\"badge %s\" data-failed=\"%s\">%s</span>",
			json_is_true(failed) ? "v-fail" : "v-pass", json_is_true(failed) ? "true" : "false",
			json_is_true(failed) ? "run failed" : "run passed");
	fprintf(out, "<span class=\"muted small\">%zu rows · ",
		json_array_size(json_object_get(root, "rows")));
	h(out, rs->v[t].path);
	fputs("</span></div>\n", out);
}

static void html_legend(FILE *out)
{
	fputs("<p class=\"legend small\">", out);
	for (size_t i = 0; i < N_VERDICTS; i++) {
		fprintf(out, "<span><i class=\"v-%s\"></i>", verdicts[i].cls);
		h(out, verdicts[i].verdict);
		fputs("</span>", out);
	}
	fputs("<span><i class=\"v-other\"></i>other</span><span><i class=\"v-none\"></i>— not in "
	      "that scorecard</span><span><i class=\"v-pass differs-key\" style=\"outline:3px solid "
	      "#111;outline-offset:-3px\"></i>differs from the expected result</span></p>\n"
	      "<p class=\"small muted\">Click a cell for its details: the check's reason, the first "
	      "differing offset with both bytes and a hex context, the bytes expected / captured / "
	      "reported lost, the fd expected and seen, the expected result, and the end of the "
	      "tracer's stderr.</p>\n", out);
}

/* A finding: a cell that does not pass (or differs from its expected
 * result), or a run of rows of one fixture whose cells all say the same. */
struct finding {
	const struct mrow *row;
	const char *scenarios;	/* NULL: the row's; else several, "basic, size-1" */
	const char *check;	/* NULL: every check; else one, or several "fd, loss" */
	const json_t *cell;	/* the cell (for several: the first) */
	size_t ncells;		/* > 0: that many cells of the fixture, as expected,
				 * with the same verdict and expected reason */
};

typedef void (*finding_fn)(FILE *out, const struct finding *f, bool first);

static const char *difference(const json_t *cell)
{
	return scorecard_json_str(json_object_get(cell, "expected"), "difference");
}

static bool same_saying(const json_t *a, const json_t *b)
{
	const json_t *ea = json_object_get(a, "expected"), *eb = json_object_get(b, "expected");

	return !strcmp(scorecard_json_str(a, "verdict"), scorecard_json_str(b, "verdict")) &&
	       !strcmp(scorecard_json_str(a, "detail"), scorecard_json_str(b, "detail")) &&
	       cell_differs(a) == cell_differs(b) && !strcmp(difference(a), difference(b)) &&
	       !strcmp(scorecard_json_str(ea, "reason"), scorecard_json_str(eb, "reason"));
}

/* A cell that does not pass, as expected, for the reason the expected
 * results give: listed by that reason, not one by one. */
static bool cell_explained(const json_t *cell)
{
	const json_t *e = json_object_get(cell, "expected");

	return e && json_is_true(json_object_get(e, "as_expected")) && scorecard_json_str(e, "reason")[0] &&
	       !cell_passes(cell) && !cell_not_applicable(cell);
}

/* The row's first cell when all its cells (two or more) say the same thing
 * and it is not a plain PASS (nor explained); else NULL. */
static const json_t *uniform_cell(const struct model *m, const struct mrow *r, size_t t)
{
	const json_t *first = NULL;

	for (size_t c = 0; c < m->nchecks; c++) {
		const json_t *cell = cell_of(r, t, m->checks[c]);

		if (!cell || (first && !same_saying(cell, first)))
			return NULL;
		first = first ? first : cell;
	}
	if (m->nchecks < 2 || (cell_passes(first) && !cell_differs(first)) || cell_explained(first))
		return NULL;
	return first;
}

/* Cells of one fixture, as expected, with one verdict and one reason. */
struct explained {
	const struct mrow *row;	/* the first */
	const json_t *cell;	/* the first */
	size_t n;
	char scenarios[1024];
	const struct mrow *last;	/* the row whose scenario was listed last */
	bool *checks;		/* [m->nchecks]: which checks */
};

static void append_name(char *buf, size_t len, const char *name)
{
	size_t used = strlen(buf);

	if (used + strlen(name) + 6 < len)
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
	else if (used + 4 < len && (used < 3 || strcmp(buf + used - 3, "...")))
		snprintf(buf + used, len - used, "...");
}

/* The explained cells of scorecard t, grouped by (fixture, verdict,
 * reason), in order of first appearance; fn once per group. */
static size_t each_explained(const struct model *m, size_t t, FILE *out, finding_fn fn,
			     size_t shown)
{
	struct explained *g = NULL;
	size_t ng = 0, count = 0;

	for (size_t s = 0; s < m->nstacks; s++) {
		for (size_t i = 0; i < m->n; i++) {
			const struct mrow *r = &m->rows[i];

			if (strcmp(r->stack, m->stacks[s]))
				continue;
			for (size_t c = 0; c < m->nchecks; c++) {
				const json_t *cell = cell_of(r, t, m->checks[c]), *e;
				struct explained *x = NULL;

				if (!cell || !cell_explained(cell))
					continue;
				e = json_object_get(cell, "expected");
				for (size_t k = 0; k < ng && !x; k++)
					if (!strcmp(g[k].row->fixture, r->fixture) &&
					    !strcmp(scorecard_json_str(g[k].cell, "verdict"), scorecard_json_str(cell, "verdict")) &&
					    !strcmp(scorecard_json_str(json_object_get(g[k].cell, "expected"), "reason"),
						    scorecard_json_str(e, "reason")))
						x = &g[k];
				if (!x) {
					struct explained *grown = realloc(g, (ng + 1) * sizeof(*g));

					if (!grown)
						goto out;
					g = grown;
					x = &g[ng++];
					*x = (struct explained){ r, cell, 0, "", NULL,
								 calloc(m->nchecks, sizeof(bool)) };
					if (!x->checks)
						goto out;
				}
				x->n++;
				x->checks[c] = true;
				if (x->last != r)
					append_name(x->scenarios, sizeof(x->scenarios), r->scenario);
				x->last = r;
			}
		}
	}
	for (size_t k = 0; k < ng; k++) {
		char checks[512] = "";
		size_t nchecked = 0;

		for (size_t c = 0; c < m->nchecks; c++)
			if (g[k].checks[c]) {
				append_name(checks, sizeof(checks), m->checks[c]);
				nchecked++;
			}
		fn(out, &(struct finding){ g[k].row, g[k].scenarios,
					   nchecked == m->nchecks ? NULL : checks, g[k].cell, g[k].n },
		   !shown++);
		count++;
	}
out:
	for (size_t k = 0; k < ng; k++)
		free(g[k].checks);
	free(g);
	return count;
}

/* Calls fn for each finding of scorecard t, in the matrix's order; the
 * rows that do not apply at all (N/A as expected) are only counted.
 * Returns how many findings there were. */
static size_t each_finding(const struct model *m, size_t t, FILE *out, finding_fn fn,
			   size_t *na_rows)
{
	size_t shown = 0;

	*na_rows = 0;
	for (size_t s = 0; s < m->nstacks; s++) {
		for (size_t i = 0; i < m->n; i++) {
			const struct mrow *r = &m->rows[i];
			const json_t *u;
			size_t na = 0, present = 0;

			if (strcmp(r->stack, m->stacks[s]))
				continue;
			for (size_t c = 0; c < m->nchecks; c++) {
				const json_t *cell = cell_of(r, t, m->checks[c]);

				present += cell != NULL;
				na += cell && cell_not_applicable(cell) && !cell_differs(cell);
			}
			if (present && na == present) {
				(*na_rows)++;
				continue;
			}
			u = uniform_cell(m, r, t);
			if (u) {	/* and the next rows of the fixture that say the same */
				char scenarios[1024];
				size_t j = i + 1, len;
				const json_t *v;

				len = snprintf(scenarios, sizeof(scenarios), "%s", r->scenario);
				for (; j < m->n && !strcmp(m->rows[j].fixture, r->fixture) &&
				       (v = uniform_cell(m, &m->rows[j], t)) && same_saying(u, v); j++)
					if (len < sizeof(scenarios))
						len += snprintf(scenarios + len, sizeof(scenarios) - len,
								", %s", m->rows[j].scenario);
				if (len >= sizeof(scenarios))
					memcpy(scenarios + sizeof(scenarios) - 4, "...", 4);
				fn(out, &(struct finding){ r, j > i + 1 ? scenarios : NULL, NULL, u, 0 },
				   !shown++);
				i = j - 1;
				continue;
			}
			for (size_t c = 0; c < m->nchecks; c++) {
				const json_t *cell = cell_of(r, t, m->checks[c]);

				if (cell && (!cell_passes(cell) || cell_differs(cell)) &&
				    !cell_explained(cell))
					fn(out, &(struct finding){ r, NULL, m->checks[c], cell, 0 },
					   !shown++);
			}
		}
	}
	return shown + each_explained(m, t, out, fn, shown);
}

static void html_finding(FILE *out, const struct finding *f, bool first)
{
	const char *v = scorecard_json_str(f->cell, "verdict");
	const json_t *e = json_object_get(f->cell, "expected");

	if (first)
		fputs("<table class=\"findings\"><thead><tr><th>row</th><th>scenario</th>"
		      "<th>check</th><th>verdict</th><th>detail</th></tr></thead><tbody>\n", out);
	fputs("<tr><td>", out);
	h(out, f->row->fixture);
	fputs("</td><td>", out);
	h(out, f->scenarios ? f->scenarios : f->row->scenario);
	fputs("</td><td>", out);
	if (f->check)
		h(out, f->check);
	else
		fputs("<i>all</i>", out);
	fprintf(out, "</td><td class=\"v-%s\">", verdict_class(v));
	h(out, v);
	fputs("</td><td class=\"detail mono\">", out);
	if (f->ncells) {	/* a group: its reason; each cell's detail is in the matrix */
		fprintf(out, "<b>as expected</b> (%zu cell%s): ", f->ncells, f->ncells == 1 ? "" : "s");
		h(out, scorecard_json_str(e, "reason"));
		fputs("<br><span class=\"muted\">e.g. ", out);
		h(out, scorecard_json_str(f->cell, "detail"));
		fputs("</span></td></tr>\n", out);
		return;
	}
	h(out, scorecard_json_str(f->cell, "detail"));
	if (cell_differs(f->cell)) {
		fputs("<br><b>differs:</b> ", out);
		h(out, difference(f->cell));
	} else if (scorecard_json_str(e, "reason")[0]) {
		fputs("<br><b>expected:</b> ", out);
		h(out, scorecard_json_str(e, "reason"));
	}
	fputs("</td></tr>\n", out);
}

/* Every cell that does not pass, one line for rows whose cells all say
 * the same; rows that do not apply at all are counted. */
static void html_findings(FILE *out, const struct model *m, size_t t)
{
	size_t na_rows;

	if (each_finding(m, t, out, html_finding, &na_rows))
		fputs("</tbody></table>\n", out);
	else if (!m->n)
		fputs("<p>No cells: the scorecard holds no rows (nothing ran).</p>\n", out);
	else
		fputs("<p>Every cell that applies passed.</p>\n", out);
	if (na_rows)
		fprintf(out, "<p class=\"small muted\">%zu row%s not applicable (N/A in every check: "
			"the fixture has no such scenario).</p>\n", na_rows, na_rows == 1 ? "" : "s");
}

/* ---- cost: the bench's added ns per write call, as bar plots ---- */

static void size_name(double size, char *buf, size_t len)
{
	if (size >= 1024 * 1024 && fmod(size, 1024 * 1024) == 0)
		snprintf(buf, len, "%.0f MiB", size / (1024 * 1024));
	else if (size >= 1024 && fmod(size, 1024) == 0)
		snprintf(buf, len, "%.0f KiB", size / 1024);
	else
		snprintf(buf, len, "%.0f B", size);
}

/* What a configuration adds per write call at sizes[s] (writes back to
 * back); false if not measured. */
static bool added_ns(const json_t *config, size_t s, double *v)
{
	const json_t *size = json_array_get(json_object_get(config, "sizes"), s);

	return jnum(json_object_get(size, "stream_write"), "added_ns", v);
}

static double nice_step(double range)
{
	double raw = range / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;

	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static const char *const palette[] = { "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
				       "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac" };

/* One fixture's plot: a group of bars per payload size, one bar per
 * configuration (no tracer left out: the others are measured against it). */
static void html_cost_plot(FILE *out, const json_t *fixture)
{
	const json_t *configs = json_object_get(fixture, "configs"), *c;
	const json_t *first = json_array_get(configs, 0);
	size_t nsizes = json_array_size(json_object_get(first, "sizes")), nconf = 0, k;
	const int left = 210, plotw = 560, right = 90, bar = 14, gap = 12, top = 10;
	double lo = 0, hi = 0, step, v;
	int y, height;

	json_array_foreach((json_t *)configs, k, c) {
		if (!strcmp(scorecard_json_str(c, "config"), "none"))
			continue;
		nconf++;
		for (size_t s = 0; s < nsizes; s++) {
			if (!added_ns(c, s, &v))
				continue;
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
	}
	if (!nconf || !nsizes) {
		fputs("<p class=\"muted\">No configuration measured.</p>\n", out);
		return;
	}
	if (hi - lo <= 0)
		hi = lo + 1;
	step = nice_step(hi - lo);
	lo = floor(lo / step) * step;
	hi = ceil(hi / step) * step;
	height = top + nsizes * (nconf * bar + gap) + 30;
#define X(val) (left + ((val) - lo) / (hi - lo) * plotw)
	fprintf(out, "<svg class=\"cost\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" data-fixture=\"", left + plotw + right,
		height, left + plotw + right, height);
	h(out, scorecard_json_str(fixture, "fixture"));
	fputs("\"><title>", out);
	h(out, scorecard_json_str(fixture, "fixture"));
	fputs(": ns added per write call</title>\n", out);
	y = top + nsizes * (nconf * bar + gap);
	for (double tick = lo; tick <= hi + step / 2; tick += step) {
		fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>"
			"<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" "
			"fill=\"#55606b\">%.0f</text>\n", X(tick), top - 4, X(tick), y,
			fabs(tick) < step / 2 ? "#55606b" : "#e3e7eb", X(tick), y + 14, tick);
	}
	fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" "
		"fill=\"#55606b\">ns added per write call (median, against no tracer)</text>\n",
		X((lo + hi) / 2), y + 27);
	y = top;
	for (size_t s = 0; s < nsizes; s++) {
		char name[32];
		double size = 0;

		jnum(json_array_get(json_object_get(first, "sizes"), s), "size", &size);
		size_name(size, name, sizeof(name));
		fprintf(out, "<text x=\"4\" y=\"%d\" font-size=\"12\" font-weight=\"600\">%s</text>\n",
			y + bar - 3, name);
		json_array_foreach((json_t *)configs, k, c) {
			const char *cfg = scorecard_json_str(c, "config");
			const char *colour = palette[k % (sizeof(palette) / sizeof(palette[0]))];

			if (!strcmp(cfg, "none"))
				continue;
			fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">",
				left - 6, y + bar - 3);
			h(out, cfg);
			fputs("</text>", out);
			if (added_ns(c, s, &v)) {
				double x0 = X(fmin(0, v)), x1 = X(fmax(0, v));

				fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
					"fill=\"%s\"><title>", x0, y + 1, fmax(x1 - x0, 0.5), bar - 2,
					colour);
				h(out, cfg);
				fprintf(out, " %s: %+.0f ns</title></rect><text x=\"%.1f\" y=\"%d\" "
					"font-size=\"11\" fill=\"#1d2329\">%+.0f</text>", name, v,
					X(fmax(0, v)) + 4, y + bar - 3, v);
			} else {
				fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
					"fill=\"#9aa3ad\">not measured</text>", X(0) + 4, y + bar - 3);
			}
			fputc('\n', out);
			y += bar;
		}
		y += gap;
	}
#undef X
	fputs("</svg>\n", out);
}

static void html_cost(FILE *out, const struct report_set *rs)
{
	const json_t *machine = json_object_get(rs->bench, "machine"), *f;
	size_t i;

	fputs("<h2 id=\"cost\">Cost</h2>\n<p>What each configuration adds to a TLS write call "
	      "(ns, median over rounds) against no tracer, writes back to back (the bench's "
	      "stream runs: no write pays for waking a peer). From <code>", out);
	h(out, rs->bench_path);
	fputs("</code>", out);
	if (machine) {
		fputs(", run on ", out);
		h(out, scorecard_json_str(machine, "cpu"));
		fputs(", ", out);
		h(out, scorecard_json_str(machine, "kernel"));
		fputs(", ", out);
		h(out, scorecard_json_str(machine, "date"));
	}
	fputs(".</p>\n", out);
	json_array_foreach(json_object_get(rs->bench, "fixtures"), i, f) {
		fputs("<h3>", out);
		h(out, scorecard_json_str(f, "fixture"));
		if (scorecard_json_str(f, "version")[0]) {
			fputs(" <span class=\"muted\">(", out);
			h(out, scorecard_json_str(f, "version"));
			fputs(")</span>", out);
		}
		fputs("</h3>\n", out);
		if (scorecard_json_str(f, "error")[0]) {
			fputs("<p class=\"muted\">", out);
			h(out, scorecard_json_str(f, "error"));
			fputs("</p>\n", out);
		}
		html_cost_plot(out, f);
	}
}

/* ---- environment ---- */

struct env_key {
	const char *label, *key;	/* key in "environment", or special */
};

static const struct env_key env_keys[] = {
	{ "tracer command", "tracer.command" }, { "tracer version", "tracer.version" },
	{ "tlsprobe", "tlsprobe" }, { "machine", "machine" }, { "CPU", "cpu" }, { "CPUs", "cpus" },
	{ "OS", "os" }, { "kernel", "kernel" }, { "kernel build", "kernel_build" },
	{ "date", "date" },
};

/* The value of an environment key as text ("" if absent). */
static void env_value(const json_t *env, const char *key, char *buf, size_t len)
{
	const json_t *v;

	if (!strncmp(key, "tracer.", 7))
		v = json_object_get(json_object_get(env, "tracer"), key + 7);
	else
		v = json_object_get(env, key);
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		buf[0] = '\0';
}

/* Every fixture row's library versions, each once. */
static void each_lib_version(const struct model *m, const char *fixture,
			     void (*fn)(void *ctx, const char *version, bool first), void *ctx)
{
	const char **seen = NULL;
	size_t nseen = 0;

	for (size_t i = 0; i < m->n; i++) {
		for (size_t t = 0; t < m->rs->n && !strcmp(m->rows[i].fixture, fixture); t++) {
			const char *v = m->rows[i].by_tracer[t] ? scorecard_json_str(m->rows[i].by_tracer[t],
								       "lib_version") : "";
			size_t before = nseen;

			if (!v[0] || add_name(&seen, &nseen, v) || nseen == before)
				continue;
			fn(ctx, v, nseen == 1);
		}
	}
	free(seen);
}

static void html_version(void *ctx, const char *version, bool first)
{
	FILE *out = ctx;

	fputs(first ? "" : "<br>", out);
	h(out, version);
}

static void html_environment(FILE *out, const struct model *m)
{
	const struct report_set *rs = m->rs;
	const char **fixtures = NULL;
	size_t nfixtures = 0;
	char buf[1024];

	fputs("<h2 id=\"environment\">Environment</h2>\n<table class=\"env\"><thead><tr><th></th>",
	      out);
	for (size_t t = 0; t < rs->n; t++) {
		fputs("<th>", out);
		h(out, tracer_name(&rs->v[t]));
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>\n", out);
	for (size_t k = 0; k < sizeof(env_keys) / sizeof(env_keys[0]); k++) {
		fputs("<tr><th>", out);
		h(out, env_keys[k].label);
		fputs("</th>", out);
		for (size_t t = 0; t < rs->n; t++) {
			const json_t *env = json_object_get(rs->v[t].scorecard, "environment");

			env_value(env, env_keys[k].key, buf, sizeof(buf));
			fputs("<td>", out);
			if (!env && k == 0)
				fputs("<span class=\"muted\">not recorded in this scorecard</span>", out);
			else
				h(out, buf);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("<tr><th>scorecard</th>", out);
	for (size_t t = 0; t < rs->n; t++) {
		fputs("<td><code>", out);
		h(out, rs->v[t].path);
		fputs("</code></td>", out);
	}
	fputs("</tr></tbody></table>\n<h3>Library versions</h3>\n<table class=\"libs\"><thead><tr>"
	      "<th>row</th><th>library</th></tr></thead><tbody>\n", out);
	for (size_t i = 0; i < m->n; i++) {
		size_t before = nfixtures;

		if (add_name(&fixtures, &nfixtures, m->rows[i].fixture) || nfixtures == before)
			continue;
		fputs("<tr><td>", out);
		h(out, m->rows[i].fixture);
		fputs("</td><td>", out);
		each_lib_version(m, m->rows[i].fixture, html_version, out);
		fputs("</td></tr>\n", out);
	}
	free(fixtures);
	fputs("</tbody></table>\n", out);
}

static void html_logs(FILE *out, const struct report_set *rs)
{
	bool any = false;

	for (size_t t = 0; t < rs->n; t++) {
		const json_t *logs = json_object_get(rs->v[t].scorecard, "tracer_logs"), *v;
		const char *key;
		size_t i = 0;

		json_object_foreach((json_t *)logs, key, v) {
			if (!any) {
				fprintf(out, "<h2 id=\"logs\">Tracer logs</h2>\n<p class=\"small muted\">"
					"The end of each fixture row's tracer stderr (at most %d lines).</p>\n",
					TRACER_LOG_LINES);
				any = true;
			}
			fprintf(out, "<details class=\"log\" id=\"log-%zu-%zu\"><summary>", t, i++);
			h(out, key);
			if (rs->n > 1) {
				fputs(" · ", out);
				h(out, tracer_name(&rs->v[t]));
			}
			fputs("</summary><pre>", out);
			h(out, json_string_value(v)[0] ? json_string_value(v) : "(empty)");
			fputs("</pre></details>\n", out);
		}
	}
}

int html_report_write(const struct report_set *rs, FILE *out)
{
	struct model m;

	if (build_model(rs, &m)) {
		model_free(&m);
		errno = ENOMEM;
		return -1;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>tlsprobe report: ", out);
	for (size_t t = 0; t < rs->n; t++) {
		fputs(t ? ", " : "", out);
		h(out, tracer_name(&rs->v[t]));
	}
	fprintf(out, "</title>\n<style>\n%s</style>\n</head><body>\n<h1>tlsprobe conformance "
		"report</h1>\n<nav class=\"small\"><a href=\"#matrix\">matrix</a><a href=\"#findings\">"
		"not passing</a>%s<a href=\"#environment\">environment</a><a href=\"#logs\">tracer "
		"logs</a></nav>\n<h2 id=\"summary\">Summary</h2>\n", html_style,
		rs->bench ? "<a href=\"#cost\">cost</a>" : "");
	for (size_t t = 0; t < rs->n; t++)
		html_summary(out, rs, t);
	fprintf(out, "<p class=\"small muted\">%zu rows (fixture × scenario) in %zu stacks, %zu "
		"checks per tracer.</p>\n", m.n, m.nstacks, m.nchecks);
	fputs("<h2>Matrix</h2>\n", out);
	html_legend(out);
	html_na_toggle(out, &m);
	html_matrix(out, &m);
	fputs("<h2 id=\"findings\">Not passing</h2>\n", out);
	for (size_t t = 0; t < rs->n; t++) {
		if (rs->n > 1) {
			fputs("<h3>", out);
			h(out, tracer_name(&rs->v[t]));
			fputs("</h3>\n", out);
		}
		html_findings(out, &m, t);
	}
	if (rs->bench)
		html_cost(out, rs);
	html_environment(out, &m);
	html_logs(out, rs);
	fprintf(out, "<script>\n%s</script>\n</body></html>\n", html_script);
	model_free(&m);
	return ferror(out) ? -1 : 0;
}

/* ---- Markdown ---- */

/* Text in a Markdown table cell or list item: one line, and nothing that
 * Markdown or HTML would take as markup. */
static void md(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '|': case '\\': case '*': case '_': case '`': case '[': case ']': case '#':
		case '~':
			fputc('\\', out);
			fputc(c, out);
			break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '\n': case '\r': case '\t': fputc(' ', out); break;
		default:
			fputc(c < 0x20 || c == 0x7f ? '?' : c, out);
		}
	}
}

/* Text in a fenced code block: no line may close the fence. */
static void md_code(FILE *out, const char *s)
{
	for (const char *line = s; *line;) {
		size_t n = strcspn(line, "\n");

		if (!strncmp(line, "```", 3))
			fputc(' ', out);
		fwrite(line, 1, n, out);
		fputc('\n', out);
		line += n + (line[n] == '\n');
	}
}

static void md_summary(FILE *out, const struct report_set *rs)
{
	const char **keys = NULL;
	size_t nkeys = 0;
	char label[64];

	for (size_t t = 0; t < rs->n; t++) {
		const json_t *v;
		const char *key;

		json_object_foreach(json_object_get(rs->v[t].scorecard, "totals"), key, v)
			add_name(&keys, &nkeys, key);
	}
	fputs("## Summary\n\n| tracer |", out);
	for (size_t k = 0; k < nkeys; k++) {
		total_label(keys[k], label, sizeof(label));
		fprintf(out, " %s |", label);
	}
	fputs(" run |\n|---|", out);
	for (size_t k = 0; k < nkeys; k++)
		fputs("---:|", out);
	fputs("---|\n", out);
	for (size_t t = 0; t < rs->n; t++) {
		const json_t *root = rs->v[t].scorecard, *failed = json_object_get(root, "failed");

		fputs("| ", out);
		md(out, tracer_name(&rs->v[t]));
		fputs(" |", out);
		for (size_t k = 0; k < nkeys; k++) {
			const json_t *v = json_object_get(json_object_get(root, "totals"), keys[k]);

			if (v)
				fprintf(out, " %" JSON_INTEGER_FORMAT " |", json_integer_value(v));
			else
				fputs(" – |", out);
		}
		fprintf(out, " %s |\n", !json_is_boolean(failed) ? "–" : json_is_true(failed) ?
			"**failed**" : "passed");
	}
	free(keys);
}

static void md_matrix(FILE *out, const struct model *m, size_t t)
{
	fputs("| row | scenario | library |", out);
	for (size_t c = 0; c < m->nchecks; c++) {
		fputc(' ', out);
		md(out, m->checks[c]);
		fputs(" |", out);
	}
	fputs("\n|---|---|---|", out);
	for (size_t c = 0; c < m->nchecks; c++)
		fputs("---|", out);
	fputc('\n', out);
	for (size_t s = 0; s < m->nstacks; s++) {
		for (size_t i = 0; i < m->n; i++) {
			const struct mrow *r = &m->rows[i];

			if (strcmp(r->stack, m->stacks[s]) || !r->by_tracer[t])
				continue;
			fputs("| ", out);
			md(out, r->fixture);
			fputs(" | ", out);
			md(out, r->scenario);
			fputs(" | ", out);
			md(out, scorecard_json_str(r->by_tracer[t], "lib_version"));
			fputs(" |", out);
			for (size_t c = 0; c < m->nchecks; c++) {
				const json_t *cell = cell_of(r, t, m->checks[c]);
				const char *v = cell ? scorecard_json_str(cell, "verdict") : "–";
				bool strong = cell && (!strcmp(v, "FAIL") || cell_differs(cell));

				fputs(strong ? " **" : " ", out);
				md(out, v);
				fputs(strong ? "** |" : " |", out);
			}
			fputc('\n', out);
		}
	}
}

static void md_hex(FILE *out, const struct context *c)
{
	fputs("  ```\n", out);
	for (int side = 0; side < 2; side++) {
		const uint8_t *b = side ? c->cap : c->exp;
		int nb = side ? c->ncap : c->nexp;

		fprintf(out, "  %s @%" PRIu64 ":", side ? "captured" : "expected", c->start);
		for (int i = 0; i < nb; i++) {
			bool here = c->start + i == c->offset;

			fprintf(out, here ? " [%02x]" : " %02x", b[i]);
		}
		fputc('\n', out);
	}
	fputs("  ```\n", out);
}

static void md_facts(FILE *out, const json_t *facts)
{
	struct context ctx;
	double v, a, b;
	unsigned int x;

	if (!facts)
		return;
	if (jnum(facts, "offset", &v)) {
		fprintf(out, "  - first difference at offset %.0f: expected ", v);
		if (jbyte(facts, "expected_byte", &x))
			fprintf(out, "0x%02x", x);
		else
			fputs("none (past the end)", out);
		fputs(", captured ", out);
		if (jbyte(facts, "captured_byte", &x))
			fprintf(out, "0x%02x", x);
		else
			fputs("none (past the end)", out);
		fputc('\n', out);
		if (facts_context(facts, &ctx))
			md_hex(out, &ctx);
	}
	if (jnum(facts, "bytes_expected", &v) && jnum(facts, "bytes_captured", &a) &&
	    jnum(facts, "bytes_lost", &b))
		fprintf(out, "  - bytes expected %.0f, captured %.0f, reported lost %.0f\n", v, a, b);
	if (jnum(facts, "fd_expected", &a) && jnum(facts, "fd_seen", &b))
		fprintf(out, "  - fd expected %.0f, seen %.0f\n", a, b);
}

static void md_finding(FILE *out, const struct finding *f, bool first)
{
	const json_t *e = json_object_get(f->cell, "expected");

	(void)first;
	fputs("- ", out);
	md(out, f->row->fixture);
	fputs(" / ", out);
	md(out, f->scenarios ? f->scenarios : f->row->scenario);
	fputs(" / ", out);
	md(out, f->check ? f->check : "all checks");
	fputs(": **", out);
	md(out, scorecard_json_str(f->cell, "verdict"));
	fputs("**", out);
	if (f->ncells) {
		fprintf(out, " as expected (%zu cell%s) — ", f->ncells, f->ncells == 1 ? "" : "s");
		md(out, scorecard_json_str(e, "reason"));
		fputs("\n  - e.g. ", out);
		md(out, scorecard_json_str(f->cell, "detail"));
		fputc('\n', out);
		return;
	}
	if (scorecard_json_str(f->cell, "detail")[0]) {
		fputs(" — ", out);
		md(out, scorecard_json_str(f->cell, "detail"));
	}
	fputc('\n', out);
	if (cell_differs(f->cell)) {
		fputs("  - differs from the expected result: ", out);
		md(out, difference(f->cell));
		fputc('\n', out);
	} else if (scorecard_json_str(e, "reason")[0]) {
		fputs("  - expected ", out);
		md(out, scorecard_json_str(e, "verdict"));
		fputs(": ", out);
		md(out, scorecard_json_str(e, "reason"));
		fputc('\n', out);
	}
	if (f->check)
		md_facts(out, json_object_get(f->cell, "facts"));
}

static void md_findings(FILE *out, const struct model *m, size_t t)
{
	size_t na_rows;

	if (!each_finding(m, t, out, md_finding, &na_rows))
		fputs(m->n ? "Every cell that applies passed.\n" :
		      "No cells: the scorecard holds no rows (nothing ran).\n", out);
	if (na_rows)
		fprintf(out, "\n%zu row%s not applicable (N/A in every check).\n", na_rows,
			na_rows == 1 ? "" : "s");
}

/* The tracer logs of rows with a cell that is neither PASS nor N/A. */
static void md_logs(FILE *out, const struct model *m, size_t t)
{
	const json_t *logs = json_object_get(m->rs->v[t].scorecard, "tracer_logs"), *v;
	const char *key;
	bool any = false;

	json_object_foreach((json_t *)logs, key, v) {
		bool wanted = false;

		for (size_t i = 0; i < m->n && !wanted; i++)
			for (size_t c = 0; c < m->nchecks && !wanted; c++) {
				const json_t *cell = cell_of(&m->rows[i], t, m->checks[c]);

				wanted = cell && !strcmp(m->rows[i].fixture, key) && !cell_passes(cell) &&
					 !cell_not_applicable(cell);
			}
		if (!wanted)
			continue;
		if (!any)
			fputs("\nThe end of the tracer's stderr, for rows with cells that did not pass:\n",
			      out);
		any = true;
		fputs("\n<details><summary>", out);
		md(out, key);
		fputs("</summary>\n\n```\n", out);
		md_code(out, json_string_value(v)[0] ? json_string_value(v) : "(empty)");
		fputs("```\n\n</details>\n", out);
	}
}

static void md_cost(FILE *out, const struct report_set *rs)
{
	const json_t *f, *c;
	size_t i, k;

	fputs("\n## Cost\n\nns added per write call (median) against no tracer, writes back to back "
	      "(`", out);
	md(out, rs->bench_path);
	fputs("`):\n", out);
	json_array_foreach(json_object_get(rs->bench, "fixtures"), i, f) {
		const json_t *first = json_array_get(json_object_get(f, "configs"), 0);
		size_t nsizes = json_array_size(json_object_get(first, "sizes"));

		fputs("\n### ", out);
		md(out, scorecard_json_str(f, "fixture"));
		if (scorecard_json_str(f, "version")[0]) {
			fputs(" (", out);
			md(out, scorecard_json_str(f, "version"));
			fputc(')', out);
		}
		fputs("\n\n| configuration |", out);
		for (size_t s = 0; s < nsizes; s++) {
			char name[32];
			double size = 0;

			jnum(json_array_get(json_object_get(first, "sizes"), s), "size", &size);
			size_name(size, name, sizeof(name));
			fprintf(out, " %s |", name);
		}
		fputs("\n|---|", out);
		for (size_t s = 0; s < nsizes; s++)
			fputs("---:|", out);
		fputc('\n', out);
		json_array_foreach(json_object_get(f, "configs"), k, c) {
			if (!strcmp(scorecard_json_str(c, "config"), "none"))
				continue;
			fputs("| ", out);
			md(out, scorecard_json_str(c, "config"));
			fputs(" |", out);
			for (size_t s = 0; s < nsizes; s++) {
				double v;

				if (added_ns(c, s, &v))
					fprintf(out, " %+.0f |", v);
				else
					fputs(" – |", out);
			}
			fputc('\n', out);
		}
	}
}

static void md_version(void *ctx, const char *version, bool first)
{
	FILE *out = ctx;

	fputs(first ? "" : ", ", out);
	md(out, version);
}

static void md_environment(FILE *out, const struct model *m)
{
	const char **fixtures = NULL;
	size_t nfixtures = 0;
	char buf[1024];

	fputs("\n## Environment\n\n", out);
	for (size_t t = 0; t < m->rs->n; t++)
		nfixtures += json_object_get(m->rs->v[t].scorecard, "environment") != NULL;
	if (!nfixtures)
		fputs("Not recorded in the scorecard (written before conform recorded it).\n", out);
	for (size_t t = 0; t < m->rs->n && nfixtures; t++) {
		fputs(t ? "" : "| |", out);
		fputc(' ', out);
		md(out, tracer_name(&m->rs->v[t]));
		fputs(" |", out);
	}
	for (size_t t = 0; t < m->rs->n && nfixtures; t++)
		fputs(t ? "---|" : "\n|---|---|", out);
	fputs(nfixtures ? "\n" : "", out);
	for (size_t k = 0; k < sizeof(env_keys) / sizeof(env_keys[0]) && nfixtures; k++) {
		fprintf(out, "| %s |", env_keys[k].label);
		for (size_t t = 0; t < m->rs->n; t++) {
			env_value(json_object_get(m->rs->v[t].scorecard, "environment"), env_keys[k].key,
				  buf, sizeof(buf));
			fputc(' ', out);
			md(out, buf[0] ? buf : "–");
			fputs(" |", out);
		}
		fputc('\n', out);
	}
	fputs("\n| row | library |\n|---|---|\n", out);
	nfixtures = 0;
	for (size_t i = 0; i < m->n; i++) {
		size_t before = nfixtures;

		if (add_name(&fixtures, &nfixtures, m->rows[i].fixture) || nfixtures == before)
			continue;
		fputs("| ", out);
		md(out, m->rows[i].fixture);
		fputs(" | ", out);
		each_lib_version(m, m->rows[i].fixture, md_version, out);
		fputs(" |\n", out);
	}
	free(fixtures);
}

int md_report_write(const struct report_set *rs, FILE *out)
{
	struct model m;

	if (build_model(rs, &m)) {
		model_free(&m);
		errno = ENOMEM;
		return -1;
	}
	fputs("# tlsprobe conformance report\n\n", out);
	md_summary(out, rs);
	fprintf(out, "\n%zu rows (fixture × scenario) in %zu stacks, %zu checks per tracer.\n", m.n,
		m.nstacks, m.nchecks);
	for (size_t t = 0; t < rs->n; t++) {
		fputs("\n## Matrix: ", out);
		md(out, tracer_name(&rs->v[t]));
		fputs("\n\n", out);
		md_matrix(out, &m, t);
		fputs("\n### Not passing: ", out);
		md(out, tracer_name(&rs->v[t]));
		fputs("\n\n", out);
		md_findings(out, &m, t);
		md_logs(out, &m, t);
	}
	if (rs->bench)
		md_cost(out, rs);
	md_environment(out, &m);
	model_free(&m);
	return ferror(out) ? -1 : 0;
}

/* ---- files ---- */

static int write_one(const struct report_set *rs, const char *path,
		     int (*fn)(const struct report_set *, FILE *), char *err, size_t errlen)
{
	bool to_stdout = !strcmp(path, "-");
	FILE *out = to_stdout ? stdout : fopen(path, "w");
	int ret;

	if (!out)
		return bad(err, errlen, "%s: %s", path, strerror(errno));
	ret = fn(rs, out);
	if (to_stdout)
		ret |= fflush(out) ? -1 : 0;
	else
		ret |= fclose(out) ? -1 : 0;
	if (ret)
		return bad(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
	return 0;
}

int report_write_files(const struct report_set *rs, const char *html_path, const char *md_path,
		       char *err, size_t errlen)
{
	if (html_path && write_one(rs, html_path, html_report_write, err, errlen))
		return -1;
	if (md_path && write_one(rs, md_path, md_report_write, err, errlen))
		return -1;
	return 0;
}

int report_write_scorecard(const struct scorecard *sc, const char *html_path, char *err,
			   size_t errlen)
{
	struct report_input in = { "this run", scorecard_json(sc) };
	struct report_set rs = { &in, 1, NULL, NULL };
	int ret;

	if (!in.scorecard)
		return bad(err, errlen, "out of memory");
	ret = report_check_scorecard(in.scorecard, in.path, err, errlen) ||
	      report_write_files(&rs, html_path, NULL, err, errlen) ? -1 : 0;
	json_decref(in.scorecard);
	return ret;
}
