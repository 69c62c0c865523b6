/* OpenSSL (libssl): the backend. */
#ifndef TLSPROBE_LIBS_OPENSSL_H
#define TLSPROBE_LIBS_OPENSSL_H
#include "backend.h"

/* PLAN_AUTO probes the internal read and write functions every plaintext
 * path reaches (SSL_read/SSL_write, the _ex variants, BIO_f_ssl) where the
 * planner can prove them, and falls back to the exported entry points, per
 * direction, where it can't. */
extern const struct tls_backend openssl_backend;
#endif
