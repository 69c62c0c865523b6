// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the eCapture adapter's converter (conformance/adapters/
 * ecapture.c), on eCapture v2.5.1's outputs recorded on this machine
 * (tests/data/ecapture, from ../shared/peers/ecapture; README there) and on
 * small outputs written here in its format. What the tests expect of the
 * recorded files comes from those files' own headers and from what the
 * workloads sent (the peers' REPORT.md), not from the converter. */
#define _GNU_SOURCE	/* open_memstream, fmemopen, setenv */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "record.h"
#include "compare.h"
#include "validate.h"
#include "adapters/ecapture.h"
#include "assert.h"

#define MAX_RECS 32

struct converted {
	struct record rec[MAX_RECS];
	size_t n;
	struct ecapture_stats st;
	char *text;  /* the event JSON lines */
};

static const char *data_dir(void)
{
	const char *d = getenv("TLSPROBE_ECAPTURE_DATA");

	return d && *d ? d : "tests/data/ecapture";
}

/* Converts in, checks that `tlsprobe validate` accepts every line, and
 * parses the records back. */
static void convert_stream(FILE *in, struct converted *c)
{
	size_t len = 0;
	FILE *out = open_memstream(&c->text, &len);
	char err[256] = "", *line, *save = NULL;
	struct validate_counts counts;
	FILE *vin, *vout;
	char *report = NULL;
	size_t rlen = 0;

	assert_non_null(out);
	if (ecapture_convert(in, out, &c->st, err, sizeof(err)))
		fail_msg("ecapture_convert: %s", err);
	assert_int_equal(fclose(out), 0);

	/* tlsprobe validate's own check. */
	vin = fmemopen(c->text, len ? len : 1, "r");
	vout = open_memstream(&report, &rlen);
	assert_non_null(vin);
	assert_non_null(vout);
	assert_int_equal(validate_stream(vin, "converted", vout, &counts), 0);
	fclose(vin);
	fclose(vout);
	if (counts.errors)
		fail_msg("validate: %s", report);
	free(report);

	c->n = 0;
	for (char *s = c->text; (line = strtok_r(s, "\n", &save)); s = NULL) {
		assert_true(c->n < MAX_RECS);
		if (record_parse_json(line, &c->rec[c->n], err, sizeof(err)))
			fail_msg("parse: %s", err);
		c->n++;
	}
	assert_int_equal(c->n, counts.records);
}

static void convert_file(const char *name, struct converted *c)
{
	char path[512];
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", data_dir(), name);
	in = fopen(path, "r");
	if (!in)
		fail_msg("%s: cannot open (run from the repository's root, or set "
			 "TLSPROBE_ECAPTURE_DATA)", path);
	convert_stream(in, c);
	fclose(in);
}

static void convert_text(const char *text, struct converted *c)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");

	assert_non_null(in);
	convert_stream(in, c);
	fclose(in);
}

