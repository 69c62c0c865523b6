/* Small statistics for the bench: medians of per-round figures and the
 * derived costs. Pure functions (tests/test_bench_stats.c). */
#ifndef TLSPROBE_BENCH_STATS_H
#define TLSPROBE_BENCH_STATS_H
#include <stddef.h>

/* Median of n values (the mean of the two middle ones for even n); the
 * array is sorted in place. NaN when n is 0. */
double stats_median(double *v, size_t n);

/* Nearest-rank percentile p (0 < p <= 100) of n values, sorted in place. */
double stats_percentile(double *v, size_t n, double p);

/* What a tracer adds to a call: traced - untraced, in ns. */
double stats_added(double traced_ns, double untraced_ns);

/* added / floor_added, or NaN when either is not above zero (a difference of
 * medians at or below zero is noise, and a ratio of it would read as a
 * result). */
double stats_ratio(double added_ns, double floor_added_ns);
#endif
