/* `tlsprobe bench uprobes`: the uprobe cost matrix of the running kernel.
 * The rows (what is probed, with which program), the figures of each, and
 * the reports. Pure logic (tests/test_uprobe_matrix.c); the measuring is in
 * uprobes.c. */
#ifndef TLSPROBE_BENCH_UPROBE_MATRIX_H
#define TLSPROBE_BENCH_UPROBE_MATRIX_H
#include <stdio.h>

#define UP_ROUNDS_MAX 32
#define UP_MITIGATIONS_MAX 32

enum up_group {
	UPG_INSN,    /* the probed instruction (an empty program) */
	UPG_RETURN,  /* return probes */
	UPG_WORK,    /* the program's work (on a nop) */
	UPG_OTHERS,  /* what a process nobody traces pays */
	UPG_SCALE,   /* probes on the file, processes mapping it */
	UPG_COUNT
};

struct up_row {
	enum up_group group;
	const char *name;         /* as the report says it */
	const char *site;         /* uprobe-target's function; NULL: a syscall row */
	const char *at;           /* the symbol probed, when not the function's entry */
	const char *expect_bytes; /* the site's first bytes (hex), checked before attaching */
	const char *entry_prog;   /* bench/uprobes.bpf.c's programs; NULL: none */
	const char *return_prog;
	const char *syscall;      /* syscall rows: "getppid" or "write" */
	int probes;               /* UPG_SCALE: probes on the file (the measured one too) */
	int processes;            /* UPG_SCALE: other processes mapping the file */
	const char *selftest;     /* the kernel selftests bench's name (benchs/bench_trigger.c) */
};

extern const struct up_row up_rows[];
extern const int up_nrows;
const char *up_group_name(enum up_group g);

/* What was measured of one row: per round, ns per call without and with
 * the probes, and the machine's speed in each run (the target's calibration
 * loop; 0 for the syscall rows, measured in the bench itself). */
struct up_figures {
	double none_ns[UP_ROUNDS_MAX], probed_ns[UP_ROUNDS_MAX];
	double none_calib[UP_ROUNDS_MAX], probed_calib[UP_ROUNDS_MAX];
	int nrounds;
	double attach_ms;          /* the last round's attach of all its probes */
	char site_bytes[16];       /* hex of the site's first 5 bytes while probed */
	const char *decoded;       /* the decoder's class: "emulated", "single-stepped", NULL */
	char error[160];           /* why the row has no figures */
	/* derived (up_summarize) */
	double none_med, probed_med, added;
	int rounds_used;           /* at full speed; all of them when none was */
	const char *measured;      /* "emulated", "single-stepped", "optimized", NULL */
	int agree;                 /* decoded and measured say the same (-1: n/a) */
};

/* The bench keeps a round when both its runs ran within this factor of the
 * fastest calibration of the whole matrix (as the TLS bench does). */
#define UP_FULL_SPEED_SLACK 1.15

/* Single-stepped probes cost this many times what emulated ones do, or
 * more (measured here: 10-40x; emulated instructions are within 2x of each
 * other). */
#define UP_SINGLE_STEP_FACTOR 2.5

/* The cost that splits n instruction rows' added costs into the emulated
 * and the single-stepped: the middle of the widest gap between two sorted
 * costs, when it is UP_SINGLE_STEP_FACTOR wide or more; else (one cluster)
 * UP_SINGLE_STEP_FACTOR times the nop's (nop_added). added is sorted in
 * place. NaN when nothing is above zero. */
double up_single_step_threshold(double *added, int n, double nop_added);

/* The fastest calibration over every row and round (0: none). */
double up_fastest_calibration(const struct up_figures *f, int nrows);

/* Medians over the rounds at full speed, the added cost, and the measured
 * class of instruction rows (threshold: up_single_step_threshold's; NaN
 * for the medians alone). */
void up_summarize(const struct up_row *row, struct up_figures *f, double fastest,
		  double threshold);

/* The measured class of a probe costing added ns, its site's bytes while
 * probed being site_bytes (hex): single-stepped at threshold or above, a
 * nop5 rewritten into a call (e8) "optimized". NULL when it cannot tell. */
const char *up_measured_class(double added, double threshold, const char *site_bytes);

struct up_machine {
	char kernel_release[72], kernel_version[128], cpu[128], date[32];
	int ncpus;
	int nmitigations;
	char mitigation_name[UP_MITIGATIONS_MAX][48], mitigation[UP_MITIGATIONS_MAX][128];
};

struct up_report {
	struct up_machine machine;
	int rounds;
	long min_ms;
	int smoke;
	const struct up_row *rows;
	struct up_figures *figures;
	int nrows;
};

void up_report_markdown(const struct up_report *r, FILE *out);
int up_report_json(const struct up_report *r, const char *path);
/* The plot's data and gnuplot script (the caller runs gnuplot). */
int up_report_plot_files(const struct up_report *r, const char *dir, char *script, size_t len);
#endif
