// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <openssl/evp.h>
#include "redact.h"

/* The digest and its context, fetched once per thread: a fetch per call
 * would cost more than hashing a short call. */
static EVP_MD_CTX *sha256_ctx(const EVP_MD **md)
{
	static __thread EVP_MD *sha256;
	static __thread EVP_MD_CTX *ctx;

	if (!sha256)
		sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!ctx)
		ctx = EVP_MD_CTX_new();
	*md = sha256;
	return sha256 ? ctx : NULL;
}

int redact_sha256(const uint8_t *data, uint64_t len, uint8_t out[RECORD_HASH_LEN])
{
	const EVP_MD *md;
	EVP_MD_CTX *ctx = sha256_ctx(&md);
	unsigned int n = 0;

	if (!ctx || !EVP_DigestInit_ex2(ctx, md, NULL) ||
	    (len && !EVP_DigestUpdate(ctx, data, len)) ||
	    !EVP_DigestFinal_ex(ctx, out, &n) || n != RECORD_HASH_LEN)
		return -1;
	return 0;
}

/* The per-chunk hashes are a help in finding a difference, not needed to
 * judge one: without memory for them the record still goes out, without. */
static void hash_chunks(struct record *rec, const uint8_t *data)
{
	uint64_t n = record_hash_chunks(rec->len);

	rec->chunk_sha256 = malloc(n * sizeof(*rec->chunk_sha256));
	if (!rec->chunk_sha256)
		return;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t start = i * RECORD_HASH_CHUNK, left = rec->len - start;

		if (redact_sha256(data + start, left < RECORD_HASH_CHUNK ? left : RECORD_HASH_CHUNK,
				  rec->chunk_sha256[i])) {
			redact_release(rec);
			return;
		}
	}
	rec->nchunks = n;
}

int redact_record(struct record *rec, const uint8_t *data)
{
	rec->data = NULL;
	rec->redacted = 1;
	rec->chunk_sha256 = NULL;
	rec->nchunks = 0;
	if (redact_sha256(data, rec->len, rec->sha256))
		return -1;
	if (rec->len > RECORD_HASH_CHUNK)
		hash_chunks(rec, data);
	return 0;
}

void redact_release(struct record *rec)
{
	free(rec->chunk_sha256);
	rec->chunk_sha256 = NULL;
	rec->nchunks = 0;
}
