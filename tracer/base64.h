/* Standard base64 (RFC 4648, with padding). Pure, no dependencies: fixtures
 * built inside minimal containers compile this file too. */
#ifndef TLSPROBE_BASE64_H
#define TLSPROBE_BASE64_H
#include <stddef.h>
#include <stdint.h>

/* Length of the encoding of n bytes, without the terminating NUL. */
size_t base64_encoded_len(size_t n);
/* Writes the encoding of src[0..n) and a NUL to dst (base64_encoded_len(n)+1 bytes). */
void base64_encode(const uint8_t *src, size_t n, char *dst);
/* Decodes src (srclen chars) into dst (at least srclen/4*3 bytes).
 * Returns the decoded length, or -1 on malformed input. */
long base64_decode(const char *src, size_t srclen, uint8_t *dst);
#endif
