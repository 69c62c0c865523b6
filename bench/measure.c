#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "bpfstats.h"
#include "consumer_rate.h"
#include "fixture_run.h"
#include "harness.h"
#include "libs/backend.h"
#include "machine.h"
#include "measure.h"

/* 100 000 events of 64 bytes: some 20 MB of records for a 1 MiB ring. */
#define FORCED_LOSS_MESSAGES 50000

void measure_machine(struct bench_results *r)
{
	struct machine_facts m;
	time_t now = time(NULL);

	machine_facts_read(&m);
	snprintf(r->kernel, sizeof(r->kernel), "Linux %.40s (%.60s)", m.kernel_release,
		 m.kernel_version);
	snprintf(r->release, sizeof(r->release), "Linux %.50s", m.kernel_release);
	snprintf(r->cpu, sizeof(r->cpu), "%s", m.cpu);
	r->ncpus = m.ncpus;
	strftime(r->date, sizeof(r->date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
}

/* ---- probe sites ---- */

/* Whether the file holds a TLS stack (by content, as the tracer tells). */
static int holds_stack(const char *path)
{
	struct tls_lib *lib = calloc(1, sizeof(*lib));
	char err[PATH_MAX + 128];
	int ret;

	if (!lib)
		return 0;
	snprintf(lib->path, sizeof(lib->path), "%s", path);
	snprintf(lib->host_path, sizeof(lib->host_path), "%s", path);
	ret = backend_plan_lib(lib, PLAN_ENTRY, err, sizeof(err));
	free(lib);
	return ret == 0;
}

/* The file holding a fixture binary's TLS stack: the binary itself (a
 * stack linked in) or, first, a library it loads (ldd's lines are
 * "name => path (address)"; dir, when set, is where those files were
 * copied to, by their file names). 0, or -1. */
static int stack_file(const char *binary, const char *ldd_out, const char *dir, char *out,
		      size_t len)
{
	char line[PATH_MAX], name[256], path[PATH_MAX / 2], file[PATH_MAX + 300];
	FILE *f = fopen(ldd_out, "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %255s => %2047s", name, path) != 2 || path[0] != '/')
			continue;
		if (dir)
			snprintf(file, sizeof(file), "%s/%s", dir, strrchr(path, '/') + 1);
		else
			snprintf(file, sizeof(file), "%s", path);
		if (holds_stack(file)) {
			snprintf(out, len, "%s", file);
			fclose(f);
			return 0;
		}
	}
	if (f)
		fclose(f);
	if (!holds_stack(binary))
		return -1;
	snprintf(out, len, "%s", binary);
	return 0;
}

int measure_host_lib(const char *root, const char *stack, char *out, size_t len)
{
	char cmd[PATH_MAX + 64], binary[PATH_MAX], ldd_out[] = "/tmp/tlsprobe-ldd.XXXXXX";
	int fd = mkstemp(ldd_out), ret;

	if (fd < 0)
		return -1;
	close(fd);
	snprintf(binary, sizeof(binary), "%.4000s/build/fixtures/%.60s/tlsfix", root, stack);
	snprintf(cmd, sizeof(cmd), "ldd %.4000s > %s 2>/dev/null", binary, ldd_out);
	ret = system(cmd) ? -1 : stack_file(binary, ldd_out, NULL, out, len);
	unlink(ldd_out);
	return ret;
}

/* The fixture binary of a row's image and the libraries it loads (with
 * what the backends read next to them: libcrypto, libnss3 …), copied out;
 * the one holding its stack. */
static int image_lib(const struct bench_opts *o, const struct fixture_row *fixture, char *out,
		     size_t len)
{
	char dir[PATH_MAX], mount[PATH_MAX + 8], image[128], log[PATH_MAX + 16], binary[PATH_MAX];
	char script[1024];
	char *argv[] = { (char *)harness_docker(), "run", "--rm", "--network", "none", "-v", mount,
			 image, "sh", "-c", script, NULL };

	snprintf(dir, sizeof(dir), "%.3000s/libs-%.64s", o->workdir, fixture->name);
	snprintf(mount, sizeof(mount), "%s:/out", dir);
	manifest_image(fixture->m, fixture->v, image, sizeof(image));
	snprintf(log, sizeof(log), "%s.log", dir);
	snprintf(script, sizeof(script),
		 "cp -L /opt/tlsfix/tlsfix /out/ && ldd /opt/tlsfix/tlsfix > /out/ldd.txt; "
		 "for f in $(grep -o '=> /[^ ]*' /out/ldd.txt | cut -c4-); do cp -L \"$f\" /out/; "
		 "d=$(dirname \"$f\"); for c in \"$d\"/libcrypto.so* \"$d\"/libnss3.so*; do "
		 "[ -f \"$c\" ] && cp -L \"$c\" /out/; done; done; ls /out");
	if ((mkdir(dir, 0755) && errno != EEXIST) || spawn_run(argv, log, 120000))
		return -1;
	snprintf(binary, sizeof(binary), "%.3000s/tlsfix", dir);
	snprintf(log, sizeof(log), "%.3000s/ldd.txt", dir);
	return stack_file(binary, log, dir, out, len);
}

