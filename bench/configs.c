#define _GNU_SOURCE /* sched_setaffinity */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "configs.h"

#define READY_TIMEOUT_MS 60000
/* bpftrace prints "Attaching N probes..." before it attaches them. */
#define BPFTRACE_SETTLE_MS 1000

static const struct bench_config configs[CFG_COUNT] = {
	{ CFG_NONE, "none", "no tracer", CFG_COUNT, 0, 0, NULL },
	{ CFG_FLOOR, "floor", "the planner's probe sites, BPF programs that only return",
	  CFG_COUNT, 1, 0, NULL },
	{ CFG_FLOOR_SYSCALLS, "floor-syscalls", "the floor plus the fd syscall hook", CFG_COUNT, 1,
	  0, NULL },
	{ CFG_FLOOR_COPY, "floor-copy",
	  "the floor plus reading each call's byte count and bytes into the ring buffer",
	  CFG_FLOOR, 1, 0, NULL },
	{ CFG_REFERENCE, "reference", "tlsprobe trace (probe planner)", CFG_FLOOR, 1, 0, NULL },
	{ CFG_FLOOR_ENTRY, "floor-entry", "the exported entry points, programs that only return",
	  CFG_COUNT, 1, 0, NULL },
	{ CFG_REFERENCE_ENTRY, "reference-entry", "tlsprobe trace --probes entry", CFG_FLOOR_ENTRY,
	  1, 0, NULL },
	{ CFG_BPFTRACE_COUNT, "bpftrace-count", "bpftrace: count() on SSL_write/SSL_read entry",
	  CFG_COUNT, 0, 1, "openssl" },
	{ CFG_BPFTRACE_CAPTURE, "bpftrace-capture",
	  "bpftrace: printf of SSL_write/SSL_read bytes (<= 200 per call)", CFG_COUNT, 0, 1,
	  "openssl" },
	{ CFG_TRACER_CMD, "tracer-cmd", "--tracer-cmd", CFG_COUNT, 0, 0, NULL },
};

const struct bench_config *config_get(enum config_id id)
{
	return id < CFG_COUNT ? &configs[id] : NULL;
}

const struct bench_config *config_by_name(const char *name)
{
	for (int i = 0; i < CFG_COUNT; i++)
		if (!strcmp(configs[i].name, name))
			return &configs[i];
	return NULL;
}

static void bpftrace_program(const struct bench_config *c, const char *lib, char *out, size_t len)
{
	if (c->id == CFG_BPFTRACE_COUNT) {
		snprintf(out, len, "uprobe:%s:SSL_write, uprobe:%s:SSL_read /comm == \"tlsfix\"/ "
			 "{ @calls = count(); }", lib, lib);
		return;
	}
	snprintf(out, len,
		 "uprobe:%s:SSL_write /comm == \"tlsfix\"/ { printf(\"%%d out %%r\\n\", tid, "
		 "buf(arg1, arg2)); } "
		 "uprobe:%s:SSL_read /comm == \"tlsfix\"/ { @rbuf[tid] = arg1; } "
		 "uretprobe:%s:SSL_read /@rbuf[tid]/ { if (retval > 0) { printf(\"%%d in %%r\\n\", "
		 "tid, buf(@rbuf[tid], retval)); } delete(@rbuf[tid]); }", lib, lib, lib);
}

/* Starts argv on one CPU (its children inherit it): the bench's own
 * affinity is narrowed for the fork and put back. */
static pid_t spawn_on_cpu(int cpu, char *const argv[], const char *stdout_path,
			  const char *stderr_path)
{
	cpu_set_t saved, one;
	pid_t pid;

	if (cpu < 0)
		return spawn_redirected(argv, stdout_path, stderr_path);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_getaffinity(0, sizeof(saved), &saved) || sched_setaffinity(0, sizeof(one), &one)) {
		fprintf(stderr, "tlsprobe bench: cannot run %s on CPU %d (%s): it runs anywhere\n",
			argv[0], cpu, strerror(errno));
		return spawn_redirected(argv, stdout_path, stderr_path);
	}
	pid = spawn_redirected(argv, stdout_path, stderr_path);
	if (sched_setaffinity(0, sizeof(saved), &saved))
		fprintf(stderr, "tlsprobe bench: cannot restore its own CPU affinity: %s\n",
			strerror(errno));
	return pid;
}

static pid_t spawn_config(const struct bench_config *c, const struct bench_env *env,
			  const char *out_path, const char *log_path, char *const extra[],
			  struct tracer_proc *tp)
{
	static const char *const modes[CFG_COUNT] = {
		[CFG_FLOOR] = "floor", [CFG_FLOOR_SYSCALLS] = "floor-syscalls",
		[CFG_FLOOR_COPY] = "floor-copy",
		[CFG_REFERENCE] = "capture", [CFG_FLOOR_ENTRY] = "floor",
		[CFG_REFERENCE_ENTRY] = "capture",
	};
	char program[4 * PATH_MAX];
	char *ours[24] = { (char *)env->tlsprobe, "trace", "--comm", "tlsfix", "--mode",
			   (char *)modes[c->id], "--probes",
			   c->id == CFG_FLOOR_ENTRY || c->id == CFG_REFERENCE_ENTRY ? "entry" : "auto",
			   "-o", (char *)out_path, "--ready-file", tp->ready,
			   /* no probe outlives its run; the image layers' libraries
			    * change no per-event cost and would take seconds to remove */
			   "--wait-teardown", "--no-image-layers" };
	int n = 14;

	for (int i = 0; extra && extra[i] && n < 23; i++)
		ours[n++] = extra[i];
	/* bpftrace prints "Attaching N probes..." with its output: both go to a
	 * scratch file, watched for that line. */
	char *bpftrace[] = { "bpftrace", "-e", program, NULL };
	char *cmd[] = { "sh", "-c", (char *)env->tracer_cmd, NULL };

