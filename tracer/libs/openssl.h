/* OpenSSL (libssl): the backend, and what its tests reach. */
#ifndef TLSPROBE_LIBS_OPENSSL_H
#define TLSPROBE_LIBS_OPENSSL_H
#include <stddef.h>
#include <stdint.h>
#include "backend.h"

/* PLAN_AUTO probes the internal read and write functions every plaintext
 * path reaches (SSL_read/SSL_write, the _ex variants, BIO_f_ssl) where the
 * planner can prove them, and falls back to the exported entry points, per
 * direction, where it can't. */
extern const struct tls_backend openssl_backend;

/* Whether a mapped file is a libssl (by its name: libssl.so, libssl.so.3 …). */
int openssl_is_libssl(const char *path);

/* Finds "OpenSSL X.Y.Z[letter]" in a blob (a library's .rodata), preferring
 * the full version string, which is followed by a release date. Returns 0 and
 * writes e.g. "OpenSSL 3.0.19" to out, or -1 when there is none. */
int openssl_version_scan(const uint8_t *buf, size_t len, char *out, size_t outlen);

/* "OpenSSL 3.0.19" → 3, 0, 19. Returns 0, or -1 when it is no such string. */
int openssl_parse_version(const char *version, int *major, int *minor, int *patch);
#endif
