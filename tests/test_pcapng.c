// SPDX-License-Identifier: GPL-2.0
/* Unit tests: the pcapng writer of trace --pcapng (tracer/pcapng.c): block
 * layout, TCP sequence numbers across calls and ends, large calls split,
 * IPv6, loss, placeholders, checksums against a known packet, file creation. */
#define _GNU_SOURCE		/* open_memstream */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcapng.h"
#include "assert.h"

/* ---- reading back what the writer wrote ---- */

struct packet {
	uint64_t ts;             /* in the interface's resolution (ns) */
	const uint8_t *ip;
	uint32_t len;
	char comment[1100];
};

struct capture {
	char *buf;
	size_t size;
	uint32_t types[64];      /* block types in order */
	size_t nblocks;
	struct packet pkts[64];  /* the EPBs */
	size_t npkts;
};

static uint32_t u32_at(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)be16_at(p) << 16 | be16_at(p + 2);
}

/* Walks the blocks: each a multiple of 4 bytes, its length at both ends. */
static void parse(struct capture *c)
{
	size_t at = 0;

	while (at < c->size) {
		const char *b = c->buf + at;
		uint32_t type = u32_at(b), len = u32_at(b + 4);

		assert_true(len >= 12 && len % 4 == 0 && at + len <= c->size);
		assert_int_equal(u32_at(b + len - 4), len);
		assert_true(c->nblocks < 64);
		c->types[c->nblocks++] = type;
		if (type == 6) {
			struct packet *p = &c->pkts[c->npkts++];
			uint32_t caplen = u32_at(b + 20), opts = 28 + ((caplen + 3) & ~3u);

			assert_int_equal(u32_at(b + 8), 0); /* interface 0 */
			assert_int_equal(u32_at(b + 24), caplen);
			p->ts = (uint64_t)u32_at(b + 12) << 32 | u32_at(b + 16);
			p->ip = (const uint8_t *)b + 28;
			p->len = caplen;
			p->comment[0] = '\0';
			while (opts + 4 <= len - 4) {
				uint16_t code, olen;

				memcpy(&code, b + opts, 2);
				memcpy(&olen, b + opts + 2, 2);
				if (!code)
					break;
				if (code == 1) {
					assert_true(olen < sizeof(p->comment));
					memcpy(p->comment, b + opts + 4, olen);
					p->comment[olen] = '\0';
				}
				opts += 4 + ((olen + 3) & ~3u);
			}
		}
		at += len;
	}
	assert_int_equal(at, c->size);
}

struct writer {
	FILE *f;
	struct pcapng *p;
	struct capture cap;
};

static void writer_open(struct writer *w, int64_t offset_ns)
{
	memset(w, 0, sizeof(*w));
	w->f = open_memstream(&w->cap.buf, &w->cap.size);
	assert_non_null(w->f);
	w->p = pcapng_new(w->f, offset_ns);
	assert_non_null(w->p);
}

static struct capture *writer_close(struct writer *w)
{
	assert_int_equal(pcapng_close(w->p), 0);
	fclose(w->f);
	parse(&w->cap);
	return &w->cap;
}

static void ipv4(struct sock_addrs *a, const char *l, uint16_t lport, const char *r, uint16_t rport)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	inet_pton(AF_INET, l, a->laddr);
	inet_pton(AF_INET, r, a->raddr);
	a->lport = lport;
	a->rport = rport;
}

static struct record call(int pid, int fd, enum record_dir dir, uint64_t ts_ns)
{
	struct record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = RECORD_DATA;
	rec.pid = rec.tid = pid;
	rec.fd = fd;
	rec.dir = dir;
	rec.ts_ns = ts_ns;
	snprintf(rec.comm, sizeof(rec.comm), "curl");
	snprintf(rec.func, sizeof(rec.func), dir == DIR_OUT ? "SSL_write" : "SSL_read");
	snprintf(rec.lib_version, sizeof(rec.lib_version), "OpenSSL 3.0.19");
	return rec;
}

/* Where a packet's TCP header starts, and its payload. */
static const uint8_t *tcp_of(const struct packet *p)
{
	return p->ip + ((p->ip[0] >> 4) == 6 ? 40 : (p->ip[0] & 15) * 4);
}

