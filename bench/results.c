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

/* Flags the full-speed rounds of one fixture and size; 1 when every
 * configuration measured there has at least one. */
static int flag_full_speed(struct bench_results *r, int f, int s)
{
	double limit = fastest_calibration(r, f, s) * FULL_SPEED_SLACK;
	int each_has_one = 1;

	for (int id = 0; id < CFG_COUNT; id++) {
		struct cell *c = &r->cells[f][s][id];

		c->nfull_speed = 0;
		for (int i = 0; i < c->nrounds; i++) {
			/* (no calibration: a fixture without one counts) */
			c->full_speed[i] = c->calibration_ns[i] <= limit || c->calibration_ns[i] <= 0;
			c->nfull_speed += c->full_speed[i];
		}
		if (c->nrounds && !c->nfull_speed)
			each_has_one = 0;
	}
	return each_has_one;
}

void results_select_rounds(struct bench_results *r)
{
	for (int f = 0; f < r->nfixtures; f++) {
		for (int s = 0; s < r->nsizes; s++) {
			int select = flag_full_speed(r, f, s);

			r->all_rounds[f][s] = !select;
			for (int id = 0; id < CFG_COUNT; id++)
				r->cells[f][s][id].full_speed_only = select;
		}
	}
}

/* The median of one per-round series (copied: stats_median sorts). */
static double median_of(const struct cell *c, const double *values, enum measure m)
{
	int all = m != STREAM_WRITE || !c->full_speed_only;
	double copy[BENCH_ROUNDS_MAX];
	size_t n = 0;

	for (int i = 0; i < c->nrounds; i++)
		if (all || c->full_speed[i])
			copy[n++] = values[i];
	return stats_median(copy, n);
}

double cell_median(const struct cell *c, enum measure m)
{
	return median_of(c, c->median_ns[m], m);
}

double cell_p99(const struct cell *c, enum measure m)
{
	return median_of(c, c->p99_ns[m], m);
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
