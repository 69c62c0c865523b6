/* tlsprobe bench uprobes: what a uprobe costs on the running kernel, per
 * probed instruction, per program, for processes nobody traces, and as
 * probes and processes grow. The probes go into build/uprobe-target
 * (bench/uprobe_target.c), whose sites are checked byte by byte before a
 * probe is attached; each run is that binary timing its own calls. The rows
 * are in uprobe_matrix.c; the reports too. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "bench_uprobes.skel.h"
#include "cmd.h"
#include "collateral.h"
#include "elfsym.h"
#include "harness.h"
#include "machine.h"
#include "preflight.h"
#include "uprobe_matrix.h"
#include "uprobe_multi.h"
#include "x86insn.h"

#define SCALE_STUB_BYTES 16
#define OTHERS_MAX 100

struct up_session {
	struct bench_uprobes_bpf *skel;
	struct elf_image *img;
	char target[PATH_MAX];
	long min_ms;
	int timed_cpu;           /* where the target runs (-1: anywhere) */
	struct ring_buffer *ring;
	pthread_t drainer;
	volatile int stop;
	uint64_t stubs_vaddr;    /* scale_stubs */
	int multi;               /* the kernel has uprobe_multi links */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tlsprobe bench uprobes [OPTIONS]\n"
		"\n"
		"The uprobe cost matrix of the running kernel: ns per probed call, for\n"
		"  - the probed instruction (nop, nop5, push, endbr64, sub, mov, call, jmp, jcc,\n"
		"    ret), emulated or single-stepped by the measurement and by the decoder;\n"
		"  - return probes: a uretprobe alone, entry + uretprobe;\n"
		"  - the program's work: empty, the pid, reading 64 B/1 KiB/16 KiB of user\n"
		"    memory, a ring-buffer record of that size;\n"
		"  - what others pay: an untargeted process on a probed file; the collateral\n"
		"    on an untargeted process's getppid/write of raw_tp/sys_enter, of a\n"
		"    per-syscall tracepoint (sys_enter_write), of any syscall tracepoint at all;\n"
		"  - scaling: 1-1000 probes on the file, 1-100 other processes mapping it.\n"
		"Each row runs build/uprobe-target without and with its probes, in\n"
		"interleaved rounds; rounds whose calibration loop ran more than 15%% slower\n"
		"than the fastest are left out. Reports: uprobes.json (with the kernel, CPU and\n"
		"mitigations), uprobes.md (also printed), uprobes.png/.svg. Needs root.\n"
		"\n"
		"  --rounds N     interleaved rounds (default 5)\n"
		"  --min-ms N     each run calls its site for at least N ms (default 100)\n"
		"  --out DIR      where the reports go (default build/bench)\n"
		"  --smoke        one round of 10 ms runs: checks the reports, measures nothing\n"
		"  -h, --help     this text\n");
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- the machine ---- */

static void read_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (f && fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = '\0';
	if (f)
		fclose(f);
}

