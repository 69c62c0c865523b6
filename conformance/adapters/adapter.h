/* A third-party tracer as conform runs it: how to start it, when it is
 * ready, how to turn its own output into the event schema (tracer/record.h),
 * and what it claims to support. One adapter per file under
 * conformance/adapters/. */
#ifndef TLSPROBE_ADAPTER_H
#define TLSPROBE_ADAPTER_H

#include <stddef.h>
#include <stdio.h>

struct adapter {
	const char *name;             /* "ecapture" */
	const char *summary;
	const char *ready_line;       /* NULL: ready file */
	unsigned claimed_checks;      /* bit (1u << CHECK_x) per enum check_id in conformance/compare.h */
	const char *const *claimed_stacks; /* NULL-terminated, e.g. "openssl", "gnutls" */
	/* the shell command that starts it for the given tracer binary and process name(s); writes its raw output to stdout */
	int (*command)(const char *tracer_bin, const char *comm, char *cmd, size_t len);
	/* converts the raw output file to event JSON lines */
	int (*convert)(FILE *raw, FILE *events, char *err, size_t errlen);
};

extern const struct adapter ecapture_adapter;

#endif
