// SPDX-License-Identifier: GPL-2.0
/* The shared harness (harness.h): checkout, fixtures, child processes and
 * tracer readiness for `conform` and `bench`. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define ENV_MAX 8
#define POLL_MS 10
#define FRESH_BUILD_TIMEOUT_MS 300000
#define FRESH_RMI_TIMEOUT_MS 60000

extern char **environ;

/* ---- the checkout ---- */

int harness_self_exe(char *path, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", path, len - 1);

	if (n <= 0 || (size_t)n >= len - 1)
		return -1;
	path[n] = '\0';
	return 0;
}

/* The checkout is the nearest directory above the binary with both the
 * Makefile and fixtures/: build/tlsprobe's parent's parent, and also that of
 * a build under build/ (build/asan/tlsprobe), whose parent's parent, build/,
 * holds fixtures/ too (the built ones) but no Makefile. */
int harness_root(char *root, size_t len)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	char *dir;

	if (harness_self_exe(exe, sizeof(exe)))
		return -1;
	dir = dirname(exe);
	for (int up = 0; up < 3 && strcmp(dir, "/"); up++) {
		dir = dirname(dir);
		snprintf(probe, sizeof(probe), "%s/Makefile", dir);
		if (access(probe, F_OK))
			continue;
		snprintf(probe, sizeof(probe), "%s/fixtures", dir);
		if (access(probe, F_OK))
			continue;
		snprintf(root, len, "%s", dir);
		return 0;
	}
	return -1;
}

int harness_build_fixtures(const char *root, const char *who)
{
	char *make_argv[] = { "make", "-s", "-C", (char *)root, "fixtures", NULL };

	if (spawn_run(make_argv, NULL, -1)) {
		fprintf(stderr, "%s: building the host fixtures failed\n", who);
		return -1;
	}
	return 0;
}

int harness_build_bases(const char *root, const struct fixture_row *rows, int n)
{
	char script[PATH_MAX + 32];
	char **argv = calloc((size_t)n + 3, sizeof(*argv));
	int argc = 0, status = 0;

	if (!argv)
		return -1;
	snprintf(script, sizeof(script), "%s/scripts/images.sh", root);
	argv[argc++] = script;
	argv[argc++] = "--base-only";
	for (int r = 0; r < n; r++)
		if (!manifest_variant_is_host(rows[r].v))
			argv[argc++] = (char *)rows[r].name;
	if (argc > 2)
		status = spawn_run(argv, NULL, -1);
	free(argv);
	return status;
}

int harness_build_image(const char *root, const struct fixture_row *row)
{
	char script[PATH_MAX + 32];
	char *argv[] = { script, (char *)row->name, NULL };

	if (manifest_variant_is_host(row->v))
		return 0;
	snprintf(script, sizeof(script), "%s/scripts/images.sh", root);
	return spawn_run(argv, NULL, -1);
}

const char *harness_docker(void)
{
	return access("/usr/bin/docker", X_OK) ? "docker" : "/usr/bin/docker";
}

void harness_host_run_sh(const char *root, const struct manifest *m, char *out, size_t len)
{
	snprintf(out, len, "%.4000s/build/fixtures/%s/run.sh", root, m->stack);
}

/* The fresh image of a row (below): built, and removed. */
static int fresh_build(const struct fixture_row *row, const char *dir, const char *tag,
		       const char *fixture_log);
static void fresh_remove(const char *dir, const char *tag);

/* Where the files of a fresh image go: the directory of the fixture log
 * (the row's work dir), else of outdir (never into outdir itself). */
static void fresh_dir(const char *outdir, const char *log, char *out, size_t len)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", log ? log : outdir);
	snprintf(out, len, "%s", dirname(copy));
}

