/* tlsprobe report: one or more scorecards (conform --json), side by side, as
 * one self-contained HTML page (no network, no external resource: inline
 * CSS, inline SVG, a few lines of inline script that only open <details>) and
 * as GitHub-flavoured Markdown. Both show, per tracer, the counts of the
 * JSON's "totals"; the matrix (stacks × scenarios × checks, coloured by
 * verdict, each cell with its detail and facts: the first differing offset
 * with both bytes and a hex context, the bytes expected / captured /
 * reported lost, the fd expected and seen, the expected result, the end of
 * the tracer's stderr); the bench's added cost per call (bench.json, as
 * SVG bar plots); the environment (machine, kernel, library and tracer
 * versions).
 *
 * Every string from the JSON is escaped; a verdict the report does not
 * know ("NOT CLAIMED", anything else) is shown as written, in a neutral
 * colour. (bench/report.c is the bench's own report: different names.) */
#ifndef TLSPROBE_CONFORMANCE_REPORT_H
#define TLSPROBE_CONFORMANCE_REPORT_H
#include <stdio.h>
#include <jansson.h>
#include "scorecard.h"

struct report_input {
	const char *path;	/* where it came from (shown, and in errors) */
	json_t *scorecard;	/* a checked scorecard (report_load_scorecard) */
};

struct report_set {
	struct report_input *v;
	size_t n;
	json_t *bench;		/* NULL, or a checked bench.json (report_load_bench) */
	const char *bench_path;
};

/* Loads and checks a scorecard JSON file: NULL with "PATH: reason" in err
 * (PATH:LINE:COLUMN for a JSON syntax error). report_check_scorecard checks
 * one already parsed: 0, or -1 with "what: reason" (what: path or a name). */
json_t *report_load_scorecard(const char *path, char *err, size_t errlen);
int report_check_scorecard(const json_t *root, const char *what, char *err, size_t errlen);
/* The same for the bench's JSON (build/bench/bench.json). */
json_t *report_load_bench(const char *path, char *err, size_t errlen);

/* The page and the Markdown. 0, or -1 when writing failed. */
int html_report_write(const struct report_set *rs, FILE *out);
int md_report_write(const struct report_set *rs, FILE *out);

/* Writes the HTML report to html_path and/or the Markdown to md_path (NULL:
 * not written; "-": stdout). 0, or -1 with "PATH: reason" in err. */
int report_write_files(const struct report_set *rs, const char *html_path, const char *md_path,
		       char *err, size_t errlen);

/* conform --html: the report of one run's scorecard. 0 or -1 (err). */
int report_write_scorecard(const struct scorecard *sc, const char *html_path, char *err,
			   size_t errlen);
#endif