static void converted_free(struct converted *c)
{
	for (size_t i = 0; i < c->n; i++)
		record_free(&c->rec[i]);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

/* What every record of the adapter says, whatever the event. */
static void assert_common(const struct record *r)
{
	assert_int_equal(r->type, RECORD_DATA);
	assert_int_equal(r->nspid, r->pid);
	assert_int_equal(r->nstid, r->tid);
	assert_string_equal(r->laddr, "");
	assert_string_equal(r->raddr, "");
	assert_string_equal(r->func, r->dir == DIR_OUT ? "SSL_write" : "SSL_read");
}

static bool is_base64_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* ---- recorded: curl, text mode, colours ---- */

/* curl-text.cut.txt: eCapture's stdout (ANSI colours) for `curl
 * https://127.0.0.1:35443/body` against `openssl s_server -WWW` serving
 * 300000 base64 bytes, cut inside the 5th event: its header says READ
 * (16384 bytes) and the file holds the first 1000 bytes of its payload (the
 * cut was made there). The headers: WRITE (83 bytes), then READ (16384
 * bytes) four times, all PID:31344 TID:31344 Comm:curl FD:0. */
static void test_curl_text(void **state)
{
	static const char request[] = "GET /body HTTP/1.1\r\nHost: 127.0.0.1:35443\r\n"
				      "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
	static const char response_head[] = "HTTP/1.0 200 ok\r\nContent-type: text/plain\r\n\r\n";
	struct converted c;
	uint64_t in_bytes = 0;

	(void)state;
	convert_file("curl-text.cut.txt", &c);
	assert_int_equal(c.n, 5);
	assert_int_equal(c.st.events, 5);
	assert_int_equal(c.st.hex_events, 0);
	for (size_t i = 0; i < c.n; i++) {
		const struct record *r = &c.rec[i];

		assert_common(r);
		assert_int_equal(r->pid, 31344);
		assert_int_equal(r->tid, 31344);
		assert_string_equal(r->comm, "curl");
		assert_string_equal(r->stack, "openssl");
		/* libcurl uses a BIO of its own: eCapture reads fd 0 from it. */
		assert_int_equal(r->fd, 0);
		/* What eCapture said it attached to, in its startup lines. */
		assert_string_equal(r->lib, "/usr/lib/x86_64-linux-gnu/libssl.so.3");
		assert_string_equal(r->lib_version, "openssl 3.0.22");
		if (i)
			assert_true(r->ts_ns > c.rec[i - 1].ts_ns);
	}
	/* The one write: curl's request, as its --trace showed it (83 bytes;
	 * its \r were printed as the two characters \r). */
	assert_int_equal(c.rec[0].dir, DIR_OUT);
	assert_int_equal(c.rec[0].len, 83);
	assert_int_equal(strlen(request), 83);
	assert_memory_equal(c.rec[0].data, request, 83);
	/* The reads: s_server's 45-byte header, then base64 only. */
	for (size_t i = 1; i < c.n; i++) {
		const struct record *r = &c.rec[i];

		assert_int_equal(r->dir, DIR_IN);
		assert_int_equal(r->len, i < 4 ? 16384 : 1000);
		for (size_t j = i == 1 ? 45 : 0; j < r->len; j++)
			if (!is_base64_char(r->data[j]))
				fail_msg("read %zu byte %zu is 0x%02x, not base64", i, j, r->data[j]);
		in_bytes += r->len;
	}
	assert_memory_equal(c.rec[1].data, response_head, 45);
	assert_int_equal(in_bytes, 3 * 16384 + 1000);
	/* The cut event is written as printed, no more, and said so; nothing
	 * was irreversible (ASCII and \r only); eCapture reported no loss and
	 * no loss record is made up. */
	assert_int_equal(c.st.short_events, 1);
	assert_int_equal(c.st.irreversible, 0);
	assert_int_equal(c.st.lost_samples, 0);
	assert_int_equal(c.st.bytes, 83 + in_bytes);
	converted_free(&c);
}

/* ---- recorded: python → s_server, --hex, no colours ---- */

/* python-3MiB-hex.head64KiB.txt: the first 64 KiB of eCapture --hex's
 * stdout while a Python client sent 3 MiB to `openssl s_server`: eCapture
 * saw s_server's reads only (Python calls SSL_write_ex, which it does not
 * hook). Headers: READ (16384 bytes, hex) twice, PID:32020 TID:32020
 * Comm:openssl FD:4; the file ends inside the second one's dump, on the
 * line at offset 05E0 (its 32 bytes' hex digits complete, its ASCII column
 * cut). */
static void test_python_hex(void **state)
{
	static const uint8_t first[32] = {
		0xDF, 0xB9, 0x90, 0x7B, 0x1E, 0x49, 0x96, 0x2F, 0xB4, 0xDC, 0xDA, 0x1F, 0xDA, 0x88, 0x7E, 0x0B,
		0x3A, 0x45, 0x23, 0xAE, 0x5B, 0x1B, 0x99, 0x8B, 0x24, 0x71, 0x24, 0xF8, 0x31, 0xD4, 0x5C, 0x8B,
	};
	static const uint8_t last[32] = {	/* the first event's line 3FE0 */
		0xD5, 0x01, 0xE8, 0x53, 0x50, 0x98, 0xD4, 0x23, 0xBC, 0x14, 0x6A, 0xC2, 0x4E, 0x5B, 0x9F, 0x3C,
		0x5D, 0x3C, 0x98, 0xB7, 0x32, 0xF4, 0x3E, 0xE5, 0xE2, 0x12, 0x54, 0x4F, 0xE9, 0x96, 0x14, 0xE9,
	};
	static const uint8_t cut_line[32] = {	/* the second event's line 05E0 */
		0xB9, 0x33, 0x87, 0x19, 0x4C, 0x55, 0xC4, 0x8B, 0x23, 0x6A, 0x73, 0x47, 0xE9, 0xB6, 0x90, 0x9F,
		0x1C, 0xE8, 0x1B, 0x2A, 0xF4, 0x69, 0xDE, 0x65, 0xD7, 0xD8, 0x61, 0x8D, 0xB7, 0xFD, 0xDF, 0xFB,
	};
	struct converted c;

	(void)state;
	convert_file("python-3MiB-hex.head64KiB.txt", &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.st.events, 2);
	assert_int_equal(c.st.hex_events, 2);
	for (size_t i = 0; i < c.n; i++) {
		assert_common(&c.rec[i]);
		assert_int_equal(c.rec[i].dir, DIR_IN);
		assert_int_equal(c.rec[i].pid, 32020);
		assert_int_equal(c.rec[i].tid, 32020);
		assert_string_equal(c.rec[i].comm, "openssl");
		assert_int_equal(c.rec[i].fd, 4);	/* s_server calls SSL_set_fd */
	}
	assert_int_equal(c.rec[0].len, 16384);
	assert_memory_equal(c.rec[0].data, first, 32);
	assert_memory_equal(c.rec[0].data + 16384 - 32, last, 32);
	/* 0x05E0 + 32 bytes printed of the second: written, and said short. */
	assert_int_equal(c.rec[1].len, 0x05E0 + 32);
	assert_memory_equal(c.rec[1].data + 0x05E0, cut_line, 32);
	assert_int_equal(c.st.short_events, 1);
	assert_int_equal(c.st.irreversible, 0);
	/* --hex's times are exact: later events, later ts_ns. */
	assert_true(c.rec[1].ts_ns > c.rec[0].ts_ns);
	converted_free(&c);
}

/* ---- recorded: one SSL_write of 3 MiB, --hex ---- */

/* single-SSL_write-3MiB-hex.txt: a C client (comm bench, pid 8694) made one
 * SSL_write(ssl, buf, 3145728) of "ABC…Z" repeated; it returned 3145728.
 * eCapture's header: WRITE (16384 bytes, hex), FD:3. */
static void test_single_write_truncated(void **state)
{
	struct converted c;

	(void)state;
	convert_file("single-SSL_write-3MiB-hex.txt", &c);
	assert_int_equal(c.n, 1);
	assert_common(&c.rec[0]);
	assert_int_equal(c.rec[0].dir, DIR_OUT);
	assert_int_equal(c.rec[0].pid, 8694);
	assert_string_equal(c.rec[0].comm, "bench");
	assert_int_equal(c.rec[0].fd, 3);
	/* One event of the first 16384 bytes of 3145728: eCapture's kernel side
	 * copies 16 KiB at most and its header says 16384, so nothing in the
	 * output tells the rest was dropped — and the converter invents nothing:
	 * no loss record (the scorecard's loss check shows the silent loss). */
	assert_int_equal(c.rec[0].len, 16384);
	for (size_t i = 0; i < 16384; i++)
		if (c.rec[0].data[i] != 'A' + i % 26)
			fail_msg("byte %zu is 0x%02x, wanted '%c'", i, c.rec[0].data[i],
				 (char)('A' + i % 26));
	assert_int_equal(c.st.short_events, 0);
	assert_int_equal(c.st.irreversible, 0);
	converted_free(&c);
}

/* --hex prints the kernel's nanoseconds as seconds since 1970: given back,
 * they are CLOCK_MONOTONIC. The two --hex runs' events are as far apart as
 * the wall clock of their log lines says (13:40:41 and 14:00:06: 1165 s). */
static void test_hex_time_is_monotonic_clock(void **state)
{
	struct converted py, one;
	double apart;

	(void)state;
	convert_file("python-3MiB-hex.head64KiB.txt", &py);
	convert_file("single-SSL_write-3MiB-hex.txt", &one);
	apart = (double)(one.rec[0].ts_ns - py.rec[0].ts_ns) / 1e9;
	if (apart < 1164 || apart > 1166)
		fail_msg("the events are %.3f s apart, their log lines 1165 s", apart);
	/* Uptime then: 13 and 32 minutes (the pcapng run's boot-relative
	 * times, 00:32, came right after the second). */
	assert_true(py.rec[0].ts_ns > 600ULL * 1000000000 && py.rec[0].ts_ns < 1200ULL * 1000000000);
	converted_free(&py);
	converted_free(&one);
}

/* ---- eCapture's text format, written here ---- */

#define LOG(level) "2026-11-21T13:38:17Z " level " "
#define CLOG(level) "\033[90m2026-11-21T13:38:17Z\033[0m \033[32m" level "\033[0m "
#define TAIL " probe=OpenSSL\n"
#define CTAIL " \033[36mprobe=\033[0mOpenSSL\n"
#define HDR "[2026-11-21 13:38:17.263] PID:7 TID:8 Comm:app FD:5 "

/* Escapes undone; the newline eCapture adds to a payload that lacks one is
 * not payload; one that ends with a newline gets none. Colours or not. */
static void test_text_escapes(void **state)
{
	/* a CR BEL SOH DEL TAB b LF ESC [ 3 1 m z: 13 bytes. */
	static const uint8_t p1[] = { 'a', '\r', '\a', 0x01, 0x7f, '\t', 'b', '\n', 0x1b, '[', '3', '1', 'm' };
	static const char *const raw[] = {
		LOG("INF") "OpenSSL probe started successfully probe=OpenSSL\n"
		LOG("INF") HDR "READ (13 bytes):\n"
		"a\\r\\a\\x01\\x7f\tb\n\\x1b[31m\n"
		TAIL
		LOG("INF") HDR "WRITE (2 bytes):\n"
		"x\n"
		TAIL
		LOG("INF") HDR "READ (0 bytes):\n"
		TAIL
		LOG("INF") "Probe stopped probe=OpenSSL\n",

		CLOG("INF") "OpenSSL probe started successfully \033[36mprobe=\033[0mOpenSSL\n"
		CLOG("INF") HDR "READ (13 bytes):\n"
		"a\\r\\a\\x01\\x7f\tb\n\\x1b[31m\n"
		CTAIL
		CLOG("INF") HDR "WRITE (2 bytes):\n"
		"x\n"
		CTAIL
		CLOG("INF") HDR "READ (0 bytes):\n"
		CTAIL
		CLOG("INF") "Probe stopped \033[36mprobe=\033[0mOpenSSL\n",
	};

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		struct converted c;

		convert_text(raw[k], &c);
		assert_int_equal(c.n, 3);
		for (size_t i = 0; i < c.n; i++) {
			assert_common(&c.rec[i]);
			assert_int_equal(c.rec[i].pid, 7);
			assert_int_equal(c.rec[i].tid, 8);
			assert_int_equal(c.rec[i].fd, 5);
			assert_string_equal(c.rec[i].comm, "app");
		}
		assert_int_equal(c.rec[0].len, sizeof(p1));
		assert_memory_equal(c.rec[0].data, p1, sizeof(p1));
		assert_int_equal(c.rec[1].len, 2);
		assert_memory_equal(c.rec[1].data, "x\n", 2);
		assert_int_equal(c.rec[2].len, 0);	/* an EOF read, as eCapture reports it */
		assert_int_equal(c.st.irreversible, 0);
		assert_int_equal(c.st.short_events, 0);
		/* The same millisecond: kept in output order. */
		assert_true(c.rec[1].ts_ns > c.rec[0].ts_ns && c.rec[2].ts_ns > c.rec[1].ts_ns);
		converted_free(&c);
	}
}

