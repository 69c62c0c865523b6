/* tlsprobe conform: for each fixture row (stack@variant, from the fixture
 * manifests) and scenario, start the tracer, wait until it is ready, run the
 * fixture, stop the tracer and compare what it saw with the fixture's own
 * transcript; with --expect, judge every cell against the expected results. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "adapters/adapter.h"
#include "score_baseline.h"
#include "cmd.h"
#include "compare.h"
#include "expect.h"
#include "harness.h"
#include "manifest.h"
#include "report.h"
#include "scorecard.h"

#define MAX_ROWS 64
#define MAX_SCENARIOS 64
#define MAX_COMMS 8
#define FIXTURE_TIMEOUT_MS 180000
#define DRAIN_MS 300
/* How long a stopped tracer gets to exit: removing ~150 probes (every image
 * layer's libraries) takes the kernel ~15 s here. */
#define TRACER_STOP_MS 120000

struct conform_opts {
	char root[PATH_MAX / 2];   /* the checkout: build/tlsprobe's parent's parent */
	char workdir[PATH_MAX / 2];
	const char *fixtures_list; /* --fixtures, as given */
	char *scenarios_list;      /* --scenarios, as given; NULL: every chosen fixture's */
	const char *tracer_cmd;
	const char *tracer_ready_line;
	int tracer_settle_ms;      /* -1: not asked for */
	const char *tracer_name;   /* --tracer: an adapter's name */
	const char *tracer_bin;    /* --tracer-bin */
	const char *claims;        /* --claims: checks, overriding the adapter's claim */
	int redact;                /* --redact: the reference tracer writes hashes, not bytes */
	const char *json_path, *junit_path, *expect_path, *baseline_path, *html_path;

	struct adapter adapter;    /* the chosen one, with --claims applied */
	struct score_baseline baseline;

	struct manifest_set manifests;
	struct fixture_row rows[MAX_ROWS];
	int nrows;
	const char *scenarios[MAX_SCENARIOS];
	int nscenarios;
	const char *comms[MAX_COMMS]; /* the chosen stacks' process names, each once */
	int ncomms;
	struct expect_file expect;
};

static void usage(FILE *f)
{
	char names[128];

	adapter_names(names, sizeof(names));
	fprintf(f,
		"Usage: tlsprobe conform [OPTIONS]\n"
		"\n"
		"Runs a tracer against the fixture matrix and prints a scorecard: for each\n"
		"fixture row (stack@variant) and scenario, the checks bytes, boundaries, fd,\n"
		"addresses, process and loss, each PASS, FAIL, SKIP (with a reason), N/A (the\n"
		"fixture has no such scenario) or NOT CLAIMED (the tracer's adapter does not\n"
		"claim the check or the stack). Exits 1 if any check fails, or with --expect,\n"
		"if any cell differs from its expected result. Builds the fixtures and\n"
		"container images that are missing (this takes minutes the first time).\n"
		"\n"
		"  --fixtures LIST      comma-separated: all (every variant of every stack),\n"
		"                       default (each manifest's default variants; the default),\n"
		"                       a stack (all its variants) or stack@variant, e.g.\n"
		"                       openssl@host,gnutls (see fixtures/*/manifest)\n"
		"  --scenarios LIST     comma-separated (default: every scenario of the chosen\n"
		"                       fixtures' manifests)\n"
		"  --expect FILE        judge every cell against FILE (lines ROW SCENARIO CHECK\n"
		"                       VERDICT [reason], e.g. conformance/expected/reference.txt)\n"
		"  --tracer NAME        the tracer to score, through its adapter\n"
		"                       (conformance/adapters/): %s\n"
		"                       (default: reference; jsonl with --tracer-cmd)\n"
		"  --tracer-bin PATH    the tracer's binary (bpftrace: default bpftrace on PATH;\n"
		"                       ecapture: required)\n"
		"  --tracer-cmd CMD     run CMD (through sh -c) as the tracer (the jsonl adapter);\n"
		"                       it must write JSON lines (the README's schema) to stdout\n"
		"                       and trace the fixtures' processes (tlsfix). It is ready when\n"
		"                       it creates the file named by $TLSPROBE_READY_FILE, or:\n"
		"  --tracer-ready-line TEXT  when it prints a line holding TEXT (stdout or stderr)\n"
		"  --tracer-settle-ms N      N ms after its start, whatever it does\n"
		"  --claims LIST        the checks the tracer claims (comma-separated; default: its\n"
		"                       adapter's claim, every check for jsonl): the others are\n"
		"                       NOT CLAIMED, shown apart from FAIL\n"
		"  --baseline FILE      an earlier run's --json: exit 1 if a cell that passed there\n"
		"                       does not pass now, and name each such cell\n"
		"  --json FILE          also write the scorecard as JSON\n"
		"  --junit FILE         also write the scorecard as JUnit XML\n"
		"  --html FILE          also write it as a report page (as tlsprobe report does)\n"
		"  --redact             run the reference tracer with --redact: its events carry\n"
		"                       SHA-256 hashes instead of plaintext, and the bytes check\n"
		"                       compares them with the hashes of the fixtures' bytes\n"
		"  --workdir DIR        keep transcripts, events and logs here (default build/conform)\n"
		"  -h, --help           this text\n", names);
}

