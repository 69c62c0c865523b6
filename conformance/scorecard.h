/* The scorecard: one row per (fixture, scenario), one cell per check, printed
 * for people (text) and for machines (JSON, JUnit XML). */
#ifndef TLSPROBE_SCORECARD_H
#define TLSPROBE_SCORECARD_H

#include <stdio.h>

#include "compare.h"
#include "expect.h"

struct score_row {
	char fixture[64];
	char scenario[64];
	char lib_version[64];
	struct check_result checks[N_CHECKS];
	/* Non-empty: the row could not run (fixture failed, tracer failed);
	 * every cell then counts as FAIL with this reason, whatever checks say. */
	char error[256];
	/* With --expect: each cell against its expected result. A cell whose
	 * FAIL was expected (XFAIL) shows as XFAIL with the file's reason. */
	struct cell_expect expect[N_CHECKS];
};

struct scorecard {
	struct score_row *rows;
	size_t n, cap;
	char tracer[128];
	int expect_used;	/* the rows' expect[] are filled */
};

/* Appends a zeroed row (all checks PASS, no error). NULL if out of memory. */
struct score_row *scorecard_add(struct scorecard *sc);
/* Did the run fail? Without expectations: is any cell FAIL (error rows
 * included; XFAIL is not)? With them: does any cell differ from its own? */
int scorecard_failed(const struct scorecard *sc);
/* Cells that differ from their expectation (0 without expectations). */
size_t scorecard_differences(const struct scorecard *sc);
/* A table (fixture | scenario | version | one column per check), then one
 * line per cell that is not PASS with its detail (one per error row and per
 * N/A row), then "N passed, M failed, K skipped, X xfailed, Y n/a" counting
 * cells (", Z not claimed" when a tracer's adapter left checks unclaimed); with expectations, one line per cell that differs ("ROW SCENARIO
 * CHECK: expected PASS, got SKIP (reason)") and "N cells as expected, M
 * differ". */
void scorecard_print_text(const struct scorecard *sc, FILE *out);
/* Returns 0 or -1 (errno set). */
int scorecard_write_json(const struct scorecard *sc, const char *path);
/* A testsuite per fixture, a testcase "scenario.check" per cell. 0 or -1. */
int scorecard_write_junit(const struct scorecard *sc, const char *path);
void scorecard_free(struct scorecard *sc);
/* What every form shows for a cell: its verdict's name, XFAIL for a listed
 * failure, FAIL for every cell of an error row. */
const char *scorecard_cell_shown(const struct score_row *row, int check);

#endif
