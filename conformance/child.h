/* Running the tracer and the fixtures as child processes. */
#ifndef TLSPROBE_CHILD_H
#define TLSPROBE_CHILD_H
#include <sys/types.h>

/* Starts argv[0] (searched in PATH) in a process group of its own, with
 * stdout and stderr sent to the named files (NULL: inherited; the same name
 * twice: one file). Returns the pid or -1. */
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
/* Whether a line of the file (a child's log) holds needle: how the runners
 * see that a tracer has attached. */
int file_contains(const char *path, const char *needle);

/* SIGINT/SIGTERM to this process go to the groups of its live children
 * first (they are not in the terminal's process group). */
void spawn_forward_signals(void);
#endif
