/* GnuTLS (libgnutls.so): gnutls_record_send / gnutls_record_recv and their
 * variants, which return the byte count (ssize_t). */
#ifndef TLSPROBE_LIBS_GNUTLS_H
#define TLSPROBE_LIBS_GNUTLS_H
#include "backend.h"

extern const struct tls_backend gnutls_backend;
#endif
