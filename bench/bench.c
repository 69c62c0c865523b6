/* tlsprobe bench: what a tracer costs per TLS call, measured through the
 * TLS library (the fixture times its own calls), against no tracer and
 * against the floor — the same uprobes with BPF programs that only return. */
#define _GNU_SOURCE /* sched_getaffinity */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "baseline.h"
#include "cmd.h"
#include "harness.h"
#include "measure.h"
#include "preflight.h"
#include "report.h"

#define EXIT_REGRESSED 3

struct bench_cli {
	struct bench_opts o;
	struct manifest_set manifests;	/* the rows point into it */
	char *fixtures, *sizes, *configs, *skip;
	const char *baseline;
	double threshold;
	long iterations;
	int smoke;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tlsprobe bench [OPTIONS]\n"
		"       tlsprobe bench uprobes [OPTIONS]   the uprobe cost matrix of this kernel\n"
		"\n"
		"What tracers cost per TLS call, for every stack. Each fixture times its own\n"
		"write calls back to back (stream-SIZE; SSL_write, gnutls_record_send,\n"
		"PR_Write) and, where it has them, echo round trips (bench-SIZE, OpenSSL's:\n"
		"SSL_write and SSL_read); each configuration is\n"
		"measured in interleaved rounds so that the machine's drift falls on all:\n"
		"  none             no tracer\n"
		"  floor            the probe planner's sites, BPF programs that only return\n"
		"  floor-syscalls   the floor plus the fd syscall hook\n"
		"  floor-copy       the floor plus reading each call's count and bytes into\n"
		"                   the ring buffer: the least any capture does\n"
		"  reference        tlsprobe trace (the probe planner)\n"
		"  floor-entry      the exported entry points, programs that only return\n"
		"  reference-entry  tlsprobe trace --probes entry\n"
		"  bpftrace-count   bpftrace, count() on SSL_write/SSL_read (openssl@host only)\n"
		"  bpftrace-capture bpftrace, printf of their bytes (host only)\n"
		"  tracer-cmd       --tracer-cmd CMD\n"
		"Also: tracer CPU and BPF run time per call, the probe sites' first instructions,\n"
		"the cost on syscalls of an untraced process, the event rate at which the\n"
		"reference tracer starts to lose, its consumer's decode rate, whole-process\n"
		"timings (hyperfine). Reports: bench.json, bench.md (also printed), plots\n"
		"added-cost-FIXTURE.png/.svg. Needs root.\n"
		"\n"
		"  --fixtures LIST     fixture rows, stack@variant (default openssl@host,\n"
		"                      gnutls@bookworm,nss@bookworm; the first is the one the loss,\n"
		"                      collateral and whole-process passes use), a stack\n"
		"                      (all its variants), all or default, as for conform\n"
		"  --sizes LIST        from 64,1k,16k,256k (default: all four)\n"
		"  --configs LIST      the configurations (default: all; none always runs)\n"
		"  --tracer-cmd CMD    also measure CMD (it must trace processes named tlsfix)\n"
		"  --tracer-ready-line TEXT  CMD is ready when it prints a line holding TEXT\n"
		"                      on its stderr\n"
		"  --tracer-settle-ms N  CMD is ready N ms after its start (default: when it\n"
		"                      creates the file named by $TLSPROBE_READY_FILE)\n"
		"  --tracer-cpu N|any  run tracers on CPU N (default 0: the fixture's server and\n"
		"                      reader; its client, whose calls are timed, runs on CPU 1)\n"
		"  --rounds N          interleaved rounds (default 5)\n"
		"  --iterations N      round trips per run at 64 B and 1 KiB (default 2000;\n"
		"                      16 KiB: N/4, 256 KiB: N/20); stream writes per run:\n"
		"                      10 N at 64 B and 1 KiB, N at 16 KiB, N/5 at 256 KiB\n"
		"  --out DIR           where the reports go (default build/bench)\n"
		"  --skip LIST         passes to leave out: bpf-stats, collateral, loss,\n"
		"                      consumer, whole\n"
		"  --baseline FILE     compare the reference's ratio to the floor with a stored\n"
		"                      bench.json; exit %d when it grew by more than --threshold\n"
		"  --threshold PCT     regression threshold in percent (default 25)\n"
		"  --smoke             a quick run that checks the reports are produced: one\n"
		"                      round, 64 B, 200 round trips, every pass at a small scale.\n"
		"                      Its figures are not measurements.\n"
		"  -h, --help          this text\n", EXIT_REGRESSED);
}

