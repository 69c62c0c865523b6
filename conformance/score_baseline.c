/* conform --baseline: this run against an earlier run's scorecard JSON. */
#include <string.h>
#include <stdlib.h>

#include <jansson.h>

#include "score_baseline.h"

/* One row's cells, appended. 0, or -1 with the reason. */
static int load_row(json_t *row, size_t index, struct score_baseline *b, char *err, size_t errlen)
{
	json_t *checks = json_object_get(row, "checks"), *cell;
	const char *check;

	if (!json_is_object(checks) || !json_is_string(json_object_get(row, "fixture")) ||
	    !json_is_string(json_object_get(row, "scenario"))) {
		snprintf(err, errlen, "rows[%zu]: needs \"fixture\", \"scenario\" and \"checks\"",
			 index);
		return -1;
	}
	json_object_foreach(checks, check, cell) {
		struct score_baseline_cell *c = &b->v[b->n];

		if (!json_is_string(json_object_get(cell, "verdict"))) {
			snprintf(err, errlen, "rows[%zu].checks.%s: no \"verdict\"", index, check);
			return -1;
		}
		snprintf(c->fixture, sizeof(c->fixture), "%s", scorecard_json_str(row, "fixture"));
		snprintf(c->scenario, sizeof(c->scenario), "%s", scorecard_json_str(row, "scenario"));
		snprintf(c->check, sizeof(c->check), "%s", check);
		snprintf(c->verdict, sizeof(c->verdict), "%s", scorecard_json_str(cell, "verdict"));
		b->n++;
	}
	return 0;
}

int score_baseline_load(const char *path, struct score_baseline *b, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *rows, *row;
	char why[256] = "";
	size_t i, cells = 0;

	memset(b, 0, sizeof(*b));
	snprintf(b->path, sizeof(b->path), "%s", path);
	if (!root) {
		snprintf(err, errlen, "%s: %s (line %d)", path, jerr.text, jerr.line);
		return -1;
	}
	rows = json_object_get(root, "rows");
	if (!json_is_array(rows)) {
		snprintf(err, errlen, "%s: no \"rows\" array: not a scorecard from conform --json",
			 path);
		json_decref(root);
		return -1;
	}
	json_array_foreach(rows, i, row)
		cells += json_object_size(json_object_get(row, "checks"));
	b->v = calloc(cells ? cells : 1, sizeof(*b->v));
	snprintf(b->tracer, sizeof(b->tracer), "%s", scorecard_json_str(root, "tracer"));
	json_array_foreach(rows, i, row) {
		if (!b->v || load_row(row, i, b, why, sizeof(why))) {
			snprintf(err, errlen, "%s: %s", path, b->v ? why : "out of memory");
			json_decref(root);
			score_baseline_free(b);
			return -1;
		}
	}
	json_decref(root);
	return 0;
}

void score_baseline_free(struct score_baseline *b)
{
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

static const struct score_baseline_cell *find_cell(const struct score_baseline *b, const char *fixture,
					     const char *scenario, const char *check)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->v[i].fixture, fixture) && !strcmp(b->v[i].scenario, scenario) &&
		    !strcmp(b->v[i].check, check))
			return &b->v[i];
	return NULL;
}

static const char *cell_reason(const struct score_row *row, int c)
{
	return row->error[0] ? row->error : row->checks[c].detail;
}

struct score_baseline_diff score_baseline_compare(const struct score_baseline *b, const struct scorecard *sc,
				      FILE *out)
{
	struct score_baseline_diff d = { 0 };

	fprintf(out, "\nbaseline %s%s%s:\n", b->path, b->tracer[0] ? ", tracer " : "", b->tracer);
	for (size_t i = 0; i < sc->n; i++) {
		const struct score_row *row = &sc->rows[i];

		for (int c = 0; c < N_CHECKS; c++) {
			const struct score_baseline_cell *then =
				find_cell(b, row->fixture, row->scenario, check_name(c));
			const char *now = scorecard_cell_shown(row, c);
			int passed = then && !strcmp(then->verdict, "PASS");

			if (!then)
				continue;
			d.compared++;
			if (passed && strcmp(now, "PASS")) {
				d.regressed++;
				fprintf(out, "%s %s %s: PASS in the baseline, now %s (%.300s)\n",
					row->fixture, row->scenario, check_name(c), now,
					cell_reason(row, c));
			} else if (!passed && !strcmp(now, "PASS")) {
				d.improved++;
				fprintf(out, "%s %s %s: %s in the baseline, now PASS\n", row->fixture,
					row->scenario, check_name(c), then->verdict);
			}
		}
	}
	d.missing = b->n - d.compared;
	fprintf(out, "%zu cells compared with the baseline: %zu no longer pass, %zu now pass",
		d.compared, d.regressed, d.improved);
	if (d.missing)
		fprintf(out, " (%zu of its cells not run this time)", d.missing);
	fputc('\n', out);
	if (!d.compared)
		fprintf(out, "no cell of this run is in the baseline: the gate compared nothing\n");
	return d;
}

int score_baseline_failed(const struct score_baseline_diff *d)
{
	return d->regressed > 0 || d->compared == 0;
}
