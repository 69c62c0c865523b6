#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "report.h"

#define TARGET_VS_ENTRY 10.0
#define TARGET_VS_FLOOR 1.15

static int size_index(const struct bench_results *r, long size)
{
	for (int s = 0; s < r->nsizes; s++)
		if (r->sizes[s] == size)
			return s;
	return -1;
}

/* A ratio of two added costs means something only when both are above
 * zero: a negative or zero difference of medians is noise, not a cost. */
void report_targets(const struct bench_results *r, struct bench_targets *t)
{
	int s = size_index(r, 64);
	double ref = s < 0 ? NAN : results_added(r, 0, s, CFG_REFERENCE, STREAM_WRITE);
	double floor = s < 0 ? NAN : results_added(r, 0, s, CFG_FLOOR, STREAM_WRITE);
	double count = s < 0 ? NAN : results_added(r, 0, s, CFG_BPFTRACE_COUNT, STREAM_WRITE);
	double copy = s < 0 ? NAN : results_added(r, 0, s, CFG_FLOOR_COPY, STREAM_WRITE);

	t->vs_entry_count = ref > 0 && count > 0 ? count / ref : NAN;
	t->vs_floor = ref > 0 && floor > 0 ? ref / floor : NAN;
	t->floor_vs_entry_count = floor > 0 && count > 0 ? count / floor : NAN;
	t->copy_vs_floor = copy > 0 && floor > 0 ? copy / floor : NAN;
}

/* What one row of one size says, for every stack alike: the reference's
 * added cost and its ratio to the floor at its own sites, and the two
 * bounds measured beside them: how much cheaper the floor is than the
 * cheapest probe on the exported entry points (floor-entry: programs that
 * only return there), and what copying alone (floor-copy) costs against the
 * floor. NAN where not measured or where an added cost is not above zero. */
struct stack_figures {
	double reference_added, reference_over_floor, entry_over_floor, copy_over_floor;
};

static double positive_ratio(double a, double b)
{
	return a > 0 && b > 0 ? a / b : NAN;
}

static void stack_figures(const struct bench_results *r, int f, int s, struct stack_figures *x)
{
	double ref = results_added(r, f, s, CFG_REFERENCE, STREAM_WRITE);
	double floor = results_added(r, f, s, CFG_FLOOR, STREAM_WRITE);

	x->reference_added = ref;
	x->reference_over_floor = positive_ratio(ref, floor);
	x->entry_over_floor = positive_ratio(results_added(r, f, s, CFG_FLOOR_ENTRY, STREAM_WRITE),
					     floor);
	x->copy_over_floor = positive_ratio(results_added(r, f, s, CFG_FLOOR_COPY, STREAM_WRITE),
					    floor);
}

static const char *size_name(long size, char *buf, size_t len)
{
	if (size >= 1024)
		snprintf(buf, len, "%ld KiB", size / 1024);
	else
		snprintf(buf, len, "%ld B", size);
	return buf;
}

/* ---- JSON ---- */

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *sites_json(const struct site_info *sites, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:s, s:s}", "func", sites[i].func,
						   "offset", (json_int_t)sites[i].offset, "insn",
						   sites[i].insn, "kernel",
						   sites[i].emulated ? "emulated" : "single-stepped"));
	return a;
}

static const char *const measure_key[N_MEASURES] = {
	[STREAM_WRITE] = "stream_write", [ECHO_WRITE] = "echo_write", [ECHO_READ] = "echo_read",
};

static json_t *calibration_json(const struct cell *cell)
{
	json_t *a = json_array();

	for (int i = 0; i < cell->nrounds; i++)
		json_array_append_new(a, json_real(cell->calibration_ns[i]));
	return a;
}

