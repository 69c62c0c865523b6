#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "stats.h"
#include "uprobe_matrix.h"

#define E "up_empty"
#define RET "up_ret_empty"

/* The selftests' names are those of tools/testing/selftests/bpf/benchs/
 * bench_trigger.c (run_bench_uprobes.sh), which measure throughput on the
 * same instructions; NULL where it has none. */
const struct up_row up_rows[] = {
	{ UPG_INSN, "nop", "site_nop", NULL, "90", E, NULL, NULL, 1, 0, "trig-uprobe-nop" },
	{ UPG_INSN, "nop5 (nopl 0x0(%rax,%rax,1))", "site_nop5", NULL, "0f1f440000", E, NULL, NULL,
	  1, 0, "trig-uprobe-nop5" },
	{ UPG_INSN, "push %rbp", "site_push", NULL, "55", E, NULL, NULL, 1, 0, "trig-uprobe-push" },
	{ UPG_INSN, "endbr64", "site_endbr64", NULL, "f30f1efa", E, NULL, NULL, 1, 0, NULL },
	{ UPG_INSN, "sub $0x18,%rsp", "site_sub", NULL, "4883ec18", E, NULL, NULL, 1, 0, NULL },
	{ UPG_INSN, "mov %rdi,%rax", "site_mov", NULL, "4889f8", E, NULL, NULL, 1, 0, NULL },
	{ UPG_INSN, "call rel32", "site_call", NULL, "e8", E, NULL, NULL, 1, 0, NULL },
	{ UPG_INSN, "jmp rel8", "site_jmp", NULL, "eb", E, NULL, NULL, 1, 0, NULL },
	{ UPG_INSN, "jne rel8", "site_jcc", "site_jcc_jne", "75", E, NULL, NULL, 1, 0, NULL },
	{ UPG_INSN, "ret", "site_ret", NULL, "c3", E, NULL, NULL, 1, 0, "trig-uprobe-ret" },
	{ UPG_RETURN, "uretprobe alone (function entry: nop)", "site_nop", NULL, "90", NULL, RET,
	  NULL, 1, 0, "trig-uretprobe-nop" },
	{ UPG_RETURN, "uretprobe alone (function entry: push)", "site_push", NULL, "55", NULL, RET,
	  NULL, 1, 0, "trig-uretprobe-push" },
	{ UPG_RETURN, "uprobe + uretprobe (nop)", "site_nop", NULL, "90", E, RET, NULL, 1, 0, NULL },
	{ UPG_WORK, "empty", "site_nop", NULL, "90", E, NULL, NULL, 1, 0, "trig-uprobe-nop" },
	{ UPG_WORK, "read the pid (bpf_get_current_pid_tgid)", "site_nop", NULL, "90", "up_pid",
	  NULL, NULL, 1, 0, NULL },
	{ UPG_WORK, "read 64 B of user memory", "site_nop", NULL, "90", "up_read_64", NULL, NULL,
	  1, 0, NULL },
	{ UPG_WORK, "read 1 KiB of user memory", "site_nop", NULL, "90", "up_read_1024", NULL,
	  NULL, 1, 0, NULL },
	{ UPG_WORK, "read 16 KiB of user memory", "site_nop", NULL, "90", "up_read_16384", NULL,
	  NULL, 1, 0, NULL },
	{ UPG_WORK, "ring-buffer record of 64 B (reserve, copy, submit)", "site_nop", NULL, "90",
	  "up_ring_64", NULL, NULL, 1, 0, NULL },
	{ UPG_WORK, "ring-buffer record of 1 KiB", "site_nop", NULL, "90", "up_ring_1024", NULL,
	  NULL, 1, 0, NULL },
	{ UPG_WORK, "ring-buffer record of 16 KiB", "site_nop", NULL, "90", "up_ring_16384", NULL,
	  NULL, 1, 0, NULL },
	{ UPG_OTHERS, "uprobe on a file an untargeted process runs (filtered by pid)", "site_nop",
	  NULL, "90", "up_filtered", NULL, NULL, 1, 0, NULL },
	{ UPG_OTHERS, "syscall hook (raw_tp/sys_enter, filtered): getppid(2) of an untargeted "
	  "process", NULL, NULL, NULL, "sys_filtered", NULL, "getppid", 0, 0, NULL },
	{ UPG_OTHERS, "syscall hook (raw_tp/sys_enter, filtered): write(2) of 64 B to /dev/null",
	  NULL, NULL, NULL, "sys_filtered", NULL, "write", 0, 0, NULL },
	{ UPG_OTHERS, "syscall hook (tp/syscalls/sys_enter_write, filtered): getppid(2) of an "
	  "untargeted process", NULL, NULL, NULL, "sys_write_filtered", NULL, "getppid", 0, 0,
	  NULL },
	{ UPG_OTHERS, "syscall hook (tp/syscalls/sys_enter_write, filtered): write(2) of 64 B to "
	  "/dev/null", NULL, NULL, NULL, "sys_write_filtered", NULL, "write", 0, 0, NULL },
	{ UPG_OTHERS, "any syscall tracepoint on (tp/syscalls/sys_enter_openat, empty): getppid(2)",
	  NULL, NULL, NULL, "sys_openat_empty", NULL, "getppid", 0, 0, NULL },
	{ UPG_OTHERS, "any syscall tracepoint on (tp/syscalls/sys_enter_openat, empty): write(2) of "
	  "64 B to /dev/null", NULL, NULL, NULL, "sys_openat_empty", NULL, "write", 0, 0, NULL },
	{ UPG_SCALE, "1 probe on the file", "site_nop", NULL, "90", E, NULL, NULL, 1, 0, NULL },
	{ UPG_SCALE, "10 probes on the file (9 under one uprobe_multi link)", "site_nop", NULL, "90", E, NULL, NULL, 10, 0, NULL },
	{ UPG_SCALE, "100 probes on the file (99 under one link)", "site_nop", NULL, "90", E, NULL, NULL, 100, 0, NULL },
	{ UPG_SCALE, "1000 probes on the file (999 under one link)", "site_nop", NULL, "90", E, NULL, NULL, 1000, 0,
	  NULL },
	{ UPG_SCALE, "1 other process maps the file", "site_nop", NULL, "90", E, NULL, NULL, 1, 1,
	  NULL },
	{ UPG_SCALE, "10 other processes map the file", "site_nop", NULL, "90", E, NULL, NULL, 1, 10,
	  NULL },
	{ UPG_SCALE, "100 other processes map the file", "site_nop", NULL, "90", E, NULL, NULL, 1,
	  100, NULL },
};
const int up_nrows = sizeof(up_rows) / sizeof(up_rows[0]);