/* --tracer-cpu: "any", or a CPU this process may run on. */
static int parse_cpu(const char *arg, int *cpu)
{
	cpu_set_t allowed;
	char *end;
	long n;

	if (!strcmp(arg, "any")) {
		*cpu = -1;
		return 0;
	}
	n = strtol(arg, &end, 10);
	if (*arg && !*end && n >= 0 && n < CPU_SETSIZE && !sched_getaffinity(0, sizeof(allowed), &allowed) &&
	    CPU_ISSET(n, &allowed)) {
		*cpu = (int)n;
		return 0;
	}
	fprintf(stderr, "tlsprobe bench: --tracer-cpu is 'any' or a CPU this machine lets it run on, "
		"not '%s'\n", arg);
	return -1;
}

static int parse_args(int argc, char **argv, struct bench_cli *cli)
{
	static const struct option opts[] = {
		{ "fixtures", required_argument, NULL, 'F' }, { "sizes", required_argument, NULL, 'S' },
		{ "configs", required_argument, NULL, 'C' },  { "tracer-cmd", required_argument, NULL, 'T' },
		{ "tracer-settle-ms", required_argument, NULL, 's' },
		{ "tracer-ready-line", required_argument, NULL, 'L' },
		{ "tracer-cpu", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },   { "iterations", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },      { "skip", required_argument, NULL, 'k' },
		{ "baseline", required_argument, NULL, 'b' }, { "threshold", required_argument, NULL, 't' },
		{ "smoke", no_argument, NULL, 'm' },          { "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': cli->fixtures = optarg; break;
		case 'S': cli->sizes = optarg; break;
		case 'C': cli->configs = optarg; break;
		case 'T': cli->o.env.tracer_cmd = optarg; break;
		case 's': cli->o.env.tracer_settle_ms = atoi(optarg); break;
		case 'L': cli->o.env.tracer_ready_line = optarg; break;
		case 'c':
			if (parse_cpu(optarg, &cli->o.env.tracer_cpu))
				return -1;
			if (cli->o.env.tracer_cpu == 1)
				fprintf(stderr, "tlsprobe bench: CPU 1 is the timed client's: tracers "
					"there take time from the calls they are measured by\n");
			break;
		case 'r': cli->o.rounds = atoi(optarg); break;
		case 'n': cli->iterations = atol(optarg); break;
		case 'o': snprintf(cli->o.workdir, sizeof(cli->o.workdir), "%s", optarg); break;
		case 'k': cli->skip = optarg; break;
		case 'b': cli->baseline = optarg; break;
		case 't': cli->threshold = atof(optarg); break;
		case 'm': cli->smoke = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tlsprobe bench: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (cli->o.rounds < 1 || cli->o.rounds > BENCH_ROUNDS_MAX || cli->iterations < 20 ||
	    cli->threshold <= 0) {
		fprintf(stderr, "tlsprobe bench: --rounds is 1..%d, --iterations at least 20, "
			"--threshold positive\n", BENCH_ROUNDS_MAX);
		return -1;
	}
	return 0;
}

static long parse_size(const char *s)
{
	if (!strcmp(s, "64"))
		return 64;
	if (!strcmp(s, "1k"))
		return 1024;
	if (!strcmp(s, "16k"))
		return 16384;
	if (!strcmp(s, "256k"))
		return 262144;
	return -1;
}

static int have_bpftrace(void)
{
	return !system("command -v bpftrace >/dev/null 2>&1");
}

static int add_config(struct bench_results *r, const char *name)
{
	const struct bench_config *c = config_by_name(name);

	if (!c) {
		fprintf(stderr, "tlsprobe bench: no configuration '%s' (see --help)\n", name);
		return -1;
	}
	if (c->id == CFG_NONE || results_config_index(r, c->id) >= 0)
		return 0;
	if (c->host_only && !have_bpftrace()) {
		fprintf(stderr, "tlsprobe bench: bpftrace is not installed: %s left out "
			"(scripts/deps.sh installs it)\n", name);
		return 0;
	}
	r->configs[r->nconfigs++] = c;
	return 0;
}

/* The per-event scenario of this size (stream-SIZE) is what every row must
 * have; the echo round trips (bench-SIZE) are measured where the fixture has
 * them, N/A elsewhere. */
static int scenarios_listed(const struct fixture_row *row, long size)
{
	char name[32];

	snprintf(name, sizeof(name), "stream-%s", size == 64 ? "64" : size == 1024 ? "1k"
					       : size == 16384 ? "16k" : "256k");
	if (manifest_supports_bench(row->m, name))
		return 1;
	fprintf(stderr, "tlsprobe bench: %s has no bench scenario %s (see %s)\n", row->name, name,
		row->m->path);
	return 0;
}

/* --fixtures through the manifests, rows as conform names them. */
static int choose_fixtures(struct bench_cli *cli, struct bench_results *r)
{
	char err[1200];
	int n;

	if (manifest_load_all(cli->o.env.root, &cli->manifests, err, sizeof(err))) {
		fprintf(stderr, "tlsprobe bench: %s\n", err);
		return -1;
	}
	n = fixture_rows_select(&cli->manifests, cli->fixtures, r->rows, BENCH_FIXTURES_MAX, err,
				sizeof(err));
	if (n < 0) {
		fprintf(stderr, "tlsprobe bench: --fixtures: %s\n", err);
		return -1;
	}
	r->nfixtures = n;
	for (int f = 0; f < n; f++)
		r->fixtures[f] = r->rows[f].name;
	return 0;
}

/* What the options ask for, in r; "none" always first. */
static int choose(struct bench_cli *cli, struct bench_results *r)
{
	static char default_configs[] = "floor,floor-syscalls,floor-copy,reference,floor-entry,"
					"reference-entry,bpftrace-count,bpftrace-capture";
	char *tok;

	r->configs[r->nconfigs++] = config_get(CFG_NONE);
	for (tok = strtok(cli->configs ? cli->configs : default_configs, ","); tok;
	     tok = strtok(NULL, ","))
		if (add_config(r, tok))
			return -1;
	if (cli->o.env.tracer_cmd && add_config(r, "tracer-cmd"))
		return -1;
	if (!cli->o.env.tracer_cmd && results_config_index(r, CFG_TRACER_CMD) >= 0) {
		fprintf(stderr, "tlsprobe bench: the configuration tracer-cmd needs --tracer-cmd CMD\n");
		return -1;
	}
	if (choose_fixtures(cli, r))
		return -1;
	for (tok = strtok(cli->sizes, ","); tok && r->nsizes < BENCH_SIZES_MAX; tok = strtok(NULL, ",")) {
		long size = parse_size(tok);

		if (size < 0) {
			fprintf(stderr, "tlsprobe bench: size '%s' is none of 64,1k,16k,256k\n", tok);
			return -1;
		}
		r->sizes[r->nsizes] = size;
		/* the time per round trip grows with the size: fewer of the larger
		 * (at least 10: --iterations may be as low as 20) */
		r->iterations[r->nsizes] = size <= 1024 ? cli->iterations
					   : size <= 16384 ? cli->iterations / 4 : cli->iterations / 20;
		if (r->iterations[r->nsizes] < 10)
			r->iterations[r->nsizes] = 10;
		r->nsizes++;
	}
	for (int f = 0; f < r->nfixtures; f++)
		for (int s = 0; s < r->nsizes; s++)
			if (!scenarios_listed(&r->rows[f], r->sizes[s]))
				return -1;
	r->rounds = cli->o.rounds;
	r->tracer_cmd = cli->o.env.tracer_cmd;
	return r->nfixtures && r->nsizes ? 0 : -1;
}

static void choose_passes(struct bench_cli *cli)
{
	struct bench_opts *o = &cli->o;
	const char *skip = cli->skip ? cli->skip : "";

	o->bpf_stats = !strstr(skip, "bpf-stats");
	o->collateral = !strstr(skip, "collateral");
	o->loss = !strstr(skip, "loss");
	o->consumer = !strstr(skip, "consumer");
	o->whole = !strstr(skip, "whole");
}

static void smoke_scale(struct bench_cli *cli)
{
	static char sizes[] = "64", configs[] = "floor,floor-copy,reference,floor-entry";
	struct bench_opts *o = &cli->o;

	cli->sizes = sizes;
	if (!cli->configs)
		cli->configs = configs;
	o->rounds = 1;
	cli->iterations = 200;
	o->collateral_calls = 20000;
	o->loss_rates[0] = 20000;
	o->nloss_rates = 1;
	o->consumer_records = 100000;
	o->whole_runs = 2;
	o->whole_iterations = 100;
}

static int prepare(struct bench_cli *cli, struct bench_results *r)
{
	struct bench_env *env = &cli->o.env;

	if (harness_build_fixtures(env->root, "tlsprobe bench"))
		return -1;
	for (int f = 0; f < r->nfixtures; f++) {
		if (harness_build_image(env->root, &r->rows[f])) {
			fprintf(stderr, "tlsprobe bench: no image for %s\n", r->rows[f].name);
			return -1;
		}
	}
	snprintf(env->tlsprobe, sizeof(env->tlsprobe), "%s/build/tlsprobe", env->root);
	if (measure_host_lib(env->root, "openssl", env->host_libssl, sizeof(env->host_libssl)))
		snprintf(env->host_libssl, sizeof(env->host_libssl), "/usr/lib/x86_64-linux-gnu/libssl.so.3");
	if (mkdir(cli->o.workdir, 0755) && errno != EEXIST) {
		fprintf(stderr, "tlsprobe bench: cannot create %s: %s\n", cli->o.workdir, strerror(errno));
		return -1;
	}
	return 0;
}

static void measure_all(const struct bench_opts *o, struct bench_results *r)
{
	measure_machine(r);
	measure_sites(o, r);
	if (measure_rounds(o, r))
		return;
	results_select_rounds(r);
	if (o->bpf_stats)
		measure_bpf_time(o, r);
	if (o->collateral)
		measure_collateral(o, r);
	if (o->loss)
		measure_loss(o, r);
	if (o->consumer)
		measure_consumer(o, r);
	if (o->whole)
		measure_whole(o, r);
}

static int write_reports(const struct bench_cli *cli, const struct bench_results *r)
{
	char path[PATH_MAX];
	FILE *md;
	int ret = 0;

	snprintf(path, sizeof(path), "%.3900s/bench.json", cli->o.workdir);
	if (report_json(r, path)) {
		fprintf(stderr, "tlsprobe bench: cannot write %s\n", path);
		ret = -1;
	}
	snprintf(path, sizeof(path), "%.3900s/bench.md", cli->o.workdir);
	md = fopen(path, "w");
	if (md) {
		report_markdown(r, md);
		fclose(md);
	} else {
		fprintf(stderr, "tlsprobe bench: cannot write %s\n", path);
		ret = -1;
	}
	if (report_plots(r, cli->o.workdir)) {
		fprintf(stderr, "tlsprobe bench: gnuplot failed (see %s/gnuplot.log)\n", cli->o.workdir);
		ret = -1;
	}
	report_markdown(r, stdout);
	fprintf(stderr, "tlsprobe bench: reports in %s (bench.json, bench.md, added-cost-*.png/svg)\n",
		cli->o.workdir);
	return ret;
}

int cmd_bench(int argc, char **argv)
{
	static char default_fixtures[] = "openssl@host,gnutls@bookworm,nss@bookworm";
	static char all_sizes[] = "64,1k,16k,256k";
	struct bench_cli cli = { .fixtures = default_fixtures, .sizes = all_sizes, .threshold = 25,
				 .iterations = 2000 };
	struct bench_opts *o = &cli.o;
	struct bench_results *r;
	int ret = 0;

	if (argc > 1 && !strcmp(argv[1], "uprobes"))
		return cmd_bench_uprobes(argc - 1, argv + 1);
	*o = (struct bench_opts){ .rounds = 5, .env.tracer_settle_ms = -1, .env.tracer_cpu = 0,
				  .collateral_calls = 200000, .whole_runs = 5, .whole_iterations = 1000,
				  .consumer_records = 2000000, .nloss_rates = 5,
				  .loss_rates = { 50000, 100000, 200000, 400000, 0 } };
	if (parse_args(argc, argv, &cli))
		return 2;
	if (cli.smoke)
		smoke_scale(&cli);
	choose_passes(&cli);
	if (harness_root(o->env.root, sizeof(o->env.root))) {
		fprintf(stderr, "tlsprobe bench: run build/tlsprobe from a tlsprobe checkout\n");
		return 2;
	}
	/* it runs BPF tracers: the same checks as tlsprobe trace */
	if (preflight_check("tlsprobe bench", PREFLIGHT_OTHERS_FILES | PREFLIGHT_TRACEFS))
		return 1;
	if (!o->workdir[0])
		snprintf(o->workdir, sizeof(o->workdir), "%.2000s/build/bench", o->env.root);
	if (harness_absolute(o->workdir, sizeof(o->workdir))) {
		fprintf(stderr, "tlsprobe bench: --out %s: path too long\n", o->workdir);
		return 2;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return 1;
	if (choose(&cli, r) || prepare(&cli, r)) {
		manifest_set_free(&cli.manifests);
		free(r);
		return 2;
	}
	spawn_forward_signals();
	measure_all(o, r);
	if (!r->cells[0][0][CFG_NONE].nrounds) {
		fprintf(stderr, "tlsprobe bench: nothing was measured (%s)\n",
			r->cells[0][0][CFG_NONE].error);
		ret = 1;
	} else if (write_reports(&cli, r)) {
		ret = 1;
	}
	if (!ret && cli.baseline) {
		int cmp = baseline_compare(r, cli.baseline, cli.threshold, stdout);

		ret = cmp > 0 ? EXIT_REGRESSED : cmp < 0 ? 1 : 0;
	}
	free(r);
	manifest_set_free(&cli.manifests);
	return ret;
}
