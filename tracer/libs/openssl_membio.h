/* OpenSSL's memory BIO functions, for the sockets of sessions whose app
 * moves the ciphertext itself (libs/openssl_membio.c). */
#ifndef TLSPROBE_LIBS_OPENSSL_MEMBIO_H
#define TLSPROBE_LIBS_OPENSSL_MEMBIO_H
#include "backend.h"

/* Adds entry sites on mem_write and mem_read of img (libcrypto, or a
 * program with it linked in), OpenSSL major.minor, to plan, and says what
 * it did in plan->mem_bio. 0, or -1 (nothing added). */
int openssl_plan_mem_bio(struct elf_image *img, int major, int minor, struct probe_plan *plan);
#endif
