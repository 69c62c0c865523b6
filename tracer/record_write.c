// SPDX-License-Identifier: GPL-2.0
/* Writing the JSON-lines form of struct record, by hand: a data record can
 * carry megabytes of base64, and building a json_t for it would copy the
 * payload twice more. No dependency but libc and base64.c, so that the C
 * fixtures write their transcripts with this same code (record.c parses). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* strnlen */
#endif
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "record.h"

/* Every field but "data" fits here even if each byte needs a \u00XX escape:
 * 6 * (16 + 256 + 64 + 32 + 512 + 64 + 64) = 6048 characters of strings,
 * plus keys and numbers. */
#define HEAD_MAX 8192
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
	return type == RECORD_LOSS ? "loss" : type == RECORD_SKIP ? "skip" : "data";
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
	put_int_field(ob, "schema", RECORD_SCHEMA);
	put_u64_field(ob, "ts_ns", rec->ts_ns);
	put_int_field(ob, "pid", rec->pid);
	put_int_field(ob, "tid", rec->tid);
	put_int_field(ob, "nspid", rec->nspid);
	put_int_field(ob, "nstid", rec->nstid);
	put_str_field(ob, "comm", rec->comm, sizeof(rec->comm));
	put_str_field(ob, "stack", rec->stack, sizeof(rec->stack));
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
		if (rec->reason[0])
			put_str_field(&ob, "reason", rec->reason, sizeof(rec->reason));
		put_cstr(&ob, "}\n");
	} else if (rec->type == RECORD_SKIP) {
		put_str_field(&ob, "reason", rec->reason, sizeof(rec->reason));
		put_cstr(&ob, "}\n");
	} else {
		put_cstr(&ob, ",\"data\":\"");
	}
	if (ob.overflow)
		return -EOVERFLOW;

	errno = 0;
	err = write_all(out, head, ob.pos - head);
	if (err || rec->type != RECORD_DATA)
		return err;
	err = write_base64(out, rec->data, rec->len);
	if (err)
		return err;
	return write_all(out, "\"}\n", 3);
}


/* Lowercase hex of one hash, as a JSON string. */
static void put_hash(struct outbuf *ob, const uint8_t hash[RECORD_HASH_LEN])
{
	static const char digits[] = "0123456789abcdef";
	char hex[2 * RECORD_HASH_LEN + 2];

	hex[0] = '"';
	for (int i = 0; i < RECORD_HASH_LEN; i++) {
		hex[1 + 2 * i] = digits[hash[i] >> 4];
		hex[2 + 2 * i] = digits[hash[i] & 0xf];
	}
	hex[sizeof(hex) - 1] = '"';
	put_raw(ob, hex, sizeof(hex));
}

/* The chunk hashes, a bounded buffer at a time: a 64 MiB call has 4096. */
static int write_chunk_hashes(FILE *out, const struct record *rec)
{
	char buf[64 * (2 * RECORD_HASH_LEN + 3) + 8];
	int err;

	for (uint64_t i = 0; i < rec->nchunks;) {
		struct outbuf ob = { buf, buf + sizeof(buf), false };

		for (int n = 0; n < 64 && i < rec->nchunks; n++, i++) {
			if (i)
				put_raw(&ob, ",", 1);
			put_hash(&ob, rec->chunk_sha256[i]);
		}
		err = write_all(out, buf, ob.pos - buf);
		if (err)
			return err;
	}
	return 0;
}

int record_write_json_redacted(FILE *out, const struct record *rec)
{
	char head[HEAD_MAX];
	struct outbuf ob = { head, head + sizeof(head), false };
	int err;

	if (rec->type != RECORD_DATA)
		return record_write_json(out, rec);
	if (rec->chunk_sha256 && rec->nchunks != record_hash_chunks(rec->len))
		return -EINVAL;
	put_head(&ob, rec);
	put_key(&ob, "sha256");
	put_hash(&ob, rec->sha256);
	if (rec->chunk_sha256)
		put_cstr(&ob, ",\"chunk_sha256\":[");
	if (ob.overflow)
		return -EOVERFLOW;

	errno = 0;
	err = write_all(out, head, ob.pos - head);
	if (err)
		return err;
	if (rec->chunk_sha256) {
		err = write_chunk_hashes(out, rec);
		if (err)
			return err;
		return write_all(out, "]}\n", 3);
	}
	return write_all(out, "}\n", 2);
}
