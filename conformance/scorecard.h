/* The scorecard: one row per (fixture, scenario), one cell per check, printed
 * for people (text) and for machines (JSON, JUnit XML). */
#ifndef TLSPROBE_SCORECARD_H
#define TLSPROBE_SCORECARD_H

#include <stdio.h>

#include "compare.h"

struct score_row {
	char fixture[64];
	char scenario[64];
	char lib_version[64];
	struct check_result checks[N_CHECKS];
	/* Non-empty: the row could not run (fixture failed, tracer failed);
	 * every cell then counts as FAIL with this reason, whatever checks say. */
	char error[256];
};

struct scorecard {
	struct score_row *rows;
	size_t n, cap;
	char tracer[128];
};

/* Appends a zeroed row (all checks PASS, no error). NULL if out of memory. */
struct score_row *scorecard_add(struct scorecard *sc);
/* Is any cell FAIL (error rows included)? */
int scorecard_failed(const struct scorecard *sc);
/* A table (fixture | scenario | version | one column per check), then one
 * line per FAIL/SKIP cell with its detail (one per error row), then
 * "N passed, M failed, K skipped" counting cells. */
void scorecard_print_text(const struct scorecard *sc, FILE *out);
/* Returns 0 or -1 (errno set). */
int scorecard_write_json(const struct scorecard *sc, const char *path);
/* A testsuite per fixture, a testcase "scenario.check" per cell. 0 or -1. */
int scorecard_write_junit(const struct scorecard *sc, const char *path);
void scorecard_free(struct scorecard *sc);

#endif