static int parse_args(int argc, char **argv, struct conform_opts *o)
{
	static const struct option opts[] = {
		{ "fixtures", required_argument, NULL, 'F' }, { "scenarios", required_argument, NULL, 'S' },
		{ "tracer-cmd", required_argument, NULL, 'T' },
		{ "tracer-ready-line", required_argument, NULL, 'r' },
		{ "tracer-settle-ms", required_argument, NULL, 's' },
		{ "expect", required_argument, NULL, 'e' },
		{ "tracer", required_argument, NULL, 't' },
		{ "tracer-bin", required_argument, NULL, 'B' },
		{ "claims", required_argument, NULL, 'C' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "json", required_argument, NULL, 'j' },     { "junit", required_argument, NULL, 'u' },
		{ "html", required_argument, NULL, 'H' },
		{ "workdir", required_argument, NULL, 'w' },  { "help", no_argument, NULL, 'h' },
		{ "redact", no_argument, NULL, 'X' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': o->fixtures_list = optarg; break;
		case 'S': o->scenarios_list = optarg; break;
		case 'T': o->tracer_cmd = optarg; break;
		case 'r': o->tracer_ready_line = optarg; break;
		case 's': o->tracer_settle_ms = atoi(optarg); break;
		case 'e': o->expect_path = optarg; break;
		case 't': o->tracer_name = optarg; break;
		case 'B': o->tracer_bin = optarg; break;
		case 'C': o->claims = optarg; break;
		case 'b': o->baseline_path = optarg; break;
		case 'j': o->json_path = optarg; break;
		case 'u': o->junit_path = optarg; break;
		case 'H': o->html_path = optarg; break;
		case 'w': snprintf(o->workdir, sizeof(o->workdir), "%s", optarg); break;
		case 'X': o->redact = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tlsprobe conform: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if ((o->tracer_ready_line || o->tracer_settle_ms >= 0) && !o->tracer_cmd &&
	    !o->tracer_name) {
		fprintf(stderr, "tlsprobe conform: --tracer-ready-line and --tracer-settle-ms go "
			"with --tracer-cmd or --tracer\n");
		return -1;
	}
	if (o->tracer_ready_line && o->tracer_settle_ms >= 0) {
		fprintf(stderr, "tlsprobe conform: give --tracer-ready-line or --tracer-settle-ms, "
			"not both\n");
		return -1;
	}
	return 0;
}

static int mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

/* The workdir holds the fixtures' transcripts and the tracer's events,
 * plaintext both: root's alone (0700), whatever mode the files inside get
 * (the fixtures write theirs 0644). */
static int private_workdir(const char *workdir)
{
	if (mkdirs(workdir) || chmod(workdir, 0700)) {
		fprintf(stderr, "tlsprobe conform: --workdir %s: %s\n", workdir, strerror(errno));
		return -1;
	}
	return 0;
}

static int has_scenario(const struct conform_opts *o, const char *name)
{
	for (int i = 0; i < o->nscenarios; i++)
		if (!strcmp(o->scenarios[i], name))
			return 1;
	return 0;
}

/* Every scenario of the chosen rows' stacks, in manifest order (the
 * reference stack's order first, then what the others add). */
static int union_scenarios(struct conform_opts *o)
{
	for (size_t i = 0; i < o->manifests.n; i++) {
		const struct manifest *m = &o->manifests.v[i];
		int chosen = 0;

		for (int r = 0; r < o->nrows && !chosen; r++)
			chosen = o->rows[r].m == m;
		for (int s = 0; chosen && s < m->nscenarios; s++) {
			if (has_scenario(o, m->scenarios[s]))
				continue;
			if (o->nscenarios == MAX_SCENARIOS)
				return -1;
			o->scenarios[o->nscenarios++] = m->scenarios[s];
		}
	}
	return 0;
}

/* --scenarios: each one must be some chosen fixture's. */
static int pick_scenarios(struct conform_opts *o)
{
	const char *all[MAX_SCENARIOS];
	int nall;

	if (union_scenarios(o)) {
		fprintf(stderr, "tlsprobe conform: more than %d scenarios\n", MAX_SCENARIOS);
		return -1;
	}
	if (!o->scenarios_list)
		return 0;
	nall = o->nscenarios;
	memcpy(all, o->scenarios, sizeof(all[0]) * nall);
	o->nscenarios = 0;
	for (char *tok = strtok(o->scenarios_list, ","); tok; tok = strtok(NULL, ",")) {
		int known = 0;

		for (int i = 0; i < nall && !known; i++)
			known = !strcmp(all[i], tok);
		if (!known) {
			fprintf(stderr, "tlsprobe conform: no chosen fixture has a scenario '%s' (they have:",
				tok);
			for (int i = 0; i < nall; i++)
				fprintf(stderr, " %s", all[i]);
			fprintf(stderr, ")\n");
			return -1;
		}
		if (!has_scenario(o, tok) && o->nscenarios < MAX_SCENARIOS)
			o->scenarios[o->nscenarios++] = tok;
	}
	return o->nscenarios ? 0 : -1;
}

static void pick_comms(struct conform_opts *o)
{
	for (int r = 0; r < o->nrows; r++) {
		int seen = 0;

		for (int i = 0; i < o->ncomms && !seen; i++)
			seen = !strcmp(o->comms[i], o->rows[r].m->comm);
		if (!seen && o->ncomms < MAX_COMMS)
			o->comms[o->ncomms++] = o->rows[r].m->comm;
	}
}

/* --tracer (or jsonl for --tracer-cmd), its claim narrowed or widened by
 * --claims. */
static int choose_tracer(struct conform_opts *o)
{
	const char *name = o->tracer_name ? o->tracer_name : o->tracer_cmd ? "jsonl" : "reference";
	const struct adapter *a = adapter_find(name);
	char err[256], names[128];

	if (!a) {
		adapter_names(names, sizeof(names));
		fprintf(stderr, "tlsprobe conform: --tracer %s: no such adapter (there are: %s)\n",
			name, names);
		return -1;
	}
	if (o->tracer_cmd && strcmp(a->name, "jsonl")) {
		fprintf(stderr, "tlsprobe conform: --tracer-cmd is the jsonl adapter's, not %s's\n",
			a->name);
		return -1;
	}
	/* Another tracer's command is its own: conform cannot make it redact. */
	if (o->redact && a->command) {
		fprintf(stderr, "tlsprobe conform: --redact runs the reference tracer with --redact; "
			"%s's command is its own (a tracer that writes redacted records is judged by "
			"their hashes anyway)\n", a->name);
		return -1;
	}
	if (!strcmp(a->name, "jsonl") && !o->tracer_cmd) {
		fprintf(stderr, "tlsprobe conform: --tracer jsonl needs --tracer-cmd CMD\n");
		return -1;
	}
	/* a tracer packaged nowhere (eCapture): the user names their binary */
	if (a->command && a->version_arg && !a->default_bin && !o->tracer_bin) {
		fprintf(stderr, "tlsprobe conform: --tracer %s needs --tracer-bin PATH\n", a->name);
		return -1;
	}
	o->adapter = *a;
	if (o->claims && adapter_parse_checks(o->claims, &o->adapter.claimed_checks, err,
					      sizeof(err))) {
		fprintf(stderr, "tlsprobe conform: --claims: %s\n", err);
		return -1;
	}
	return 0;
}

/* The rows, scenarios and expectations the options ask for. */
static int choose(struct conform_opts *o)
{
	char err[1200];

	if (choose_tracer(o))
		return -1;
	if (o->baseline_path && score_baseline_load(o->baseline_path, &o->baseline, err, sizeof(err))) {
		fprintf(stderr, "tlsprobe conform: --baseline: %s\n", err);
		return -1;
	}

	if (manifest_load_all(o->root, &o->manifests, err, sizeof(err))) {
		fprintf(stderr, "tlsprobe conform: %s\n", err);
		return -1;
	}
	o->nrows = fixture_rows_select(&o->manifests, o->fixtures_list ? o->fixtures_list : "default",
				       o->rows, MAX_ROWS, err, sizeof(err));
	if (o->nrows < 0) {
		fprintf(stderr, "tlsprobe conform: --fixtures: %s\n", err);
		return -1;
	}
	if (pick_scenarios(o))
		return -1;
	pick_comms(o);
	if (o->expect_path && expect_load(o->expect_path, &o->expect, err, sizeof(err))) {
		fprintf(stderr, "tlsprobe conform: --expect: %s\n", err);
		return -1;
	}
	return 0;
}

struct row_paths {
	char dir[PATH_MAX - 32], transcript[PATH_MAX], events[PATH_MAX];
	char tracer_log[PATH_MAX], fixture_log[PATH_MAX], ready[PATH_MAX];
	char raw[PATH_MAX]; /* an adapter's tracer: its own output */
};

static void make_row_paths(const struct conform_opts *o, const struct fixture_row *fixture,
			   const char *scenario, struct row_paths *p)
{
	snprintf(p->dir, sizeof(p->dir), "%s/%.64s/%.60s", o->workdir, fixture->name, scenario);
	snprintf(p->transcript, sizeof(p->transcript), "%s/transcript", p->dir);
	snprintf(p->events, sizeof(p->events), "%s/events.jsonl", p->dir);
	snprintf(p->tracer_log, sizeof(p->tracer_log), "%s/tracer.log", p->dir);
	snprintf(p->fixture_log, sizeof(p->fixture_log), "%s/fixture.log", p->dir);
	snprintf(p->ready, sizeof(p->ready), "%s/tracer.ready", p->dir);
	snprintf(p->raw, sizeof(p->raw), "%s/tracer.out", p->dir);
}

/* A row starts from an empty transcript directory: what an earlier run left
 * there would be taken for this run's ground truth. */
static int clear_transcript(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX + 256];
	int ret = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) && errno != ENOENT)
			ret = -1;
	}
	closedir(d);
	return ret;
}

