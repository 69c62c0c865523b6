/* The tracer configurations `tlsprobe bench` compares, and running one. */
#ifndef TLSPROBE_BENCH_CONFIGS_H
#define TLSPROBE_BENCH_CONFIGS_H
#include <limits.h>
#include <sys/types.h>

enum config_id {
	CFG_NONE,             /* no tracer */
	CFG_FLOOR,            /* the planner's sites, programs that only return */
	CFG_FLOOR_SYSCALLS,   /* the same plus the syscall hook */
	CFG_FLOOR_COPY,       /* the same plus copying each call's bytes, nothing else */
	CFG_REFERENCE,        /* tlsprobe trace (the planner) */
	CFG_FLOOR_ENTRY,      /* the exported entry points, programs that only return */
	CFG_REFERENCE_ENTRY,  /* tlsprobe trace --probes entry */
	CFG_BPFTRACE_COUNT,   /* bpftrace: count SSL_write/SSL_read calls */
	CFG_BPFTRACE_CAPTURE, /* bpftrace: print their bytes */
	CFG_TRACER_CMD,       /* --tracer-cmd */
	CFG_COUNT
};

struct bench_config {
	enum config_id id;
	const char *name;
	const char *what;
	enum config_id floor; /* the floor at its own probe sites, or CFG_COUNT */
	int ours;             /* tlsprobe trace: prints its totals on exit */
	int host_only;        /* attaches by the host's library path */
	const char *stack;    /* NULL, or the only stack it applies to (it names its functions) */
};

const struct bench_config *config_get(enum config_id id);
/* NULL when there is no configuration of that name. */
const struct bench_config *config_by_name(const char *name);

/* What starting a configuration needs. */
struct bench_env {
	char root[PATH_MAX / 2];      /* the checkout */
	char tlsprobe[PATH_MAX];      /* build/tlsprobe */
	char host_libssl[PATH_MAX];   /* for bpftrace */
	const char *tracer_cmd;
	const char *tracer_ready_line; /* --tracer-cmd is ready when it prints this, */
	int tracer_settle_ms;          /* or after this many ms (-1: when it creates
					* the file named by $TLSPROBE_READY_FILE) */
	int tracer_cpu;               /* tracers run on this CPU; -1: anywhere */
};

struct tracer_proc {
	pid_t pid;                    /* 0: no tracer (none) */
	double cpu_at_ready_ns;       /* its process group's CPU time once attached */
	char log[PATH_MAX];
	char ready[PATH_MAX + 8];     /* ours: the file it creates once attached */
	char scratch[PATH_MAX];       /* bpftrace's stdout, deleted when it stops */
};

/* Starts the configuration's tracer (events to out_path, messages to
 * log_path; extra: more `tlsprobe trace` options or NULL) and waits until it
 * has attached. 0, or -1 with the reason. */
int config_start(const struct bench_config *c, const struct bench_env *env,
		 const char *out_path, const char *log_path, char *const extra[],
		 struct tracer_proc *tp, char *err, size_t errlen);

/* Stops the tracer; in *cpu_ns the CPU time its process group used from
 * the moment it was attached (loading and attaching are not counted).
 * 0 or -1. */
int config_stop(struct tracer_proc *tp, double *cpu_ns);

/* Reads "N calls, B bytes captured; lost L bytes in M calls" from our
 * tracer's log. 0, or -1 when the line is not there. */
int config_totals(const struct tracer_proc *tp, long long *calls, long long *bytes,
		  long long *lost_bytes);
#endif
