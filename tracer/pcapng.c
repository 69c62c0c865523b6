/* trace --pcapng: a pcapng writer (SHB, IDB, EPB blocks; the format is
 * draft-ietf-opsawg-pcapng) for the captured plaintext.
 *
 * A TCP connection is one stream, keyed by its addresses and ports, so that
 * Wireshark follows it whichever of its ends the tracer saw: when both ends
 * are traced (a client and a server on loopback), each byte is captured
 * twice, once as written and once as read, and both copies go in at the same
 * sequence number. Wireshark shows the second as a retransmission and keeps
 * one copy when it reassembles; the comments say who wrote and who read it.
 * Sequence numbers count bytes from the first one each end was seen to move
 * in each direction: an end traced from the middle of a connection has its
 * bytes placed from 0 as well.
 *
 * A capture cannot say which end connected: the end with the higher port is
 * taken for the client (an ephemeral port is usually higher than a listening
 * one), and a synthetic SYN, SYN-ACK and ACK open the stream when its first
 * call is seen, so that Wireshark takes the first payload byte as the first.
 *
 * Calls without an address (a unix socket, an fd not known) are written on a
 * placeholder connection per process and fd, in 0.0.0.0/8 ("this network",
 * never a real peer): 0.P.P.P (the pid's low 24 bits) port fd + 1 to 0.0.0.0
 * port 0; each packet's comment says so, and the tracer counts them. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "pcapng.h"
#include "private_file.h"

#define BLOCK_SHB 0x0A0D0D0A
#define BLOCK_IDB 0x00000001
#define BLOCK_EPB 0x00000006
#define BYTE_ORDER_MAGIC 0x1A2B3C4D
#define OPT_END 0
#define OPT_COMMENT 1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_TSRESOL 9
#define LINKTYPE_RAW 101         /* raw IPv4 or IPv6: no link-layer header */
#define TSRESOL_NS 9             /* if_tsresol: 10^-9 s */
#define COMMENT_MAX 1024         /* a packet comment's bytes, at most */
/* The largest block: an EPB's header (28 bytes), the packet padded, the
 * comment option, the end of options and the trailing length. */
#define BLOCK_MAX (28 + TCP_PACKET_MAX + 3 + 4 + COMMENT_MAX + 3 + 4 + 4)
#define STREAM_BUCKETS 4096
#define TCP_WINDOW 65535

/* The two ends of a connection; also a direction, named by its sender. */
enum end { CLIENT = 0, SERVER = 1 };

/* A connection as both of its ends see it (no padding: hashed as bytes). */
struct stream_key {
	uint16_t family;
	uint16_t port[2];        /* [CLIENT], [SERVER] */
	uint8_t addr[2][16];
};

struct stream {
	struct stream_key key;
	/* Per direction (by sender): bytes its sender was seen to write, and
	 * bytes its receiver was seen to read, lost ones included. */
	uint64_t written[2];
	uint64_t read[2];
	struct stream *next;     /* in its hash bucket */
};

struct pcapng {
	FILE *f;
	int own_file;            /* pcapng_open made f */
	int err;                 /* the first write error, -errno */
	int64_t realtime_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint64_t placeholder_calls;
	struct stream *buckets[STREAM_BUCKETS];
	size_t block_len;
	uint8_t block[BLOCK_MAX];   /* the block being built */
};

/* ---- IP and TCP ---- */

/* The Internet checksum's running sum (RFC 1071), folded at the end. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

/* The IP header; returns its length. The TCP checksum's pseudo-header sum
 * goes to *pseudo. */
