/* The bpftrace adapter's parts, for its tests. */
#ifndef TLSPROBE_ADAPTER_BPFTRACE_H
#define TLSPROBE_ADAPTER_BPFTRACE_H
#include <stddef.h>
#include <stdio.h>

/* The program's BEGIN prints it once every probe is attached. */
#define BPFTRACE_READY_LINE "tlsprobe-adapter: bpftrace attached"

/* Writes the bpftrace program for a manifest stack's libraries (on this
 * host and in Docker's image layers) and process name to path. 0, or -1
 * with the reason in err (no such stack, no library found). */
int bpftrace_write_program(const char *stack, const char *comm, const char *path, char *err,
			   size_t errlen);
/* bpftrace's output (the program's TLSPROBE lines) to event JSON lines. */
int bpftrace_convert(FILE *raw, FILE *events, char *err, size_t errlen);
#endif
