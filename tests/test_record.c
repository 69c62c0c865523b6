// SPDX-License-Identifier: GPL-2.0
/* Unit tests: base64 codec and the JSON-lines form of struct record. */
#define _POSIX_C_SOURCE 200809L	/* open_memstream */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base64.h"
#include "record.h"
#include "redact.h"
#include "validate.h"
#include "assert.h"

/* ---- base64 ---- */

static void roundtrip_base64(const uint8_t *src, size_t n)
{
	char *enc = malloc(base64_encoded_len(n) + 1);
	uint8_t *dec = malloc(n + 3);

	base64_encode(src, n, enc);
	assert_int_equal(strlen(enc), base64_encoded_len(n));
	assert_int_equal(base64_decode(enc, strlen(enc), dec), n);
	assert_memory_equal(dec, src, n);
	free(enc);
	free(dec);
}

static void test_base64_rfc4648_vectors(void **state)
{
	/* RFC 4648 section 10: lengths 0..6, every padding case. */
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char enc[16];
	uint8_t dec[16];

	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		size_t n = strlen(plain[i]);

		base64_encode((const uint8_t *)plain[i], n, enc);
		assert_string_equal(enc, coded[i]);
		assert_int_equal(base64_decode(coded[i], strlen(coded[i]), dec), n);
		assert_memory_equal(dec, plain[i], n);
	}
}

static void test_base64_all_byte_values(void **state)
{
	uint8_t all[256];

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = i;
	/* Every length 0..5 at every alignment of the byte values, then all. */
	for (size_t n = 0; n <= 5; n++)
		for (size_t start = 0; start + n <= sizeof(all); start++)
			roundtrip_base64(all + start, n);
	roundtrip_base64(all, sizeof(all));
}

static void test_base64_malformed(void **state)
{
	static const char *const bad[] = {
		"A", "AB", "ABC",          /* not a multiple of 4 */
		"AB=C",                    /* padding before data */
		"A===", "====",            /* too much padding */
		"Zg==Zg==",                /* padding in the middle */
		"Zm9v!A==", "Zm 9",        /* characters outside the alphabet */
		"Zm9-", "Zm9_",            /* base64url is not base64 */
	};
	uint8_t dec[16];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long got = base64_decode(bad[i], strlen(bad[i]), dec);

		if (got != -1)
			print_error("input \"%s\"\n", bad[i]);
		assert_int_equal(got, -1);
	}
}

/* ---- JSON ---- */

