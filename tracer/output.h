/* Writing captured calls and loss records: JSON lines (the schema in
 * record.h) or text for people. */
#ifndef TLSPROBE_OUTPUT_H
#define TLSPROBE_OUTPUT_H
#include <stdio.h>
#include <stdint.h>
#include "libs/backend.h"
#include "record.h"
#include "pcapng.h"

enum output_format { OUTPUT_JSON, OUTPUT_TEXT };

struct output {
	FILE *f;
	enum output_format format;
	struct pcapng *pcapng;   /* trace --pcapng: data and loss go there too */
	int redact;              /* trace --redact: data records carry hashes, not bytes */
};

/* Fills rec from a BPF call header (rec->data is not set). */
void output_fill_record(struct record *rec, const struct call_header *hdr,
			const struct tls_lib *lib, const struct probe_site *site);
void output_data(struct output *out, const struct call_header *hdr,
		 const struct tls_lib *lib, const struct probe_site *site, const uint8_t *data,
		 uint64_t len);
/* calls: how many calls the loss stands for (1, or a thread's sum). */
void output_loss(struct output *out, const struct call_header *hdr,
		 const struct tls_lib *lib, const struct probe_site *site, uint64_t delivered,
		 uint64_t lost, uint64_t calls);
/* A process whose TLS stack (lib) is found but cannot be traced: a skip
 * record with lib->reason. ids: pid, nspid; comm: the process's. */
void output_skip(struct output *out, int pid, int nspid, const char *comm,
		 const struct tls_lib *lib);
/* A process that did socket I/O from since_ns on, before lib was attached
 * (lib->attached_ns): an "attached late" loss record, stamped with the
 * attach time, saying that its plaintext before then may be missing. lib
 * NULL: the process went before its files were looked at; the record is
 * stamped now, and all its plaintext may be missing. */
void output_attached_late(struct output *out, int pid, int nspid, const char *comm,
			  const struct tls_lib *lib, uint64_t since_ns, uint64_t socket_calls);
/* Its reason starts so (the comparator looks for it). */
#define LATE_REASON "attached late"
/* "127.0.0.1:443", "[::1]:443"; "" when family is 0. */
void format_sockaddr(uint16_t family, const uint8_t *addr, uint16_t port, char *out, size_t outlen);
#endif
