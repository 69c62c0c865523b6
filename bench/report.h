/* The bench's reports: bench.json (everything, for machines and for
 * --baseline), bench.md (tables for people) and, per fixture, a plot of the
 * added cost per SSL_write against payload size (PNG and SVG, gnuplot). */
#ifndef TLSPROBE_BENCH_REPORT_H
#define TLSPROBE_BENCH_REPORT_H
#include <stdio.h>
#include "results.h"

/* The two targets of the bench, at 64 bytes on the first fixture. */
struct bench_targets {
	double vs_entry_count;   /* bpftrace-count added / reference added (>= 10 wanted) */
	double vs_floor;         /* reference added / floor added (<= 1.15 wanted) */
	/* What bounds them, measured in the same run: */
	double floor_vs_entry_count; /* bpftrace-count added / floor added: the most any
				      * tracer at the planner's sites can reach */
	double copy_vs_floor;        /* floor-copy added / floor added: the least any
				      * capturing tracer at those sites can reach */
};

void report_targets(const struct bench_results *r, struct bench_targets *t);

int report_json(const struct bench_results *r, const char *path);
void report_markdown(const struct bench_results *r, FILE *out);
/* gnuplot in dir: added-cost-FIXTURE.{png,svg}. 0, or -1 when gnuplot failed. */
int report_plots(const struct bench_results *r, const char *dir);
#endif
