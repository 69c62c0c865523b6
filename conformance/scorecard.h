/* The scorecard: one row per (fixture, scenario), one cell per check, printed
 * for people (text) and for machines (JSON, JUnit XML). */
#ifndef TLSPROBE_SCORECARD_H
#define TLSPROBE_SCORECARD_H

#include <stdio.h>
#include <jansson.h>

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

/* Where and with what the run ran: the JSON's "environment". */
struct score_env {
	char machine[64];	/* uname -m */
	char cpu[128];		/* /proc/cpuinfo's model name */
	int ncpus;
	char os[128];		/* /etc/os-release's PRETTY_NAME */
	char kernel[128];	/* uname -r */
	char kernel_build[160];	/* uname -v */
	char date[64];		/* UTC, ISO 8601 */
	char tlsprobe[64];	/* git describe of the checkout, "" if unknown */
	char tracer_cmd[512];	/* the tracer's command */
	char tracer_version[128]; /* "" if unknown (a --tracer-cmd's) */
};

/* The end of a fixture row's tracer log (its stderr): the JSON's
 * "tracer_logs", by row. */
struct score_log {
	char row[64];
	char *text;	/* valid UTF-8 */
};

struct scorecard {
	struct score_row *rows;
	size_t n, cap;
	char tracer[128];
	int expect_used;	/* the rows' expect[] are filled */
	int env_set;
	struct score_env env;
	struct score_log *logs;
	size_t nlogs;
};

/* A scorecard JSON object's string member; "" when absent or not a string
 * (what reads scorecards back: the baseline gate, the reports). */
const char *scorecard_json_str(const json_t *obj, const char *key);

/* Fills sc->env from the running machine; root: the checkout (for git
 * describe), tracer_cmd: NULL for the reference tracer. */
void scorecard_collect_env(struct scorecard *sc, const char *root, const char *tracer_cmd);
/* The first line cmd (sh -c) prints, without its newline; "" if none. */
void scorecard_command_line(const char *cmd, char *out, size_t len);
/* The last TRACER_LOG_LINES lines (at most TRACER_LOG_BYTES) of the file at
 * path, as row's tracer log. A missing file adds nothing. 0 or -1 (ENOMEM). */
#define TRACER_LOG_LINES 40
#define TRACER_LOG_BYTES 4096
int scorecard_add_tracer_log(struct scorecard *sc, const char *row, const char *path);
/* The last max_lines lines of text (at most max_bytes, cut at a line start
 * where one is within them), as valid UTF-8 (bytes that are not, and control
 * characters but newline and tab, become '?'). Returns malloc'd text or NULL. */
char *scorecard_log_tail(const char *text, size_t len, int max_lines, size_t max_bytes);

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
/* The JSON scorecard_write_json writes (a jansson json_t), or NULL. */
struct json_t;
struct json_t *scorecard_json(const struct scorecard *sc);
/* Returns 0 or -1 (errno set). */
int scorecard_write_json(const struct scorecard *sc, const char *path);
/* A testsuite per fixture, a testcase "scenario.check" per cell. 0 or -1. */
int scorecard_write_junit(const struct scorecard *sc, const char *path);
void scorecard_free(struct scorecard *sc);
/* What every form shows for a cell: its verdict's name, XFAIL for a listed
 * failure, FAIL for every cell of an error row. */
const char *scorecard_cell_shown(const struct score_row *row, int check);

#endif
