#include <math.h>
#include "results.h"
#include "stats.h"

int results_config_index(const struct bench_results *r, enum config_id id)
{
	for (int i = 0; i < r->nconfigs; i++)
		if (r->configs[i]->id == id)
			return i;
	return -1;
}

/* The median of one per-round series (copied: stats_median sorts). */
static double median_of(const double *values, int n)
{
	double copy[BENCH_ROUNDS_MAX];

	for (int i = 0; i < n; i++)
		copy[i] = values[i];
	return stats_median(copy, (size_t)n);
}

double cell_median(const struct cell *c, enum measure m)
{
	return median_of(c->median_ns[m], c->nrounds);
}

double cell_p99(const struct cell *c, enum measure m)
{
	return median_of(c->p99_ns[m], c->nrounds);
}

double results_added(const struct bench_results *r, int fixture, int size, enum config_id id,
		     enum measure m)
{
	const struct cell *traced = &r->cells[fixture][size][id];
	const struct cell *bare = &r->cells[fixture][size][CFG_NONE];

	if (!traced->nrounds || !bare->nrounds)
		return NAN;
	return stats_added(cell_median(traced, m), cell_median(bare, m));
}

double results_ratio_to_floor(const struct bench_results *r, int fixture, int size,
			      enum config_id id, enum measure m)
{
	enum config_id floor = config_get(id)->floor;

	if (floor == CFG_COUNT)
		return NAN;
	return stats_ratio(results_added(r, fixture, size, id, m),
			   results_added(r, fixture, size, floor, m));
}