static void machine_read(struct up_machine *m)
{
	static const char *const vulns[] = { "spectre_v1", "spectre_v2", "meltdown", "retbleed",
					     "spec_rstack_overflow", "spec_store_bypass", "mds",
					     "srbds", "l1tf", "gather_data_sampling", "mmio_stale_data",
					     "tsx_async_abort", "itlb_multihit", "reg_file_data_sampling" };
	struct machine_facts facts;
	char line[256], path[128];
	time_t now = time(NULL);

	memset(m, 0, sizeof(*m));
	machine_facts_read(&facts);
	snprintf(m->kernel_release, sizeof(m->kernel_release), "%.71s", facts.kernel_release);
	snprintf(m->kernel_version, sizeof(m->kernel_version), "%.127s", facts.kernel_version);
	snprintf(m->cpu, sizeof(m->cpu), "%s", facts.cpu);
	m->ncpus = facts.ncpus;
	strftime(m->date, sizeof(m->date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	for (size_t i = 0; i < sizeof(vulns) / sizeof(vulns[0]); i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/vulnerabilities/%s", vulns[i]);
		read_line(path, line, sizeof(line));
		if (!line[0] || m->nmitigations == UP_MITIGATIONS_MAX)
			continue;
		snprintf(m->mitigation_name[m->nmitigations], sizeof(m->mitigation_name[0]), "%s",
			 vulns[i]);
		snprintf(m->mitigation[m->nmitigations++], sizeof(m->mitigation[0]), "%.*s",
			 (int)sizeof(m->mitigation[0]) - 1, line);
	}
}

/* ---- the sites, proved from the binary ---- */

static int hex_of(const uint8_t *b, size_t n, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < n && 2 * i + 2 < len; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	return 0;
}

/* The probe's file offset for row's site, after checking that its bytes are
 * the instruction the row says; the decoder's class of it. */
static int site_offset(struct up_session *s, const struct up_row *row, uint64_t *offset,
		       const char **decoded, char *why, size_t whylen)
{
	const char *sym = row->at ? row->at : row->site;
	uint64_t vaddr, size;
	const uint8_t *bytes;
	struct x86_instr insn;
	char hex[40];
	size_t avail, want = strlen(row->expect_bytes) / 2;

	if (elf_image_symbol(s->img, sym, &vaddr, &size) ||
	    elf_image_bytes_at(s->img, vaddr, &bytes, &avail) || avail < want ||
	    elf_image_offset(s->img, vaddr, offset)) {
		snprintf(why, whylen, "uprobe-target: no symbol %s with code", sym);
		return -1;
	}
	hex_of(bytes, want, hex, sizeof(hex));
	if (strcmp(hex, row->expect_bytes)) {
		snprintf(why, whylen, "%s at 0x%llx holds %s, not %s", sym, (unsigned long long)vaddr,
			 hex, row->expect_bytes);
		return -1;
	}
	*decoded = x86_decode_one(s->img, vaddr, &insn) ? NULL
			: x86_probe_class(&insn) == PROBE_EMULATED ? "emulated" : "single-stepped";
	return 0;
}

/* The scaling rows' other probes: the stubs of scale_stubs, each `nop; ret`. */
static int stub_offset(struct up_session *s, int i, uint64_t *offset)
{
	uint64_t vaddr = s->stubs_vaddr + (uint64_t)i * SCALE_STUB_BYTES;
	const uint8_t *bytes;
	size_t avail;

	if (elf_image_bytes_at(s->img, vaddr, &bytes, &avail) || avail < 2 || bytes[0] != 0x90 ||
	    bytes[1] != 0xc3)
		return -1;
	return elf_image_offset(s->img, vaddr, offset);
}

/* ---- probes ---- */

struct probe_set {
	struct bpf_link **links;
	int n, cap;
	int multi_fd; /* the scaling rows' other probes, or -1 */
};

static void probes_detach(struct probe_set *p)
{
	for (int i = 0; i < p->n; i++)
		bpf_link__destroy(p->links[i]);
	free(p->links);
	if (p->multi_fd >= 0)
		close(p->multi_fd);
	memset(p, 0, sizeof(*p));
	p->multi_fd = -1;
}

static int probe_add(struct up_session *s, struct probe_set *p, const char *prog_name,
		     uint64_t offset, int retprobe, char *why, size_t whylen)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe);
	struct bpf_program *prog = bpf_object__find_program_by_name(s->skel->obj, prog_name);
	struct bpf_link *link;

	if (!prog) {
		snprintf(why, whylen, "no program %s", prog_name);
		return -1;
	}
	if (p->n == p->cap) {
		int cap = p->cap ? 2 * p->cap : 16;
		struct bpf_link **links = realloc(p->links, cap * sizeof(*links));

		if (!links)
			return -1;
		p->links = links;
		p->cap = cap;
	}
	link = bpf_program__attach_uprobe_opts(prog, -1, s->target, offset, &opts);
	if (!link) {
		snprintf(why, whylen, "cannot attach %s at 0x%llx: %s", prog_name,
			 (unsigned long long)offset, strerror(errno));
		return -1;
	}
	p->links[p->n++] = link;
	return 0;
}