/* The reference tracer, on every chosen stack's process name: ready once
 * it has attached. */
static pid_t start_reference(const struct conform_opts *o, const struct fixture_row *fixture,
			     const struct row_paths *p, const struct tracer_ready *ready, char *err,
			     size_t errlen)
{
	char self[PATH_MAX + 32];
	char *ref_argv[10 + 2 * MAX_COMMS] = { self, "trace" };
	int n = 2;

	if (harness_self_exe(self, sizeof(self))) {
		snprintf(err, errlen, "cannot find this binary (/proc/self/exe): %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < o->ncomms; i++) {
		ref_argv[n++] = "--comm";
		ref_argv[n++] = (char *)o->comms[i];
	}
	ref_argv[n++] = "-o";
	ref_argv[n++] = (char *)p->events;
	ref_argv[n++] = "--ready-file";
	ref_argv[n++] = (char *)p->ready;
	/* Its probes are gone when it has exited: removals still running in the
	 * background would hold up the next row's attaching, and whatever runs
	 * after conform. */
	ref_argv[n++] = "--wait-teardown";
	if (o->redact)
		ref_argv[n++] = "--redact";
	/* A host row's fixture runs from the host's files, attached at start:
	 * every image layer's libraries (~145 here) would only add ~30 s of
	 * probe removal to the row. */
	if (manifest_variant_is_host(fixture->v))
		ref_argv[n++] = "--no-image-layers";
	ref_argv[n] = NULL;
	return harness_start_tracer(ref_argv, NULL, p->tracer_log, ready, err, errlen);
}

/* Where the tracer's stdout goes: the events themselves, or its own output
 * that the adapter converts once it has stopped. */
static const char *tracer_stdout(const struct conform_opts *o, const struct row_paths *p)
{
	return o->adapter.convert ? p->raw : p->events;
}

/* The row's tracer through the harness: the reference, or the adapter's
 * command (sh -c), ready as the adapter (or --tracer-ready-line) says. */
static pid_t start_tracer(const struct conform_opts *o, const struct fixture_row *fixture,
			  const struct row_paths *p, char *err, size_t errlen)
{
	struct adapter_run run = {
		.tracer_bin = o->tracer_bin, .tracer_cmd = o->tracer_cmd,
		.stack = fixture->m->stack, .comm = fixture->m->comm, .dir = p->dir,
	};
	struct tracer_ready ready = {
		.ready_file = p->ready,
		.ready_line = o->tracer_ready_line ? o->tracer_ready_line : o->adapter.ready_line,
		.logs = { p->tracer_log, o->adapter.command ? tracer_stdout(o, p) : NULL },
		.settle_ms = o->tracer_settle_ms,
	};
	char cmd[8192];
	char *cmd_argv[] = { "sh", "-c", cmd, NULL };

	if (!o->adapter.command)
		return start_reference(o, fixture, p, &ready, err, errlen);
	if (o->adapter.command(&run, cmd, sizeof(cmd), err, errlen))
		return -1;
	return harness_start_tracer(cmd_argv, tracer_stdout(o, p), p->tracer_log, &ready, err,
				    errlen);
}

/* The adapter's converter, from the tracer's own output to the events the
 * comparator reads. 0, or -1 with the reason in err. */
static int convert_output(const struct conform_opts *o, const struct row_paths *p, char *err,
			  size_t errlen)
{
	FILE *raw, *events = NULL;
	int ret;

	if (!o->adapter.convert)
		return 0;
	raw = fopen(p->raw, "r");
	if (raw)
		events = fopen(p->events, "w");
	if (!raw || !events) {
		snprintf(err, errlen, "%s's converter: cannot open %.150s: %s", o->adapter.name,
			 raw ? p->events : p->raw, strerror(errno));
		ret = -1;
	} else {
		ret = o->adapter.convert(raw, events, err, errlen);
	}
	if (raw)
		fclose(raw);
	if (events && fclose(events) && !ret) {
		snprintf(err, errlen, "cannot write %.150s: %s", p->events, strerror(errno));
		ret = -1;
	}
	return ret;
}

/* Whether a file in dir whose name starts with prefix holds a line. */
static int role_recorded(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[PATH_MAX + 256];
		struct stat st;

		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		found = !stat(path, &st) && st.st_size > 0;
	}
	if (d)
		closedir(d);
	return found;
}