static json_t *size_json(const struct bench_results *r, int f, int s, enum config_id id)
{
	const struct cell *cell = &r->cells[f][s][id];
	json_t *o = json_pack("{s:I, s:i, s:s}", "size", (json_int_t)r->sizes[s], "rounds",
			      cell->nrounds, "error", cell->error);

	for (int m = 0; m < N_MEASURES; m++) {
		json_t *rounds = json_array();

		for (int i = 0; i < cell->nrounds; i++)
			json_array_append_new(rounds, json_real(cell->median_ns[m][i]));
		json_object_set_new(o, measure_key[m], json_pack(
			"{s:o, s:o, s:o, s:o, s:o}", "median_ns",
			num(cell->nrounds ? cell_median(cell, m) : NAN), "p99_ns",
			num(cell->nrounds ? cell_p99(cell, m) : NAN), "added_ns",
			num(results_added(r, f, s, id, m)), "ratio_to_floor",
			num(results_ratio_to_floor(r, f, s, id, m)), "round_medians_ns", rounds));
	}
	json_object_set_new(o, "tracer_cpu_ns_per_call",
			    num(cell->calls && id != CFG_NONE ? cell->tracer_cpu_ns / cell->calls : NAN));
	json_object_set_new(o, "bpf_ns_per_call",
			    num(cell->bpf_measured ? cell->bpf_run_ns / cell->bpf_calls : NAN));
	json_object_set_new(o, "bpf_runs_per_call",
			    num(cell->bpf_measured ? (double)cell->bpf_runs / cell->bpf_calls : NAN));
	json_object_set_new(o, "round_calibration_ns", calibration_json(cell));
	json_object_set_new(o, "full_speed_rounds", json_integer(cell->nfull_speed));
	json_object_set_new(o, "rounds_in_stream_median",
			    json_integer(cell->full_speed_only ? cell->nfull_speed : cell->nrounds));
	if (cell->totals_read)
		json_object_set_new(o, "capture", json_pack("{s:I, s:I, s:I}", "calls",
							    (json_int_t)cell->calls, "captured",
							    (json_int_t)cell->captured_calls,
							    "lost_bytes", (json_int_t)cell->lost_bytes));
	return o;
}

static json_t *config_json(const struct bench_results *r, int f, const struct bench_config *c)
{
	json_t *sizes = json_array();

	for (int s = 0; s < r->nsizes; s++)
		json_array_append_new(sizes, size_json(r, f, s, c->id));
	return json_pack("{s:s, s:s, s:o}", "config", c->name, "what", c->what, "sizes", sizes);
}

static json_t *loss_json(const struct loss_point *p)
{
	return json_pack("{s:I, s:o, s:I, s:I, s:I, s:I, s:s}", "rate_asked",
			 (json_int_t)p->rate_asked, "events_per_s", num(p->events_per_s),
			 "expected_bytes", (json_int_t)p->expected_bytes, "captured_bytes",
			 (json_int_t)p->captured_bytes, "lost_bytes", (json_int_t)p->lost_bytes,
			 "silent_bytes", (json_int_t)p->silent_bytes, "error", p->error);
}

static json_t *collateral_json(const struct bench_results *r)
{
	json_t *o = json_object();

	for (int k = 0; k < r->nconfigs; k++) {
		enum config_id id = r->configs[k]->id;

		if (r->collateral_measured[id])
			json_object_set_new(o, r->configs[k]->name, json_pack(
				"{s:o, s:o}", "write_ns", num(r->collateral[id].write_ns),
				"getppid_ns", num(r->collateral[id].getppid_ns)));
	}
	return o;
}

static json_t *whole_json(const struct bench_results *r)
{
	json_t *o = json_object();

	for (int k = 0; k < r->nconfigs; k++) {
		enum config_id id = r->configs[k]->id;

		if (r->whole_measured[id])
			json_object_set_new(o, r->configs[k]->name, json_pack(
				"{s:o, s:o, s:i}", "mean_s", num(r->whole[id].mean_s), "stddev_s",
				num(r->whole[id].stddev_s), "runs", r->whole[id].runs));
	}
	return o;
}

static json_t *stacks_json(const struct bench_results *r)
{
	json_t *rows = json_array();

	for (int f = 0; f < r->nfixtures; f++) {
		for (int s = 0; s < r->nsizes; s++) {
			struct stack_figures x;

			stack_figures(r, f, s, &x);
			json_array_append_new(rows, json_pack(
				"{s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "fixture", r->fixtures[f],
				"stack", r->rows[f].m->stack, "size", (json_int_t)r->sizes[s],
				"reference_added_ns", num(x.reference_added),
				"reference_over_floor", num(x.reference_over_floor),
				"floor_entry_over_floor", num(x.entry_over_floor),
				"floor_copy_over_floor", num(x.copy_over_floor)));
		}
	}
	return rows;
}

