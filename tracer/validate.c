// SPDX-License-Identifier: GPL-2.0
/* tlsprobe validate: checks JSON-lines files against the event/transcript
 * schema, one clear error per bad line. For fixtures written in Go or Rust
 * and for adapters of third-party tracers: what it accepts, the comparator
 * reads as the writer meant it. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* getline */
#endif
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "record.h"
#include "validate.h"

/* A string field the loader lets adapters leave out, but a writer that
 * claims the schema must fill: "comm" (the comparator matches processes by
 * it) and "stack". */
static int check_filled(json_t *obj, const char *key, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		snprintf(err, errlen, "field \"%s\": missing", key);
	else if (!json_string_length(v))
		snprintf(err, errlen, "field \"%s\": empty", key);
	else
		return 0;
	return -1;
}

/* What record_parse_json lets pass but the schema requires. Runs on a line
 * the parser accepted, so the JSON is an object with well-typed fields. */
static int check_strict(const char *line, char *err, size_t errlen)
{
	json_t *obj = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
	int ret = -1;

	if (!obj) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* A line without "schema" is read as version 1 by the loader: a
	 * writer of this schema must say which version it writes. */
	if (!json_object_get(obj, "schema"))
		snprintf(err, errlen, "field \"schema\": missing (this tlsprobe writes %d)",
			 RECORD_SCHEMA);
	else if (!check_filled(obj, "comm", err, errlen) &&
		 !check_filled(obj, "stack", err, errlen))
		ret = 0;
	json_decref(obj);
	return ret;
}

int validate_line(const char *line, size_t len, char *err, size_t errlen)
{
	struct record rec;

	/* The parser reads a C string: a NUL would hide the rest of the line. */
	if (memchr(line, '\0', len)) {
		snprintf(err, errlen, "line contains a NUL byte");
		return -1;
	}
	if (record_parse_json(line, &rec, err, errlen))
		return -1;
	record_free(&rec);
	return check_strict(line, err, errlen);
}

static bool is_blank(const char *s, size_t len)
{
	return strspn(s, " \t\r\n") == len;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

int validate_stream(FILE *in, const char *name, FILE *out, struct validate_counts *counts)
{
	size_t lineno = 0, cap = 0;
	char *line = NULL, err[512];
	ssize_t len;
	int ret = 0;

	memset(counts, 0, sizeof(*counts));
	errno = 0;
	while ((len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (is_blank(line, len))
			continue;
		counts->records++;
		if (!validate_line(line, len, err, sizeof(err)))
			continue;
		if (++counts->errors <= VALIDATE_MAX_ERRORS)
			fprintf(out, "%s:%zu: %s\n", name, lineno, err);
	}
	if (ferror(in))
		ret = errno ? -errno : -EIO;
	free(line);
	if (ret)
		return ret;
	if (counts->errors > VALIDATE_MAX_ERRORS)
		fprintf(out, "%s: ... %zu more error%s\n", name, counts->errors - VALIDATE_MAX_ERRORS,
			plural(counts->errors - VALIDATE_MAX_ERRORS));
	fprintf(out, "%s: %zu record%s, %zu error%s\n", name, counts->records,
		plural(counts->records), counts->errors, plural(counts->errors));
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tlsprobe validate FILE...\n"
		"\n"
		"Checks that every line of each JSON-lines FILE is a valid event or transcript\n"
		"record (schema %d): for each bad line it prints FILE:LINE: and what is wrong,\n"
		"naming the field at fault (the first %d bad lines of a file, then how many\n"
		"more), then FILE: N records, M errors. Stricter than what conform reads from\n"
		"a tracer: each line must carry \"schema\", and a non-empty \"comm\" and\n"
		"\"stack\". Blank lines are skipped. FILE - is standard input.\n"
		"\n"
		"Exit status: 0 all valid, 1 a line is not, 2 a file cannot be read (or usage).\n"
		"\n"
		"  -h, --help  this text\n"
		"\n"
		"Example: tlsprobe validate out/client-1234.jsonl out/server-1233.jsonl\n",
		RECORD_SCHEMA, VALIDATE_MAX_ERRORS);
}

/* Validates one file: 0 valid, 1 not, 2 unreadable. */
static int validate_file(const char *path)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *in = is_stdin ? stdin : fopen(path, "r");
	struct validate_counts counts;
	int err;

	if (!in) {
		fprintf(stderr, "tlsprobe validate: %s: %s\n", path, strerror(errno));
		return 2;
	}
	err = validate_stream(in, path, stdout, &counts);
	if (!is_stdin)
		fclose(in);
	if (err) {
		fprintf(stderr, "tlsprobe validate: %s: %s\n", path, strerror(-err));
		return 2;
	}
	return counts.errors ? 1 : 0;
}

int cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "tlsprobe validate: name at least one file\n");
		usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		int file_status = validate_file(argv[i]);

		if (file_status > status)
			status = file_status;
	}
	return status;
}
