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

static double fastest_calibration(const struct bench_results *r, int f, int s)
{
	double fastest = INFINITY;

	for (int k = 0; k < r->nconfigs; k++) {
		const struct cell *c = &r->cells[f][s][r->configs[k]->id];

		for (int i = 0; i < c->nrounds; i++)
			if (c->calibration_ns[i] > 0)
				fastest = fmin(fastest, c->calibration_ns[i]);
	}
	return fastest;
}

void results_select_rounds(struct bench_results *r)
{
	for (int f = 0; f < r->nfixtures; f++) {
		for (int s = 0; s < r->nsizes; s++) {
			double limit = fastest_calibration(r, f, s) * FULL_SPEED_SLACK;

			for (int id = 0; id < CFG_COUNT; id++) {
				struct cell *c = &r->cells[f][s][id];

				c->nfull_speed = 0;
				for (int i = 0; i < c->nrounds; i++) {
					/* (no calibration: a fixture without one counts) */
					c->full_speed[i] = c->calibration_ns[i] <= limit ||
							   c->calibration_ns[i] <= 0;
					c->nfull_speed += c->full_speed[i];
				}
			}
		}
	}
}

/* The median of one per-round series over the full-speed rounds, or all
 * (copied: stats_median sorts). */
static double median_of(const struct cell *c, const double *values)
{
	double copy[BENCH_ROUNDS_MAX];
	size_t n = 0;

	for (int i = 0; i < c->nrounds; i++)
		if (c->full_speed[i] || !c->nfull_speed)
			copy[n++] = values[i];
	return stats_median(copy, n);
}

double cell_median(const struct cell *c, enum measure m)
{
	return median_of(c, c->median_ns[m]);
}

double cell_p99(const struct cell *c, enum measure m)
{
	return median_of(c, c->p99_ns[m]);
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