static int plan_sites(const char *path, enum plan_mode mode, struct site_info *sites, int *n,
		      char *version, size_t vlen, char *err, size_t errlen)
{
	struct tls_lib *lib = calloc(1, sizeof(*lib));
	int ret;

	if (!lib)
		return -1;
	snprintf(lib->path, sizeof(lib->path), "%s", path);
	snprintf(lib->host_path, sizeof(lib->host_path), "%s", path);
	ret = backend_plan_lib(lib, mode, err, errlen);
	*n = 0;
	for (int i = 0; !ret && i < lib->plan.nsites && i < BENCH_SITES_MAX; i++, (*n)++) {
		const struct probe_site *s = &lib->plan.sites[i];

		snprintf(sites[i].func, sizeof(sites[i].func), "%s", s->func);
		snprintf(sites[i].insn, sizeof(sites[i].insn), "%s", s->insn.text);
		sites[i].emulated = s->cls == PROBE_EMULATED;
		sites[i].offset = s->offset;
	}
	if (!ret)
		snprintf(version, vlen, "%s", lib->version);
	free(lib);
	return ret;
}

void measure_sites(const struct bench_opts *o, struct bench_results *r)
{
	for (int f = 0; f < r->nfixtures; f++) {
		struct fixture_sites *s = &r->sites[f];
		char path[PATH_MAX];
		int got = manifest_variant_is_host(r->rows[f].v)
				  ? measure_host_lib(o->env.root, r->rows[f].m->stack, path, sizeof(path))
				  : image_lib(o, &r->rows[f], path, sizeof(path));

		if (got) {
			snprintf(s->error, sizeof(s->error), "cannot find the fixture's %s library",
				 r->rows[f].m->stack);
			continue;
		}
		snprintf(s->lib, sizeof(s->lib), "%.255s", path);
		if (!plan_sites(path, PLAN_AUTO, s->planned, &s->nplanned, s->version,
				sizeof(s->version), s->error, sizeof(s->error)))
			plan_sites(path, PLAN_ENTRY, s->entry, &s->nentry, s->version,
				   sizeof(s->version), s->error, sizeof(s->error));
	}
}

/* ---- the timed rounds ---- */

static int applies(const struct bench_config *c, const struct fixture_row *fixture)
{
	return (!c->host_only || manifest_variant_is_host(fixture->v)) &&
	       (!c->stack || !strcmp(c->stack, fixture->m->stack));
}

static void row_dir(const struct bench_opts *o, const char *fixture, const char *what,
		    char *out, size_t len)
{
	snprintf(out, len, "%.3000s/%.60s-%.60s", o->workdir, fixture, what);
}

/* The fixture scenarios of a payload size. */
static const char *size_name(long size)
{
	switch (size) {
	case 64: return "64";
	case 1024: return "1k";
	case 16384: return "16k";
	default: return "256k";
	}
}

/* Stream messages per run from the size's round trips: 10x at 64 B and
 * 1 KiB; 4x above (N at 16 KiB, N/5 at 256 KiB: the writes back to back
 * take tens of ms, enough for a median). */
static long stream_messages(long size, long iterations)
{
	return size <= 1024 ? 10 * iterations : 4 * iterations;
}

static int start_config(const struct bench_opts *o, struct bench_results *r, int f, int s,
			const struct bench_config *c, struct tracer_proc *tp)
{
	struct cell *cell = &r->cells[f][s][c->id];
	char log[PATH_MAX], err[256];

	row_dir(o, r->fixtures[f], c->name, log, sizeof(log));
	strncat(log, ".log", sizeof(log) - strlen(log) - 1);
	if (!config_start(c, &o->env, "/dev/null", log, NULL, tp, err, sizeof(err)))
		return 0;
	snprintf(cell->error, sizeof(cell->error), "%s", err);
	fprintf(stderr, "tlsprobe bench: %s\n", err);
	return -1;
}

/* One size under the running configuration: an echo run and a stream run.
 * With timed, a round of timings into the cell. Returns the TLS calls the
 * fixture made, or -1. */
