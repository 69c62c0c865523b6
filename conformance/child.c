#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "child.h"

extern char **environ;

pid_t spawn_redirected(char *const argv[], const char *stdout_path, const char *stderr_path)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int err;

	posix_spawn_file_actions_init(&fa);
	if (stdout_path)
		posix_spawn_file_actions_addopen(&fa, 1, stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (stderr_path && stdout_path && !strcmp(stderr_path, stdout_path))
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	else if (stderr_path)
		posix_spawn_file_actions_addopen(&fa, 2, stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		errno = err;
		return -1;
	}
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

		if (got == pid)
			return exit_code(status);
		if (got < 0 && errno != EINTR)
			return -1;
		nanosleep(&tick, NULL);
	}
	return -1;
}

int spawn_stop(pid_t pid, int grace_ms)
{
	int status;

	kill(pid, SIGINT);
	status = spawn_wait(pid, grace_ms);
	if (status >= 0)
		return status;
	kill(pid, SIGKILL);
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