static size_t ip_header(uint8_t *ip, const struct tcp_segment *seg, uint32_t *pseudo)
{
	uint16_t tcp_len = 20 + seg->len;

	if (seg->family == AF_INET6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;                     /* version 6 */
		put_be16(ip + 4, tcp_len);        /* payload length */
		ip[6] = IPPROTO_TCP;              /* next header */
		ip[7] = 64;                       /* hop limit */
		memcpy(ip + 8, seg->saddr, 16);
		memcpy(ip + 24, seg->daddr, 16);
		*pseudo = sum16(sum16(0, ip + 8, 32), (const uint8_t[]){ 0, 0, tcp_len >> 8,
			       tcp_len & 0xff, 0, 0, 0, IPPROTO_TCP }, 8);
		return 40;
	}
	memset(ip, 0, 20);
	ip[0] = 0x45;                             /* version 4, 5 words */
	put_be16(ip + 2, 20 + tcp_len);           /* total length */
	put_be16(ip + 6, 0x4000);                 /* don't fragment */
	ip[8] = 64;                               /* TTL */
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, seg->saddr, 4);
	memcpy(ip + 16, seg->daddr, 4);
	put_be16(ip + 10, fold(sum16(0, ip, 20)));
	*pseudo = sum16(sum16(0, ip + 12, 8), (const uint8_t[]){ 0, IPPROTO_TCP, tcp_len >> 8,
		       tcp_len & 0xff }, 4);
	return 20;
}

size_t tcp_packet(uint8_t *buf, const struct tcp_segment *seg)
{
	uint32_t pseudo;
	size_t ip_len = ip_header(buf, seg, &pseudo);
	uint8_t *tcp = buf + ip_len;

	memset(tcp, 0, 20);
	put_be16(tcp, seg->sport);
	put_be16(tcp + 2, seg->dport);
	put_be32(tcp + 4, seg->seq);
	put_be32(tcp + 8, seg->ack);
	tcp[12] = 5 << 4;                         /* data offset: 5 words, no options */
	tcp[13] = seg->flags;
	put_be16(tcp + 14, TCP_WINDOW);
	memcpy(tcp + 20, seg->payload, seg->len);
	put_be16(tcp + 16, fold(sum16(pseudo, tcp, 20 + seg->len)));
	return ip_len + 20 + seg->len;
}

/* ---- pcapng blocks ----
 * A block is built whole in p->block (its type, body and length at both
 * ends, host byte order: the SHB's magic tells readers which) and written
 * with one fwrite. */

static void block_add(struct pcapng *p, const void *data, size_t len)
{
	memcpy(p->block + p->block_len, data, len);
	p->block_len += len;
}

static void block_u32(struct pcapng *p, uint32_t v)
{
	block_add(p, &v, sizeof(v));
}

static void block_pad(struct pcapng *p)
{
	while (p->block_len % 4)
		p->block[p->block_len++] = 0;
}

static void block_start(struct pcapng *p, uint32_t type)
{
	p->block_len = 0;
	block_u32(p, type);
	block_u32(p, 0);                          /* its length: block_end */
}

static void block_option(struct pcapng *p, uint16_t code, const void *value, size_t len)
{
	uint16_t hdr[2] = { code, (uint16_t)len };

	block_add(p, hdr, sizeof(hdr));
	block_add(p, value, len);
	block_pad(p);
}

static void block_end(struct pcapng *p)
{
	uint32_t total = p->block_len + 4;

	memcpy(p->block + 4, &total, sizeof(total));
	block_u32(p, total);
	if (fwrite(p->block, 1, p->block_len, p->f) != p->block_len && !p->err)
		p->err = errno ? -errno : -EIO;
}

/* Section header: this file is one section, of unknown length. */
static void write_shb(struct pcapng *p)
{
	static const char app[] = "tlsprobe trace --pcapng";
	uint16_t version[2] = { 1, 0 };
	int64_t section_len = -1;

	block_start(p, BLOCK_SHB);
	block_u32(p, BYTE_ORDER_MAGIC);
	block_add(p, version, sizeof(version));
	block_add(p, &section_len, sizeof(section_len));
	block_option(p, OPT_SHB_USERAPPL, app, strlen(app));
	block_u32(p, OPT_END);
	block_end(p);
}

