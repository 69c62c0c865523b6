#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "child.h"

extern char **environ;

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

pid_t spawn_redirected(char *const argv[], const char *stdout_path, const char *stderr_path)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	pid_t pid;
	int err;

	/* Its own process group: stopping a `sh -c` tracer command must reach
	 * the tracer it started, not only the shell. */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawn_file_actions_init(&fa);
	if (stdout_path)
		posix_spawn_file_actions_addopen(&fa, 1, stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (stderr_path && stdout_path && !strcmp(stderr_path, stdout_path))
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	else if (stderr_path)
		posix_spawn_file_actions_addopen(&fa, 2, stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	err = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err) {
		errno = err;
		return -1;
	}
	note_live(pid, 1);
	return pid;
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int spawn_wait(pid_t pid, int timeout_ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int status;

	for (int waited = 0; timeout_ms < 0 || waited <= timeout_ms; waited += 10) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid) {
			note_live(pid, 0);
			return exit_code(status);
		}
		if (got < 0 && errno != EINTR)
			return -1;
		nanosleep(&tick, NULL);
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
