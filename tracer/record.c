// SPDX-License-Identifier: GPL-2.0
/* JSON-lines form of struct record.
 *
 * Writing is done by hand: a data record can carry megabytes of base64, and
 * building a json_t for it would copy the payload twice more. Parsing uses
 * jansson, which validates everything we would otherwise have to check. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* strnlen */
#endif
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base64.h"
#include "record.h"

/* Every field but "data" fits here even if each byte needs a \u00XX escape:
 * 6 * (16 + 256 + 64 + 32 + 64 + 64) = 2976 characters of strings, plus keys
 * and numbers. */
#define HEAD_MAX 4096
/* Payload bytes encoded per fwrite; a multiple of 3 so chunks need no padding. */
#define DATA_CHUNK (3 * 4096)

struct outbuf {
	char *pos, *end;
	bool overflow;
};

static void put_raw(struct outbuf *ob, const char *s, size_t n)
{
	if ((size_t)(ob->end - ob->pos) < n) {
		ob->overflow = true;
		return;
	}
	memcpy(ob->pos, s, n);
	ob->pos += n;
}

static void put_cstr(struct outbuf *ob, const char *s)
{
	put_raw(ob, s, strlen(s));
}

/* Length of the well-formed UTF-8 sequence at s (n bytes available), or 0.
 * Same rules as jansson's reader: no overlong forms, no surrogates, nothing
 * above U+10FFFF; so whatever we write, record_parse_json reads back. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* A JSON string from at most max bytes of s. comm and friends come from the
 * kernel or a target process and need not be UTF-8: a byte that is not part
 * of a well-formed sequence is written as \u00XX (its Latin-1 reading), so the
 * line stays valid JSON whatever the input. */
static void put_json_string(struct outbuf *ob, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, max);
	char esc[8];

	put_raw(ob, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t seq, run = i;

		/* Most strings are plain ASCII: copy a run of those at once. */
		while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			put_raw(ob, s + i, run - i);
			i = run;
			continue;
		}
		seq = utf8_seq_len(p + i, n - i);

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = c;
			put_raw(ob, esc, 2);
		} else if (c == '\n') {
			put_raw(ob, "\\n", 2);
		} else if (c == '\t') {
			put_raw(ob, "\\t", 2);
		} else if (c == '\r') {
			put_raw(ob, "\\r", 2);
		} else if (c < 0x20 || seq == 0) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put_raw(ob, esc, 6);
			seq = 1;	/* an invalid sequence: escape its first byte only */
		} else {
			put_raw(ob, s + i, seq);
		}
		i += seq;
	}
	put_raw(ob, "\"", 1);
}

/* ,"key": — the keys are ours, no escaping needed. */
static void put_key(struct outbuf *ob, const char *key)
{
	put_raw(ob, ",\"", 2);
	put_cstr(ob, key);
	put_raw(ob, "\":", 2);
}

/* Decimal, without printf (the consumer writes a million records a second). */
static void put_u64(struct outbuf *ob, uint64_t v)
{
	char digits[20];
	int n = 0;

	do {
		digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_raw(ob, digits + sizeof(digits) - n, (size_t)n);
}

static void put_u64_field(struct outbuf *ob, const char *key, uint64_t v)
{
	put_key(ob, key);
	put_u64(ob, v);
}

static void put_int_field(struct outbuf *ob, const char *key, int v)
{
	put_key(ob, key);
	if (v < 0)
		put_raw(ob, "-", 1);
	put_u64(ob, v < 0 ? -(uint64_t)(int64_t)v : (uint64_t)v);
}

static void put_str_field(struct outbuf *ob, const char *key, const char *s, size_t max)
{
	put_key(ob, key);
	put_json_string(ob, s, max);
}

static const char *record_type_name(enum record_type type)
{
	return type == RECORD_LOSS ? "loss" : "data";
}

const char *record_dir_name(enum record_dir dir)
{
	return dir == DIR_IN ? "in" : "out";
}

/* Everything up to and including the "len" field, without the closing brace. */
static void put_head(struct outbuf *ob, const struct record *rec)
{
	put_cstr(ob, "{\"type\":\"");
	put_cstr(ob, record_type_name(rec->type));
	put_cstr(ob, "\"");
	put_u64_field(ob, "ts_ns", rec->ts_ns);
	put_int_field(ob, "pid", rec->pid);
	put_int_field(ob, "tid", rec->tid);
	put_int_field(ob, "nspid", rec->nspid);
	put_int_field(ob, "nstid", rec->nstid);
	put_str_field(ob, "comm", rec->comm, sizeof(rec->comm));
	put_str_field(ob, "lib", rec->lib, sizeof(rec->lib));
	put_str_field(ob, "lib_version", rec->lib_version, sizeof(rec->lib_version));
	put_str_field(ob, "func", rec->func, sizeof(rec->func));
	put_str_field(ob, "dir", record_dir_name(rec->dir), 4);
	put_int_field(ob, "fd", rec->fd);
	put_str_field(ob, "laddr", rec->laddr, sizeof(rec->laddr));
	put_str_field(ob, "raddr", rec->raddr, sizeof(rec->raddr));
	put_u64_field(ob, "len", rec->len);
}

static int write_all(FILE *out, const char *buf, size_t n)
{
	if (fwrite(buf, 1, n, out) != n)
		return errno ? -errno : -EIO;
	return 0;
}

/* Streams the payload's base64 in chunks: no allocation, whatever len is. */
static int write_base64(FILE *out, const uint8_t *data, uint64_t len)
{
	char enc[DATA_CHUNK / 3 * 4 + 1];
	int err;

	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < DATA_CHUNK ? len - done : DATA_CHUNK;

		base64_encode(data + done, n, enc);
		err = write_all(out, enc, base64_encoded_len(n));
		if (err)
			return err;
		done += n;
	}
	return 0;
}