/* A byte that is not UTF-8 comes out as U+FFFD: which byte it was (or
 * whether it was EF BF BD itself) is gone. Only the bytes before it are
 * written, and the event is counted. Likewise escapes that the header's
 * length does not confirm (a literal backslash and `r` prints as a CR):
 * the bytes before the first escape. */
static void test_text_irreversible(void **state)
{
	static const char raw[] =
		LOG("INF") HDR "READ (5 bytes):\n"
		"ok\xef\xbf\xbdno\n"		/* "ok" 0xff "no" */
		TAIL
		LOG("INF") HDR "READ (7 bytes):\n"
		"ab\\r\\rc\n"			/* "ab\\r\\rc" literally: 7 bytes, 5 if escapes */
		TAIL
		LOG("INF") HDR "WRITE (3 bytes):\n"
		"end\n"
		TAIL;
	struct converted c;
	char *report = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	convert_text(raw, &c);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.rec[0].len, 2);
	assert_memory_equal(c.rec[0].data, "ok", 2);
	assert_int_equal(c.rec[1].len, 2);
	assert_memory_equal(c.rec[1].data, "ab", 2);
	assert_int_equal(c.rec[2].len, 3);
	assert_memory_equal(c.rec[2].data, "end", 3);
	assert_int_equal(c.st.irreversible, 2);
	assert_int_equal(c.st.events, 3);

	f = open_memstream(&report, &len);
	ecapture_report(&c.st, f);
	fclose(f);
	assert_contains(report, "2 events had bytes eCapture's text mode cannot give back");
	assert_contains(report, "use --hex");
	free(report);
	converted_free(&c);
}