int report_json(const struct bench_results *r, const char *path)
{
	struct bench_targets t;
	json_t *root, *fixtures = json_array(), *loss = json_array();
	int ret;

	for (int f = 0; f < r->nfixtures; f++) {
		const struct fixture_sites *s = &r->sites[f];
		json_t *configs = json_array();

		for (int k = 0; k < r->nconfigs; k++)
			json_array_append_new(configs, config_json(r, f, r->configs[k]));
		json_array_append_new(fixtures, json_pack(
			"{s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "fixture", r->fixtures[f], "lib",
			s->lib, "version", s->version, "planned_sites",
			sites_json(s->planned, s->nplanned), "entry_sites",
			sites_json(s->entry, s->nentry), "configs", configs, "error", s->error));
	}
	for (int i = 0; i < r->nloss; i++)
		json_array_append_new(loss, loss_json(&r->loss[i]));
	report_targets(r, &t);
	root = json_pack("{s:{s:s, s:s, s:i, s:s}, s:i, s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o, s:s},"
			 " s:o, s:{s:o, s:o, s:o, s:o}}",
			 "machine", "kernel", r->kernel, "cpu", r->cpu, "cpus", r->ncpus, "date",
			 r->date, "rounds", r->rounds, "fixtures", fixtures, "stacks", stacks_json(r),
			 "collateral",
			 collateral_json(r), "loss", loss, "forced_loss",
			 r->forced_loss_run ? loss_json(&r->forced_loss) : json_null(), "consumer",
			 "records_per_s_64", num(r->consumer_rate_64), "records_per_s_1k",
			 num(r->consumer_rate_1k), "error", r->consumer_error, "whole",
			 whole_json(r), "targets", "entry_count_over_reference",
			 num(t.vs_entry_count), "reference_over_floor", num(t.vs_floor),
			 "entry_count_over_floor", num(t.floor_vs_entry_count), "floor_copy_over_floor",
			 num(t.copy_vs_floor));
	if (!root)
		return -1;
	ret = json_dump_file(root, path, JSON_INDENT(1)) ? -1 : 0;
	json_decref(root);
	return ret;
}

/* ---- Markdown ---- */

static void fmt_ns(char *buf, size_t len, double v, int sign)
{
	if (isnan(v))
		snprintf(buf, len, "–");
	else
		snprintf(buf, len, sign ? "%+.0f" : "%.0f", v);
}

static void md_header(FILE *out, const struct bench_results *r, const char *first)
{
	char name[32];

	fprintf(out, "| %s |", first);
	for (int s = 0; s < r->nsizes; s++)
		fprintf(out, " %s |", size_name(r->sizes[s], name, sizeof(name)));
	fprintf(out, "\n|---|");
	for (int s = 0; s < r->nsizes; s++)
		fprintf(out, "---:|");
	fprintf(out, "\n");
}

static void md_measure_table(const struct bench_results *r, int f, enum measure m, FILE *out)
{
	md_header(out, r, "configuration");
	for (int k = 0; k < r->nconfigs; k++) {
		const struct bench_config *c = r->configs[k];

		fprintf(out, "| %s |", c->name);
		for (int s = 0; s < r->nsizes; s++) {
			const struct cell *cell = &r->cells[f][s][c->id];
			double ratio = results_ratio_to_floor(r, f, s, c->id, m);
			char total[32], added[32];

			fmt_ns(total, sizeof(total), cell->nrounds ? cell_median(cell, m) : NAN, 0);
			fmt_ns(added, sizeof(added), results_added(r, f, s, c->id, m), 1);
			if (c->id == CFG_NONE)
				fprintf(out, " %s |", total);
			else if (isnan(ratio))
				fprintf(out, " %s (%s) |", total, added);
			else
				fprintf(out, " %s (%s, %.2f× floor) |", total, added, ratio);
		}
		fprintf(out, "\n");
	}
}

