// SPDX-License-Identifier: GPL-2.0
/* Parsing the JSON-lines form of struct record with jansson, which validates
 * everything we would otherwise have to check (record_write.c writes it). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* strnlen */
#endif
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base64.h"
#include "hex.h"
#include "record.h"

/* ts_ns and len are uint64_t; jansson holds integers as json_int_t, which
 * must reach at least the values CLOCK_MONOTONIC and real calls produce. */
_Static_assert(sizeof(json_int_t) == sizeof(long long), "jansson built without long long");

/* Every message about a field reads `field "KEY": reason`, so that
 * `tlsprobe validate` and the loader can name the field at fault. */
__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t errlen, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!errlen)
		return -1;
	n = key ? snprintf(err, errlen, "field \"%s\": ", key) : 0;
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Copies string field key into dst (size bytes, NUL included). Absent → "". */
static int get_string(json_t *obj, const char *key, char *dst, size_t size,
		      char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	size_t n;

	dst[0] = '\0';
	if (!v)
		return 0;
	if (!json_is_string(v))
		return fail(err, errlen, key, "not a string");
	n = json_string_length(v);
	/* Too long means the producer disagrees with the schema's limits:
	 * truncating silently could make two different values compare equal. */
	if (n >= size)
		return fail(err, errlen, key, "too long (%zu bytes, at most %zu)", n, size - 1);
	memcpy(dst, json_string_value(v), n + 1);
	return 0;
}

/* Reads integer field key into *dst, within [min, max]. Absent → *dst is
 * left alone and required decides whether that is an error. */
static int get_integer(json_t *obj, const char *key, bool required,
		       json_int_t min, json_int_t max, json_int_t *dst,
		       char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return required ? fail(err, errlen, key, "missing") : 0;
	if (!json_is_integer(v))
		return fail(err, errlen, key, "not an integer");
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return fail(err, errlen, key, "%lld is out of range (%lld to %lld)",
			    (long long)json_integer_value(v), (long long)min, (long long)max);
	*dst = json_integer_value(v);
	return 0;
}

static int get_u64(json_t *obj, const char *key, bool required, uint64_t *dst,
		   char *err, size_t errlen)
{
	json_int_t v = 0;

	if (get_integer(obj, key, required, 0, LLONG_MAX, &v, err, errlen))
		return -1;
	*dst = v;
	return 0;
}

static int get_int(json_t *obj, const char *key, bool required, int min, int *dst,
		   char *err, size_t errlen)
{
	json_int_t v = *dst;

	if (get_integer(obj, key, required, min, INT_MAX, &v, err, errlen))
		return -1;
	*dst = v;
	return 0;
}

static int get_enum(json_t *obj, const char *key, const char *zero, const char *one,
		    int *dst, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_string_value(v);

	if (!v)
		return fail(err, errlen, key, "missing");
	if (s && !strcmp(s, zero))
		*dst = 0;
	else if (s && !strcmp(s, one))
		*dst = 1;
	else
		return fail(err, errlen, key, "unknown value (not \"%s\" or \"%s\")", zero, one);
	return 0;
}

static int get_type(json_t *obj, int *type, char *err, size_t errlen)
{
	const char *s = json_string_value(json_object_get(obj, "type"));

	if (!json_object_get(obj, "type"))
		return fail(err, errlen, "type", "missing");
	if (s && !strcmp(s, "skip")) {
		*type = RECORD_SKIP;
		return 0;
	}
	return get_enum(obj, "type", "data", "loss", type, err, errlen);
}

/* A tid of -1 is an unknown thread: a fixture whose runtime moves a
 * connection between threads (Go, tokio) cannot say which one made a call. */
static int get_ids(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	if (get_int(obj, "pid", true, 0, &rec->pid, err, errlen) ||
	    get_int(obj, "tid", true, -1, &rec->tid, err, errlen))
		return -1;
	/* A tracer that does not know namespaces reports host ids only. */
	rec->nspid = rec->pid;
	rec->nstid = rec->tid;
	rec->fd = -1;
	return get_int(obj, "nspid", false, 0, &rec->nspid, err, errlen) ||
	       get_int(obj, "nstid", false, -1, &rec->nstid, err, errlen) ||
	       get_int(obj, "fd", false, -1, &rec->fd, err, errlen) ? -1 : 0;
}

static int get_strings(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	return get_string(obj, "comm", rec->comm, sizeof(rec->comm), err, errlen) ||
	       get_string(obj, "stack", rec->stack, sizeof(rec->stack), err, errlen) ||
	       get_string(obj, "lib", rec->lib, sizeof(rec->lib), err, errlen) ||
	       get_string(obj, "lib_version", rec->lib_version,
			  sizeof(rec->lib_version), err, errlen) ||
	       get_string(obj, "func", rec->func, sizeof(rec->func), err, errlen) ||
	       get_string(obj, "laddr", rec->laddr, sizeof(rec->laddr), err, errlen) ||
	       get_string(obj, "raddr", rec->raddr, sizeof(rec->raddr), err, errlen) ? -1 : 0;
}