/* The one interface: raw IP packets, timestamps in nanoseconds. */
static void write_idb(struct pcapng *p)
{
	static const char name[] = "tlsprobe";
	static const uint8_t tsresol = TSRESOL_NS;
	uint16_t linktype[2] = { LINKTYPE_RAW, 0 };

	block_start(p, BLOCK_IDB);
	block_add(p, linktype, sizeof(linktype));
	block_u32(p, 0);                          /* snaplen: no limit */
	block_option(p, OPT_IF_NAME, name, strlen(name));
	block_option(p, OPT_IF_TSRESOL, &tsresol, 1);
	block_u32(p, OPT_END);
	block_end(p);
}

/* One packet, seg, with its comment (at most COMMENT_MAX bytes). */
static void write_epb(struct pcapng *p, uint64_t ts_ns, const struct tcp_segment *seg,
		      const char *comment)
{
	int64_t wall_ns = (int64_t)ts_ns + p->realtime_offset_ns;
	uint64_t ts = wall_ns > 0 ? (uint64_t)wall_ns : 0;
	size_t pkt_len;

	block_start(p, BLOCK_EPB);
	block_u32(p, 0);                          /* interface 0 */
	block_u32(p, ts >> 32);
	block_u32(p, (uint32_t)ts);
	pkt_len = tcp_packet(p->block + p->block_len + 8, seg);
	block_u32(p, pkt_len);                    /* captured */
	block_u32(p, pkt_len);                    /* on the "wire" */
	p->block_len += pkt_len;
	block_pad(p);
	block_option(p, OPT_COMMENT, comment, strnlen(comment, COMMENT_MAX));
	block_u32(p, OPT_END);
	block_end(p);
}

/* ---- streams ---- */