/* Sizes whose stream medians take every round (a configuration had no
 * round at full speed there). */
static void md_all_rounds(const struct bench_results *r, int f, FILE *out)
{
	char name[32];
	int any = 0;

	for (int s = 0; s < r->nsizes; s++) {
		if (!r->all_rounds[f][s])
			continue;
		fprintf(out, "%s%s", any ? ", " : "\nAt ", size_name(r->sizes[s], name, sizeof(name)));
		any = 1;
	}
	if (any)
		fprintf(out, " some configuration had no round at full speed: the medians there are "
			     "of all rounds, slowed ones included.\n");
}

static void md_cost_tables(const struct bench_results *r, int f, FILE *out)
{
	fprintf(out, "\n### Per event: TLS writes back to back (stream-SIZE)\n\n"
		     "The client writes without waiting, the server reads without ever blocking on "
		     "the socket: no write pays for waking a peer, so what a tracer adds to the call "
		     "stands out. Median ns per write call (SSL_write, gnutls_record_send, PR_Write: "
		     "median over the rounds that ran at full "
		     "speed: a round whose calibration loop ran more than 15%% slower than the "
		     "fastest of its size is left out), in brackets what it adds against no tracer and its ratio to "
		     "the floor at the same probe sites:\n\n");
	md_measure_table(r, f, STREAM_WRITE, out);
	md_all_rounds(r, f, out);
	if (!manifest_supports_bench(r->rows[f].m, "bench-64")) {
		fprintf(out, "\nEcho round trips (bench-SIZE): N/A, the %s fixture has none.\n",
			r->rows[f].m->stack);
		return;
	}
	fprintf(out, "\n### Echo round trips (bench-SIZE)\n\n"
		     "Each SSL_write wakes a server blocked in SSL_read (an IPI on a VM), and each "
		     "SSL_read waits for the echo: these medians include scheduling, so small "
		     "differences between configurations are noise. SSL_write:\n\n");
	md_measure_table(r, f, ECHO_WRITE, out);
	fprintf(out, "\nSSL_read (the echo):\n\n");
	md_measure_table(r, f, ECHO_READ, out);
}

static void md_sites(const struct bench_results *r, int f, FILE *out)
{
	const struct fixture_sites *s = &r->sites[f];

	if (s->error[0]) {
		fprintf(out, "\nProbe sites: unknown (%s)\n", s->error);
		return;
	}
	fprintf(out, "\nProbe sites in %s — planner (floor, floor-syscalls, floor-copy, reference) and "
		     "exported entry points (floor-entry, reference-entry; bpftrace probes "
		     "SSL_write and SSL_read of these):\n\n"
		     "| sites | function | file offset | first instruction | the kernel |\n"
		     "|---|---|---:|---|---|\n", s->lib);
	for (int i = 0; i < s->nplanned; i++)
		fprintf(out, "| planner | %s | 0x%llx | `%s` | %s |\n", s->planned[i].func,
			(unsigned long long)s->planned[i].offset, s->planned[i].insn,
			s->planned[i].emulated ? "emulates" : "single-steps");
	for (int i = 0; i < s->nentry; i++)
		fprintf(out, "| entry | %s | 0x%llx | `%s` | %s |\n", s->entry[i].func,
			(unsigned long long)s->entry[i].offset, s->entry[i].insn,
			s->entry[i].emulated ? "emulates" : "single-steps");
}

