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

double cell_write_ns(const struct cell *c)
{
	return median_of(c->write_ns, c->nrounds);
}

double cell_read_ns(const struct cell *c)
{
	return median_of(c->read_ns, c->nrounds);
}

double cell_write_p99(const struct cell *c)
{
	return median_of(c->write_p99, c->nrounds);
}

double cell_throughput(const struct cell *c)
{
	return median_of(c->throughput, c->nrounds);
}

double results_added(const struct bench_results *r, int fixture, int size, enum config_id id,
		     int read)
{
	const struct cell *traced = &r->cells[fixture][size][id];
	const struct cell *bare = &r->cells[fixture][size][CFG_NONE];

	if (!traced->nrounds || !bare->nrounds)
		return NAN;
	return read ? stats_added(cell_read_ns(traced), cell_read_ns(bare))
		    : stats_added(cell_write_ns(traced), cell_write_ns(bare));
}

double results_ratio_to_floor(const struct bench_results *r, int fixture, int size,
			      enum config_id id)
{
	enum config_id floor = config_get(id)->floor;

	if (floor == CFG_COUNT)
		return NAN;
	return stats_ratio(results_added(r, fixture, size, id, 0),
			   results_added(r, fixture, size, floor, 0));
}
