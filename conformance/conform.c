/* tlsprobe conform: for each fixture and scenario, start the tracer, wait
 * until it is attached, run the fixture, stop the tracer and compare what it
 * saw with the fixture's own transcript. */
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
#include "cmd.h"
#include "compare.h"
#include "scorecard.h"
#include "checkout.h"
#include "child.h"

#define MAX_ITEMS 64
#define TRACER_READY_TIMEOUT_MS 30000
#define FIXTURE_TIMEOUT_MS 180000
#define DRAIN_MS 300

/* Debian release → container image; "host" is the host's OpenSSL. */
static const char *const default_fixtures = "host,bullseye,bookworm,trixie";

struct conform_opts {
	char root[PATH_MAX / 2];   /* the checkout: build/tlsprobe's parent's parent */
	char workdir[PATH_MAX / 2];
	char *fixtures[MAX_ITEMS];
	int nfixtures;
	char *scenarios[MAX_ITEMS];
	int nscenarios;
	const char *tracer_cmd;
	int tracer_settle_ms;
	const char *json_path, *junit_path;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tlsprobe conform [OPTIONS]\n"
		"\n"
		"Runs a tracer against the fixture matrix and prints a scorecard: for each\n"
		"fixture and scenario, the checks bytes, boundaries, fd, addresses, process\n"
		"and loss, each PASS, FAIL or SKIP with a reason. Exits 1 if any check fails.\n"
		"Builds the fixtures and container images that are missing (this takes\n"
		"minutes the first time).\n"
		"\n"
		"  --fixtures LIST      comma-separated, from host,bullseye,bookworm,trixie\n"
		"                       (default: all; host = the host's OpenSSL, others = Debian\n"
		"                       release containers: OpenSSL 1.1.1, 3.0, 3.5)\n"
		"  --scenarios LIST     comma-separated (default: all; see `tlsfix list`)\n"
		"  --tracer-cmd CMD     run CMD (through sh -c) as the tracer instead of the reference\n"
		"                       tracer; it must write JSON lines (the README's schema) to stdout\n"
		"                       and trace processes named tlsfix\n"
		"  --tracer-settle-ms N with --tracer-cmd: wait N ms for it to attach (default 2000)\n"
		"  --json FILE          also write the scorecard as JSON\n"
		"  --junit FILE         also write the scorecard as JUnit XML\n"
		"  --workdir DIR        keep transcripts, events and logs here (default build/conform)\n"
		"  -h, --help           this text\n");
}

static int split_list(char *list, char **items, int max)
{
	int n = 0;

	for (char *tok = strtok(list, ","); tok && n < max; tok = strtok(NULL, ","))
		items[n++] = tok;
	return n;
}

