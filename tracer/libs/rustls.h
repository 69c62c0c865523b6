/* rustls in Rust executables: the plaintext sink behind its Writer, by
 * demangled path (libs/rustls.c). */
#ifndef TLSPROBE_LIBS_RUSTLS_H
#define TLSPROBE_LIBS_RUSTLS_H
#include "backend.h"

extern const struct tls_backend rustls_backend;
#endif