static uint32_t hash_key(const struct stream_key *key)
{
	const uint8_t *b = (const uint8_t *)key;
	uint32_t h = 2166136261u;                 /* FNV-1a */

	for (size_t i = 0; i < sizeof(*key); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* The connection of a call seen at one of its ends, and which end that is. */
static enum end stream_key_of(struct stream_key *key, const struct record *rec,
			      const struct sock_addrs *a)
{
	size_t alen = a->family == AF_INET6 ? 16 : 4;
	enum end local;
	int cmp;

	memset(key, 0, sizeof(*key));
	if (a->family != AF_INET && a->family != AF_INET6) {
		/* the placeholder: 0.P.P.P:fd+1 → 0.0.0.0:0, the traced end the client */
		key->family = AF_INET;
		key->addr[CLIENT][1] = rec->pid >> 16;
		key->addr[CLIENT][2] = rec->pid >> 8;
		key->addr[CLIENT][3] = rec->pid;
		key->port[CLIENT] = (uint16_t)(rec->fd + 1);
		return CLIENT;
	}
	cmp = a->lport != a->rport ? (a->lport > a->rport ? 1 : -1)
				   : memcmp(a->laddr, a->raddr, alen);
	local = cmp >= 0 ? CLIENT : SERVER;   /* the higher port is taken for the client */
	key->family = a->family;
	key->port[local] = a->lport;
	key->port[!local] = a->rport;
	memcpy(key->addr[local], a->laddr, alen);
	memcpy(key->addr[!local], a->raddr, alen);
	return local;
}

/* The sequence number that follows what was seen of direction dir: the
 * ISNs are 0, so the SYN takes 0 and the first payload byte is 1. What
 * its receiver read may be ahead of what its sender was seen to write (the
 * sender untraced, or traced late), or behind: the ack takes the furthest. */
static uint32_t next_seq(const struct stream *s, enum end dir)
{
	return (uint32_t)(1 + (s->written[dir] > s->read[dir] ? s->written[dir] : s->read[dir]));
}

/* Sends one segment of the stream in direction dir (named by its sender). */
static void write_segment(struct pcapng *p, const struct stream *s, enum end dir, uint8_t flags,
			  uint32_t seq, uint32_t ack, uint64_t ts_ns, const uint8_t *data,
			  uint32_t len, const char *comment)
{
	struct tcp_segment seg = {
		.family = s->key.family, .saddr = s->key.addr[dir], .daddr = s->key.addr[!dir],
		.sport = s->key.port[dir], .dport = s->key.port[!dir],
		.seq = seq, .ack = ack, .flags = flags, .payload = data, .len = len,
	};

	write_epb(p, ts_ns, &seg, comment);
}

/* The synthetic three-way handshake that opens a stream in the capture. */
static void write_handshake(struct pcapng *p, const struct stream *s, uint64_t ts_ns)
{
	static const char note[] = "tlsprobe: synthetic handshake, at the first call seen on "
				   "this connection; the client is a guess (the higher port)";

	write_segment(p, s, CLIENT, TCP_FLAG_SYN, 0, 0, ts_ns, NULL, 0, note);
	write_segment(p, s, SERVER, TCP_FLAG_SYN | TCP_FLAG_ACK, 0, 1, ts_ns, NULL, 0, note);
	write_segment(p, s, CLIENT, TCP_FLAG_ACK, 1, 1, ts_ns, NULL, 0, note);
}

static struct stream *stream_find(struct pcapng *p, const struct stream_key *key, uint64_t ts_ns)
{
	struct stream **bucket = &p->buckets[hash_key(key) % STREAM_BUCKETS], *s;

	for (s = *bucket; s; s = s->next)
		if (!memcmp(&s->key, key, sizeof(*key)))
			return s;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->key = *key;
	s->next = *bucket;
	*bucket = s;
	write_handshake(p, s, ts_ns);
	return s;
}

/* Where a call goes: its stream, the direction (an end's writes go its own
 * way, its reads come the other way) and the byte count it advances. */
struct position {
	struct stream *stream;
	enum end dir;
	uint64_t *offset;
};

static int locate(struct pcapng *p, const struct record *rec, const struct sock_addrs *addrs,
		  struct position *pos)
{
	struct stream_key key;
	enum end local = stream_key_of(&key, rec, addrs);

	pos->stream = stream_find(p, &key, rec->ts_ns);
	if (!pos->stream) {
		p->err = p->err ? p->err : -ENOMEM;
		return -1;
	}
	pos->dir = rec->dir == DIR_OUT ? local : !local;
	pos->offset = rec->dir == DIR_OUT ? &pos->stream->written[pos->dir]
					  : &pos->stream->read[pos->dir];
	return 0;
}

/* ---- comments ---- */

/* snprintf at the end of what buf holds (a comment too long is cut). */
__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* What the JSON record says of the call, but its bytes. */
static void describe_call(char *buf, size_t len, const struct record *rec)
{
	const char *lib = rec->lib_version[0] ? rec->lib_version : rec->stack;

	buf[0] = '\0';
	append(buf, len, "tlsprobe: pid %d tid %d comm %s fd %d %s %s", rec->pid, rec->tid,
	       rec->comm, rec->fd, rec->func, record_dir_name(rec->dir));
	if (lib[0])
		append(buf, len, " (%s)", lib);
}

static void note_placeholder(struct pcapng *p, char *buf, size_t len, const struct sock_addrs *a)
{
	if (a->family == AF_INET || a->family == AF_INET6)
		return;
	p->placeholder_calls++;
	append(buf, len, "; no socket address known: placeholder addresses (0.x.y.z: the pid, "
	       "port: fd + 1)");
}

/* ---- calls ---- */

void pcapng_data(struct pcapng *p, const struct record *rec, const struct sock_addrs *addrs,
		 const uint8_t *data, uint64_t len)
{
	char comment[COMMENT_MAX], segment_note[COMMENT_MAX];
	uint64_t nsegs = (len + PCAPNG_SEGMENT_MAX - 1) / PCAPNG_SEGMENT_MAX;
	struct position pos;

	if (locate(p, rec, addrs, &pos))
		return;
	describe_call(comment, sizeof(comment), rec);
	append(comment, sizeof(comment), ": %" PRIu64 " bytes", len);
	note_placeholder(p, comment, sizeof(comment), addrs);
	for (uint64_t i = 0, done = 0; i < nsegs; i++) {
		uint32_t n = len - done > PCAPNG_SEGMENT_MAX ? PCAPNG_SEGMENT_MAX : len - done;

		if (nsegs > 1) {
			memcpy(segment_note, comment, sizeof(segment_note));
			append(segment_note, sizeof(segment_note), "; segment %" PRIu64 " of %"
			       PRIu64 " of the call", i + 1, nsegs);
		}
		write_segment(p, pos.stream, pos.dir, TCP_FLAG_ACK | TCP_FLAG_PSH,
			      (uint32_t)(1 + *pos.offset), next_seq(pos.stream, !pos.dir), rec->ts_ns,
			      data + done, n, nsegs > 1 ? segment_note : comment);
		*pos.offset += n;
		done += n;
	}
}

void pcapng_loss(struct pcapng *p, const struct record *rec, const struct sock_addrs *addrs)
{
	char comment[COMMENT_MAX];
	uint64_t calls = rec->calls > 1 ? rec->calls : 1;
	struct position pos;

	if (locate(p, rec, addrs, &pos))
		return;
	describe_call(comment, sizeof(comment), rec);
	append(comment, sizeof(comment), ": LOSS: %" PRIu64 " bytes not captured in %" PRIu64
	       " call%s (%s); the sequence numbers skip them", rec->lost, calls,
	       calls == 1 ? "" : "s",
	       rec->reason[0] ? rec->reason : "ring buffer full, or the memory unreadable");
	note_placeholder(p, comment, sizeof(comment), addrs);
	write_segment(p, pos.stream, pos.dir, TCP_FLAG_ACK, (uint32_t)(1 + *pos.offset),
		      next_seq(pos.stream, !pos.dir), rec->ts_ns, NULL, 0, comment);
	*pos.offset += rec->lost;
}

/* ---- the file ---- */

struct pcapng *pcapng_new(FILE *f, int64_t realtime_offset_ns)
{
	struct pcapng *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->f = f;
	p->realtime_offset_ns = realtime_offset_ns;
	write_shb(p);
	write_idb(p);
	return p;
}

static int64_t realtime_offset_ns(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return (int64_t)(real.tv_sec - mono.tv_sec) * 1000000000 + (real.tv_nsec - mono.tv_nsec);
}

struct pcapng *pcapng_open(const char *path, char *why, size_t whylen)
{
	int fd = private_file_create(path, why, whylen);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	struct pcapng *p = f ? pcapng_new(f, realtime_offset_ns()) : NULL;

	if (!p) {
		int saved = errno;

		if (f)
			fclose(f);
		else if (fd >= 0)
			close(fd);
		errno = saved;
		return NULL;
	}
	p->own_file = 1;
	return p;
}

uint64_t pcapng_placeholder_calls(const struct pcapng *p)
{
	return p ? p->placeholder_calls : 0;
}

int pcapng_flush(struct pcapng *p)
{
	if (!p)
		return 0;
	if (fflush(p->f) && !p->err)
		p->err = -errno;
	return p->err;
}

int pcapng_close(struct pcapng *p)
{
	int err;

	if (!p)
		return 0;
	err = pcapng_flush(p);
	if (p->own_file && fclose(p->f) && !err)
		err = -errno;
	for (size_t i = 0; i < STREAM_BUCKETS; i++) {
		for (struct stream *s = p->buckets[i], *next; s; s = next) {
			next = s->next;
			free(s);
		}
	}
	free(p);
	return err;
}