static void md_cpu(const struct bench_results *r, int f, FILE *out)
{
	fprintf(out, "\nTracer CPU (on-CPU time of the tracer's processes while attached) and BPF "
		     "run time (kernel BPF statistics, a separate pass), ns per TLS call of client "
		     "and server, echo and stream runs together — CPU / BPF:\n\n");
	md_header(out, r, "configuration");
	for (int k = 0; k < r->nconfigs; k++) {
		const struct bench_config *c = r->configs[k];

		if (c->id == CFG_NONE)
			continue;
		fprintf(out, "| %s |", c->name);
		for (int s = 0; s < r->nsizes; s++) {
			const struct cell *cell = &r->cells[f][s][c->id];
			char cpu[32], bpf[32];

			fmt_ns(cpu, sizeof(cpu), cell->calls ? cell->tracer_cpu_ns / cell->calls : NAN, 0);
			fmt_ns(bpf, sizeof(bpf),
			       cell->bpf_measured ? cell->bpf_run_ns / cell->bpf_calls : NAN, 0);
			fprintf(out, " %s / %s |", cpu, bpf);
		}
		fprintf(out, "\n");
	}
	for (int k = 0; k < r->nconfigs; k++) {
		const struct bench_config *c = r->configs[k];
		long long calls = 0, captured = 0, lost = 0;

		if (c->id != CFG_REFERENCE && c->id != CFG_REFERENCE_ENTRY && c->id != CFG_FLOOR_COPY)
			continue;
		for (int s = 0; s < r->nsizes; s++) {
			calls += r->cells[f][s][c->id].calls;
			captured += r->cells[f][s][c->id].captured_calls;
			lost += r->cells[f][s][c->id].lost_bytes;
		}
		fprintf(out, "\n%s %s %lld of the %lld calls made while it ran%s.", c->name,
			c->id == CFG_FLOOR_COPY ? "copied the bytes of" : "captured", captured, calls,
			lost ? ", with loss reported" : "");
	}
	fprintf(out, "\n");
}

static void md_collateral(const struct bench_results *r, FILE *out)
{
	const struct collateral *none = &r->collateral[CFG_NONE];

	if (!r->collateral_measured[CFG_NONE])
		return;
	fprintf(out, "\n## Collateral: the syscalls of a process nobody traces\n\n"
		     "| configuration | write(2) to /dev/null, ns | added | getppid(2), ns | added |\n"
		     "|---|---:|---:|---:|---:|\n");
	for (int k = 0; k < r->nconfigs; k++) {
		const struct bench_config *c = r->configs[k];
		const struct collateral *x = &r->collateral[c->id];

		if (r->collateral_measured[c->id])
			fprintf(out, "| %s | %.0f | %+.0f | %.0f | %+.0f |\n", c->name, x->write_ns,
				x->write_ns - none->write_ns, x->getppid_ns,
				x->getppid_ns - none->getppid_ns);
	}
}

static void md_loss_row(FILE *out, const char *label, const struct loss_point *p)
{
	if (p->error[0]) {
		fprintf(out, "| %s | – | – | – | – | %s |\n", label, p->error);
		return;
	}
	fprintf(out, "| %s | %.0f | %lld | %lld | %lld | %lld%s |\n", label, p->events_per_s,
		p->expected_bytes, p->captured_bytes, p->lost_bytes, p->silent_bytes,
		p->silent_bytes ? " **silent loss**" : "");
}

static void md_loss(const struct bench_results *r, FILE *out)
{
	const struct loss_point *first_loss = NULL;
	double top = 0;
	char label[64];

	if (!r->nloss && !r->forced_loss_run)
		return;
	fprintf(out, "\n## Loss (reference tracer, 64-byte writes, %s)\n\n"
		     "| events/s asked | reached | plaintext bytes moved | captured | reported lost "
		     "| silently lost |\n|---|---:|---:|---:|---:|---|\n", r->fixtures[0]);
	for (int i = 0; i < r->nloss; i++) {
		const struct loss_point *p = &r->loss[i];

		snprintf(label, sizeof(label), p->rate_asked ? "%ld" : "unpaced", p->rate_asked);
		md_loss_row(out, label, p);
		if (!p->error[0] && p->lost_bytes && !first_loss)
			first_loss = p;
		if (!p->error[0] && p->events_per_s > top)
			top = p->events_per_s;
	}
	if (r->forced_loss_run)
		md_loss_row(out, "forced: 1 MiB ring, consumer stopped", &r->forced_loss);
	if (first_loss)
		fprintf(out, "\nLoss begins at about %.0f events/s.\n", first_loss->events_per_s);
	else if (r->nloss)
		fprintf(out, "\nNo loss up to %.0f events/s, the highest rate reached here.\n", top);
	if (r->forced_loss_run && !r->forced_loss.error[0])
		fprintf(out, "Forced loss: %s.\n", r->forced_loss.silent_bytes ? "bytes went missing "
			"without a loss record" : "every byte is either captured or in a loss record");
}

