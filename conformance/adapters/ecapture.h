/* eCapture (gojue/ecapture, v2.5.1) as a tracer under test: its text-mode
 * stdout, with or without ANSI colours, with or without --hex, converted to
 * the event schema. Facts about that output are in ecapture.c. */
#ifndef TLSPROBE_ADAPTERS_ECAPTURE_H
#define TLSPROBE_ADAPTERS_ECAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "adapter.h"

/* eCapture logs this (as "OpenSSL probe started successfully" and "probe
 * started successfully.") once its uprobes are attached: the adapter's ready
 * line. */
#define ECAPTURE_READY_LINE "probe started successfully"

/* What a conversion found, for the caller to report. */
struct ecapture_stats {
	size_t events;        /* event headers read */
	size_t hex_events;    /* of which printed with --hex */
	uint64_t bytes;       /* payload bytes written as data records */
	/* Text-mode events whose bytes the output cannot give back (an invalid
	 * UTF-8 byte printed as U+FFFD, or escapes the header's length does not
	 * confirm): only the bytes before the first doubtful one were written. */
	size_t irreversible;
	/* Events whose printed payload is shorter than their header's length (the
	 * output was cut, or a dump line is malformed): what was printed was
	 * written, nothing more. */
	size_t short_events;
	/* Summed "lost_samples" of eCapture's "Perf buffer full, samples lost"
	 * warnings: events it dropped without saying whose (no loss record can
	 * be written for them). */
	uint64_t lost_samples;
};

/* Converts eCapture's stdout (raw) into event JSON lines (schema 2) on
 * events, one data record per event, in output order. Log lines are not
 * events. Returns 0, or -1 with the reason in err (a write error). */
int ecapture_convert(FILE *raw, FILE *events, struct ecapture_stats *stats, char *err,
		     size_t errlen);

/* Prints what the stats say was not given back ("N events had bytes
 * eCapture's text mode cannot give back; use --hex" …) to out; nothing when
 * all was. */
void ecapture_report(const struct ecapture_stats *stats, FILE *out);

/* The shell command that runs TRACER_BIN in text mode with --hex: `'BIN' tls
 * -b 1 --hex`. eCapture filters by pid or uid, never by process name, so comm
 * is not used: it traces every process and the comparator leaves the others'
 * records out. Returns 0, or -1 when cmd (len bytes) is too small. */
int ecapture_command(const char *tracer_bin, const char *comm, char *cmd, size_t len);

#endif