static long long run_size(const struct bench_opts *o, struct bench_results *r, int f, int s,
			  const struct bench_config *c, int timed)
{
	struct cell *cell = &r->cells[f][s][c->id];
	char outdir[PATH_MAX], scenario[32], err[256];
	struct echo_result echo;
	struct stream_result stream;

	row_dir(o, r->fixtures[f], "fixture", outdir, sizeof(outdir));
	snprintf(scenario, sizeof(scenario), "bench-%s", size_name(r->sizes[s]));
	memset(&echo, 0, sizeof(echo));
	echo.write.median_ns = echo.write.p99_ns = echo.read.median_ns = echo.read.p99_ns = NAN;
	if (manifest_supports_bench(r->rows[f].m, scenario) &&
	    fixture_run_echo(o->env.root, &r->rows[f], scenario, r->iterations[s], outdir,
			     &echo, err, sizeof(err)))
		goto failed;
	snprintf(scenario, sizeof(scenario), "stream-%s", size_name(r->sizes[s]));
	if (fixture_run_stream(o->env.root, &r->rows[f], scenario,
			       stream_messages(r->sizes[s], r->iterations[s]), 0, 1, outdir, &stream,
			       err, sizeof(err)))
		goto failed;
	if (timed && cell->nrounds < BENCH_ROUNDS_MAX) {
		int i = cell->nrounds++;

		cell->median_ns[STREAM_WRITE][i] = stream.write.median_ns;
		cell->p99_ns[STREAM_WRITE][i] = stream.write.p99_ns;
		cell->calibration_ns[i] = stream.calibration_ns;
		cell->median_ns[ECHO_WRITE][i] = echo.write.median_ns;
		cell->p99_ns[ECHO_WRITE][i] = echo.write.p99_ns;
		cell->median_ns[ECHO_READ][i] = echo.read.median_ns;
		cell->p99_ns[ECHO_READ][i] = echo.read.p99_ns;
		fprintf(stderr, "  %-16s %-16s %6ld B: write median %7.0f ns (stream), %7.0f ns "
			"(echo)\n", r->fixtures[f], c->name, r->sizes[s], stream.write.median_ns,
			echo.write.median_ns);
	}
	/* (the stream's reader is not traced) */
	return echo.client_calls + echo.server_calls + stream.client_calls;
failed:
	snprintf(cell->error, sizeof(cell->error), "%s", err);
	fprintf(stderr, "tlsprobe bench: %s\n", err);
	return -1;
}

/* Stops the tracer of a timed run: its CPU time and (ours) its totals. */
static void stop_timed(struct cell *cell, const struct bench_config *c, struct tracer_proc *tp,
		       long long calls)
{
	long long captured, bytes, lost;
	double cpu;

	if (config_stop(tp, &cpu))
		snprintf(cell->error, sizeof(cell->error), "the tracer failed (see %.200s)", tp->log);
	if (calls < 0)
		return;
	cell->tracer_cpu_ns += cpu;
	cell->calls += calls;
	if (c->ours && !config_totals(tp, &captured, &bytes, &lost)) {
		cell->totals_read = 1;
		cell->captured_calls += captured;
		cell->lost_bytes += lost;
	}
}

int measure_rounds(const struct bench_opts *o, struct bench_results *r)
{
	int measured = 0;

	for (int round = 0; round < r->rounds; round++) {
		fprintf(stderr, "tlsprobe bench: round %d of %d\n", round + 1, r->rounds);
		for (int k = 0; k < r->nconfigs; k++) {
			const struct bench_config *c = r->configs[(k + round) % r->nconfigs];

			for (int f = 0; f < r->nfixtures; f++) {
				for (int s = 0; s < r->nsizes && applies(c, &r->rows[f]); s++) {
					struct tracer_proc tp;

					if (!start_config(o, r, f, s, c, &tp))
						stop_timed(&r->cells[f][s][c->id], c, &tp,
							   run_size(o, r, f, s, c, 1));
				}
			}
		}
	}
	for (int f = 0; f < r->nfixtures; f++)
		for (int s = 0; s < r->nsizes; s++)
			measured += r->cells[f][s][CFG_NONE].nrounds > 0;
	return measured ? 0 : -1;
}

void measure_bpf_time(const struct bench_opts *o, struct bench_results *r)
{
	int stats_fd = bpfstats_enable();

	if (stats_fd < 0) {
		fprintf(stderr, "tlsprobe bench: no BPF statistics: %s\n", strerror(-stats_fd));
		return;
	}
	fprintf(stderr, "tlsprobe bench: BPF run time (statistics on)\n");
	for (int k = 0; k < r->nconfigs; k++) {
		const struct bench_config *c = r->configs[k];

		for (int f = 0; f < r->nfixtures && c->id != CFG_NONE; f++) {
			for (int s = 0; s < r->nsizes && applies(c, &r->rows[f]); s++) {
				struct cell *cell = &r->cells[f][s][c->id];
				struct prog_ids before;
				struct tracer_proc tp;
				__u64 run_ns, runs;
				long long calls;

				bpfstats_snapshot(&before);
				if (start_config(o, r, f, s, c, &tp))
					continue;
				calls = run_size(o, r, f, s, c, 0);
				/* before the tracer goes: its programs go with it */
				bpfstats_since(&before, &run_ns, &runs);
				config_stop(&tp, NULL);
				if (calls <= 0)
					continue;
				cell->bpf_run_ns = (double)run_ns;
				cell->bpf_runs = (long long)runs;
				cell->bpf_calls = calls;
				cell->bpf_measured = runs > 0;
			}
		}
	}
	close(stats_fd);
}