static void md_rest(const struct bench_results *r, FILE *out)
{
	if (r->consumer_rate_64 > 0 || r->consumer_error[0]) {
		fprintf(out, "\n## Consumer\n\n");
		if (r->consumer_error[0])
			fprintf(out, "Not measured: %s\n", r->consumer_error);
		else
			fprintf(out, "The tracer's user space (ring buffer → reassembly → JSON lines, to "
				     "/dev/null) decodes %.0f records/s of 64 bytes and %.0f of 1 KiB.\n",
				r->consumer_rate_64, r->consumer_rate_1k);
	}
	if (r->whole_measured[CFG_NONE] || r->whole_error[0]) {
		fprintf(out, "\n## Whole process (hyperfine: bench-64, client and server from start "
			     "to exit)\n\n| configuration | mean s | stddev s |\n|---|---:|---:|\n");
		for (int k = 0; k < r->nconfigs; k++)
			if (r->whole_measured[r->configs[k]->id])
				fprintf(out, "| %s | %.3f | %.3f |\n", r->configs[k]->name,
					r->whole[r->configs[k]->id].mean_s,
					r->whole[r->configs[k]->id].stddev_s);
		if (r->whole_error[0])
			fprintf(out, "\n(%s)\n", r->whole_error);
	}
}

/* How fast the machine ran during the stream runs of size s: the fixture's
 * calibration loop, over every configuration and round. */
static void md_calibration(const struct bench_results *r, int s, FILE *out)
{
	double lo = INFINITY, hi = 0;

	for (int k = 0; k < r->nconfigs; k++) {
		const struct cell *c = &r->cells[0][s][r->configs[k]->id];

		for (int i = 0; i < c->nrounds; i++) {
			if (c->calibration_ns[i] <= 0)
				continue;
			lo = fmin(lo, c->calibration_ns[i]);
			hi = fmax(hi, c->calibration_ns[i]);
		}
	}
	if (isinf(lo))
		return;
	fprintf(out, "- the machine's speed in those runs (the fixture's calibration loop, median "
		     "per run): %.0f–%.0f ns; rounds within %.0f%% of the fastest (full speed), per "
		     "configuration:", lo, hi, (FULL_SPEED_SLACK - 1) * 100);
	for (int k = 0; k < r->nconfigs; k++) {
		const struct cell *c = &r->cells[0][s][r->configs[k]->id];

		if (c->nrounds)
			fprintf(out, " %s %d/%d;", r->configs[k]->name, c->nfull_speed, c->nrounds);
	}
	fprintf(out, " %s\n", r->all_rounds[0][s]
				      ? "not every configuration had one, so the medians take every round"
				      : "only those make the medians");
}

/* The spread of the per-round medians behind a target's figures. */
static void md_spread(const struct bench_results *r, int s, FILE *out)
{
	static const enum config_id shown[] = { CFG_NONE, CFG_FLOOR, CFG_FLOOR_COPY,
						CFG_REFERENCE, CFG_BPFTRACE_COUNT };

	fprintf(out, "- per-round medians of the write call (ns):");
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		const struct cell *c = &r->cells[0][s][shown[i]];
		double lo = INFINITY, hi = 0;

		for (int k = 0; k < c->nrounds; k++) {
			lo = fmin(lo, c->median_ns[STREAM_WRITE][k]);
			hi = fmax(hi, c->median_ns[STREAM_WRITE][k]);
		}
		if (c->nrounds)
			fprintf(out, " %s %.0f–%.0f;", config_get(shown[i])->name, lo, hi);
	}
	fprintf(out, "\n");
	md_calibration(r, s, out);
}

/* One target's line: its figure against the target, or why there is none. */
static void md_target(FILE *out, const char *what, double value, const char *fmt,
		      double target, int met)
{
	fprintf(out, "- %s: ", what);
	if (isnan(value)) {
		fprintf(out, "inconclusive (not measured, or an added cost came out at or below "
			     "zero: noise)\n");
		return;
	}
	fprintf(out, fmt, value, target);
	fprintf(out, ": %s\n", met ? "met" : "NOT met");
}