/* Every scenario has a server and a client that both move bytes: a missing
 * or empty transcript of either would leave that process's traffic out of
 * the comparison (records of processes the transcripts lack are ignored),
 * and every check could pass on the other alone. */
static int transcripts_complete(const char *dir, char *err, size_t errlen)
{
	static const char *const roles[] = { "server-", "client-" };

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (!role_recorded(dir, roles[i])) {
			snprintf(err, errlen, "fixture wrote no %.*s transcript (no %s*.jsonl with a "
				 "record)", (int)strlen(roles[i]) - 1, roles[i], roles[i]);
			return -1;
		}
	}
	return 0;
}

/* The scenario's window of the row's trace: the tracer runs for the whole
 * row (attaching to every image layer and removing probes take seconds
 * each time), and each scenario's records are those stamped while it ran.
 * Both sides use CLOCK_MONOTONIC, containers included. */
struct window {
	uint64_t start_ns, end_ns;
};

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void keep_window(struct record_set *set, const struct window *w)
{
	size_t kept = 0;

	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].ts_ns >= w->start_ns && set->v[i].ts_ns <= w->end_ns)
			set->v[kept++] = set->v[i];
		else
			record_free(&set->v[i]);
	}
	set->n = kept;
}

static void compare_row(const struct row_paths *p, const char *events, const struct window *w,
			const struct manifest *m, struct score_row *row)
{
	struct compare_opts opts = { .split_calls = m->split_calls[0] != '\0' };
	struct record_set oracle = {}, trace = {};
	char err[512];

	if (record_set_load_dir(&oracle, p->transcript, err, sizeof(err)) ||
	    record_set_load_file(&trace, events, err, sizeof(err))) {
		snprintf(row->error, sizeof(row->error), "%.255s", err);
	} else if (transcripts_complete(p->transcript, err, sizeof(err))) {
		/* the fixture's run went well, so it has too little to compare */
		snprintf(row->error, sizeof(row->error), "%.255s", err);
	} else {
		keep_window(&trace, w);
		compare_records_opts(&oracle, &trace, &opts, row->checks);
		snprintf(row->lib_version, sizeof(row->lib_version), "%s", oracle.v[0].lib_version);
	}
	record_set_free(&oracle);
	record_set_free(&trace);
}

