/* The measuring passes of `tlsprobe bench`, each filling its part of the
 * results. Progress goes to stderr. */
#ifndef TLSPROBE_BENCH_MEASURE_H
#define TLSPROBE_BENCH_MEASURE_H
#include "results.h"

#define LOSS_RATES_MAX LOSS_POINTS_MAX

struct bench_opts {
	struct bench_env env;
	char workdir[PATH_MAX / 2];
	int rounds;
	int bpf_stats, collateral, loss, consumer, whole; /* which extra passes run */
	long loss_rates[LOSS_RATES_MAX];                    /* events/s; 0 = unpaced */
	int nloss_rates;
	long collateral_calls;
	int whole_runs;
	long whole_iterations;
	long consumer_records;
};

/* The library of stack the host fixture of that stack loads (from ldd). 0 or -1. */
int measure_host_lib(const char *root, const char *stack, char *out, size_t len);

/* The machine and kernel, for the report. */
void measure_machine(struct bench_results *r);

/* Each fixture's probe sites: the planner's and the exported entry points,
 * with their first instructions (containers: the library copied out of the
 * image). */
void measure_sites(const struct bench_opts *o, struct bench_results *r);

/* The timed rounds: every configuration, fixture and size once per round,
 * the configurations in a rotated order each round so that the machine's
 * drift falls on all of them alike. -1 when nothing could be measured. */
int measure_rounds(const struct bench_opts *o, struct bench_results *r);

/* A separate pass with the kernel's BPF statistics on: the tracers' BPF
 * run time per TLS call. */
void measure_bpf_time(const struct bench_opts *o, struct bench_results *r);

void measure_collateral(const struct bench_opts *o, struct bench_results *r);
void measure_loss(const struct bench_opts *o, struct bench_results *r);
void measure_consumer(const struct bench_opts *o, struct bench_results *r);
void measure_whole(const struct bench_opts *o, struct bench_results *r);
#endif