/* What the same run says any tracer at the planner's sites can reach: the
 * floor is the cheapest probing there, floor-copy the cheapest capture. */
static void md_bounds(const struct bench_targets *t, FILE *out)
{
	fprintf(out, "- bound: the floor itself (probes that do nothing) is ");
	if (isnan(t->floor_vs_entry_count))
		fprintf(out, "inconclusive (not measured, or noise)\n");
	else
		fprintf(out, "%.1f× cheaper than count-only — no tracer probing these sites can be "
			     "more than %.1f× cheaper than count-only\n", t->floor_vs_entry_count,
			t->floor_vs_entry_count);
	fprintf(out, "- bound: copying the bytes alone (floor-copy) costs ");
	if (isnan(t->copy_vs_floor))
		fprintf(out, "inconclusive (not measured, or noise)\n");
	else
		fprintf(out, "%.2f× the floor — no tracer capturing the plaintext at these sites can "
			     "cost less\n", t->copy_vs_floor);
}

static void md_targets(const struct bench_results *r, FILE *out)
{
	struct bench_targets t;
	int s = size_index(r, 64);

	report_targets(r, &t);
	fprintf(out, "\n## Targets (64-byte writes back to back, %s)\n\n", r->fixtures[0]);
	md_target(out, "against a count-only probe on the exported entry (bpftrace-count)",
		  t.vs_entry_count, "%.1f× cheaper (target ≥ %.0f×)", TARGET_VS_ENTRY,
		  t.vs_entry_count >= TARGET_VS_ENTRY);
	md_target(out, "against the floor at its own sites", t.vs_floor,
		  "%.2f× the floor's added cost (target ≤ %.2f×)", TARGET_VS_FLOOR,
		  t.vs_floor <= TARGET_VS_FLOOR);
	md_bounds(&t, out);
	if (s >= 0)
		md_spread(r, s, out);
}

static void md_ratio(FILE *out, double v, const char *fmt)
{
	if (isnan(v))
		fprintf(out, " | —");
	else
		fprintf(out, fmt, v);
}

/* Every row side by side: the same figures and bounds for each stack. */
static void md_stacks(const struct bench_results *r, FILE *out)
{
	char size[32];

	fprintf(out, "\n## Per stack: TLS writes back to back\n\n"
		     "Added ns per write call by the reference tracer, its ratio to the floor at "
		     "its own probe sites, and the bounds of the same run: floor-entry / floor "
		     "(how much cheaper than the cheapest probe on the exported entry points the "
		     "floor is: 1.0 where the plan is the exported entry points) and floor-copy / "
		     "floor (the least any capture at these sites costs). — : not measured, or a "
		     "ratio of an added cost at or below zero (noise).\n\n"
		     "| row | size | reference added | reference / floor | floor-entry / floor "
		     "| floor-copy / floor |\n|---|---|---|---|---|---|\n");
	for (int f = 0; f < r->nfixtures; f++) {
		for (int s = 0; s < r->nsizes; s++) {
			struct stack_figures x;

			stack_figures(r, f, s, &x);
			fprintf(out, "| %s | %s", r->fixtures[f],
				size_name(r->sizes[s], size, sizeof(size)));
			md_ratio(out, x.reference_added, " | %+.0f ns");
			md_ratio(out, x.reference_over_floor, " | %.2f×");
			md_ratio(out, x.entry_over_floor, " | %.1f×");
			md_ratio(out, x.copy_over_floor, " | %.2f×");
			fprintf(out, " |\n");
		}
	}
}

void report_markdown(const struct bench_results *r, FILE *out)
{
	fprintf(out, "# tlsprobe bench, %s\n\n%s, %d CPUs; %s.\n%d interleaved rounds.\n",
		r->date, r->cpu, r->ncpus, r->kernel, r->rounds);
	for (int f = 0; f < r->nfixtures; f++) {
		fprintf(out, "\n## %s (%s)\n", r->fixtures[f],
			r->sites[f].version[0] ? r->sites[f].version : "version unknown");
		md_cost_tables(r, f, out);
		md_sites(r, f, out);
		md_cpu(r, f, out);
	}
	md_stacks(r, out);
	md_collateral(r, out);
	md_loss(r, out);
	md_rest(r, out);
	md_targets(r, out);
}