/* The scaling rows' other probes, on stubs 1 .. n - 1 of scale_stubs: one
 * uprobe_multi link where the kernel has them, else one probe each. */
static int attach_stubs(struct up_session *s, int n, struct probe_set *p, char *why,
			size_t whylen)
{
	uint64_t *offsets = calloc(n, sizeof(*offsets)), *cookies = calloc(n, sizeof(*cookies));
	int ret = -1, m = 0;

	for (int i = 1; offsets && cookies && i < n; i++, m++) {
		if (stub_offset(s, i, &offsets[m])) {
			snprintf(why, whylen, "scale_stubs stub %d is not `nop; ret`", i);
			goto out;
		}
	}
	if (!offsets || !cookies)
		goto out;
	if (s->multi) {
		p->multi_fd = uprobe_multi_attach(bpf_program__fd(s->skel->progs.up_empty_multi),
						  s->target, offsets, cookies, m);
		if (p->multi_fd < 0)
			snprintf(why, whylen, "cannot attach %d probes in one uprobe_multi link: %s", m,
				 strerror(-p->multi_fd));
		ret = p->multi_fd < 0 ? -1 : 0;
		goto out;
	}
	for (ret = 0; ret == 0 && m-- > 0;)
		ret = probe_add(s, p, "up_empty", offsets[m], 0, why, whylen);
out:
	free(offsets);
	free(cookies);
	return ret;
}

static int attach_row(struct up_session *s, const struct up_row *row, uint64_t offset,
		      struct probe_set *p, char *why, size_t whylen)
{
	if (row->return_prog && probe_add(s, p, row->return_prog, offset, 1, why, whylen))
		return -1;
	if (row->entry_prog && probe_add(s, p, row->entry_prog, offset, 0, why, whylen))
		return -1;
	return row->probes > 1 ? attach_stubs(s, row->probes, p, why, whylen) : 0;
}

/* ---- runs of the target ---- */

/* Processes that only map the target (the scaling rows). */
struct others {
	pid_t pid[OTHERS_MAX];
	int fd[OTHERS_MAX];
	int n;
};

static void others_stop(struct others *o)
{
	for (int i = 0; i < o->n; i++) {
		close(o->fd[i]); /* --idle ends at EOF */
		waitpid(o->pid[i], NULL, 0);
	}
	o->n = 0;
}

static pid_t spawn_target(struct up_session *s, char *const argv[], int *in_fd, int *out_fd,
			  int cpu)
{
	int in[2], out[2] = { -1, -1 };
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) || (out_fd && pipe2(out, O_CLOEXEC)))
		return -1;
	pid = fork();
	if (pid == 0) {
		cpu_set_t set;

		dup2(in[0], 0);
		if (out_fd)
			dup2(out[1], 1);
		if (cpu >= 0) {
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
		}
		execv(s->target, argv);
		_exit(127);
	}
	close(in[0]);
	*in_fd = in[1];
	if (out_fd) {
		close(out[1]);
		*out_fd = out[0];
	}
	return pid;
}

static int others_start(struct up_session *s, struct others *o, int n)
{
	char *argv[] = { s->target, "--idle", NULL };

	for (o->n = 0; o->n < n && o->n < OTHERS_MAX; o->n++) {
		o->pid[o->n] = spawn_target(s, argv, &o->fd[o->n], NULL, -1);
		if (o->pid[o->n] < 0)
			return -1;
	}
	usleep(100000); /* exec'd and mapped */
	return 0;
}

struct run_result {
	double ns, calibration;
	long calls;
	char bytes[16];
};

/* One run of the target on row's site: it starts calling when told (after
 * the fork, so that nothing of the fork is in its figures). */
