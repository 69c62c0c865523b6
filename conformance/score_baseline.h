/* conform --baseline RESULTS.json: the regression gate of a tracer
 * vendor's CI. Every cell that passed in an earlier run's scorecard (its
 * --json) and does not pass now fails the run, and is named. */
#ifndef TLSPROBE_SCORE_BASELINE_H
#define TLSPROBE_SCORE_BASELINE_H
#include <stddef.h>
#include <stdio.h>

#include "scorecard.h"

struct score_baseline_cell {
	char fixture[64], scenario[64], check[16];
	char verdict[16]; /* as the scorecard showed it: PASS, FAIL, XFAIL, ... */
};

struct score_baseline {
	char path[256];
	char tracer[128];
	struct score_baseline_cell *v;
	size_t n;
};

/* Reads a scorecard JSON file. 0, or -1 with "path: reason" in err. */
int score_baseline_load(const char *path, struct score_baseline *b, char *err, size_t errlen);
void score_baseline_free(struct score_baseline *b);

struct score_baseline_diff {
	size_t compared;  /* cells in both */
	size_t regressed; /* PASS then, not PASS now */
	size_t improved;  /* not PASS then, PASS now */
	size_t missing;   /* in the baseline, not in this run (not asked for) */
};

/* Compares this run's cells with the baseline's; prints one line per cell
 * that changed ("ROW SCENARIO CHECK: PASS in the baseline, now FAIL
 * (detail)"), then a summary line. A gate that compared nothing (other row
 * names, another matrix) says so: score_baseline_failed() fails it. */
struct score_baseline_diff score_baseline_compare(const struct score_baseline *b, const struct scorecard *sc,
				      FILE *out);
/* Does the gate fail: a cell no longer passes, or no cell was compared? */
int score_baseline_failed(const struct score_baseline_diff *d);
#endif