/* Runs one scenario of the row under the row's tracer: 0 when it is to be
 * compared (in w), -1 with row->error set. */
static int run_row(const struct conform_opts *o, const struct fixture_row *fixture,
		   const char *scenario, struct score_row *row, struct window *w)
{
	struct row_paths p;
	char why[256];
	int status;

	make_row_paths(o, fixture, scenario, &p);
	if (mkdirs(p.transcript) || clear_transcript(p.transcript)) {
		snprintf(row->error, sizeof(row->error), "cannot create or empty %.200s: %s",
			 p.transcript, strerror(errno));
		return -1;
	}
	w->start_ns = monotonic_ns();
	status = harness_run_fixture(o->root, fixture, scenario, p.transcript, NULL, p.fixture_log,
				     FIXTURE_TIMEOUT_MS);
	w->end_ns = monotonic_ns();
	usleep(DRAIN_MS * 1000); /* the tracer's last records of it, before the next one */
	if (status == HARNESS_FRESH_FAILED) {
		file_last_line(p.fixture_log, why, sizeof(why));
		/* "fresh image TAG not built: REASON" */
		snprintf(row->error, sizeof(row->error), "%.250s", why);
		return -1;
	}
	if (status) {
		file_last_line(p.fixture_log, why, sizeof(why));
		snprintf(row->error, sizeof(row->error), "fixture failed (%s): %.200s",
			 status < 0 ? "timeout" : "non-zero exit", why);
		return -1;
	}
	return 0;
}

