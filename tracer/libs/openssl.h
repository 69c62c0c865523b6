/* What to probe in an OpenSSL-family library (libssl), and which version it is. */
#ifndef TLSPROBE_LIBS_OPENSSL_H
#define TLSPROBE_LIBS_OPENSSL_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../../bpf/events.h"
#include "../planner.h"

struct tls_lib {
	int id;                        /* rides in the BPF cookie */
	unsigned int dev_major, dev_minor;
	uint64_t inode;
	char path[PATH_MAX];           /* as the first target that mapped it sees it */
	char host_path[PATH_MAX];      /* where the tracer opened it */
	char version[64];              /* "OpenSSL 3.0.19", or "" if not found */
	struct probe_plan plan;        /* where the probes go, and what they read */
};

/* Whether a mapped file is a libssl (by its name: libssl.so, libssl.so.3 …). */
int openssl_is_libssl(const char *path);

/* Finds the version of the libssl at lib->host_path and plans its probes:
 * PLAN_AUTO probes the internal read and write functions every plaintext path
 * reaches (SSL_read/SSL_write, the _ex variants, BIO_f_ssl) where the planner
 * can prove them, and falls back to the exported entry points, per direction,
 * where it can't. Returns 0, or -1 with a reason in err (no such file, not
 * ELF, no symbols, none of the functions). */
int openssl_plan(struct tls_lib *lib, enum plan_mode mode, char *err, size_t errlen);

/* Finds "OpenSSL X.Y.Z[letter]" in a blob (a library's .rodata), preferring
 * the full version string, which is followed by a release date. Returns 0 and
 * writes e.g. "OpenSSL 3.0.19" to out, or -1 when there is none. */
int openssl_version_scan(const uint8_t *buf, size_t len, char *out, size_t outlen);

const char *tls_func_name(enum tls_func func);
/* DATA_IN for the read functions, DATA_OUT for the write functions. */
enum data_dir tls_func_dir(enum tls_func func);

/* "OpenSSL 3.0.19" → 3, 0, 19. Returns 0, or -1 when it is no such string. */
int openssl_parse_version(const char *version, int *major, int *minor, int *patch);
#endif
