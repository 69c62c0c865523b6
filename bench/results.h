/* Everything one `tlsprobe bench` run measures: filled by measure.c, read
 * by report.c (JSON, Markdown, plots) and baseline.c. */
#ifndef TLSPROBE_BENCH_RESULTS_H
#define TLSPROBE_BENCH_RESULTS_H
#include <stdint.h>
#include "collateral.h"
#include "configs.h"
#include "loss.h"
#include "manifest.h"
#include "whole.h"

#define BENCH_FIXTURES_MAX 8
#define BENCH_SIZES_MAX 8
#define BENCH_ROUNDS_MAX 32
#define BENCH_SITES_MAX 8
#define LOSS_POINTS_MAX 8

/* What a cell's timings are of. */
enum measure {
	STREAM_WRITE, /* stream-SIZE: SSL_write back to back, the reader never blocked */
	ECHO_WRITE,   /* bench-SIZE: the SSL_write of an echo round trip (wakes the peer) */
	ECHO_READ,    /* bench-SIZE: the SSL_reads of the echo */
	N_MEASURES
};

/* One fixture × payload size × configuration: the fixture's own timings,
 * one value per round (the median of that round's calls), and what the
 * tracer cost while they ran. */
struct cell {
	double median_ns[N_MEASURES][BENCH_ROUNDS_MAX];
	double p99_ns[N_MEASURES][BENCH_ROUNDS_MAX];
	double calibration_ns[BENCH_ROUNDS_MAX]; /* the stream run's speed (a fixed loop) */
	int nrounds;
	int full_speed[BENCH_ROUNDS_MAX];        /* its calibration says it ran at full speed */
	int nfull_speed;
	int full_speed_only;                     /* the stream medians take only those */
	long long calls;           /* TLS calls of client and server, all rounds */
	double tracer_cpu_ns;      /* the tracer's CPU time while attached, all rounds */
	int totals_read;           /* ours: its exit totals were read */
	long long captured_calls, lost_bytes;
	int bpf_measured;          /* the accounting pass (BPF statistics on) */
	double bpf_run_ns;
	long long bpf_runs, bpf_calls;
	char error[256];
};

struct site_info {
	char func[96];
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
	char kernel[128], release[64], cpu[128], date[64];
	int ncpus;
	/* what was run */
	struct fixture_row rows[BENCH_FIXTURES_MAX];	/* from the manifests */
	const char *fixtures[BENCH_FIXTURES_MAX];	/* their names, stack@variant */
	int nfixtures;
	long sizes[BENCH_SIZES_MAX], iterations[BENCH_SIZES_MAX];
	int nsizes;
	const struct bench_config *configs[CFG_COUNT];
	int nconfigs;
	int rounds;
	const char *tracer_cmd;
	/* the measurements */
	struct cell cells[BENCH_FIXTURES_MAX][BENCH_SIZES_MAX][CFG_COUNT];
	/* some configuration had no full-speed round: all rounds count */
	int all_rounds[BENCH_FIXTURES_MAX][BENCH_SIZES_MAX];
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

/* A round ran at full speed when its stream run's calibration is within
 * this of the fastest of its fixture and size (every configuration's
 * rounds): this VM's vCPU at times runs the same loop 1.3-2x slower, and a
 * round run so is left out of the stream medians — unless some
 * configuration of that fixture and size has no full-speed round at all:
 * then every configuration keeps all its rounds (all_rounds). */
#define FULL_SPEED_SLACK 1.15
void results_select_rounds(struct bench_results *r);

/* The median over rounds of one measure (for the stream, only the
 * full-speed ones when full_speed_only; the echo runs have no calibration
 * of their own); NaN when the cell has none. */
double cell_median(const struct cell *c, enum measure m);
double cell_p99(const struct cell *c, enum measure m);

/* What a configuration adds to a call against no tracer (ns), and the
 * ratio of that to what the floor at its own probe sites adds (NaN when
 * either is missing, or the floor added nothing measurable). */
double results_added(const struct bench_results *r, int fixture, int size, enum config_id id,
		     enum measure m);
double results_ratio_to_floor(const struct bench_results *r, int fixture, int size,
			      enum config_id id, enum measure m);
#endif