/* ---- plots ---- */

static const char *const plot_name[N_MEASURES] = {
	[STREAM_WRITE] = "", [ECHO_WRITE] = "echo-", [ECHO_READ] = NULL,
};

/* How many points a plot has (added costs above zero: log scale). */
static int plot_points(const struct bench_results *r, int f, enum measure m)
{
	int n = 0;

	for (int s = 0; s < r->nsizes; s++)
		for (int k = 1; k < r->nconfigs; k++)
			n += results_added(r, f, s, r->configs[k]->id, m) > 0;
	return n;
}

static int write_plot_data(const struct bench_results *r, int f, enum measure m, const char *path)
{
	FILE *d = fopen(path, "w");

	if (!d)
		return -1;
	fprintf(d, "# size");
	for (int k = 0; k < r->nconfigs; k++)
		fprintf(d, " %s", r->configs[k]->name);
	fprintf(d, "\n");
	for (int s = 0; s < r->nsizes; s++) {
		fprintf(d, "%ld", r->sizes[s]);
		for (int k = 0; k < r->nconfigs; k++) {
			double added = results_added(r, f, s, r->configs[k]->id, m);

			fprintf(d, added > 0 ? " %.0f" : " NaN", added);
		}
		fprintf(d, "\n");
	}
	return fclose(d);
}

static int write_plot_script(const struct bench_results *r, int f, enum measure m,
			     const char *dir, const char *data, const char *path)
{
	static const char *const terms[][2] = { { "pngcairo noenhanced size 960,600", "png" },
						 { "svg noenhanced size 960,600 dynamic", "svg" } };
	FILE *g = fopen(path, "w");

	if (!g)
		return -1;
	fprintf(g, "set datafile missing 'NaN'\nset logscale xy\nset grid\nset key outside right\n"
		   "set xlabel 'payload bytes per write call'\nset ylabel 'added ns per write call "
		   "(median)'\nset title '%s: %s, %s, %s'\n",
		m == STREAM_WRITE ? "writes back to back" : "echo round trips", r->fixtures[f],
		r->sites[f].version, r->release);
	if (!plot_points(r, f, m))
		/* gnuplot refuses a plot with no point at all: say why it is empty */
		fprintf(g, "set xrange [10:1e6]\nset yrange [10:1e5]\nset label 1 'no configuration "
			   "added a cost above zero (noise)' at graph 0.5,0.5 center\n");
	for (int t = 0; t < 2; t++) {
		fprintf(g, "set terminal %s\nset output '%s/added-cost-%s%s.%s'\nplot", terms[t][0],
			dir, plot_name[m], r->fixtures[f], terms[t][1]);
		if (!plot_points(r, f, m))
			fprintf(g, " 1e9 notitle");
		for (int k = 1, first = 1; k < r->nconfigs && plot_points(r, f, m); k++, first = 0)
			fprintf(g, "%s '%s' using 1:%d with linespoints title '%s'", first ? "" : ",",
				data, k + 2, r->configs[k]->name);
		fprintf(g, "\n");
	}
	return fclose(g);
}

int report_plots(const struct bench_results *r, const char *dir)
{
	int ret = 0;

	for (int f = 0; f < r->nfixtures; f++) {
		for (int m = 0; m < N_MEASURES; m++) {
			char data[PATH_MAX], script[PATH_MAX], log[PATH_MAX];
			char *argv[] = { "gnuplot", script, NULL };

			if (!plot_name[m])
				continue;
			snprintf(data, sizeof(data), "%.3900s/added-cost-%s%.40s.dat", dir, plot_name[m],
				 r->fixtures[f]);
			snprintf(script, sizeof(script), "%.3900s/added-cost-%s%.40s.gp", dir,
				 plot_name[m], r->fixtures[f]);
			snprintf(log, sizeof(log), "%.3900s/gnuplot.log", dir);
			if (write_plot_data(r, f, m, data) ||
			    write_plot_script(r, f, m, dir, data, script) || spawn_run(argv, log, 60000))
				ret = -1;
		}
	}
	return ret;
}