int harness_run_fixture(const char *root, const struct fixture_row *row, const char *scenario,
			const char *outdir, char *const env[], const char *log, int timeout_ms)
{
	char run_sh[PATH_MAX], ca[PATH_MAX], image[128], dir[PATH_MAX];
	char out_mount[PATH_MAX + 8], ca_mount[PATH_MAX + 8];
	char *argv[16 + 2 * ENV_MAX];
	int n = 0, nenv = 0, fresh = manifest_fresh(row->m, row->v, scenario), status;

	while (env && env[nenv] && nenv < ENV_MAX)
		nenv++;
	snprintf(ca, sizeof(ca), "%.4000s/build/ca", root);
	if (manifest_variant_is_host(row->v)) {
		harness_host_run_sh(root, row->m, run_sh, sizeof(run_sh));
		if (nenv)
			argv[n++] = "env";
		for (int i = 0; i < nenv; i++)
			argv[n++] = env[i];
		argv[n++] = run_sh;
		argv[n++] = (char *)scenario;
		argv[n++] = (char *)outdir;
		argv[n++] = ca;
	} else {
		if (fresh) {
			harness_fresh_image(row->m, row->v, image, sizeof(image));
			fresh_dir(outdir, log, dir, sizeof(dir));
			if (fresh_build(row, dir, image, log))
				return HARNESS_FRESH_FAILED;
		} else {
			manifest_image(row->m, row->v, image, sizeof(image));
		}
		snprintf(out_mount, sizeof(out_mount), "%.4000s:/out", outdir);
		snprintf(ca_mount, sizeof(ca_mount), "%.4000s:/ca:ro", ca);
		argv[n++] = (char *)harness_docker();
		argv[n++] = "run";
		argv[n++] = "--rm";
		argv[n++] = "--network";
		argv[n++] = "none";
		for (int i = 0; i < nenv; i++) {
			argv[n++] = "-e";
			argv[n++] = env[i];
		}
		argv[n++] = "-v";
		argv[n++] = out_mount;
		argv[n++] = "-v";
		argv[n++] = ca_mount;
		argv[n++] = image;
		argv[n++] = fresh ? FRESH_DIR "/run.sh" : "/opt/tlsfix/run.sh";
		argv[n++] = (char *)scenario;
		argv[n++] = "/out";
		argv[n++] = "/ca";
	}
	argv[n] = NULL;
	status = spawn_run(argv, log, timeout_ms);
	if (fresh)
		fresh_remove(dir, image);
	return status;
}

/* ---- child processes ---- */

/* Live children (group leaders), for forwarding a Ctrl-C to their groups. */
#define LIVE_MAX 16
static volatile pid_t live[LIVE_MAX];

static void note_live(pid_t pid, int alive)
{
	for (int i = 0; i < LIVE_MAX; i++) {
		if (alive && !live[i]) {
			live[i] = pid;
			return;
		}
		if (!alive && live[i] == pid) {
			live[i] = 0;
			return;
		}
	}
}

