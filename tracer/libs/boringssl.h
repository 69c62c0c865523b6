/* BoringSSL (Android's libssl.so.0, or linked into a program): the backend.
 * SSL_write and SSL_read, probed where they begin; found in .dynsym or, for
 * a program built with -fvisibility=hidden, as local .symtab symbols. */
#ifndef TLSPROBE_LIBS_BORINGSSL_H
#define TLSPROBE_LIBS_BORINGSSL_H
#include "backend.h"

extern const struct tls_backend boringssl_backend;

/* Whether the file (img, at lib->host_path) is BoringSSL's: its .rodata,
 * or for a libssl* the .rodata of the libcrypto* beside it, holds the text
 * BoringSSL's OpenSSL_version() returns ("BoringSSL", a string of its own)
 * or its OPENSSL_VERSION_TEXT ("OpenSSL 1.1.1 (compatible; BoringSSL)").
 * libs/openssl.c asks, so that BoringSSL is never planned as OpenSSL 1.1.1. */
int boringssl_holds(const struct tls_lib *lib, struct elf_image *img);
#endif
