/* Everything one `tlsprobe bench` run measures: filled by measure.c, read
 * by report.c (JSON, Markdown, plots) and baseline.c. */
#ifndef TLSPROBE_BENCH_RESULTS_H
#define TLSPROBE_BENCH_RESULTS_H
#include <stdint.h>
#include "collateral.h"
#include "configs.h"
#include "loss.h"
#include "whole.h"

#define BENCH_FIXTURES_MAX 4
#define BENCH_SIZES_MAX 8
#define BENCH_ROUNDS_MAX 32
#define BENCH_SITES_MAX 8
#define LOSS_POINTS_MAX 8

/* One fixture × payload size × configuration: the fixture's own timings,
 * one value per round. */
struct cell {
	double write_ns[BENCH_ROUNDS_MAX], read_ns[BENCH_ROUNDS_MAX];
	double write_p99[BENCH_ROUNDS_MAX], throughput[BENCH_ROUNDS_MAX];
	int nrounds;
	long long calls;           /* TLS calls of client and server, all rounds */
	char error[256];
};

/* One fixture × configuration, over all sizes. */
struct config_result {
	double cpu_ns;             /* the tracer's user + system time in the timed rounds */
	long long calls;           /* TLS calls made meanwhile */
	int totals_read;           /* ours: its exit totals were read */
	long long captured_calls, lost_bytes;
	int bpf_measured;          /* the accounting pass */
	double bpf_run_ns;
	long long bpf_runs, bpf_calls;
	char error[256];
};

struct site_info {
	char func[32];
	char insn[96];
	int emulated;
	uint64_t offset;
};

struct fixture_sites {
	char lib[256], version[64];
	struct site_info planned[BENCH_SITES_MAX], entry[BENCH_SITES_MAX];
	int nplanned, nentry;
	char error[256];
};

struct bench_results {
	/* the machine */
	char kernel[128], cpu[128], date[64];
	int ncpus;
	/* what was run */
	const char *fixtures[BENCH_FIXTURES_MAX];
	int nfixtures;
	long sizes[BENCH_SIZES_MAX], iterations[BENCH_SIZES_MAX];
	int nsizes;
	const struct bench_config *configs[CFG_COUNT];
	int nconfigs;
	int rounds;
	const char *tracer_cmd;
	/* the measurements */
	struct cell cells[BENCH_FIXTURES_MAX][BENCH_SIZES_MAX][CFG_COUNT];
	struct config_result per_config[BENCH_FIXTURES_MAX][CFG_COUNT];
	struct fixture_sites sites[BENCH_FIXTURES_MAX];
	struct collateral collateral[CFG_COUNT];
	int collateral_measured[CFG_COUNT];
	struct whole_result whole[CFG_COUNT];
	int whole_measured[CFG_COUNT];
	char whole_error[256];
	struct loss_point loss[LOSS_POINTS_MAX];
	int nloss;
	struct loss_point forced_loss;
	int forced_loss_run;
	double consumer_rate_64, consumer_rate_1k;
	char consumer_error[256];
};

/* The position of a configuration in results->configs, or -1. */
int results_config_index(const struct bench_results *r, enum config_id id);

/* Medians over rounds (NaN when the cell has none). */
double cell_write_ns(const struct cell *c);
double cell_read_ns(const struct cell *c);
double cell_write_p99(const struct cell *c);
double cell_throughput(const struct cell *c);

/* What a configuration adds to the median SSL_write (or SSL_read) of a
 * fixture and size against no tracer, and its ratio to the added cost of the
 * floor at its own probe sites (NaN when either is missing). */
double results_added(const struct bench_results *r, int fixture, int size, enum config_id id,
		     int read);
double results_ratio_to_floor(const struct bench_results *r, int fixture, int size,
			      enum config_id id);
#endif