void measure_collateral(const struct bench_opts *o, struct bench_results *r)
{
	fprintf(stderr, "tlsprobe bench: collateral cost on an untraced process\n");
	for (int k = 0; k < r->nconfigs; k++) {
		const struct bench_config *c = r->configs[k];
		char log[PATH_MAX], err[256];
		struct tracer_proc tp;

		row_dir(o, "collateral", c->name, log, sizeof(log));
		if (config_start(c, &o->env, "/dev/null", log, NULL, &tp, err, sizeof(err))) {
			fprintf(stderr, "tlsprobe bench: %s\n", err);
			continue;
		}
		r->collateral_measured[c->id] =
			!collateral_measure(o->collateral_calls, 5, &r->collateral[c->id]);
		config_stop(&tp, NULL);
	}
}

void measure_loss(const struct bench_opts *o, struct bench_results *r)
{
	const struct fixture_row *fixture = &r->rows[0];

	fprintf(stderr, "tlsprobe bench: loss at rising event rates (%s)\n", fixture->name);
	for (int i = 0; i < o->nloss_rates && r->nloss < LOSS_POINTS_MAX; i++) {
		long rate = o->loss_rates[i];
		/* about a second of traffic at the rate; unpaced: as many as at the top rate */
		long messages = rate ? rate / 2 : o->loss_rates[i > 0 ? i - 1 : 0] / 2;
		struct loss_point *pt = &r->loss[r->nloss++];

		if (messages < 5000)
			messages = 5000;
		if (loss_run(&o->env, fixture, rate, messages, 32, 0, o->workdir, pt))
			fprintf(stderr, "tlsprobe bench: loss at %ld/s: %s\n", rate, pt->error);
		else
			fprintf(stderr, "  asked %7ld/s, reached %8.0f events/s: %lld of %lld bytes "
				"captured, %lld reported lost, %lld silent\n", rate, pt->events_per_s,
				pt->captured_bytes, pt->expected_bytes, pt->lost_bytes, pt->silent_bytes);
	}
	/* Forced: a 1 MiB ring buffer and a stopped consumer. */
	r->forced_loss_run = 1;
	if (loss_run(&o->env, fixture, 0, FORCED_LOSS_MESSAGES, 1, 1, o->workdir, &r->forced_loss))
		fprintf(stderr, "tlsprobe bench: forced loss: %s\n", r->forced_loss.error);
}

void measure_consumer(const struct bench_opts *o, struct bench_results *r)
{
	fprintf(stderr, "tlsprobe bench: consumer decode rate\n");
	if (consumer_rate(o->consumer_records, 64, &r->consumer_rate_64, r->consumer_error,
			  sizeof(r->consumer_error)) ||
	    consumer_rate(o->consumer_records / 4, 1024, &r->consumer_rate_1k, r->consumer_error,
			  sizeof(r->consumer_error)))
		fprintf(stderr, "tlsprobe bench: consumer: %s\n", r->consumer_error);
}

void measure_whole(const struct bench_opts *o, struct bench_results *r)
{
	if (!manifest_variant_is_host(r->rows[0].v) ||
	    !manifest_supports_bench(r->rows[0].m, "bench-64")) {
		snprintf(r->whole_error, sizeof(r->whole_error), "needs a host fixture with bench-64 "
			 "first in --fixtures");
		return;
	}
	fprintf(stderr, "tlsprobe bench: whole-process timings (hyperfine)\n");
	for (int k = 0; k < r->nconfigs; k++) {
		const struct bench_config *c = r->configs[k];
		char log[PATH_MAX], json[PATH_MAX], err[256];
		struct tracer_proc tp;

		row_dir(o, "hyperfine", c->name, log, sizeof(log));
		snprintf(json, sizeof(json), "%.3900s.json", log);
		strncat(log, ".log", sizeof(log) - strlen(log) - 1);
		if (config_start(c, &o->env, "/dev/null", log, NULL, &tp, err, sizeof(err))) {
			snprintf(r->whole_error, sizeof(r->whole_error), "%s", err);
			continue;
		}
		if (whole_run(&o->env, &r->rows[0], o->whole_iterations, o->whole_runs, o->workdir, json,
			      &r->whole[c->id], err, sizeof(err)))
			snprintf(r->whole_error, sizeof(r->whole_error), "%s", err);
		else
			r->whole_measured[c->id] = 1;
		config_stop(&tp, NULL);
	}
}
