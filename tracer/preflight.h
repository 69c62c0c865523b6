/* Before anything is loaded or attached: can this process, this kernel and
 * this libbpf trace at all? Each check that fails prints one line (what is
 * wrong, what to do) and nothing is left behind. */
#ifndef TLSPROBE_PREFLIGHT_H
#define TLSPROBE_PREFLIGHT_H

/* What a command needs beyond loading BPF programs and attaching uprobes. */
enum preflight_needs {
	PREFLIGHT_OTHERS_FILES = 1 << 0, /* other users' processes and files (trace) */
	PREFLIGHT_TRACEFS = 1 << 1,      /* syscall tracepoints (mounted if missing) */
};

/* The oldest libbpf the tracer runs with: see preflight.c. */
#define PREFLIGHT_LIBBPF_MAJOR 1
#define PREFLIGHT_LIBBPF_MINOR 1

/* 0 when all of it is there; else -1 after one line on stderr, prefixed
 * with `who` ("tlsprobe trace"). */
int preflight_check(const char *who, unsigned int needs);

#endif
