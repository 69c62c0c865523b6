/* --baseline: the CI gate. The reference tracer's ratio to the floor at its
 * own sites (SSL_write back to back), per fixture and size, against a stored
 * bench.json. */
#ifndef TLSPROBE_BENCH_BASELINE_H
#define TLSPROBE_BENCH_BASELINE_H
#include <stdio.h>
#include "results.h"

/* Prints the comparison. Returns 0 when no ratio grew by more than
 * threshold_pct percent, 1 when one did or this run has no ratio where the
 * baseline has one, -1 when the baseline can't be read or has no ratio for
 * this run's fixtures and sizes. */
int baseline_compare(const struct bench_results *r, const char *path, double threshold_pct,
		     FILE *out);

/* The ratio stored in a bench.json for (fixture, size), or NaN. */
double baseline_ratio(const char *json_text, const char *fixture, long size);
#endif