int record_write_json(FILE *out, const struct record *rec)
{
	char head[HEAD_MAX];
	struct outbuf ob = { head, head + sizeof(head), false };
	int err;

	if (rec->type == RECORD_DATA && rec->len && !rec->data)
		return -EINVAL;
	put_head(&ob, rec);
	if (rec->type == RECORD_LOSS) {
		put_u64_field(&ob, "offset", rec->offset);
		put_u64_field(&ob, "lost", rec->lost);
		if (rec->calls > 1)
			put_u64_field(&ob, "calls", rec->calls);
		put_cstr(&ob, "}\n");
	} else {
		put_cstr(&ob, ",\"data\":\"");
	}
	if (ob.overflow)
		return -EOVERFLOW;

	errno = 0;
	err = write_all(out, head, ob.pos - head);
	if (err || rec->type == RECORD_LOSS)
		return err;
	err = write_base64(out, rec->data, rec->len);
	if (err)
		return err;
	return write_all(out, "\"}\n", 3);
}

/* ---- parsing ---- */

/* ts_ns and len are uint64_t; jansson holds integers as json_int_t, which
 * must reach at least the values CLOCK_MONOTONIC and real calls produce. */
_Static_assert(sizeof(json_int_t) == sizeof(long long), "jansson built without long long");

static int fail(char *err, size_t errlen, const char *fmt, const char *what)
{
	if (errlen)
		snprintf(err, errlen, fmt, what);
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
		return fail(err, errlen, "field \"%s\" is not a string", key);
	n = json_string_length(v);
	/* Too long means the producer disagrees with the schema's limits:
	 * truncating silently could make two different values compare equal. */
	if (n >= size)
		return fail(err, errlen, "field \"%s\" is too long", key);
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
		return required ? fail(err, errlen, "missing field \"%s\"", key) : 0;
	if (!json_is_integer(v))
		return fail(err, errlen, "field \"%s\" is not an integer", key);
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return fail(err, errlen, "field \"%s\" is out of range", key);
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
		return fail(err, errlen, "missing field \"%s\"", key);
	if (s && !strcmp(s, zero))
		*dst = 0;
	else if (s && !strcmp(s, one))
		*dst = 1;
	else
		return fail(err, errlen, "field \"%s\" has an unknown value", key);
	return 0;
}

static int get_ids(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	if (get_int(obj, "pid", true, 0, &rec->pid, err, errlen) ||
	    get_int(obj, "tid", true, 0, &rec->tid, err, errlen))
		return -1;
	/* A tracer that does not know namespaces reports host ids only. */
	rec->nspid = rec->pid;
	rec->nstid = rec->tid;
	rec->fd = -1;
	return get_int(obj, "nspid", false, 0, &rec->nspid, err, errlen) ||
	       get_int(obj, "nstid", false, 0, &rec->nstid, err, errlen) ||
	       get_int(obj, "fd", false, -1, &rec->fd, err, errlen) ? -1 : 0;
}

static int get_strings(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	return get_string(obj, "comm", rec->comm, sizeof(rec->comm), err, errlen) ||
	       get_string(obj, "lib", rec->lib, sizeof(rec->lib), err, errlen) ||
	       get_string(obj, "lib_version", rec->lib_version,
			  sizeof(rec->lib_version), err, errlen) ||
	       get_string(obj, "func", rec->func, sizeof(rec->func), err, errlen) ||
	       get_string(obj, "laddr", rec->laddr, sizeof(rec->laddr), err, errlen) ||
	       get_string(obj, "raddr", rec->raddr, sizeof(rec->raddr), err, errlen) ? -1 : 0;
}

static int get_data(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, "data");
	size_t enclen;
	long declen;

	if (!v)
		return fail(err, errlen, "missing field \"%s\"", "data");
	if (!json_is_string(v))
		return fail(err, errlen, "field \"%s\" is not a string", "data");
	enclen = json_string_length(v);
	/* +1: malloc(0) may return NULL, and NULL means "no payload". */
	rec->data = malloc(enclen / 4 * 3 + 1);
	if (!rec->data)
		return fail(err, errlen, "out of memory for \"%s\"", "data");
	declen = base64_decode(json_string_value(v), enclen, rec->data);
	if (declen < 0)
		return fail(err, errlen, "field \"%s\" is not valid base64", "data");
	if ((uint64_t)declen != rec->len) {
		if (errlen)
			snprintf(err, errlen, "\"data\" decodes to %ld bytes but \"len\" is %" PRIu64,
				 declen, rec->len);
		return -1;
	}
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
		return fail(err, errlen, "loss record: offset + lost exceeds %s", "len");
	return 0;
}

static int parse_object(json_t *obj, struct record *rec, char *err, size_t errlen)
{
	int type = 0, dir = 0;

	if (!json_is_object(obj))
		return fail(err, errlen, "%s", "line is not a JSON object");
	if (get_enum(obj, "type", "data", "loss", &type, err, errlen) ||
	    get_enum(obj, "dir", "out", "in", &dir, err, errlen) ||
	    get_u64(obj, "ts_ns", true, &rec->ts_ns, err, errlen) ||
	    get_ids(obj, rec, err, errlen) ||
	    get_strings(obj, rec, err, errlen) ||
	    get_u64(obj, "len", true, &rec->len, err, errlen))
		return -1;
	rec->type = type;
	rec->dir = dir;
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
}
