#include <math.h>
#include <stdlib.h>
#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double stats_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double stats_percentile(double *v, size_t n, double p)
{
	size_t rank;

	if (!n || p <= 0 || p > 100)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = (size_t)ceil(p / 100 * (double)n);
	return v[rank ? rank - 1 : 0];
}

double stats_added(double traced_ns, double untraced_ns)
{
	return traced_ns - untraced_ns;
}

double stats_ratio(double added_ns, double floor_added_ns)
{
	return floor_added_ns > 0 && added_ns > 0 ? added_ns / floor_added_ns : NAN;
}