/* Writes rec to a string (caller frees). */
static char *to_json(const struct record *rec)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(record_write_json(f, rec), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_records_equal(const struct record *want, const struct record *got)
{
	assert_int_equal(got->type, want->type);
	assert_int_equal(got->ts_ns, want->ts_ns);
	assert_int_equal(got->pid, want->pid);
	assert_int_equal(got->tid, want->tid);
	assert_int_equal(got->nspid, want->nspid);
	assert_int_equal(got->nstid, want->nstid);
	assert_string_equal(got->comm, want->comm);
	assert_string_equal(got->stack, want->stack);
	assert_string_equal(got->lib, want->lib);
	assert_string_equal(got->lib_version, want->lib_version);
	assert_string_equal(got->func, want->func);
	assert_int_equal(got->dir, want->dir);
	assert_int_equal(got->fd, want->fd);
	assert_string_equal(got->laddr, want->laddr);
	assert_string_equal(got->raddr, want->raddr);
	assert_int_equal(got->len, want->len);
	if (want->type == RECORD_LOSS) {
		assert_int_equal(got->offset, want->offset);
		assert_int_equal(got->lost, want->lost);
	} else if (want->redacted) {
		assert_true(got->redacted);
		assert_null(got->data);
		assert_memory_equal(got->sha256, want->sha256, RECORD_HASH_LEN);
		assert_int_equal(got->nchunks, want->nchunks);
		if (want->nchunks)
			assert_memory_equal(got->chunk_sha256, want->chunk_sha256,
					    want->nchunks * RECORD_HASH_LEN);
	} else {
		assert_false(got->redacted);
		assert_memory_equal(got->data, want->data, want->len);
	}
}

static struct record sample(enum record_type type)
{
	struct record rec = {
		.type = type, .ts_ns = 18446744073709551ULL, .pid = 4242, .tid = 4243,
		.nspid = 7, .nstid = 8, .comm = "curl", .stack = "openssl", .lib = "/usr/lib/libssl.so.3",
		.lib_version = "OpenSSL 3.0.19", .func = "SSL_write", .dir = DIR_OUT, .fd = 5,
		.laddr = "127.0.0.1:50000", .raddr = "[::1]:4433",
	};

	return rec;
}

static void roundtrip(const struct record *rec)
{
	char *line = to_json(rec), err[256] = "";
	struct record got;
	int ret;

	/* One line, newline-terminated, nothing after it. */
	assert_non_null(strchr(line, '\n'));
	assert_int_equal(strchr(line, '\n') - line, strlen(line) - 1);
	ret = record_parse_json(line, &got, err, sizeof(err));
	if (ret)
		print_error("line %s error %s\n", line, err);
	assert_int_equal(ret, 0);
	assert_records_equal(rec, &got);
	record_free(&got);
	free(line);
}

/* ---- redacted records (trace --redact) ---- */

static char *to_json_redacted(const struct record *rec)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(record_write_json_redacted(f, rec), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Writes rec redacted, reads it back, and checks that no byte of payload
 * (nor its base64) is in the line. Returns the line. */
static char *roundtrip_redacted(struct record *rec, const uint8_t *payload)
{
	struct record got;
	char *line, err[256] = "";

	assert_int_equal(redact_record(rec, payload), 0);
	line = to_json_redacted(rec);
	assert_null(strstr(line, "\"data\":"));
	assert_int_equal(record_parse_json(line, &got, err, sizeof(err)), 0);
	assert_records_equal(rec, &got);
	assert_int_equal(validate_line(line, strlen(line), err, sizeof(err)), 0);
	record_free(&got);
	return line;
}

/* SHA-256("hello") is FIPS 180's best-known test value. */
static void test_json_redacted(void **state)
{
	struct record rec = sample(RECORD_DATA);
	char *line;

	(void)state;
	rec.len = 5;
	line = roundtrip_redacted(&rec, (const uint8_t *)"hello");
	assert_contains(line, ",\"len\":5,\"sha256\":"
			"\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"}\n");
	assert_null(strstr(line, "hello"));
	assert_null(strstr(line, "aGVsbG8"));  /* base64 of "hello" */
	assert_null(strstr(line, "chunk_sha256"));
	free(line);
	redact_release(&rec);
}

/* A call over 16 KiB: a hash per 16 KiB chunk too, the last one shorter;
 * each the hash of its own bytes. */
static void test_json_redacted_chunks(void **state)
{
	struct record rec = sample(RECORD_DATA);
	uint64_t len = 2 * RECORD_HASH_CHUNK + 100;
	uint8_t *payload = malloc(len), third[RECORD_HASH_LEN];
	char *line;

	(void)state;
	for (uint64_t i = 0; i < len; i++)
		payload[i] = (uint8_t)(i * 13 + (i / RECORD_HASH_CHUNK) * 7 + 1); /* chunks differ */
	rec.len = len;
	line = roundtrip_redacted(&rec, payload);
	assert_int_equal(rec.nchunks, 3);
	assert_int_equal(redact_sha256(payload + 2 * RECORD_HASH_CHUNK, 100, third), 0);
	assert_memory_equal(rec.chunk_sha256[2], third, RECORD_HASH_LEN);
	assert_memory_not_equal(rec.chunk_sha256[0], rec.chunk_sha256[1], RECORD_HASH_LEN);
	assert_contains(line, ",\"chunk_sha256\":[\"");
	free(line);
	redact_release(&rec);
	free(payload);
}

static void test_json_data_binary(void **state)
{
	struct record rec = sample(RECORD_DATA);
	uint8_t all[256];

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = 255 - i;
	rec.data = all;
	for (rec.len = 0; rec.len <= sizeof(all); rec.len += rec.len < 6 ? 1 : 125)
		roundtrip(&rec);
}

static void test_json_loss(void **state)
{
	struct record rec = sample(RECORD_LOSS);
	char *line;

	(void)state;
	rec.dir = DIR_IN;
	snprintf(rec.func, sizeof(rec.func), "SSL_read_ex");
	rec.len = 70000;
	rec.offset = 16384;
	rec.lost = 70000 - 16384;
	roundtrip(&rec);
	line = to_json(&rec);
	assert_null(strstr(line, "\"data\""));
	assert_contains(line, ",\"len\":70000,\"offset\":16384,\"lost\":53616}\n");
	free(line);
}

static void test_json_escaping(void **state)
{
	struct record rec = sample(RECORD_DATA);
	uint8_t data[] = "x";

	(void)state;
	rec.data = data;
	rec.len = 1;
	snprintf(rec.comm, sizeof(rec.comm), "a\"b\\c\n\t\x01\x1f");
	snprintf(rec.lib, sizeof(rec.lib), "/opt/caf\xc3\xa9/\xe2\x82\xac/\xf0\x9f\x94\x92/libssl.so");
	snprintf(rec.func, sizeof(rec.func), "</script>\r");
	roundtrip(&rec);
}

/* A comm is whatever bytes a process set, not necessarily UTF-8; the line
 * must still be JSON. Such bytes read back as their Latin-1 characters. */
static void test_json_invalid_utf8(void **state)
{
	struct record rec = sample(RECORD_LOSS), got;
	char *line, err[256] = "";

	(void)state;
	snprintf(rec.comm, sizeof(rec.comm), "a\xff" "b\xc3");
	line = to_json(&rec);
	assert_int_equal(record_parse_json(line, &got, err, sizeof(err)), 0);
	assert_string_equal(got.comm, "a\xc3\xbf" "b\xc3\x83");
	free(line);
}

/* A comm filling all 16 bytes has no NUL; the writer must stop at 16. */
static void test_json_unterminated_comm(void **state)
{
	struct record rec = sample(RECORD_LOSS);
	char *line;

	(void)state;
	memcpy(rec.comm, "0123456789abcdef", 16);
	line = to_json(&rec);
	assert_contains(line, "\"comm\":\"0123456789abcdef\",\"stack\"");
	free(line);
}

static void test_json_field_order(void **state)
{
	/* Keys as they appear: after '{' or ',' and before ':'. */
	static const char *const keys[] = {
		"{\"type\":", ",\"schema\":", ",\"ts_ns\":", ",\"pid\":", ",\"tid\":", ",\"nspid\":",
		",\"nstid\":", ",\"comm\":", ",\"stack\":", ",\"lib\":", ",\"lib_version\":", ",\"func\":",
		",\"dir\":", ",\"fd\":", ",\"laddr\":", ",\"raddr\":", ",\"len\":", ",\"data\":",
	};
	struct record rec = sample(RECORD_DATA);
	uint8_t data[] = "hi";
	char *line, *prev;

	(void)state;
	rec.data = data;
	rec.len = 2;
	line = to_json(&rec);
	assert_string_equal(line,
		"{\"type\":\"data\",\"schema\":2,\"ts_ns\":18446744073709551,\"pid\":4242,\"tid\":4243,"
		"\"nspid\":7,\"nstid\":8,\"comm\":\"curl\",\"stack\":\"openssl\","
		"\"lib\":\"/usr/lib/libssl.so.3\","
		"\"lib_version\":\"OpenSSL 3.0.19\",\"func\":\"SSL_write\",\"dir\":\"out\","
		"\"fd\":5,\"laddr\":\"127.0.0.1:50000\",\"raddr\":\"[::1]:4433\",\"len\":2,"
		"\"data\":\"aGk=\"}\n");
	prev = line;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *at = strstr(line, keys[i]);

		if (!at || at < prev)
			print_error("key %s missing or out of order\n", keys[i]);
		assert_non_null(at);
		assert_true(at >= prev);
		prev = at;
	}
	free(line);
}

static void test_json_one_mib(void **state)
{
	struct record rec = sample(RECORD_DATA);
	size_t n = 1 << 20;

	(void)state;
	rec.data = malloc(n);
	for (size_t i = 0; i < n; i++)
		rec.data[i] = i * 2654435761u >> 24;
	rec.len = n;
	roundtrip(&rec);
	free(rec.data);
}

static void test_json_defaults(void **state)
{
	struct record got;
	char err[256] = "";

	(void)state;
	assert_int_equal(record_parse_json("{\"type\":\"data\",\"ts_ns\":1,\"pid\":10,\"tid\":11,"
					   "\"dir\":\"in\",\"len\":0,\"data\":\"\",\"extra\":[1]}",
					   &got, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(got.fd, -1);
	assert_int_equal(got.nspid, 10);
	assert_int_equal(got.nstid, 11);
	assert_int_equal(got.dir, DIR_IN);
	assert_string_equal(got.comm, "");
	assert_string_equal(got.laddr, "");
	record_free(&got);
}

/* -1 is an unknown thread (a runtime that moves connections between
 * threads); anything below is still an error. */
static void test_json_unknown_thread(void **state)
{
	struct record got;
	char err[256] = "";

	(void)state;
	assert_int_equal(record_parse_json("{\"type\":\"data\",\"ts_ns\":1,\"pid\":10,\"tid\":-1,"
					   "\"dir\":\"in\",\"len\":0,\"data\":\"\"}",
					   &got, err, sizeof(err)), 0);
	assert_int_equal(got.tid, -1);
	assert_int_equal(got.nstid, -1);	/* nstid defaults to tid */
	record_free(&got);
	assert_int_equal(record_parse_json("{\"type\":\"data\",\"ts_ns\":1,\"pid\":10,\"tid\":11,"
					   "\"nspid\":3,\"nstid\":-1,\"dir\":\"in\",\"len\":0,\"data\":\"\"}",
					   &got, err, sizeof(err)), 0);
	assert_int_equal(got.tid, 11);
	assert_int_equal(got.nstid, -1);
	record_free(&got);
}

static void expect_parse_error(const char *line, const char *why)
{
	struct record got;
	char err[256] = "";

	assert_int_equal(record_parse_json(line, &got, err, sizeof(err)), -1);
	assert_contains(err, why);
	assert_null(got.data);
}

/* 64 hex digits: a well-formed hash of nothing in particular. */
#define H64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define HEAD "{\"type\":\"data\",\"ts_ns\":1,\"pid\":10,\"tid\":11,\"dir\":\"out\","

static void test_json_errors(void **state)
{
	char line[256], why[128];

	(void)state;
	expect_parse_error(HEAD "\"len\":3,\"data\":\"Zm9v!\"}", "field \"data\": not valid base64");
	expect_parse_error(HEAD "\"len\":3,\"data\":\"Zm=v\"}", "field \"data\": not valid base64");
	expect_parse_error(HEAD "\"len\":4,\"data\":\"Zm9v\"}", "field \"data\": decodes to 3 bytes but \"len\" is 4");
	expect_parse_error(HEAD "\"len\":2,\"data\":\"Zm9v\"}", "decodes to 3 bytes");
	expect_parse_error(HEAD "\"len\":3}", "field \"data\": missing");
	expect_parse_error(HEAD "\"len\":3,\"data\":7}", "field \"data\": not a string");
	expect_parse_error(HEAD "\"len\":3,\"data\":\"Zm9v\",\"sha256\":\"" H64 "\"}",
			   "field \"sha256\": a record carries \"data\" or its hash, not both");
	expect_parse_error(HEAD "\"len\":3,\"sha256\":\"" H64 "0\"}",
			   "field \"sha256\": not 64 hex digits");
	expect_parse_error(HEAD "\"len\":3,\"sha256\":\"g" H64 "\"}" /* 65 */,
			   "field \"sha256\": not 64 hex digits");
	expect_parse_error(HEAD "\"len\":3,\"sha256\":"
			   "\"g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"}",
			   "field \"sha256\": not 64 hex digits");
	expect_parse_error(HEAD "\"len\":3,\"sha256\":7}", "field \"sha256\": not 64 hex digits");
	expect_parse_error(HEAD "\"len\":16385,\"sha256\":\"" H64 "\",\"chunk_sha256\":[\"" H64
			   "\"]}", "field \"chunk_sha256\": 1 hashes, but \"len\" 16385 makes 2 chunks");
	expect_parse_error(HEAD "\"len\":3,\"sha256\":\"" H64 "\",\"chunk_sha256\":[\"zz\"]}",
			   "field \"chunk_sha256\": entry 0 is not 64 hex digits");
	expect_parse_error(HEAD "\"len\":3,\"chunk_sha256\":[]}",
			   "field \"chunk_sha256\": without \"sha256\"");
	expect_parse_error(HEAD "\"data\":\"Zm9v\"}", "field \"len\": missing");
	expect_parse_error(HEAD "\"len\":-1,\"data\":\"\"}", "field \"len\": -1 is out of range");
	expect_parse_error(HEAD "\"len\":1.5,\"data\":\"\"}", "field \"len\": not an integer");
	expect_parse_error(HEAD "\"len\":0,\"data\":\"\",\"comm\":\"0123456789abcdef\"}",
			   "field \"comm\": too long (16 bytes, at most 15)");
	expect_parse_error(HEAD "\"len\":0,\"data\":\"\",\"fd\":-2}", "field \"fd\": -2 is out of range (-1 to ");
	expect_parse_error("{\"type\":\"chunk\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"dir\":\"out\",\"len\":0}",
			   "field \"type\": unknown value (not \"data\" or \"loss\")");
	expect_parse_error("{\"type\":\"data\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"dir\":\"up\",\"len\":0}",
			   "field \"dir\": unknown value");
	expect_parse_error("{\"type\":\"loss\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"dir\":\"in\",\"len\":10}",
			   "field \"lost\": missing");
	expect_parse_error("{\"type\":\"loss\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"dir\":\"in\","
			   "\"len\":10,\"offset\":4,\"lost\":7}", "field \"lost\": offset + lost exceeds \"len\" (4 + 7 > 10)");
	expect_parse_error("{\"type\":\"data\",\"ts_ns\":1,\"pid\":1,\"tid\":-2,\"dir\":\"in\",\"len\":0}",
			   "field \"tid\": -2 is out of range (-1 to ");
	expect_parse_error(HEAD "\"nstid\":-2,\"len\":0,\"data\":\"\"}",
			   "field \"nstid\": -2 is out of range (-1 to ");
	expect_parse_error("{\"type\":\"data\",\"ts_ns\":1,\"pid\":-1,\"tid\":1,\"dir\":\"in\",\"len\":0}",
			   "field \"pid\": -1 is out of range (0 to ");
	snprintf(line, sizeof(line), HEAD "\"schema\":%d,\"len\":0,\"data\":\"\"}",
		 RECORD_SCHEMA + 1);
	snprintf(why, sizeof(why), "field \"schema\": %d is newer than this tlsprobe reads (%d)",
		 RECORD_SCHEMA + 1, RECORD_SCHEMA);
	expect_parse_error(line, why);
	expect_parse_error("[1,2]", "not a JSON object");
	expect_parse_error("{\"type\":", "bad JSON");
	expect_parse_error(HEAD "\"len\":0,\"len\":0,\"data\":\"\"}", "bad JSON");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_rfc4648_vectors),
		cmocka_unit_test(test_base64_all_byte_values),
		cmocka_unit_test(test_base64_malformed),
		cmocka_unit_test(test_json_redacted),
		cmocka_unit_test(test_json_redacted_chunks),
		cmocka_unit_test(test_json_data_binary),
		cmocka_unit_test(test_json_loss),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_json_unterminated_comm),
		cmocka_unit_test(test_json_field_order),
		cmocka_unit_test(test_json_one_mib),
		cmocka_unit_test(test_json_defaults),
		cmocka_unit_test(test_json_unknown_thread),
		cmocka_unit_test(test_json_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