const char *up_group_name(enum up_group g)
{
	static const char *const names[UPG_COUNT] = {
		[UPG_INSN] = "the probed instruction (empty program)",
		[UPG_RETURN] = "return probes (empty programs)",
		[UPG_WORK] = "the program's work (uprobe on a nop)",
		[UPG_OTHERS] = "what others pay",
		[UPG_SCALE] = "scaling (empty uprobe on a nop)",
	};
	return g < UPG_COUNT ? names[g] : "?";
}

double up_fastest_calibration(const struct up_figures *f, int nrows)
{
	double fastest = 0;

	for (int i = 0; i < nrows; i++)
		for (int k = 0; k < f[i].nrounds; k++) {
			double c[2] = { f[i].none_calib[k], f[i].probed_calib[k] };

			for (int j = 0; j < 2; j++)
				if (c[j] > 0 && (fastest == 0 || c[j] < fastest))
					fastest = c[j];
		}
	return fastest;
}

static int at_full_speed(const struct up_figures *f, int k, double fastest)
{
	double limit = fastest * UP_FULL_SPEED_SLACK;

	if (fastest <= 0 || f->none_calib[k] <= 0)
		return 1; /* not calibrated (syscall rows): every round */
	return f->none_calib[k] <= limit && f->probed_calib[k] <= limit;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double up_single_step_threshold(double *added, int n, double nop_added)
{
	double best_ratio = 0, threshold = NAN;
	int m = 0;

	for (int i = 0; i < n; i++)
		if (added[i] > 0)
			added[m++] = added[i];
	qsort(added, m, sizeof(*added), by_value);
	for (int i = 0; i + 1 < m; i++) {
		double ratio = added[i + 1] / added[i];

		if (ratio > best_ratio) {
			best_ratio = ratio;
			threshold = sqrt(added[i] * added[i + 1]);
		}
	}
	if (best_ratio >= UP_SINGLE_STEP_FACTOR)
		return threshold;
	return nop_added > 0 ? nop_added * UP_SINGLE_STEP_FACTOR : NAN;
}

const char *up_measured_class(double added, double threshold, const char *site_bytes)
{
	if (!(added > 0) || !(threshold > 0))
		return NULL;
	if (added >= threshold)
		return "single-stepped";
	return site_bytes && !strncmp(site_bytes, "e8", 2) ? "optimized" : "emulated";
}

void up_summarize(const struct up_row *row, struct up_figures *f, double fastest,
		  double threshold)
{
	double none[UP_ROUNDS_MAX], probed[UP_ROUNDS_MAX];
	int n = 0, use_all;

	f->none_med = f->probed_med = f->added = NAN;
	f->measured = NULL;
	f->agree = -1;
	f->rounds_used = 0;
	if (f->error[0] || !f->nrounds)
		return;
	for (int pass = 0; pass < 2 && !n; pass++) {
		use_all = pass == 1;
		for (int k = 0; k < f->nrounds; k++) {
			if (!use_all && !at_full_speed(f, k, fastest))
				continue;
			none[n] = f->none_ns[k];
			probed[n++] = f->probed_ns[k];
		}
	}
	f->rounds_used = n;
	f->none_med = stats_median(none, n);
	f->probed_med = stats_median(probed, n);
	f->added = f->probed_med - f->none_med;
	if (row->group != UPG_INSN)
		return;
	/* a site rewritten into a call is the kernel's optimization (the call
	 * row's own e8 is not) */
	f->measured = up_measured_class(f->added, threshold,
					strncmp(row->expect_bytes, "e8", 2) ? f->site_bytes : NULL);
	if (f->measured && f->decoded)
		f->agree = !strcmp(f->measured, f->decoded) ||
			   (!strcmp(f->measured, "optimized") && !strcmp(f->decoded, "emulated"));
}

/* ---- reports ---- */

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(round(v * 10) / 10);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *machine_json(const struct up_machine *m)
{
	json_t *mit = json_object();

	for (int i = 0; i < m->nmitigations; i++)
		json_object_set_new(mit, m->mitigation_name[i], json_string(m->mitigation[i]));
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:o}", "kernel_release", m->kernel_release,
			 "kernel_version", m->kernel_version, "cpu", m->cpu, "ncpus", m->ncpus,
			 "date", m->date, "mitigations", mit);
}