/* Log lines are not events; "Perf buffer full" warnings are summed, and no
 * loss record is made of them (they do not say whose events). A payload
 * line that looks like a fields line but is not followed by a log line is
 * payload. */
static void test_logs_and_lost_samples(void **state)
{
	static const char raw[] =
		LOG("INF") "AppName=\"eCapture\"\n"
		LOG("WRN") "Perf buffer full, samples lost lost_samples=120 probe=OpenSSL\n"
		LOG("INF") HDR "WRITE (18 bytes):\n"
		" a=b\n"
		"not a log line\n"
		TAIL
		LOG("WRN") "Perf buffer full, samples lost lost_samples=3 probe=OpenSSL\n"
		LOG("INF") "bye bye.\n";
	struct converted c;

	(void)state;
	convert_text(raw, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.rec[0].len, 18);
	assert_memory_equal(c.rec[0].data, " a=b\nnot a log line", 18);
	assert_int_equal(c.st.lost_samples, 123);
	converted_free(&c);
}

/* --hex's last dump line is padded (a space per missing byte, the ASCII
 * column with spaces); an empty call has no dump line at all. The dump
 * below is eCapture's layout for these 37 bytes. */
static void test_hex_partial_line(void **state)
{
	static const char raw[] =
		LOG("INF") "[27199-03-18 14:01:57.000] PID:7 TID:8 Comm:app FD:5 READ (37 bytes, hex):\n"
		"0000  2021222324252627 28292A2B2C2D2E2F  3031323334353637 38393A3B3C3D00FF     !\"#$%&'()*+,-./0123456789:;<=..\n"
		"0020  0A0D225C7F                                   ..\"\\.                           \n"
		TAIL
		LOG("INF") "[27199-03-18 14:01:58.000] PID:7 TID:8 Comm:app FD:5 READ (0 bytes, hex):\n"
		TAIL;
	uint8_t want[37];
	struct converted c;

	(void)state;
	for (int i = 0; i < 30; i++)
		want[i] = (uint8_t)(0x20 + i);
	memcpy(want + 30, "\x00\xff\n\r\"\\\x7f", 7);
	convert_text(raw, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.rec[0].len, 37);
	assert_memory_equal(c.rec[0].data, want, 37);
	assert_int_equal(c.rec[1].len, 0);
	assert_int_equal(c.st.short_events, 0);
	/* Nanoseconds printed as seconds: one "second" later is 1 ns later. */
	assert_int_equal(c.rec[1].ts_ns - c.rec[0].ts_ns, 1);
	converted_free(&c);
}

