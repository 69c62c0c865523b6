/* trace --redact: a data record's bytes replaced by their SHA-256 hashes
 * (record.h: "sha256", "chunk_sha256"), and the comparator's hashing of
 * the transcript's bytes to check such records. libcrypto. */
#ifndef TLSPROBE_REDACT_H
#define TLSPROBE_REDACT_H
#include <stdint.h>
#include "record.h"

/* SHA-256 of len bytes of data into out. Returns 0, or -1 when libcrypto
 * fails (out of memory). */
int redact_sha256(const uint8_t *data, uint64_t len, uint8_t out[RECORD_HASH_LEN]);

/* Makes rec (a data record of rec->len bytes, data its bytes) redacted:
 * rec->sha256, and chunk_sha256 when len is over RECORD_HASH_CHUNK
 * (malloc'd: redact_release frees it). rec->data is left NULL. Returns 0,
 * or -1 when not even the call's hash could be made. */
int redact_record(struct record *rec, const uint8_t *data);
void redact_release(struct record *rec);
#endif