/* 64 hex digits into out; 0, or -1 when s is not that. */
static int parse_hash(json_t *v, uint8_t out[RECORD_HASH_LEN])
{
	const char *s = json_string_value(v);

	if (!s || json_string_length(v) != 2 * RECORD_HASH_LEN)
		return -1;
	for (int i = 0; i < RECORD_HASH_LEN; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* "chunk_sha256" (optional): one hash per RECORD_HASH_CHUNK bytes of len. */
static int get_chunk_hashes(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, "chunk_sha256");
	uint64_t want = record_hash_chunks(rec->len);

	if (!v)
		return 0;
	if (!json_is_array(v))
		return fail(err, errlen, "chunk_sha256", "not an array");
	if (json_array_size(v) != want)
		return fail(err, errlen, "chunk_sha256", "%zu hashes, but \"len\" %" PRIu64
			    " makes %" PRIu64 " chunks of %d bytes", json_array_size(v), rec->len,
			    want, RECORD_HASH_CHUNK);
	rec->chunk_sha256 = malloc((want ? want : 1) * sizeof(*rec->chunk_sha256));
	if (!rec->chunk_sha256)
		return fail(err, errlen, "chunk_sha256", "out of memory");
	rec->nchunks = want;
	for (size_t i = 0; i < want; i++)
		if (parse_hash(json_array_get(v, i), rec->chunk_sha256[i]))
			return fail(err, errlen, "chunk_sha256", "entry %zu is not 64 hex digits", i);
	return 0;
}

/* A redacted data record: the hashes of its bytes instead of "data". */
static int get_hashes(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	if (json_object_get(obj, "data"))
		return fail(err, errlen, "sha256", "a record carries \"data\" or its hash, not both");
	if (parse_hash(json_object_get(obj, "sha256"), rec->sha256))
		return fail(err, errlen, "sha256", "not 64 hex digits");
	rec->redacted = 1;
	return get_chunk_hashes(obj, rec, err, errlen);
}

static int get_data(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, "data");
	size_t enclen;
	long declen;

	if (json_object_get(obj, "sha256"))
		return get_hashes(obj, rec, err, errlen);
	if (json_object_get(obj, "chunk_sha256"))
		return fail(err, errlen, "chunk_sha256", "without \"sha256\"");
	if (!v)
		return fail(err, errlen, "data", "missing (nor \"sha256\", redacted)");
	if (!json_is_string(v))
		return fail(err, errlen, "data", "not a string");
	enclen = json_string_length(v);
	/* +1: malloc(0) may return NULL, and NULL means "no payload". */
	rec->data = malloc(enclen / 4 * 3 + 1);
	if (!rec->data)
		return fail(err, errlen, "data", "out of memory");
	declen = base64_decode(json_string_value(v), enclen, rec->data);
	if (declen < 0)
		return fail(err, errlen, "data", "not valid base64");
	if ((uint64_t)declen != rec->len)
		return fail(err, errlen, "data", "decodes to %ld bytes but \"len\" is %" PRIu64,
			    declen, rec->len);
	return 0;
}

static int get_loss(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	if (get_u64(obj, "offset", false, &rec->offset, err, errlen) ||
	    get_u64(obj, "lost", true, &rec->lost, err, errlen) ||
	    get_u64(obj, "calls", false, &rec->calls, err, errlen))
		return -1;
	/* offset bytes were delivered and lost were not: together at most the
	 * call's length. Anything else is a tracer bug worth hearing about. */
	if (rec->offset > rec->len || rec->lost > rec->len - rec->offset)
		return fail(err, errlen, "lost", "offset + lost exceeds \"len\" (%" PRIu64
			    " + %" PRIu64 " > %" PRIu64 ")", rec->offset, rec->lost, rec->len);
	return 0;
}

/* Lines without "schema" are read as the first version (third-party
 * adapters); a newer version than this build knows is refused, not guessed. */
static int get_schema(json_t *obj, char *err, size_t errlen)
{
	int schema = 1;

	if (get_int(obj, "schema", false, 1, &schema, err, errlen))
		return -1;
	if (schema > RECORD_SCHEMA)
		return fail(err, errlen, "schema", "%d is newer than this tlsprobe reads (%d)",
			    schema, RECORD_SCHEMA);
	return 0;
}

static int parse_object(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	int type = 0, dir = 0;

	if (!json_is_object(obj))
		return fail(err, errlen, NULL, "line is not a JSON object");
	if (get_type(obj, &type, err, errlen) ||
	    get_enum(obj, "dir", "out", "in", &dir, err, errlen) ||
	    get_schema(obj, err, errlen) ||
	    get_u64(obj, "ts_ns", true, &rec->ts_ns, err, errlen) ||
	    get_ids(obj, rec, err, errlen) ||
	    get_strings(obj, rec, err, errlen) ||
	    get_u64(obj, "len", true, &rec->len, err, errlen))
		return -1;
	rec->type = type;
	rec->dir = dir;
	if (get_string(obj, "reason", rec->reason, sizeof(rec->reason), err, errlen))
		return -1;
	if (rec->type == RECORD_SKIP)
		return 0;
	return rec->type == RECORD_DATA ? get_data(obj, rec, err, errlen)
					: get_loss(obj, rec, err, errlen);
}

int record_parse_json(const char *line, struct record *rec, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *obj;
	int ret;

	memset(rec, 0, sizeof(*rec));
	obj = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		if (errlen)
			snprintf(err, errlen, "bad JSON at column %d: %s", jerr.column, jerr.text);
		return -1;
	}
	ret = parse_object(obj, rec, err, errlen);
	json_decref(obj);
	if (ret)
		record_free(rec);
	return ret;
}

void record_free(struct record *rec)
{
	free(rec->data);
	rec->data = NULL;
	free(rec->chunk_sha256);
	rec->chunk_sha256 = NULL;
	rec->nchunks = 0;
}