static uint32_t payload_len(const struct packet *p)
{
	return p->len - (uint32_t)(tcp_of(p) + (tcp_of(p)[12] >> 4) * 4 - p->ip);
}

static const uint8_t *payload(const struct packet *p)
{
	return tcp_of(p) + (tcp_of(p)[12] >> 4) * 4;
}

/* An independent check of both checksums: over the IPv4 header, and over
 * the pseudo-header and TCP segment, the one's-complement sum is 0xffff. */
static uint32_t add16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t folded(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void assert_checksums(const struct packet *p)
{
	const uint8_t *tcp = tcp_of(p);
	uint32_t tcp_len = p->len - (uint32_t)(tcp - p->ip), sum;

	if ((p->ip[0] >> 4) == 4) {
		assert_int_equal(folded(add16(0, p->ip, 20)), 0xffff);
		sum = add16(0, p->ip + 12, 8) + IPPROTO_TCP + tcp_len;
	} else {
		sum = add16(0, p->ip + 8, 32) + IPPROTO_TCP + tcp_len;
	}
	assert_int_equal(folded(add16(sum, tcp, tcp_len)), 0xffff);
}

/* ---- the tests ---- */

static void test_blocks(void **state)
{
	struct writer w;
	struct sock_addrs a;
	struct record rec = call(100, 5, DIR_OUT, 1000);
	struct capture *c;

	(void)state;
	writer_open(&w, 0);
	ipv4(&a, "127.0.0.1", 50000, "127.0.0.1", 4433);
	pcapng_data(w.p, &rec, &a, (const uint8_t *)"hello", 5);
	c = writer_close(&w);
	/* a section, an interface, the handshake's 3 packets and the call's */
	assert_int_equal(c->nblocks, 6);
	assert_int_equal(c->types[0], 0x0A0D0D0A);
	assert_int_equal(u32_at(c->buf + 8), 0x1A2B3C4D);
	assert_int_equal(c->types[1], 1);
	assert_int_equal(u32_at(c->buf + u32_at(c->buf + 4) + 8) & 0xffff, 101); /* LINKTYPE_RAW */
	assert_non_null(memmem(c->buf, c->size, "\x09\x00\x01\x00\x09", 5)); /* if_tsresol 9 */
	for (size_t i = 2; i < 6; i++)
		assert_int_equal(c->types[i], 6);
	assert_int_equal(payload_len(&c->pkts[3]), 5);
	assert_memory_equal(payload(&c->pkts[3]), "hello", 5);
	assert_contains(c->pkts[3].comment, "pid 100 tid 100 comm curl fd 5 SSL_write out (OpenSSL 3.0.19): "
			"5 bytes");
	assert_contains(c->pkts[0].comment, "synthetic handshake");
	free(c->buf);
}

/* SYN 50000 → 4433, SYN-ACK back, ACK; the ISNs are 0. */
static void test_handshake(void **state)
{
	struct writer w;
	struct sock_addrs a;
	struct record rec = call(100, 5, DIR_OUT, 1000);
	struct capture *c;
	const uint8_t *tcp;

	(void)state;
	writer_open(&w, 0);
	ipv4(&a, "127.0.0.1", 50000, "127.0.0.2", 4433);
	pcapng_data(w.p, &rec, &a, (const uint8_t *)"x", 1);
	c = writer_close(&w);
	static const struct { uint16_t sport; uint32_t seq, ack; uint8_t flags; } want[] = {
		{ 50000, 0, 0, 0x02 }, { 4433, 0, 1, 0x12 }, { 50000, 1, 1, 0x10 }, { 50000, 1, 1, 0x18 },
	};
	for (size_t i = 0; i < 4; i++) {
		tcp = tcp_of(&c->pkts[i]);
		assert_int_equal(be16_at(tcp), want[i].sport);
		assert_int_equal(be32_at(tcp + 4), want[i].seq);
		assert_int_equal(be32_at(tcp + 8), want[i].ack);
		assert_int_equal(tcp[13], want[i].flags);
		assert_checksums(&c->pkts[i]);
	}
	assert_memory_equal(c->pkts[0].ip + 12, "\x7f\x00\x00\x01\x7f\x00\x00\x02", 8);
	free(c->buf);
}

/* Sequence numbers go on across calls, per direction; when both ends are
 * traced, the reading end's copy lands at the writing end's numbers. */
static void test_seq_across_calls_and_ends(void **state)
{
	struct writer w;
	struct sock_addrs client, server;
	struct record c_out = call(100, 5, DIR_OUT, 1), c_in = call(100, 5, DIR_IN, 4);
	struct record s_in = call(200, 7, DIR_IN, 2), s_out = call(200, 7, DIR_OUT, 3);
	struct capture *c;

	(void)state;
	writer_open(&w, 0);
	ipv4(&client, "127.0.0.1", 50000, "127.0.0.1", 4433);
	ipv4(&server, "127.0.0.1", 4433, "127.0.0.1", 50000);
	pcapng_data(w.p, &c_out, &client, (const uint8_t *)"GET /", 5);
	pcapng_data(w.p, &c_out, &client, (const uint8_t *)" HTTP/1.0", 9);
	pcapng_data(w.p, &s_in, &server, (const uint8_t *)"GET / HTTP/1.0", 14);
	pcapng_data(w.p, &s_out, &server, (const uint8_t *)"200", 3);
	pcapng_data(w.p, &c_in, &client, (const uint8_t *)"20", 2);
	pcapng_data(w.p, &c_in, &client, (const uint8_t *)"0", 1);
	c = writer_close(&w);
	assert_int_equal(c->npkts, 3 + 6); /* one handshake: one connection */
	static const struct { uint16_t sport; uint32_t seq, ack, len; } want[] = {
		{ 50000, 1, 1, 5 }, { 50000, 6, 1, 9 }, { 50000, 1, 1, 14 },
		{ 4433, 1, 15, 3 }, { 4433, 1, 15, 2 }, { 4433, 3, 15, 1 },
	};
	for (size_t i = 0; i < 6; i++) {
		const uint8_t *tcp = tcp_of(&c->pkts[3 + i]);

		assert_int_equal(be16_at(tcp), want[i].sport);
		assert_int_equal(be32_at(tcp + 4), want[i].seq);
		assert_int_equal(be32_at(tcp + 8), want[i].ack);
		assert_int_equal(payload_len(&c->pkts[3 + i]), want[i].len);
		assert_checksums(&c->pkts[3 + i]);
	}
	assert_contains(c->pkts[5].comment, "pid 200 tid 200 comm curl fd 7 SSL_read in (OpenSSL 3.0.19): 14 bytes");
	free(c->buf);
}

/* A call larger than an IP packet holds goes out as several segments. */
static void test_split_large_call(void **state)
{
	enum { LEN = 2 * PCAPNG_SEGMENT_MAX + 19010 };
	uint8_t *data = malloc(LEN), *joined = malloc(LEN);
	struct writer w;
	struct sock_addrs a;
	struct record rec = call(100, 5, DIR_IN, 1000);
	struct capture *c;
	uint32_t at = 0;

	(void)state;
	for (uint32_t i = 0; i < LEN; i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	writer_open(&w, 0);
	ipv4(&a, "127.0.0.1", 50000, "127.0.0.1", 4433);
	pcapng_data(w.p, &rec, &a, data, LEN);
	pcapng_data(w.p, &rec, &a, data, 1);
	c = writer_close(&w);
	assert_int_equal(c->npkts, 3 + 3 + 1);
	for (size_t i = 3; i < 6; i++) {
		const uint8_t *tcp = tcp_of(&c->pkts[i]);

		assert_int_equal(be16_at(tcp), 4433); /* read by the client: from the server */
		assert_int_equal(be32_at(tcp + 4), 1 + at);
		assert_int_equal(be16_at(c->pkts[i].ip + 2), c->pkts[i].len);
		assert_true(c->pkts[i].len <= 65535);
		memcpy(joined + at, payload(&c->pkts[i]), payload_len(&c->pkts[i]));
		at += payload_len(&c->pkts[i]);
		assert_checksums(&c->pkts[i]);
	}
	assert_int_equal(payload_len(&c->pkts[3]), PCAPNG_SEGMENT_MAX);
	assert_int_equal(payload_len(&c->pkts[5]), 19010);
	assert_int_equal(at, LEN);
	assert_memory_equal(joined, data, LEN);
	assert_contains(c->pkts[4].comment, "; segment 2 of 3 of the call");
	assert_int_equal(be32_at(tcp_of(&c->pkts[6]) + 4), 1 + LEN);
	assert_null(strstr(c->pkts[6].comment, "segment"));
	free(c->buf);
	free(data);
	free(joined);
}

static void test_ipv6(void **state)
{
	struct writer w;
	struct sock_addrs a = { .family = AF_INET6, .lport = 4433, .rport = 40000 };
	struct record rec = call(100, 5, DIR_OUT, 1000);
	struct capture *c;
	const struct packet *p;

	(void)state;
	inet_pton(AF_INET6, "::1", a.laddr);
	inet_pton(AF_INET6, "fe80::1", a.raddr);
	writer_open(&w, 0);
	pcapng_data(w.p, &rec, &a, (const uint8_t *)"HTTP/1.1 200 OK\r\n", 17);
	c = writer_close(&w);
	assert_int_equal(c->npkts, 4);
	p = &c->pkts[3];
	assert_int_equal(p->ip[0] >> 4, 6);
	assert_int_equal(be16_at(p->ip + 4), 20 + 17); /* payload length */
	assert_int_equal(p->ip[6], IPPROTO_TCP);
	assert_memory_equal(p->ip + 8, a.laddr, 16);   /* from the server (4433) */
	assert_memory_equal(p->ip + 24, a.raddr, 16);
	assert_int_equal(p->len, 40 + 20 + 17);
	assert_int_equal(be16_at(tcp_of(p)), 4433);
	assert_int_equal(be16_at(tcp_of(p) + 2), 40000);
	assert_memory_equal(payload(p), "HTTP/1.1 200 OK\r\n", 17);
	assert_checksums(p);
	assert_memory_equal(c->pkts[0].ip + 8, a.raddr, 16); /* the SYN: from 40000 */
	free(c->buf);
}

/* Known answers, checked with tshark (-o ip.check_checksum:TRUE -o
 * tcp.check_checksum:TRUE: "[Checksum Status: Good]" for both). */
static void test_checksum_known_packet(void **state)
{
	static const uint8_t want[] = {
		0x45, 0x00, 0x00, 0x2d, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xb8, 0xb2,
		0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,                  /* IPv4 */
		0xc3, 0x50, 0x01, 0xbb, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
		0x50, 0x18, 0xff, 0xff, 0x42, 0x77, 0x00, 0x00,                  /* TCP */
		'h', 'e', 'l', 'l', 'o',
	};
	static const uint8_t src[4] = { 192, 168, 0, 1 }, dst[4] = { 192, 168, 0, 199 };
	struct tcp_segment seg = {
		.family = AF_INET, .saddr = src, .daddr = dst, .sport = 50000, .dport = 443,
		.seq = 0x12345678, .ack = 0x9abcdef0, .flags = TCP_FLAG_PSH | TCP_FLAG_ACK,
		.payload = (const uint8_t *)"hello", .len = 5,
	};
	uint8_t *buf = malloc(TCP_PACKET_MAX);

	(void)state;
	assert_int_equal(tcp_packet(buf, &seg), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	free(buf);
}

/* A loss: a payload-less packet that says so, and the next call's bytes
 * after the gap (Wireshark: "previous segment not captured"). */
static void test_loss_leaves_gap(void **state)
{
	struct writer w;
	struct sock_addrs a;
	struct record rec = call(100, 5, DIR_OUT, 1000), loss = rec;
	struct capture *c;

	(void)state;
	loss.type = RECORD_LOSS;
	loss.len = 4096;
	loss.offset = 96;
	loss.lost = 4000;
	writer_open(&w, 0);
	ipv4(&a, "127.0.0.1", 50000, "127.0.0.1", 4433);
	pcapng_data(w.p, &rec, &a, (const uint8_t *)"abc", 3);
	pcapng_loss(w.p, &loss, &a);
	pcapng_data(w.p, &rec, &a, (const uint8_t *)"def", 3);
	c = writer_close(&w);
	assert_int_equal(c->npkts, 6);
	assert_int_equal(payload_len(&c->pkts[4]), 0);
	assert_int_equal(be32_at(tcp_of(&c->pkts[4]) + 4), 4);
	assert_contains(c->pkts[4].comment, "SSL_write out (OpenSSL 3.0.19): LOSS: 4000 bytes not captured in 1 call");
	assert_int_equal(be32_at(tcp_of(&c->pkts[5]) + 4), 4 + 4000);
	assert_checksums(&c->pkts[4]);
	free(c->buf);
}

/* No address: a placeholder connection per pid and fd, said so. */
static void test_placeholder(void **state)
{
	struct writer w;
	struct sock_addrs none = { 0 };
	struct record rec = call(0x12345, 7, DIR_OUT, 1000), other = call(0x12345, -1, DIR_OUT, 1000);
	struct capture *c;

	(void)state;
	writer_open(&w, 0);
	pcapng_data(w.p, &rec, &none, (const uint8_t *)"abc", 3);
	pcapng_data(w.p, &other, &none, (const uint8_t *)"abc", 3);
	assert_int_equal(pcapng_placeholder_calls(w.p), 2);
	c = writer_close(&w);
	assert_int_equal(c->npkts, 8); /* two connections */
	assert_memory_equal(c->pkts[3].ip + 12, "\x00\x01\x23\x45\x00\x00\x00\x00", 8);
	assert_int_equal(be16_at(tcp_of(&c->pkts[3])), 8);
	assert_int_equal(be16_at(tcp_of(&c->pkts[7])), 0);
	assert_contains(c->pkts[3].comment, "no socket address known: placeholder addresses");
	free(c->buf);
}

/* CLOCK_MONOTONIC ts_ns plus the offset to CLOCK_REALTIME, in ns. */
static void test_timestamps(void **state)
{
	struct writer w;
	struct sock_addrs a;
	struct record rec = call(100, 5, DIR_OUT, 5000000123ULL);
	struct capture *c;

	(void)state;
	writer_open(&w, 1700000000LL * 1000000000LL);
	ipv4(&a, "127.0.0.1", 50000, "127.0.0.1", 4433);
	pcapng_data(w.p, &rec, &a, (const uint8_t *)"x", 1);
	c = writer_close(&w);
	assert_int_equal(c->pkts[3].ts, 1700000005000000123ULL);
	free(c->buf);
}

/* The file holds plaintext: created 0600, a symlink refused. */
static void test_open_file(void **state)
{
	char dir[] = "/tmp/tlsprobe-test-pcapng.XXXXXX", path[64], link[64], why[256];
	struct pcapng *p;
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cap.pcapng", dir);
	snprintf(link, sizeof(link), "%s/link.pcapng", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("old contents, longer than the headers ... ... ... ... ... ... ... ... ... ... ...", f);
	fclose(f);
	chmod(path, 0644);
	p = pcapng_open(path, why, sizeof(why));
	assert_non_null(p);
	assert_int_equal(pcapng_close(p), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 60 + 44); /* SHB + IDB: the old contents gone */
	assert_int_equal(symlink(path, link), 0);
	assert_null(pcapng_open(link, why, sizeof(why)));
	assert_contains(why, "symbolic link");
	unlink(link);
	unlink(path);
	rmdir(dir);
}

/* A capture that could not be written whole says so at the close. */
static void test_write_error(void **state)
{
	FILE *full = fopen("/dev/full", "w");
	struct sock_addrs a;
	struct record rec = call(100, 5, DIR_OUT, 1000);
	struct pcapng *p;

	(void)state;
	if (!full)
		skip();
	p = pcapng_new(full, 0);
	assert_non_null(p);
	ipv4(&a, "127.0.0.1", 50000, "127.0.0.1", 4433);
	pcapng_data(p, &rec, &a, (const uint8_t *)"hello", 5);
	assert_int_equal(pcapng_close(p), -ENOSPC);
	fclose(full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_seq_across_calls_and_ends),
		cmocka_unit_test(test_split_large_call),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_checksum_known_packet),
		cmocka_unit_test(test_loss_leaves_gap),
		cmocka_unit_test(test_placeholder),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_open_file),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