static int parse_args(int argc, char **argv, struct conform_opts *o)
{
	static const struct option opts[] = {
		{ "fixtures", required_argument, NULL, 'F' }, { "scenarios", required_argument, NULL, 'S' },
		{ "tracer-cmd", required_argument, NULL, 'T' }, { "tracer-settle-ms", required_argument, NULL, 's' },
		{ "json", required_argument, NULL, 'j' },     { "junit", required_argument, NULL, 'u' },
		{ "workdir", required_argument, NULL, 'w' },  { "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F': o->nfixtures = split_list(optarg, o->fixtures, MAX_ITEMS); break;
		case 'S': o->nscenarios = split_list(optarg, o->scenarios, MAX_ITEMS); break;
		case 'T': o->tracer_cmd = optarg; break;
		case 's': o->tracer_settle_ms = atoi(optarg); break;
		case 'j': o->json_path = optarg; break;
		case 'u': o->junit_path = optarg; break;
		case 'w': snprintf(o->workdir, sizeof(o->workdir), "%s", optarg); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tlsprobe conform: unexpected argument '%s'\n", argv[optind]);
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

/* The scenario names come from the fixture itself (`tlsfix list`). */
static int list_scenarios(struct conform_opts *o)
{
	static char names[4096];
	char cmd[PATH_MAX + 64];
	size_t len;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s/build/fixtures/openssl/tlsfix list", o->root);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	len = fread(names, 1, sizeof(names) - 1, p);
	names[len] = '\0';
	if (pclose(p))
		return -1;
	for (char *tok = strtok(names, " \n"); tok && o->nscenarios < MAX_ITEMS; tok = strtok(NULL, " \n"))
		o->scenarios[o->nscenarios++] = tok;
	return o->nscenarios ? 0 : -1;
}

struct row_paths {
	char dir[PATH_MAX - 32], transcript[PATH_MAX], events[PATH_MAX];
	char tracer_log[PATH_MAX], fixture_log[PATH_MAX];
};

static void make_row_paths(const struct conform_opts *o, const char *fixture,
			   const char *scenario, struct row_paths *p)
{
	snprintf(p->dir, sizeof(p->dir), "%s/%.60s/%.60s", o->workdir, fixture, scenario);
	snprintf(p->transcript, sizeof(p->transcript), "%s/transcript", p->dir);
	snprintf(p->events, sizeof(p->events), "%s/events.jsonl", p->dir);
	snprintf(p->tracer_log, sizeof(p->tracer_log), "%s/tracer.log", p->dir);
	snprintf(p->fixture_log, sizeof(p->fixture_log), "%s/fixture.log", p->dir);
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

static void last_line(const char *path, char *out, size_t len)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(out, len, "%.*s", (int)strcspn(line, "\n"), line);
	fclose(f);
}

/* Starts the tracer and waits until it says it is attached. */
static pid_t start_tracer(const struct conform_opts *o, const struct row_paths *p,
			  char *err, size_t errlen)
{
	char self[PATH_MAX + 32];
	char *ref_argv[] = { self, "trace", "--comm", "tlsfix", "-o", (char *)p->events, NULL };
	char *cmd_argv[] = { "sh", "-c", (char *)o->tracer_cmd, NULL };
	pid_t pid;

	snprintf(self, sizeof(self), "%s/build/tlsprobe", o->root);
	if (o->tracer_cmd)
		pid = spawn_redirected(cmd_argv, p->events, p->tracer_log);
	else
		pid = spawn_redirected(ref_argv, NULL, p->tracer_log);
	if (pid < 0) {
		snprintf(err, errlen, "cannot start the tracer: %s", strerror(errno));
		return -1;
	}
	if (o->tracer_cmd) {
		usleep(o->tracer_settle_ms * 1000);
		return pid;
	}
	for (int waited = 0; waited < TRACER_READY_TIMEOUT_MS; waited += 20) {
		if (file_contains(p->tracer_log, "tlsprobe: tracing"))
			return pid;
		if (spawn_wait(pid, 0) >= 0) {
			char why[256];

			last_line(p->tracer_log, why, sizeof(why));
			snprintf(err, errlen, "tracer exited: %.200s", why);
			return -1;
		}
		usleep(20 * 1000);
	}
	spawn_stop(pid, 1000);
	snprintf(err, errlen, "tracer not ready after %d s", TRACER_READY_TIMEOUT_MS / 1000);
	return -1;
}

static int run_fixture(const struct conform_opts *o, const char *fixture, const char *scenario,
		       const struct row_paths *p)
{
	return checkout_run_fixture(o->root, fixture, scenario, p->transcript, NULL, p->fixture_log,
				    FIXTURE_TIMEOUT_MS);
}

static void compare_row(const struct row_paths *p, struct score_row *row)
{
	struct record_set oracle = {}, trace = {};
	char err[512];

	if (record_set_load_dir(&oracle, p->transcript, err, sizeof(err)) ||
	    record_set_load_file(&trace, p->events, err, sizeof(err))) {
		snprintf(row->error, sizeof(row->error), "%.255s", err);
	} else {
		compare_records(&oracle, &trace, row->checks);
		if (oracle.n)
			snprintf(row->lib_version, sizeof(row->lib_version), "%s", oracle.v[0].lib_version);
	}
	record_set_free(&oracle);
	record_set_free(&trace);
}

static void run_row(const struct conform_opts *o, const char *fixture, const char *scenario,
		    struct score_row *row)
{
	struct row_paths p;
	char why[256];
	pid_t tracer;
	int status;

	snprintf(row->fixture, sizeof(row->fixture), "%s", fixture);
	snprintf(row->scenario, sizeof(row->scenario), "%s", scenario);
	make_row_paths(o, fixture, scenario, &p);
	if (mkdirs(p.transcript) || clear_transcript(p.transcript)) {
		snprintf(row->error, sizeof(row->error), "cannot create or empty %.200s: %s",
			 p.transcript, strerror(errno));
		return;
	}
	tracer = start_tracer(o, &p, row->error, sizeof(row->error));
	if (tracer < 0)
		return;
	status = run_fixture(o, fixture, scenario, &p);
	usleep(DRAIN_MS * 1000); /* let the tracer read the last events */
	spawn_stop(tracer, 10000);
	if (status) {
		last_line(p.fixture_log, why, sizeof(why));
		snprintf(row->error, sizeof(row->error), "fixture failed (%s): %.200s",
			 status < 0 ? "timeout" : "non-zero exit", why);
		return;
	}
	compare_row(&p, row);
}

static const char *row_verdict(const struct score_row *row)
{
	if (row->error[0])
		return "ERROR";
	for (int c = 0; c < N_CHECKS; c++)
		if (row->checks[c].verdict == VERDICT_FAIL)
			return "FAIL";
	return "ok";
}

static void defaults(struct conform_opts *o)
{
	static char fixtures_buf[128];

	if (!o->workdir[0])
		snprintf(o->workdir, sizeof(o->workdir), "%.2000s/build/conform", o->root);
	if (!o->nfixtures) {
		snprintf(fixtures_buf, sizeof(fixtures_buf), "%s", default_fixtures);
		o->nfixtures = split_list(fixtures_buf, o->fixtures, MAX_ITEMS);
	}
}

static int prepare(struct conform_opts *o)
{
	if (checkout_build_fixtures(o->root, "tlsprobe conform"))
		return -1;
	if (!o->nscenarios && list_scenarios(o)) {
		fprintf(stderr, "tlsprobe conform: cannot list the fixture's scenarios\n");
		return -1;
	}
	return 0;
}

int cmd_conform(int argc, char **argv)
{
	struct conform_opts o = { .tracer_settle_ms = 2000 };
	struct scorecard sc = {};
	int images_failed, total, done = 0, failed;

	if (parse_args(argc, argv, &o))
		return 2;
	if (checkout_root(o.root, sizeof(o.root))) {
		fprintf(stderr, "tlsprobe conform: run build/tlsprobe from a tlsprobe checkout\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "tlsprobe conform: needs root (it runs a BPF tracer and containers)\n");
		return 1;
	}
	defaults(&o);
	spawn_forward_signals();
	if (prepare(&o))
		return 1;
	images_failed = checkout_build_images(o.root, o.fixtures, o.nfixtures, "tlsprobe conform") != 0;
	snprintf(sc.tracer, sizeof(sc.tracer), "%s", o.tracer_cmd ? o.tracer_cmd : "tlsprobe trace");
	total = o.nfixtures * o.nscenarios;
	for (int f = 0; f < o.nfixtures; f++) {
		for (int s = 0; s < o.nscenarios; s++) {
			struct score_row *row = scorecard_add(&sc);

			if (!fixture_is_host(o.fixtures[f]) && images_failed)
				snprintf(row->error, sizeof(row->error),
					 "container image not built (see scripts/images.sh output above)");
			else
				run_row(&o, o.fixtures[f], o.scenarios[s], row);
			fprintf(stderr, "[%d/%d] %-9s %-10s %s\n", ++done, total, o.fixtures[f],
				o.scenarios[s], row_verdict(row));
		}
	}
	scorecard_print_text(&sc, stdout);
	if ((o.json_path && scorecard_write_json(&sc, o.json_path)) ||
	    (o.junit_path && scorecard_write_junit(&sc, o.junit_path)))
		fprintf(stderr, "tlsprobe conform: cannot write the report files\n");
	failed = scorecard_failed(&sc);
	scorecard_free(&sc);
	return failed ? 1 : 0;
}