/* A scenario the fixture's manifest does not list: not run, every cell N/A. */
static void not_applicable(const struct fixture_row *fixture, struct score_row *row,
			   const char *why)
{
	for (int c = 0; c < N_CHECKS; c++) {
		row->checks[c].verdict = VERDICT_NA;
		if (why)
			snprintf(row->checks[c].detail, sizeof(row->checks[c].detail),
				 "not run on %s: %s (fixtures/%s/manifest)", fixture->name, why,
				 fixture->m->stack);
		else
			snprintf(row->checks[c].detail, sizeof(row->checks[c].detail),
				 "the %s fixture has no such scenario (not in fixtures/%s/manifest)",
				 fixture->m->stack, fixture->m->stack);
	}
}

static const char *row_verdict(const struct score_row *row)
{
	int na = 0, not_claimed = 0;

	if (row->error[0])
		return "ERROR";
	for (int c = 0; c < N_CHECKS; c++) {
		if (row->checks[c].verdict == VERDICT_FAIL)
			return "FAIL";
		na += row->checks[c].verdict == VERDICT_NA;
		not_claimed += row->checks[c].verdict == VERDICT_NOT_CLAIMED;
	}
	return na == N_CHECKS ? "N/A" : not_claimed == N_CHECKS ? "NOT CLAIMED" : "ok";
}

/* Does any chosen scenario run on this row (else it needs no image)? A
 * stack the tracer does not claim does not run. */
static int row_runs(const struct conform_opts *o, const struct fixture_row *fixture)
{
	if (!adapter_claims_stack(&o->adapter, fixture->m->stack))
		return 0;
	for (int s = 0; s < o->nscenarios; s++)
		if (manifest_row_supports(fixture->m, fixture->v, o->scenarios[s], NULL))
			return 1;
	return 0;
}

/* The host fixtures, the container rows' Debian bases (in one call:
 * debootstrapped side by side), then each container row's image.
 * images_ok[r]: row r can run. */
static int prepare(const struct conform_opts *o, int images_ok[MAX_ROWS])
{
	struct fixture_row containers[MAX_ROWS];
	int ncontainers = 0;

	if (harness_build_fixtures(o->root, "tlsprobe conform"))
		return -1;
	for (int r = 0; r < o->nrows; r++)
		if (!manifest_variant_is_host(o->rows[r].v) && row_runs(o, &o->rows[r]))
			containers[ncontainers++] = o->rows[r];
	if (ncontainers) {
		fprintf(stderr, "tlsprobe conform: preparing container images (slow the first time)\n");
		harness_build_bases(o->root, containers, ncontainers); /* failed: each row says why */
	}
	for (int r = 0; r < o->nrows; r++) {
		const struct fixture_row *fixture = &o->rows[r];

		images_ok[r] = 1;
		if (manifest_variant_is_host(fixture->v) || !row_runs(o, fixture))
			continue;
		images_ok[r] = !harness_build_image(o->root, fixture);
	}
	return 0;
}

static void judge(const struct conform_opts *o, struct scorecard *sc)
{
	sc->expect_used = 1;
	for (size_t i = 0; i < sc->n; i++) {
		struct score_row *row = &sc->rows[i];

		for (int c = 0; c < N_CHECKS; c++)
			expect_judge(&o->expect,
				     expect_lookup(&o->expect, row->fixture, row->scenario, check_name(c)),
				     row->checks[c].verdict, row->checks[c].detail, row->error,
				     &row->expect[c]);
	}
}

