/* One TLS plaintext record, as the tracer emits it and as a fixture's transcript
 * states it. The JSON-lines form (one object per line) is the project's schema:
 * the tracer writes it, fixtures write it, third-party adapters write it, and the
 * comparator reads it. Fields are described in README.md ("Event schema"). */
#ifndef TLSPROBE_RECORD_H
#define TLSPROBE_RECORD_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

/* The schema version every writer puts in "schema" (1: lines without it). */
#define RECORD_SCHEMA 2

/* A redacted data record (trace --redact) carries SHA-256 hashes instead of
 * its bytes: one of its len bytes ("sha256"), and, when len is over
 * RECORD_HASH_CHUNK, one of each RECORD_HASH_CHUNK bytes from its start
 * ("chunk_sha256", the last one shorter), which narrow a difference down. */
#define RECORD_HASH_LEN 32
#define RECORD_HASH_CHUNK 16384

/* data: a call's bytes; loss: bytes a tracer knows it did not deliver; skip:
 * a process whose TLS stack the tracer found but cannot trace (the reason
 * says why; a conformance cell it leaves unjudged is SKIP with it). */
enum record_type { RECORD_DATA = 0, RECORD_LOSS = 1, RECORD_SKIP = 2 };
enum record_dir { DIR_OUT = 0, DIR_IN = 1 };

struct record {
	enum record_type type;
	uint64_t ts_ns;          /* CLOCK_MONOTONIC */
	int pid, tid;            /* host ids (for a fixture: its own ids) */
	int nspid, nstid;        /* ids in the target's own pid namespace */
				 /* tid, nstid -1: unknown thread (a runtime that moves a
				  * connection between threads: Go, tokio) */
	char comm[16];
	char stack[32];          /* "openssl", "gnutls", "nss" …: the backend's name */
	char lib[256];           /* library path as the target sees it */
	char lib_version[64];    /* e.g. "OpenSSL 3.0.19" */
	char func[512];          /* SSL_write, gnutls_record_recv, a mangled Rust name ... */
	enum record_dir dir;
	int fd;                  /* -1 when unknown */
	char laddr[64], raddr[64]; /* "127.0.0.1:4433", "[::1]:4433", "" when unknown */
	uint64_t len;            /* data: bytes in data; loss: bytes the call moved */
	uint64_t offset;         /* loss: bytes of the call captured before the loss */
	uint64_t lost;           /* loss: bytes of the call lost */
	uint64_t calls;          /* loss: calls it stands for; 0 or 1: one (more when a
				  * tracer had to sum a thread's losses) */
	char reason[256];        /* skip: why not traced; loss: why lost, "" for the
				  * usual (ring buffer full, memory unreadable) */
	uint8_t *data;           /* data: len bytes (malloc'd, owned by the record);
				  * NULL when redacted */
	/* Set by the parser and by whoever calls record_write_json_redacted;
	 * record_write_json does not read them (writers leave them unset). */
	int redacted;            /* data: hashes instead of bytes */
	uint8_t sha256[RECORD_HASH_LEN];   /* redacted: of the len bytes */
	uint8_t (*chunk_sha256)[RECORD_HASH_LEN]; /* redacted: of each chunk (malloc'd,
				  * owned by the record), or NULL */
	uint64_t nchunks;        /* entries in chunk_sha256 */
};

/* Chunks of RECORD_HASH_CHUNK bytes that len bytes make (the last one shorter). */
static inline uint64_t record_hash_chunks(uint64_t len)
{
	return (len + RECORD_HASH_CHUNK - 1) / RECORD_HASH_CHUNK;
}

/* Writes one JSON line (with trailing newline), "schema" included. Returns
 * 0 or -errno. (record_write.c: needs only libc and base64.c.) */
int record_write_json(FILE *out, const struct record *rec);
/* The same for a redacted data record: "sha256" and "chunk_sha256" (when
 * rec->chunk_sha256 is set) from rec's hashes, no "data". Returns 0 or -errno. */
int record_write_json_redacted(FILE *out, const struct record *rec);
/* Parses one JSON line into rec (rec->data malloc'd). Returns 0, or -1 with
 * `field "KEY": reason` in err (errlen bytes) when a field is at fault, else
 * the reason ("bad JSON at column ..."). Unknown fields are ignored, and
 * "schema", "stack" and "comm" may be absent (lenient, for adapters;
 * `tlsprobe validate` is strict). (record.c: jansson.) */
int record_parse_json(const char *line, struct record *rec, char *err, size_t errlen);
void record_free(struct record *rec);

const char *record_dir_name(enum record_dir dir);

#endif