	if (c->ours)
		return spawn_on_cpu(env->tracer_cpu, ours, NULL, log_path);
	if (c->id == CFG_TRACER_CMD) {
		pid_t pid;

		/* as conform does: the command says it is ready by creating it */
		setenv("TLSPROBE_READY_FILE", tp->ready, 1);
		pid = spawn_on_cpu(env->tracer_cpu, cmd, out_path, log_path);
		unsetenv("TLSPROBE_READY_FILE");
		return pid;
	}
	bpftrace_program(c, env->host_libssl, program, sizeof(program));
	setenv("BPFTRACE_STRLEN", "200", 1); /* the most 0.17 allows */
	snprintf(tp->scratch, sizeof(tp->scratch), "%.4000s.out", log_path);
	return spawn_on_cpu(env->tracer_cpu, bpftrace, tp->scratch, log_path);
}

/* Through the harness: ours creates its ready file, bpftrace prints
 * "Attaching", --tracer-cmd creates $TLSPROBE_READY_FILE, or prints
 * --tracer-ready-line, or gets --tracer-settle-ms when asked. */
static int wait_ready(const struct bench_config *c, const struct bench_env *env,
		      struct tracer_proc *tp, char *err, size_t errlen)
{
	struct tracer_ready ready = {
		.ready_file = tp->ready, .logs = { tp->log }, .settle_ms = -1,
		.timeout_ms = READY_TIMEOUT_MS,
	};
	char why[512];

	if (c->id == CFG_TRACER_CMD) {
		ready.settle_ms = env->tracer_settle_ms;
		ready.ready_line = env->tracer_ready_line;
		/* (its stdout is the events: the line is looked for on its stderr) */
	} else if (!c->ours) {
		ready.ready_line = "Attaching";
		ready.logs[1] = tp->scratch;
	}
	switch (harness_wait_ready(tp->pid, &ready, why, sizeof(why))) {
	case 0:
		break;
	case -1:
		tp->pid = 0;	/* it exited */
		/* fall through */
	default:
		snprintf(err, errlen, "%s: %.200s (see %s)", c->name, why, tp->log);
		return -1;
	}
	if (ready.ready_line)
		usleep(BPFTRACE_SETTLE_MS * 1000);
	return 0;
}

/* On-CPU nanoseconds of a process: its threads' /proc schedstat. */
static double process_cpu_ns(const char *pid)
{
	char path[600], line[128];
	struct dirent *t;
	double sum = 0;
	DIR *tasks;

	snprintf(path, sizeof(path), "/proc/%.32s/task", pid);
	tasks = opendir(path);
	while (tasks && (t = readdir(tasks))) {
		FILE *f;

		if (t->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%.32s/task/%.32s/schedstat", pid, t->d_name);
		if ((f = fopen(path, "r"))) {
			if (fgets(line, sizeof(line), f))
				sum += strtod(line, NULL);
			fclose(f);
		}
	}
	if (tasks)
		closedir(tasks);
	return sum;
}

/* The same summed over a process group (`sh -c` and what it started). */
static double group_cpu_ns(pid_t pgid)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	double sum = 0;

	while (proc && (d = readdir(proc))) {
		char path[300], stat[1024], *paren;
		FILE *f;
		int pgrp;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.32s/stat", d->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		/* "pid (comm) state ppid pgrp ...": comm may hold spaces */
		if (fgets(stat, sizeof(stat), f) && (paren = strrchr(stat, ')')) &&
		    sscanf(paren + 1, " %*c %*d %d", &pgrp) == 1 && pgrp == pgid)
			sum += process_cpu_ns(d->d_name);
		fclose(f);
	}
	if (proc)
		closedir(proc);
	return sum;
}

int config_start(const struct bench_config *c, const struct bench_env *env,
		 const char *out_path, const char *log_path, char *const extra[],
		 struct tracer_proc *tp, char *err, size_t errlen)
{
	memset(tp, 0, sizeof(*tp));
	if (c->id == CFG_NONE)
		return 0;
	snprintf(tp->log, sizeof(tp->log), "%s", log_path);
	snprintf(tp->ready, sizeof(tp->ready), "%s.ready", log_path);
	unlink(tp->ready);
	tp->pid = spawn_config(c, env, out_path, log_path, extra, tp);
	if (tp->pid < 0) {
		snprintf(err, errlen, "cannot start %s", c->name);
		tp->pid = 0;
		return -1;
	}
	if (wait_ready(c, env, tp, err, errlen)) {
		config_stop(tp, NULL);
		return -1;
	}
	tp->cpu_at_ready_ns = group_cpu_ns(tp->pid);
	return 0;
}

int config_stop(struct tracer_proc *tp, double *cpu_ns)
{
	int status;

	if (cpu_ns)
		*cpu_ns = 0;
	if (!tp->pid)
		return 0;
	if (cpu_ns)
		*cpu_ns = group_cpu_ns(tp->pid) - tp->cpu_at_ready_ns;
	status = spawn_stop(tp->pid, 30000);
	tp->pid = 0;
	if (tp->scratch[0])
		unlink(tp->scratch);
	unlink(tp->ready);
	return status == 0 || status == 128 + 2 /* SIGINT */ ? 0 : -1;
}

int config_totals(const struct tracer_proc *tp, long long *calls, long long *bytes,
		  long long *lost_bytes)
{
	char line[1024];
	FILE *f = fopen(tp->log, "r");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "tlsprobe: %lld calls, %lld bytes captured; lost %lld bytes", calls,
			   bytes, lost_bytes) == 3)
			found = 1;
	fclose(f);
	return found ? 0 : -1;
}
