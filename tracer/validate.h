/* The checks behind `tlsprobe validate`: is a JSON-lines file valid under the
 * event/transcript schema (tracer/record.h)? Stricter than the loader, which
 * reads what adapters write: a line must state its "schema", and its "comm"
 * and "stack" must be given and non-empty. */
#ifndef TLSPROBE_VALIDATE_H
#define TLSPROBE_VALIDATE_H

#include <stddef.h>
#include <stdio.h>

#define VALIDATE_MAX_ERRORS 20	/* bad lines printed per file; the rest are counted */

/* Checks one line (len bytes, its newline optional). Returns 0, or -1 with
 * the reason in err: `field "KEY": reason` when a field is at fault. */
int validate_line(const char *line, size_t len, char *err, size_t errlen);

struct validate_counts {
	size_t records;  /* non-blank lines */
	size_t errors;   /* bad ones */
};

/* Checks every line of in (blank lines are skipped, as the loader does).
 * Prints "NAME:LINE: reason" to out for each of the first
 * VALIDATE_MAX_ERRORS bad lines, then "NAME: ... N more errors", then
 * "NAME: N records, M errors". Returns 0, or -errno on a read error (and
 * prints no summary). */
int validate_stream(FILE *in, const char *name, FILE *out, struct validate_counts *counts);

#endif
