/* Adapters: how conform runs a third-party tracer on the matrix. An adapter
 * says how to start the tracer for a fixture row, when it is ready (a line
 * it prints, or the ready file), how to turn its own output into the event
 * schema, and what it claims: the stacks and the checks it says it
 * supports. A check it does not claim is scored "NOT CLAIMED", apart from
 * FAIL; a claimed check that fails is a FAIL. adapters.c lists them: a new
 * tracer adds its file here and one line there. */
#ifndef TLSPROBE_ADAPTER_H
#define TLSPROBE_ADAPTER_H
#include <stddef.h>
#include <stdio.h>

#include "../compare.h"

/* What the adapter is given to start its tracer for one fixture row. */
struct adapter_run {
	const char *tracer_bin;   /* --tracer-bin, or NULL: the adapter's default */
	const char *tracer_cmd;   /* --tracer-cmd (the jsonl adapter's command) */
	const char *stack;        /* the row's stack: "openssl", "go" ... */
	const char *comm;         /* the fixture's process name */
	const char *dir;          /* a directory for files the adapter writes */
};

struct adapter {
	const char *name;
	const char *summary;
	/* Ready when the tracer prints a line holding it; NULL: when it creates
	 * the file named by $TLSPROBE_READY_FILE. */
	const char *ready_line;
	/* What makes the tracer's binary print its version ("--version"), for
	 * the report's environment; NULL: none. */
	const char *version_arg;
	const char *default_bin; /* the binary when --tracer-bin is not given */
	unsigned int claimed_checks;       /* 1u << enum check_id, each claimed */
	const char *const *claimed_stacks; /* NULL-terminated; NULL: every stack */
	/* The shell command (sh -c) that runs the tracer for run, its raw
	 * output on stdout. 0, or -1 with the reason in err. */
	int (*command)(const struct adapter_run *run, char *cmd, size_t len, char *err,
		       size_t errlen);
	/* Turns the raw output into event JSON lines; NULL: it is already. 0, or
	 * -1 with the reason in err. */
	int (*convert)(FILE *raw, FILE *events, char *err, size_t errlen);
};

#define CLAIM(check) (1u << (check))
#define CLAIM_ALL ((1u << N_CHECKS) - 1)

/* Every adapter, NULL-terminated (adapters.c). */
extern const struct adapter *const adapter_table[];
/* The adapter named name, or NULL. */
const struct adapter *adapter_find(const char *name);
/* "reference, bpftrace, ecapture, jsonl": for --help and errors. */
void adapter_names(char *out, size_t len);
int adapter_claims_stack(const struct adapter *a, const char *stack);
int adapter_claims_check(const struct adapter *a, enum check_id check);
/* Appends s to out (len bytes in all) as one shell word, in single quotes
 * ('it'\''s'). 0, or -1 when it does not fit. */
int adapter_shell_quote(const char *s, char *out, size_t len);
/* A comma-separated list of check names as a claim mask: 0, or -1 with the
 * unknown name in err. */
int adapter_parse_checks(const char *list, unsigned int *mask, char *err, size_t errlen);

extern const struct adapter reference_adapter, jsonl_adapter, bpftrace_adapter, ecapture_adapter;
#endif