/* eCapture's gnutls module prints the same header; its --hex is one line of
 * hex and its time is time.Unix(0, ns): 1970 plus the uptime. FD 4294967295
 * is -1 printed as a u32. */
/* A header dated long before 1970 (found by fuzzing: its nanoseconds
 * overflowed): a time no clock gives, so the event keeps its place in the
 * output instead, like any time that cannot be used. */
static void test_time_before_epoch(void **state)
{
	static const char raw[] =
		LOG("INF") "[0001-01-01 00:00:00.000] PID:7 TID:8 Comm:app FD:5 WRITE (2 bytes):\n"
		"hi\n"
		TAIL
		LOG("INF") HDR "WRITE (2 bytes):\n"
		"yo\n"
		TAIL;
	struct converted c;

	(void)state;
	convert_text(raw, &c);
	assert_int_equal(c.n, 2);
	assert_memory_equal(c.rec[0].data, "hi", 2);
	/* a time that cannot be read: the previous call's + 1, the first one's 1 */
	assert_int_equal(c.rec[0].ts_ns, 1);
	assert_true(c.rec[0].ts_ns < c.rec[1].ts_ns);
	converted_free(&c);
}

/* A --hex header that ends the file, its body never printed (found by
 * fuzz_adapters: the empty body's NULL storage was offset). The event is
 * written as printed: no bytes. */