/* A stack the tracer's adapter does not claim: not run, every cell NOT
 * CLAIMED. */
static void stack_not_claimed(const struct conform_opts *o, const struct fixture_row *fixture,
			      struct score_row *row)
{
	for (int c = 0; c < N_CHECKS; c++) {
		row->checks[c].verdict = VERDICT_NOT_CLAIMED;
		snprintf(row->checks[c].detail, sizeof(row->checks[c].detail),
			 "%s does not claim the %s stack (conformance/adapters/%s)", o->adapter.name,
			 fixture->m->stack, o->adapter.name);
	}
}

/* A check the adapter does not claim is not judged: NOT CLAIMED, with what
 * the comparator saw for whoever wants to know. */
static void checks_not_claimed(const struct conform_opts *o, struct score_row *row)
{
	for (int c = 0; c < N_CHECKS; c++) {
		struct check_result *r = &row->checks[c];
		char saw[sizeof(r->detail)];

		if (adapter_claims_check(&o->adapter, c) || r->verdict == VERDICT_NA)
			continue;
		snprintf(saw, sizeof(saw), "%s", r->detail);
		memset(&r->facts, 0, sizeof(r->facts)); /* not judged: no facts to show */
		snprintf(r->detail, sizeof(r->detail), "%s does not claim %s (the comparator saw: "
			 "%s%s%.300s)", o->adapter.name, check_name(c), verdict_name(r->verdict),
			 saw[0] ? ": " : "", saw);
		r->verdict = VERDICT_NOT_CLAIMED;
	}
}

/* The row's tracer: its events, log and ready file are the row's. */
static void make_tracer_paths(const struct conform_opts *o, const struct fixture_row *fixture,
			      struct row_paths *p)
{
	make_row_paths(o, fixture, "tracer", p);
}

/* Every scenario of one fixture row, under one tracer; compared once it
 * has stopped (its output complete). */
static void run_fixture_row(const struct conform_opts *o, const struct fixture_row *fixture,
			    int image_ok, struct scorecard *sc, int *done, int total)
{
	struct window windows[MAX_SCENARIOS];
	size_t rows[MAX_SCENARIOS];     /* indexes: scorecard_add may move them */
	int ran[MAX_SCENARIOS] = { 0 };
	char tracer_error[256] = "";
	struct row_paths tp;
	pid_t tracer = -1;

	make_tracer_paths(o, fixture, &tp);
	unlink(tp.tracer_log); /* an earlier run's is not this one's */
	if (image_ok && row_runs(o, fixture) && !mkdirs(tp.dir))
		tracer = start_tracer(o, fixture, &tp, tracer_error, sizeof(tracer_error));
	for (int s = 0; s < o->nscenarios; s++) {
		struct score_row *row = scorecard_add(sc);
		const char *why;

		rows[s] = sc->n - 1;
		if (!row) {
			fprintf(stderr, "tlsprobe conform: out of memory\n");
			break;
		}
		snprintf(row->fixture, sizeof(row->fixture), "%s", fixture->name);
		snprintf(row->scenario, sizeof(row->scenario), "%s", o->scenarios[s]);
		if (!manifest_row_supports(fixture->m, fixture->v, o->scenarios[s], &why))
			not_applicable(fixture, row, why);
		else if (!adapter_claims_stack(&o->adapter, fixture->m->stack))
			stack_not_claimed(o, fixture, row);
		else if (!image_ok)
			snprintf(row->error, sizeof(row->error),
				 "container image not built (see scripts/images.sh output above)");
		else if (tracer < 0)
			snprintf(row->error, sizeof(row->error), "%s", tracer_error[0] ? tracer_error :
				 "the tracer did not start");
		else
			ran[s] = !run_row(o, fixture, o->scenarios[s], row, &windows[s]);
		fprintf(stderr, "[%d/%d] %-16s %-10s %s\n", ++*done, total, fixture->name,
			o->scenarios[s], ran[s] ? "ran" : row_verdict(row));
	}
	if (tracer < 0 && tracer_error[0])	/* why it did not start */
		scorecard_add_tracer_log(sc, fixture->name, tp.tracer_log);
	if (tracer < 0)
		return;
	harness_stop_tracer(tracer, TRACER_STOP_MS);
	if (convert_output(o, &tp, tracer_error, sizeof(tracer_error)))
		fprintf(stderr, "tlsprobe conform: %s: %s\n", fixture->name, tracer_error);
	scorecard_add_tracer_log(sc, fixture->name, tp.tracer_log);
	for (int s = 0; s < o->nscenarios; s++) {
		struct score_row *row = &sc->rows[rows[s]];
		struct row_paths p;

		if (!ran[s])
			continue;
		make_row_paths(o, fixture, o->scenarios[s], &p);
		if (tracer_error[0])
			snprintf(row->error, sizeof(row->error), "%.255s", tracer_error);
		else
			compare_row(&p, tp.events, &windows[s], fixture->m, row);
		checks_not_claimed(o, row);
		fprintf(stderr, "  %-16s %-10s %s\n", fixture->name, o->scenarios[s],
			row_verdict(&sc->rows[rows[s]]));
	}
}