static json_t *row_json(const struct up_row *row, const struct up_figures *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "group", json_string(up_group_name(row->group)));
	json_object_set_new(o, "name", json_string(row->name));
	json_object_set_new(o, "site", str_or_null(row->at ? row->at : row->site));
	json_object_set_new(o, "entry_program", str_or_null(row->entry_prog));
	json_object_set_new(o, "return_program", str_or_null(row->return_prog));
	json_object_set_new(o, "syscall", str_or_null(row->syscall));
	json_object_set_new(o, "probes", json_integer(row->probes));
	json_object_set_new(o, "other_processes", json_integer(row->processes));
	json_object_set_new(o, "selftest", str_or_null(row->selftest));
	json_object_set_new(o, "none_ns", num(f->none_med));
	json_object_set_new(o, "probed_ns", num(f->probed_med));
	json_object_set_new(o, "added_ns", num(f->added));
	json_object_set_new(o, "rounds", json_integer(f->nrounds));
	json_object_set_new(o, "full_speed_rounds", json_integer(f->rounds_used));
	json_object_set_new(o, "attach_ms", num(f->attach_ms));
	json_object_set_new(o, "site_bytes_probed", str_or_null(f->site_bytes[0] ? f->site_bytes
										 : NULL));
	json_object_set_new(o, "decoder", str_or_null(f->decoded));
	json_object_set_new(o, "measured", str_or_null(f->measured));
	json_object_set_new(o, "agree", f->agree < 0 ? json_null() : json_boolean(f->agree));
	json_object_set_new(o, "error", str_or_null(f->error[0] ? f->error : NULL));
	return o;
}

