/* trace --pcapng: the captured plaintext as a pcapng capture that Wireshark
 * and tshark open. Each connection is one TCP stream with its real addresses
 * and ports (raw IPv4/IPv6, LINKTYPE_RAW), the plaintext as TCP payload,
 * each call's pid, tid, comm, fd and function in its packet's comment.
 * libpcap 1.10 writes only pcap, which has no comments, so this writes the
 * three pcapng blocks it needs itself (SHB, IDB, EPB). */
#ifndef TLSPROBE_PCAPNG_H
#define TLSPROBE_PCAPNG_H
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "events.h"
#include "record.h"

/* The most TCP payload one IPv4 packet holds (65535 - 20 - 20): larger calls
 * are split into several segments. */
#define PCAPNG_SEGMENT_MAX 65495

struct pcapng;

/* Creates path (private_file_create: mode 0600; a symlink, a hard link or
 * another user's file is refused, with the reason in why) and writes the
 * section and interface headers. NULL: errno set. */
struct pcapng *pcapng_open(const char *path, char *why, size_t whylen);
/* The same on a stream the caller opened (the tests); realtime_offset_ns
 * turns a CLOCK_MONOTONIC ts_ns into wall-clock time. */
struct pcapng *pcapng_new(FILE *f, int64_t realtime_offset_ns);
/* One call's plaintext: rec says who (pid, tid, comm, fd, func, dir, ts_ns),
 * addrs on which connection (family 0: no address; see pcapng.c). */
void pcapng_data(struct pcapng *p, const struct record *rec, const struct sock_addrs *addrs,
		 const uint8_t *data, uint64_t len);
/* A loss record (rec->lost bytes): a payload-less packet whose comment says
 * so, and the stream's sequence numbers skip the lost bytes. */
void pcapng_loss(struct pcapng *p, const struct record *rec, const struct sock_addrs *addrs);
/* Connections without an address written on placeholder addresses. */
uint64_t pcapng_placeholder_calls(const struct pcapng *p);
int pcapng_flush(struct pcapng *p);
/* Closes the file (when pcapng_open opened it) and frees p. Returns 0, or
 * -errno of the first write that failed. */
int pcapng_close(struct pcapng *p);

/* One TCP segment as it goes into the capture (exposed for the tests). */
struct tcp_segment {
	uint16_t family;           /* AF_INET or AF_INET6 */
	const uint8_t *saddr, *daddr; /* 4 or 16 bytes */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;             /* TCP_FLAG_* */
	const uint8_t *payload;
	uint32_t len;              /* at most PCAPNG_SEGMENT_MAX */
};
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_ACK 0x10
/* The biggest packet tcp_packet writes: IPv6 + TCP headers + payload. */
#define TCP_PACKET_MAX (40 + 20 + PCAPNG_SEGMENT_MAX)
/* Writes seg as an IP packet with its TCP header, checksums filled in, into
 * buf (TCP_PACKET_MAX bytes); returns its length. */
size_t tcp_packet(uint8_t *buf, const struct tcp_segment *seg);
#endif
