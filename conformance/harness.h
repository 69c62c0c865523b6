/* The harness `conform` and `bench` share: the checkout the running binary
 * belongs to, building its fixtures and images, running one fixture
 * scenario on the host or in its container, child processes, and starting
 * a tracer and waiting until it is ready. */
#ifndef TLSPROBE_HARNESS_H
#define TLSPROBE_HARNESS_H
#include <stddef.h>
#include <sys/types.h>

#include "manifest.h"

/* ---- the checkout ---- */

/* The checkout: the nearest directory above this binary (build/tlsprobe,
 * build/asan/tlsprobe) holding the Makefile and fixtures/. 0 or -1. */
int harness_root(char *root, size_t len);

/* This binary's path (/proc/self/exe): the tracer conform and bench run is
 * the tlsprobe that runs them (a sanitizer build runs its own). 0 or -1. */
int harness_self_exe(char *path, size_t len);

/* `make fixtures`: every manifest with `build host`, and the test CA. 0, or
 * -1 (reported). */
int harness_build_fixtures(const char *root, const char *who);

/* scripts/images.sh --base-only ROW...: the Debian base images of the n rows
 * given (host rows: none), in one call, so that the missing root filesystems
 * are debootstrapped side by side. 0, or non-zero (the script says why; each
 * row's own build then fails with it). */
int harness_build_bases(const char *root, const struct fixture_row *rows, int n);

/* scripts/images.sh ROW: the row's base and fixture images. 0, or non-zero
 * when they could not be built (the script says why). Host rows: 0. */
int harness_build_image(const char *root, const struct fixture_row *row);

/* The Docker client to run fixtures with (docker.io's, when installed). */
const char *harness_docker(void);

/* build/fixtures/<stack>/run.sh, what a host variant runs. */
void harness_host_run_sh(const char *root, const struct manifest *m, char *out, size_t len);

/* One fixture scenario: run.sh SCENARIO OUTDIR CA on the host, or
 * /opt/tlsfix/run.sh SCENARIO /out /ca in the row's image (--network none,
 * OUTDIR mounted at /out, the CA read-only at /ca). env: NULL, or
 * "NAME=value" settings ending with NULL. Output to log. Returns spawn_run's
 * status (0, the exit status, or -1 on timeout), or HARNESS_FRESH_FAILED.
 *
 * A scenario the manifest's `fresh` line lists runs, in a container variant,
 * from a fresh image: right before the run (the tracer is already running)
 * the harness builds tlsprobe/fresh-<stack>-<variant>, FROM the row's image
 * with one new layer holding a copy of the fixture made then
 * (`cp -a /opt/tlsfix /opt/tlsfix-fresh` plus a nonce, so that Docker's
 * build cache never has it: files of new inodes no tracer has seen), runs
 * /opt/tlsfix-fresh/run.sh from it, and removes the image afterwards. The
 * Dockerfile and the build's log (fresh-image.log, ending with the time the
 * build took) go to log's directory; when the build fails, log ends with
 * the reason and the build log's last line. */
#define HARNESS_FRESH_FAILED (-2)
#define FRESH_DIR "/opt/tlsfix-fresh"
int harness_run_fixture(const char *root, const struct fixture_row *row, const char *scenario,
			const char *outdir, char *const env[], const char *log, int timeout_ms);
/* tlsprobe/fresh-<stack>-<variant> */
void harness_fresh_image(const struct manifest *m, const struct manifest_variant *v, char *out,
			 size_t len);

/* ---- child processes ---- */

/* Starts argv[0] (searched in PATH) in a process group of its own, with
 * stdout and stderr sent to the named files (NULL: inherited; the same name
 * twice: one file). env: NULL, or "NAME=value" settings that replace or add
 * to this process's environment. Returns the pid or -1. */
pid_t spawn_redirected_env(char *const argv[], const char *stdout_path, const char *stderr_path,
			   char *const env[]);
pid_t spawn_redirected(char *const argv[], const char *stdout_path, const char *stderr_path);

/* Waits for pid up to timeout_ms. Returns its exit status (128+signal when
 * killed), or -1 on timeout (the child is left running). */
int spawn_wait(pid_t pid, int timeout_ms);

/* SIGINT to its process group, then SIGKILL if it has not exited after
 * grace_ms; whatever is left of the group afterwards is killed. Returns its
 * status. */
int spawn_stop(pid_t pid, int grace_ms);

/* Runs argv to completion (output to log_path, or inherited if NULL).
 * Returns the exit status, or -1 on timeout (the child is killed). */
int spawn_run(char *const argv[], const char *log_path, int timeout_ms);

/* Whether a line of the file (a child's log) holds needle. */
int file_contains(const char *path, const char *needle);

/* The file's last non-empty line, without its newline ("" if none). */
void file_last_line(const char *path, char *out, size_t len);

/* SIGINT/SIGTERM to this process go to the groups of its live children
 * first (they are not in the terminal's process group). */
void spawn_forward_signals(void);

/* ---- tracers ---- */

#define TRACER_READY_TIMEOUT_MS 30000
#define READY_FILE_ENV "TLSPROBE_READY_FILE"

/* How to tell that a tracer has attached. Not a fixed sleep, unless asked
 * for: the tracer creates ready_file (the harness only removes it before the
 * start and names it in the tracer's environment, TLSPROBE_READY_FILE), or
 * prints a line holding ready_line to one of logs. */
struct tracer_ready {
	const char *ready_file;	/* used when ready_line is NULL and settle_ms < 0 */
	const char *ready_line;	/* used when settle_ms < 0 */
	const char *logs[2];	/* its stderr log (quoted on errors), its stdout or NULL */
	int settle_ms;		/* >= 0: wait this long instead (explicit opt-in) */
	int timeout_ms;		/* 0: TRACER_READY_TIMEOUT_MS */
};

/* Removes a ready file left by an earlier run. 0, or -1 with err. */
int harness_ready_reset(const struct tracer_ready *r, char *err, size_t errlen);

/* Waits until the tracer pid is ready. 0; -1 when it exited first (it has
 * been waited for); -2 when it was not ready in time (it is left running).
 * On errors the reason, with its log's last line, is in err. */
int harness_wait_ready(pid_t pid, const struct tracer_ready *r, char *err, size_t errlen);

/* Starts argv as a tracer (stdout to stdout_path or inherited, stderr to
 * log_path) with TLSPROBE_READY_FILE set, and waits until it is ready.
 * Returns its pid, or -1 with the reason in err (it is stopped then). */
pid_t harness_start_tracer(char *const argv[], const char *stdout_path, const char *log_path,
			   const struct tracer_ready *r, char *err, size_t errlen);

/* Stops a tracer (SIGINT, then SIGKILL after grace_ms). Its status. */
int harness_stop_tracer(pid_t pid, int grace_ms);
/* Makes path absolute (prefixing the working directory): Docker takes a
 * relative -v source for a volume name. 0, or -1 when it does not fit. */
int harness_absolute(char *path, size_t len);
#endif
