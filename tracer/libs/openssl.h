/* What to probe in an OpenSSL-family library (libssl), and which version it is. */
#ifndef TLSPROBE_LIBS_OPENSSL_H
#define TLSPROBE_LIBS_OPENSSL_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../../bpf/events.h"

struct tls_lib {
	int id;                        /* rides in the BPF cookie */
	unsigned int dev_major, dev_minor;
	uint64_t inode;
	char path[PATH_MAX];           /* as the first target that mapped it sees it */
	char host_path[PATH_MAX];      /* where the tracer opened it */
	char version[64];              /* "OpenSSL 3.0.19", or "" if not found */
	int has_func[FUNC_COUNT];
	uint64_t func_offset[FUNC_COUNT];
};

/* Whether a mapped file is a libssl (by its name: libssl.so, libssl.so.3 …). */
int openssl_is_libssl(const char *path);

/* Finds the probe offsets and the version of the libssl at lib->host_path.
 * Returns 0, or -1 with a reason in err (no such file, not ELF, no symbols,
 * none of the functions). */
int openssl_plan(struct tls_lib *lib, char *err, size_t errlen);

/* Finds "OpenSSL X.Y.Z[letter]" in a blob (a library's .rodata), preferring
 * the full version string, which is followed by a release date. Returns 0 and
 * writes e.g. "OpenSSL 3.0.19" to out, or -1 when there is none. */
int openssl_version_scan(const uint8_t *buf, size_t len, char *out, size_t outlen);

const char *tls_func_name(enum tls_func func);
#endif