static int run_target(struct up_session *s, const struct up_row *row, struct run_result *res,
		      char *why, size_t whylen)
{
	char ms[32], out[512];
	char *argv[] = { s->target, (char *)row->site, ms, NULL };
	json_t *j;
	int in_fd, out_fd, status;
	ssize_t n, got = 0;
	pid_t pid;

	snprintf(ms, sizeof(ms), "%ld", s->min_ms);
	pid = spawn_target(s, argv, &in_fd, &out_fd, s->timed_cpu);
	if (pid < 0) {
		snprintf(why, whylen, "cannot start uprobe-target: %s", strerror(errno));
		return -1;
	}
	if (write(in_fd, "go\n", 3) != 3) {
		close(in_fd);
		close(out_fd);
		waitpid(pid, NULL, 0);
		snprintf(why, whylen, "uprobe-target did not start");
		return -1;
	}
	close(in_fd);
	while ((n = read(out_fd, out + got, sizeof(out) - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(out_fd);
	waitpid(pid, &status, 0);
	j = json_loads(out, 0, NULL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !j) {
		snprintf(why, whylen, "uprobe-target %s ended with status %d", row->site, status);
		json_decref(j);
		return -1;
	}
	res->ns = json_number_value(json_object_get(j, "ns_per_call"));
	res->calibration = json_number_value(json_object_get(j, "calibration_ns"));
	res->calls = (long)json_integer_value(json_object_get(j, "calls"));
	snprintf(res->bytes, sizeof(res->bytes), "%s",
		 json_string_value(json_object_get(j, "bytes")) ?: "");
	json_decref(j);
	return 0;
}

/* ---- the syscall rows: measured in this process, never a target ---- */

static int syscall_round(struct up_session *s, const struct up_row *row, struct up_figures *f,
			 int k)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(s->skel->obj, row->entry_prog);
	struct bpf_link *hook;
	struct collateral none, hooked;
	long calls = s->min_ms * 5000; /* 0.1-0.3 us each */

	if (!prog) {
		snprintf(f->error, sizeof(f->error), "no program %s", row->entry_prog);
		return -1;
	}
	if (collateral_measure(calls, 3, &none))
		return -1;
	hook = bpf_program__attach(prog);
	if (!hook) {
		snprintf(f->error, sizeof(f->error), "cannot attach the syscall hook: %s",
			 strerror(errno));
		return -1;
	}
	collateral_measure(calls, 3, &hooked);
	bpf_link__destroy(hook);
	f->none_ns[k] = !strcmp(row->syscall, "write") ? none.write_ns : none.getppid_ns;
	f->probed_ns[k] = !strcmp(row->syscall, "write") ? hooked.write_ns : hooked.getppid_ns;
	return 0;
}

/* ---- one row, one round ---- */

static int probe_in_place(const struct up_row *row, const char *bytes)
{
	/* an int3 at the site, or the call an optimized uprobe writes there */
	return !strncmp(bytes, "cc", 2) || (!strncmp(bytes, "e8", 2) &&
					    strncmp(row->expect_bytes, "e8", 2));
}

static int row_round(struct up_session *s, const struct up_row *row, struct up_figures *f, int k)
{
	struct probe_set probes = { .multi_fd = -1 };
	struct run_result none, probed;
	struct others others = {};
	uint64_t offset;
	double t0;
	int ret = -1;

	if (!row->site)
		return syscall_round(s, row, f, k);
	if (site_offset(s, row, &offset, &f->decoded, f->error, sizeof(f->error)) ||
	    run_target(s, row, &none, f->error, sizeof(f->error)))
		return -1;
	if (row->processes && others_start(s, &others, row->processes)) {
		snprintf(f->error, sizeof(f->error), "cannot start the other processes");
		goto out;
	}
	t0 = now_ns();
	if (attach_row(s, row, offset, &probes, f->error, sizeof(f->error)))
		goto out;
	f->attach_ms = (now_ns() - t0) / 1e6;
	if (run_target(s, row, &probed, f->error, sizeof(f->error)))
		goto out;
	if (!probe_in_place(row, probed.bytes)) {
		snprintf(f->error, sizeof(f->error), "the site read %s while probed: no probe there",
			 probed.bytes);
		goto out;
	}
	snprintf(f->site_bytes, sizeof(f->site_bytes), "%s", probed.bytes);
	f->none_ns[k] = none.ns;
	f->probed_ns[k] = probed.ns;
	f->none_calib[k] = none.calibration;
	f->probed_calib[k] = probed.calibration;
	ret = 0;
out:
	probes_detach(&probes);
	others_stop(&others);
	return ret;
}

/* ---- the ring the work rows fill ---- */

static int drop_record(void *ctx, void *data, size_t len)
{
	(void)ctx, (void)data, (void)len;
	return 0;
}

/* Drains the ring every millisecond: its programs submit without a wakeup,
 * so that the wakeup's cost is not in the figures. */
static void *drain(void *arg)
{
	struct up_session *s = arg;

	while (!s->stop) {
		ring_buffer__consume(s->ring);
		usleep(1000);
	}
	return NULL;
}

static int session_open(struct up_session *s, const char *root)
{
	snprintf(s->target, sizeof(s->target), "%.4000s/build/uprobe-target", root);
	s->img = elf_image_open(s->target);
	if (!s->img || elf_image_symbol(s->img, "scale_stubs", &s->stubs_vaddr, &(uint64_t){ 0 })) {
		fprintf(stderr, "tlsprobe bench uprobes: %s is missing or has no scale_stubs "
			"(make builds it)\n", s->target);
		return -1;
	}
	s->multi = uprobe_multi_supported();
	s->skel = bench_uprobes_bpf__open();
	if (s->skel && s->multi)
		bpf_program__set_expected_attach_type(s->skel->progs.up_empty_multi,
						      (enum bpf_attach_type)UPROBE_MULTI_ATTACH_TYPE);
	else if (s->skel)
		bpf_program__set_autoload(s->skel->progs.up_empty_multi, false);
	if (!s->skel || bench_uprobes_bpf__load(s->skel)) {
		fprintf(stderr, "tlsprobe bench uprobes: cannot load its BPF programs: %s\n",
			strerror(errno));
		return -1;
	}
	s->ring = ring_buffer__new(bpf_map__fd(s->skel->maps.records), drop_record, NULL, NULL);
	if (!s->ring || pthread_create(&s->drainer, NULL, drain, s)) {
		fprintf(stderr, "tlsprobe bench uprobes: no ring-buffer consumer\n");
		return -1;
	}
	return 0;
}

static void session_close(struct up_session *s)
{
	if (s->ring) {
		s->stop = 1;
		pthread_join(s->drainer, NULL);
		ring_buffer__free(s->ring);
	}
	bench_uprobes_bpf__destroy(s->skel);
	elf_image_close(s->img);
}

/* Every row once per round, the rows in a rotated order each round so that
 * the machine's drift falls on all of them alike. */
static void measure_all(struct up_session *s, struct up_figures *f, int rounds)
{
	for (int k = 0; k < rounds; k++) {
		for (int j = 0; j < up_nrows; j++) {
			int i = (j + k * 7) % up_nrows;

			if (f[i].error[0])
				continue; /* failed in an earlier round: said once */
			if (row_round(s, &up_rows[i], &f[i], k) == 0)
				f[i].nrounds = k + 1;
			else if (!f[i].error[0])
				snprintf(f[i].error, sizeof(f[i].error), "could not be measured");
		}
		fprintf(stderr, "tlsprobe bench uprobes: round %d/%d done\n", k + 1, rounds);
	}
}

static void summarize(struct up_figures *f)
{
	double fastest = up_fastest_calibration(f, up_nrows), added[64], threshold;
	int n = 0;

	for (int i = 0; i < up_nrows; i++) {
		up_summarize(&up_rows[i], &f[i], fastest, NAN); /* the medians */
		if (up_rows[i].group == UPG_INSN)
			added[n++] = f[i].added;
	}
	threshold = up_single_step_threshold(added, n, f[0].added); /* row 0: the nop */
	for (int i = 0; i < up_nrows; i++)
		up_summarize(&up_rows[i], &f[i], fastest, threshold);
}

static int write_reports(const struct up_report *r, const char *dir)
{
	char path[PATH_MAX], script[PATH_MAX], log[PATH_MAX];
	char *argv[] = { "gnuplot", script, NULL };
	FILE *md;

	snprintf(path, sizeof(path), "%.4000s/uprobes.md", dir);
	md = fopen(path, "w");
	if (!md)
		return -1;
	up_report_markdown(r, md);
	fclose(md);
	up_report_markdown(r, stdout);
	snprintf(path, sizeof(path), "%.4000s/uprobes.json", dir);
	if (up_report_json(r, path))
		return -1;
	snprintf(log, sizeof(log), "%.4000s/gnuplot-uprobes.log", dir);
	if (up_report_plot_files(r, dir, script, sizeof(script)) || spawn_run(argv, log, 60000)) {
		fprintf(stderr, "tlsprobe bench uprobes: gnuplot failed (see %s)\n", log);
		return -1;
	}
	fprintf(stderr, "tlsprobe bench uprobes: reports in %s (uprobes.json, uprobes.md, "
		"uprobes.png/svg)\n", dir);
	return 0;
}

static int parse_args(int argc, char **argv, struct up_report *r, char *out, size_t outlen)
{
	static const struct option opts[] = {
		{ "rounds", required_argument, NULL, 'r' }, { "min-ms", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },    { "smoke", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },         {},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r': r->rounds = atoi(optarg); break;
		case 'm': r->min_ms = atol(optarg); break;
		case 'o': snprintf(out, outlen, "%s", optarg); break;
		case 's': r->smoke = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (r->smoke) {
		r->rounds = 1;
		r->min_ms = 10;
	}
	if (optind < argc || r->rounds < 1 || r->rounds > UP_ROUNDS_MAX || r->min_ms < 1) {
		fprintf(stderr, "tlsprobe bench uprobes: --rounds is 1..%d, --min-ms at least 1%s\n",
			UP_ROUNDS_MAX, optind < argc ? " (and no other arguments)" : "");
		return -1;
	}
	return 0;
}

int cmd_bench_uprobes(int argc, char **argv)
{
	static struct up_figures figures[64];
	struct up_report r = { .rounds = 5, .min_ms = 100, .rows = up_rows, .nrows = up_nrows,
			       .figures = figures };
	struct up_session s = {};
	char root[PATH_MAX / 2], out[PATH_MAX / 2] = "";
	int ret;

	if (parse_args(argc, argv, &r, out, sizeof(out)))
		return 2;
	if (harness_root(root, sizeof(root))) {
		fprintf(stderr, "tlsprobe bench uprobes: run build/tlsprobe from a tlsprobe checkout\n");
		return 2;
	}
	if (preflight_check("tlsprobe bench uprobes", 0))
		return 1;
	if (!out[0])
		snprintf(out, sizeof(out), "%.2000s/build/bench", root);
	if (mkdir(out, 0755) && errno != EEXIST) {
		fprintf(stderr, "tlsprobe bench uprobes: --out %s: %s\n", out, strerror(errno));
		return 2;
	}
	s.min_ms = r.min_ms;
	/* the timed target on the last CPU, the ring's drainer and the bench elsewhere */
	s.timed_cpu = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? (int)sysconf(_SC_NPROCESSORS_ONLN) - 1 : -1;
	machine_read(&r.machine);
	if (session_open(&s, root)) {
		session_close(&s);
		return 1;
	}
	fprintf(stderr, "tlsprobe bench uprobes: %d rows, %d rounds of at least %ld ms per run\n",
		up_nrows, r.rounds, r.min_ms);
	measure_all(&s, figures, r.rounds);
	session_close(&s);
	summarize(figures);
	ret = write_reports(&r, out);
	for (int i = 0; i < up_nrows; i++)
		if (figures[i].error[0])
			ret = -1;
	return ret ? 1 : 0;
}