static void forward(int sig)
{
	for (int i = 0; i < LIVE_MAX; i++)
		if (live[i])
			kill(-live[i], sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

void spawn_forward_signals(void)
{
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
}

static int same_name(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");

	return n == strcspn(b, "=") && !strncmp(a, b, n);
}

/* This process's environment with env's settings in place of its own. */
static char **merged_environment(char *const env[])
{
	size_t n = 0, nenv = 0, out = 0;
	char **merged;

	while (environ[n])
		n++;
	while (env[nenv])
		nenv++;
	merged = calloc(n + nenv + 1, sizeof(*merged));
	if (!merged)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int replaced = 0;

		for (size_t j = 0; j < nenv && !replaced; j++)
			replaced = same_name(environ[i], env[j]);
		if (!replaced)
			merged[out++] = environ[i];
	}
	for (size_t j = 0; j < nenv; j++)
		merged[out++] = env[j];
	return merged;
}

/* spawn_redirected_env, with stdin read from stdin_path (NULL: inherited). */
static pid_t spawn_full(char *const argv[], const char *stdin_path, const char *stdout_path,
			const char *stderr_path, char *const env[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char **envp = env ? merged_environment(env) : environ;
	pid_t pid;
	int err;

	if (!envp) {
		errno = ENOMEM;
		return -1;
	}
	/* Its own process group: stopping a `sh -c` tracer command must reach
	 * the tracer it started, not only the shell. */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawn_file_actions_init(&fa);
	if (stdin_path)
		posix_spawn_file_actions_addopen(&fa, 0, stdin_path, O_RDONLY, 0);
	if (stdout_path)
		posix_spawn_file_actions_addopen(&fa, 1, stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (stderr_path && stdout_path && !strcmp(stderr_path, stdout_path))
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	else if (stderr_path)
		posix_spawn_file_actions_addopen(&fa, 2, stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	err = posix_spawnp(&pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (envp != environ)
		free(envp);
	if (err) {
		errno = err;
		return -1;
	}
	note_live(pid, 1);
	return pid;
}

pid_t spawn_redirected_env(char *const argv[], const char *stdout_path, const char *stderr_path,
			   char *const env[])
{
	return spawn_full(argv, NULL, stdout_path, stderr_path, env);
}

pid_t spawn_redirected(char *const argv[], const char *stdout_path, const char *stderr_path)
{
	return spawn_redirected_env(argv, stdout_path, stderr_path, NULL);
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void sleep_ms(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000 * 1000 };

	nanosleep(&t, NULL);
}

int spawn_wait(pid_t pid, int timeout_ms)
{
	int status;

	for (int waited = 0; timeout_ms < 0 || waited <= timeout_ms; waited += POLL_MS) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid) {
			note_live(pid, 0);
			return exit_code(status);
		}
		if (got < 0 && errno != EINTR)
			return -1;
		if (timeout_ms >= 0 && waited + POLL_MS > timeout_ms)
			break;
		sleep_ms(POLL_MS);
	}
	return -1;
}

int spawn_stop(pid_t pid, int grace_ms)
{
	int status;

	kill(-pid, SIGINT);
	status = spawn_wait(pid, grace_ms);
	if (status >= 0) {
		kill(-pid, SIGKILL); /* what the group's leader left behind */
		return status;
	}
	kill(-pid, SIGKILL);
	return spawn_wait(pid, -1);
}

int spawn_run(char *const argv[], const char *log_path, int timeout_ms)
{
	pid_t pid = spawn_redirected(argv, log_path, log_path);
	int status;

	if (pid < 0)
		return -1;
	status = spawn_wait(pid, timeout_ms);
	if (status < 0)
		spawn_stop(pid, 1000);
	return status;
}

int file_contains(const char *path, const char *needle)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

void file_last_line(const char *path, char *out, size_t len)
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

/* ---- fresh images ---- */

void harness_fresh_image(const struct manifest *m, const struct manifest_variant *v, char *out,
			 size_t len)
{
	snprintf(out, len, "tlsprobe/fresh-%s-%s", m->stack, v->name);
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Unique per run (process, time, random bits), so that Docker's build
 * cache never has the layer: its RUN line has never been seen. */
static void fresh_nonce(char *out, size_t len)
{
	unsigned long long r = 0;
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r ^= (unsigned long long)t.tv_nsec * 0x9e3779b97f4a7c15ull;
	snprintf(out, len, "%d-%lld%09ld-%016llx", (int)getpid(), (long long)t.tv_sec, t.tv_nsec, r);
}

/* Appends one line to a log file. */
static void log_line(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_line(const char *path, const char *fmt, ...)
{
	FILE *f = path ? fopen(path, "a") : NULL;
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

/* Drops the terminal colour sequences (ESC [ ... letter) and other control
 * bytes docker build writes around its steps' output, in place. */
static void strip_escapes(char *s)
{
	char *out = s;

	for (char *p = s; *p; p++) {
		if (*p == '\033' && p[1] == '[') {
			for (p += 2; *p && !((*p >= '@' && *p <= '~')); p++)
				;
			if (!*p)
				break;
			continue;
		}
		if ((unsigned char)*p >= 0x20 || *p == '\t')
			*out++ = *p;
	}
	*out = '\0';
}

/* docker rmi TAG (force: -f), output to log. Its status. */
static int docker_rmi(const char *tag, int force, const char *log)
{
	char *argv[] = { (char *)harness_docker(), "rmi", force ? "-f" : (char *)tag,
			 force ? (char *)tag : NULL, NULL };

	return spawn_run(argv, log, FRESH_RMI_TIMEOUT_MS);
}

/* tag := FROM the row's image, plus one layer holding a copy of /opt/tlsfix
 * made now (legacy builder, the Dockerfile on stdin, no network). The
 * Dockerfile and the build's output stay in dir (fresh-image.Dockerfile,
 * fresh-image.log, ending with the time it took). On failure, the fixture
 * log ends with the reason and the build log's last line. */
static int fresh_build(const struct fixture_row *row, const char *dir, const char *tag,
		       const char *fixture_log)
{
	static char buildkit_off[] = "DOCKER_BUILDKIT=0";
	char *env[] = { buildkit_off, NULL };
	char dockerfile[PATH_MAX + 32], build_log[PATH_MAX + 32], rmi_log[PATH_MAX + 32];
	char base[128], nonce[96], last[256];
	char *argv[] = { (char *)harness_docker(), "build", "--network", "none", "--force-rm",
			 "-t", (char *)tag, "-", NULL };
	struct timespec t0, t1;
	FILE *f;
	pid_t pid;
	int status = -1;

	snprintf(dockerfile, sizeof(dockerfile), "%.4000s/fresh-image.Dockerfile", dir);
	snprintf(build_log, sizeof(build_log), "%.4000s/fresh-image.log", dir);
	snprintf(rmi_log, sizeof(rmi_log), "%.4000s/fresh-image-rmi.log", dir);
	if (fixture_log && (f = fopen(fixture_log, "w")))	/* not an earlier run's */
		fclose(f);
	manifest_image(row->m, row->v, base, sizeof(base));
	fresh_nonce(nonce, sizeof(nonce));
	f = fopen(dockerfile, "w");
	if (!f) {
		log_line(fixture_log, "fresh image %s not built: cannot write %s: %s", tag,
			 dockerfile, strerror(errno));
		return -1;
	}
	fprintf(f, "# %s with a fresh copy of the fixture: new files, never seen by a tracer.\n"
		"FROM %s\n"
		"RUN cp -a /opt/tlsfix %s && echo %s > %s/.fresh\n", row->name, base, FRESH_DIR, nonce,
		FRESH_DIR);
	if (fclose(f)) {
		log_line(fixture_log, "fresh image %s not built: cannot write %s", tag, dockerfile);
		return -1;
	}
	docker_rmi(tag, 1, rmi_log);	/* one an interrupted run left, if any */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = spawn_full(argv, dockerfile, build_log, build_log, env);
	if (pid >= 0) {
		status = spawn_wait(pid, FRESH_BUILD_TIMEOUT_MS);
		if (status < 0)
			spawn_stop(pid, 1000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (status == 0) {
		log_line(build_log, "tlsprobe: %s built in %.2f s", tag, ms_between(&t0, &t1) / 1e3);
		return 0;
	}
	file_last_line(build_log, last, sizeof(last));
	strip_escapes(last);
	log_line(build_log, "tlsprobe: %s: docker build %s", tag,
		 pid < 0 ? "could not start" : status < 0 ? "timed out" : "failed");
	log_line(fixture_log, "fresh image %s not built: docker build %s (fresh-image.log): %s",
		 tag, pid < 0 ? "could not start" : status < 0 ? "timed out" : "failed",
		 last[0] ? last : "(empty log)");
	docker_rmi(tag, 1, rmi_log);
	return -1;
}

/* The fresh image is deleted after its run. `docker run --rm` may still be
 * removing the container when it returns: a few tries, then -f. */
static void fresh_remove(const char *dir, const char *tag)
{
	char rmi_log[PATH_MAX + 32];

	snprintf(rmi_log, sizeof(rmi_log), "%.4000s/fresh-image-rmi.log", dir);
	for (int i = 0; i < 5; i++) {
		if (!docker_rmi(tag, 0, rmi_log))
			return;
		sleep_ms(200);
	}
	if (docker_rmi(tag, 1, rmi_log))
		fprintf(stderr, "tlsprobe: cannot remove the fresh image %s (see %s)\n", tag, rmi_log);
}

/* ---- tracers ---- */

int harness_ready_reset(const struct tracer_ready *r, char *err, size_t errlen)
{
	if (!r->ready_file || !unlink(r->ready_file) || errno == ENOENT)
		return 0;
	snprintf(err, errlen, "cannot remove %.200s: %s", r->ready_file, strerror(errno));
	return -1;
}

static int is_ready(const struct tracer_ready *r)
{
	if (!r->ready_line)
		return r->ready_file && !access(r->ready_file, F_OK);
	for (int i = 0; i < 2; i++)
		if (r->logs[i] && file_contains(r->logs[i], r->ready_line))
			return 1;
	return 0;
}

/* "...: <its log's last line>" for an error message. */
static void quote_log(const struct tracer_ready *r, char *out, size_t len)
{
	char last[256] = "";

	if (r->logs[0])
		file_last_line(r->logs[0], last, sizeof(last));
	snprintf(out, len, "%s", last[0] ? last : "(its log is empty)");
}

int harness_wait_ready(pid_t pid, const struct tracer_ready *r, char *err, size_t errlen)
{
	int timeout = r->timeout_ms > 0 ? r->timeout_ms : TRACER_READY_TIMEOUT_MS;
	char last[256];
	int status;

	if (r->settle_ms >= 0) {
		sleep_ms(r->settle_ms);
		timeout = 0;
	}
	for (int waited = 0;; waited += POLL_MS) {
		if (r->settle_ms < 0 && is_ready(r))
			return 0;
		status = spawn_wait(pid, 0);
		if (status >= 0) {
			quote_log(r, last, sizeof(last));
			snprintf(err, errlen, "tracer exited (status %d) before it was ready: %.200s",
				 status, last);
			return -1;
		}
		if (r->settle_ms >= 0)
			return 0;
		if (waited >= timeout)
			break;
		sleep_ms(POLL_MS);
	}
	quote_log(r, last, sizeof(last));
	if (r->ready_line)
		snprintf(err, errlen, "tracer printed no line with \"%.60s\" in %d s: %.200s",
			 r->ready_line, timeout / 1000, last);
	else
		snprintf(err, errlen, "tracer not ready after %d s (no %.100s): %.200s",
			 timeout / 1000, r->ready_file, last);
	return -2;
}

pid_t harness_start_tracer(char *const argv[], const char *stdout_path, const char *log_path,
			   const struct tracer_ready *r, char *err, size_t errlen)
{
	char ready_env[PATH_MAX + 32];
	char *env[] = { ready_env, NULL };
	pid_t pid;

	if (harness_ready_reset(r, err, errlen))
		return -1;
	snprintf(ready_env, sizeof(ready_env), "%s=%.4000s", READY_FILE_ENV,
		 r->ready_file ? r->ready_file : "");
	pid = spawn_redirected_env(argv, stdout_path, log_path, r->ready_file ? env : NULL);
	if (pid < 0) {
		snprintf(err, errlen, "cannot start the tracer: %s", strerror(errno));
		return -1;
	}
	switch (harness_wait_ready(pid, r, err, errlen)) {
	case 0:
		return pid;
	case -2:
		spawn_stop(pid, 1000);
		return -1;
	default:
		kill(-pid, SIGKILL);	/* what a `sh -c` tracer left behind */
		return -1;
	}
}

int harness_stop_tracer(pid_t pid, int grace_ms)
{
	return spawn_stop(pid, grace_ms);
}

int harness_absolute(char *path, size_t len)
{
	char cwd[PATH_MAX], abs[2 * PATH_MAX];

	if (path[0] == '/' || !path[0])
		return 0;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	snprintf(abs, sizeof(abs), "%s/%s", cwd, path);
	if (strlen(abs) >= len)
		return -1;
	snprintf(path, len, "%s", abs);
	return 0;
}