int up_report_json(const struct up_report *r, const char *path)
{
	json_t *rows = json_array(), *doc;
	int ret;

	for (int i = 0; i < r->nrows; i++)
		json_array_append_new(rows, row_json(&r->rows[i], &r->figures[i]));
	doc = json_pack("{s:o, s:i, s:I, s:b, s:f, s:o}", "machine", machine_json(&r->machine),
			"rounds", r->rounds, "min_ms_per_run", (json_int_t)r->min_ms, "smoke",
			r->smoke, "full_speed_slack", UP_FULL_SPEED_SLACK, "rows", rows);
	ret = json_dump_file(doc, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return ret;
}

static void md_num(FILE *out, double v)
{
	if (isnan(v))
		fprintf(out, " — |");
	else
		fprintf(out, " %.0f |", v);
}

static void md_class(FILE *out, const struct up_row *row, const struct up_figures *f)
{
	if (row->group != UPG_INSN) {
		fprintf(out, " |");
		return;
	}
	fprintf(out, " %s / %s%s |", f->decoded ? f->decoded : "?", f->measured ? f->measured : "?",
		f->agree == 0 ? " **(disagree)**" : "");
}

void up_report_markdown(const struct up_report *r, FILE *out)
{
	const struct up_machine *m = &r->machine;

	fprintf(out, "# uprobe cost matrix\n\nLinux %s (%s), %s, %d CPUs, %s. %d interleaved "
		     "rounds of at least %ld ms per run; medians over the rounds at full speed.%s\n",
		m->kernel_release, m->kernel_version, m->cpu, m->ncpus, m->date, r->rounds, r->min_ms,
		r->smoke ? " **Smoke run: these figures are not measurements.**" : "");
	fprintf(out, "\nMitigations:");
	for (int i = 0; i < m->nmitigations; i++)
		fprintf(out, "%s %s: %s", i ? ";" : "", m->mitigation_name[i], m->mitigation[i]);
	fprintf(out, "\n");
	for (int g = 0; g < UPG_COUNT; g++) {
		fprintf(out, "\n## %s\n\n| row | untraced ns/call | probed ns/call | added ns | "
			     "decoder / measured | site bytes | attach ms | selftests |\n"
			     "|---|---|---|---|---|---|---|---|\n", up_group_name(g));
		for (int i = 0; i < r->nrows; i++) {
			const struct up_row *row = &r->rows[i];
			const struct up_figures *f = &r->figures[i];

			if (row->group != (enum up_group)g)
				continue;
			fprintf(out, "| %s |", row->name);
			if (f->error[0]) {
				fprintf(out, " not measured: %s | | | | | | |\n", f->error);
				continue;
			}
			md_num(out, f->none_med);
			md_num(out, f->probed_med);
			md_num(out, f->added);
			md_class(out, row, f);
			fprintf(out, " %s |", f->site_bytes);
			md_num(out, f->attach_ms);
			fprintf(out, " %s |\n", row->selftest ? row->selftest : "—");
		}
	}
	fprintf(out, "\nDecoder: tracer/x86insn.c's rule (arch/x86/kernel/uprobes.c: relative "
		     "jmp/call/jcc, the 1-byte nop and push reg are emulated); measured: the "
		     "instructions' costs split at their widest gap when it is %.1fx or wider "
		     "(single-stepped above it), optimized when the "
		     "kernel rewrote the site into a call (site bytes e8…). Site bytes: as the "
		     "probed process reads its own code (cc: the breakpoint).\n",
		UP_SINGLE_STEP_FACTOR);
}

/* Horizontal bars of the added cost per row, log scale, PNG and SVG. */
int up_report_plot_files(const struct up_report *r, const char *dir, char *script, size_t len)
{
	static const char *const terms[][2] = { { "pngcairo noenhanced size 1200,900", "png" },
						 { "svg noenhanced size 1200,900 dynamic", "svg" } };
	char data[4200];
	FILE *d, *g;

	snprintf(data, sizeof(data), "%.4000s/uprobes.dat", dir);
	snprintf(script, len, "%.4000s/uprobes.gp", dir);
	d = fopen(data, "w");
	if (!d)
		return -1;
	/* index, added ns (NaN: not above zero, or not measured), label, group
	 * (the bar's colour) */
	for (int i = 0; i < r->nrows; i++) {
		double added = r->figures[i].added;

		if (added > 1)
			fprintf(d, "%d %.1f \"%s\" %d\n", i, added, r->rows[i].name,
				r->rows[i].group + 1);
		else
			fprintf(d, "%d NaN \"%s\" %d\n", i, r->rows[i].name, r->rows[i].group + 1);
	}
	if (fclose(d))
		return -1;
	g = fopen(script, "w");
	if (!g)
		return -1;
	fprintf(g, "set datafile missing 'NaN'\nset logscale x\nset grid x\nset yrange [%d:-1]\n"
		   "set ytics scale 0 font ',9'\nset xlabel 'added ns per call (median; log scale)"
		   "%s'\nset label 1 'uprobes on Linux %s, %s' at screen 0.02,0.97 left\n"
		   "set style fill solid 0.6\n",
		r->nrows, r->smoke ? " - smoke run: not measurements" : "",
		r->machine.kernel_release, r->machine.cpu);
	for (int t = 0; t < 2; t++)
		/* a box from 1 ns to the value: centre and half-width on the x axis */
		fprintf(g, "set terminal %s\nset output '%s/uprobes.%s'\nplot '%s' using "
			   "(($2 + 1) / 2):1:(($2 - 1) / 2):(0.4):4:ytic(3) with boxxyerror lc variable "
			   "notitle\n",
			terms[t][0], dir, terms[t][1], data);
	return fclose(g) ? -1 : 0;
}