static void test_hex_header_without_body(void **state)
{
	static const char raw[] = LOG("INF") HDR "READ (4 bytes, hex):\n";
	struct converted c;

	(void)state;
	convert_text(raw, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.rec[0].len, 0);
	converted_free(&c);
}

static void test_gnutls_hex(void **state)
{
	static const char raw[] =
		LOG("INF") "[1970-01-01 00:13:16.123] PID:5 TID:6 Comm:gt FD:4294967295 WRITE (3 bytes, hex):\n"
		"616263\n"
		" probe=GnuTLS\n";
	struct converted c;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	convert_text(raw, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.rec[0].stack, "gnutls");
	assert_string_equal(c.rec[0].func, "gnutls_record_send");
	assert_int_equal(c.rec[0].fd, -1);
	assert_int_equal(c.rec[0].len, 3);
	assert_memory_equal(c.rec[0].data, "abc", 3);
	assert_int_equal(c.rec[0].ts_ns, 796123000000ULL);
	converted_free(&c);
}

/* ---- the adapter ---- */

static void test_adapter(void **state)
{
	const struct adapter *a = &ecapture_adapter;
	struct adapter_run run = { .comm = "tlsfix", .stack = "openssl" };
	bool openssl = false;
	char cmd[128], err[256] = "";

	(void)state;
	assert_string_equal(a->name, "ecapture");
	assert_string_equal(a->ready_line, "probe started successfully");
	for (const char *const *s = a->claimed_stacks; *s; s++)
		openssl |= !strcmp(*s, "openssl");
	assert_true(openssl);
	assert_true(a->claimed_checks & 1u << CHECK_BYTES);
	assert_true(a->claimed_checks & 1u << CHECK_BOUNDARIES);
	assert_true(a->claimed_checks & 1u << CHECK_FD);
	assert_true(a->claimed_checks & 1u << CHECK_PROCESS);
	assert_false(a->claimed_checks & 1u << CHECK_ADDRESSES);	/* none in text mode */
	assert_false(a->claimed_checks & 1u << CHECK_LOSS);	/* none per call */

	run.tracer_bin = "/opt/ecapture";
	assert_int_equal(a->command(&run, cmd, sizeof(cmd), err, sizeof(err)), 0);
	assert_string_equal(cmd, "'/opt/ecapture' tls -b 1 --hex");
	run.tracer_bin = "/opt/it's/ecapture";
	assert_int_equal(a->command(&run, cmd, sizeof(cmd), err, sizeof(err)), 0);
	assert_string_equal(cmd, "'/opt/it'\\''s/ecapture' tls -b 1 --hex");
	assert_int_equal(a->command(&run, cmd, 20, err, sizeof(err)), -1);
	/* no binary: it is packaged nowhere, so the user must name theirs */
	run.tracer_bin = NULL;
	assert_int_equal(a->command(&run, cmd, sizeof(cmd), err, sizeof(err)), -1);
	assert_contains(err, "--tracer-bin");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_curl_text),
		cmocka_unit_test(test_python_hex),
		cmocka_unit_test(test_single_write_truncated),
		cmocka_unit_test(test_hex_time_is_monotonic_clock),
		cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_text_irreversible),
		cmocka_unit_test(test_logs_and_lost_samples),
		cmocka_unit_test(test_hex_partial_line),
		cmocka_unit_test(test_time_before_epoch),
		cmocka_unit_test(test_hex_header_without_body),
		cmocka_unit_test(test_gnutls_hex),
		cmocka_unit_test(test_adapter),
	};

	/* Dates are read in the local zone; eCapture ran in UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