static void run_matrix(const struct conform_opts *o, const int images_ok[MAX_ROWS],
		       struct scorecard *sc)
{
	int total = o->nrows * o->nscenarios, done = 0;

	for (int r = 0; r < o->nrows; r++)
		run_fixture_row(o, &o->rows[r], images_ok[r], sc, &done, total);
}

/* The scorecard's "tracer": what people call it. */
static void tracer_title(const struct conform_opts *o, char *out, size_t len)
{
	if (!o->adapter.command)
		snprintf(out, len, "tlsprobe trace");
	else if (o->tracer_cmd)
		snprintf(out, len, "%s", o->tracer_cmd);
	else
		snprintf(out, len, "%s%s%s%s", o->adapter.name, o->tracer_bin ? " (" : "",
			 o->tracer_bin ? o->tracer_bin : "", o->tracer_bin ? ")" : "");
}

/* What the adapter's binary says its version is ("bpftrace v0.17.0"). */
static void tracer_version(const struct conform_opts *o, char *out, size_t len)
{
	const char *bin = o->tracer_bin ? o->tracer_bin : o->adapter.default_bin;
	char cmd[PATH_MAX + 64];

	if (!o->adapter.version_arg || !bin || strchr(bin, '\''))
		return;
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", bin, o->adapter.version_arg);
	scorecard_command_line(cmd, out, len);
}

int cmd_conform(int argc, char **argv)
{
	struct conform_opts o = { .tracer_settle_ms = -1 };
	struct scorecard sc = {};
	int images_ok[MAX_ROWS], failed;
	char err[1024];

	if (parse_args(argc, argv, &o))
		return 2;
	if (harness_root(o.root, sizeof(o.root))) {
		fprintf(stderr, "tlsprobe conform: run build/tlsprobe from a tlsprobe checkout\n");
		return 2;
	}
	if (choose(&o))
		return 2;
	if (geteuid() != 0) {
		fprintf(stderr, "tlsprobe conform: needs root (it runs a BPF tracer and containers)\n");
		return 1;
	}
	if (!o.workdir[0])
		snprintf(o.workdir, sizeof(o.workdir), "%.2000s/build/conform", o.root);
	if (harness_absolute(o.workdir, sizeof(o.workdir))) {
		fprintf(stderr, "tlsprobe conform: --workdir %s: path too long\n", o.workdir);
		return 2;
	}
	if (private_workdir(o.workdir))
		return 1;
	spawn_forward_signals();
	if (prepare(&o, images_ok))
		return 1;
	tracer_title(&o, sc.tracer, sizeof(sc.tracer));
	scorecard_collect_env(&sc, o.root, o.adapter.command ? sc.tracer : NULL);
	tracer_version(&o, sc.env.tracer_version, sizeof(sc.env.tracer_version));
	run_matrix(&o, images_ok, &sc);
	if (o.expect_path)
		judge(&o, &sc);
	scorecard_print_text(&sc, stdout);
	if ((o.json_path && scorecard_write_json(&sc, o.json_path)) ||
	    (o.junit_path && scorecard_write_junit(&sc, o.junit_path)))
		fprintf(stderr, "tlsprobe conform: cannot write the report files\n");
	if (o.html_path && report_write_scorecard(&sc, o.html_path, err, sizeof(err)))
		fprintf(stderr, "tlsprobe conform: --html: %s\n", err);
	failed = scorecard_failed(&sc);
	if (o.baseline_path) {
		struct score_baseline_diff diff = score_baseline_compare(&o.baseline, &sc, stdout);

		failed |= score_baseline_failed(&diff);
	}
	score_baseline_free(&o.baseline);
	scorecard_free(&sc);
	expect_free(&o.expect);
	manifest_set_free(&o.manifests);
	return failed ? 1 : 0;
}
