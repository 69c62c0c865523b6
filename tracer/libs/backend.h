/* A TLS stack's backend: what the generic tracer (discovery, attach, the
 * planner toolkit, output) asks of a stack, and the only way it reaches one.
 * A backend says whether an ELF file holds its stack and which version,
 * where to probe, how to read arguments and results there, and how to find
 * the connection (the last three as site descriptions in its plan: see
 * struct site_desc in bpf/events.h). libs/backends.c lists the backends: a
 * new stack adds its libs/<stack>.c and one line there. */
#ifndef TLSPROBE_LIBS_BACKEND_H
#define TLSPROBE_LIBS_BACKEND_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "../../bpf/events.h"
#include "../planner.h"

struct elf_image;
struct tls_backend;

/* What the tracer made of a mapped file (each file is looked at once). */
enum lib_state {
	LIB_ATTACHED = 1, /* holds a stack, probed */
	LIB_NOT_TLS,      /* no backend's stack is in it */
	LIB_UNPLANNED,    /* a stack is in it, but no probe site can be proved: not
			   * probed, and each target mapping it gets a "skip" record
			   * with the reason */
	LIB_UNREADABLE,   /* it could not be opened or read as ELF */
	LIB_FAILED,       /* planned, but attaching failed (printed) */
};

/* One mapped ELF file (a TLS library, or an executable with a stack linked
 * in, or a file found to hold none) the tracer knows, however many
 * processes map it. */
struct tls_lib {
	int id;
	enum lib_state state;
	char reason[256];              /* LIB_UNPLANNED, LIB_UNREADABLE: why */
	const struct tls_backend *backend; /* the stack it holds; NULL: none (yet) */
	unsigned int dev_major, dev_minor;
	uint64_t inode;
	char path[PATH_MAX];           /* as the first target that mapped it sees it */
	char host_path[PATH_MAX];      /* where the tracer opened it */
	char version[64];              /* "OpenSSL 3.0.19", "GnuTLS 3.7.9", or "" if not found */
	uint64_t attached_ns;          /* LIB_ATTACHED: when its probes were all in place */
	struct probe_plan plan;        /* where the probes go, and what they read */
};

struct tls_backend {
	const char *name;              /* "openssl": the events' "stack" */
	/* File-name prefixes of the stack's libraries ("libssl.so"): which
	 * mapped files discovery looks at, and what the openat hook reports. */
	const char *const *lib_names;
	/* Files next to the library that the backend reads too (libcrypto.so
	 * for OpenSSL's version), NULL-terminated: what a copy of the library
	 * out of a container must bring along. */
	const char *const *companions;
	/* Whether img holds this stack: 0 with lib->version set ("" when the
	 * version cannot be told), or -1 with the reason in err. */
	int (*classify)(struct tls_lib *lib, struct elf_image *img, char *err, size_t errlen);
	/* Where to probe and what the programs read there: fills lib->plan.
	 * 0, or -1 with the reason in err. */
	int (*plan)(struct tls_lib *lib, struct elf_image *img, enum plan_mode mode,
		    char *err, size_t errlen);
};

/* The table (libs/backends.c), NULL-terminated. */
extern const struct tls_backend *const tls_backends[];

/* The backend whose lib_names match the file name of path, or NULL: which
 * files the openat hook reports and the start-up scan looks at by name. */
const struct tls_backend *backend_for_path(const char *path);

/* Opens lib->host_path and classifies it by its content: lib->backend
 * when set (the caller knows the stack), else each backend of the table in
 * order until one says the file holds its stack; then asks that backend for
 * its plan. 0: planned. 1: no backend's stack is in the file (err says
 * why, for --verbose). -1: the reason in err, with lib->backend set when a
 * stack was found but cannot be planned (stripped: nothing to prove a site
 * from), NULL when the file cannot be read (no such file, not ELF). */
int backend_plan_lib(struct tls_lib *lib, enum plan_mode mode, char *err, size_t errlen);

/* ---- helpers the backends share ---- */

/* Finds "<prefix>X.Y[.Z][letters]" (at least min_dots dots: 2 for
 * "OpenSSL 3.0.19", 1 for "NSS 3.110") in blob (a library's .rodata): the
 * first one followed by a space and a digit (a release date) if any, else
 * the first one. Writes "<prefix>X.Y.Z…" to out. 0 or -1. */
int version_scan(const uint8_t *blob, size_t len, const char *prefix, int min_dots, char *out,
		 size_t outlen);
/* Whether img's .rodata holds these len bytes (a string's NUL included
 * when the caller counts it). */
int rodata_has_bytes(struct elf_image *img, const void *bytes, size_t len);
/* version_scan of the .rodata of the ELF file at path. 0 or -1. */
int version_scan_file(const char *path, const char *prefix, int min_dots, char *out,
		      size_t outlen);
/* The path of the file whose name is sibling_prefix plus what follows
 * own_prefix in path's file name, in path's directory
 * ("/x/libssl.so.3", "libssl", "libcrypto" → "/x/libcrypto.so.3"). */
void sibling_path(const char *path, const char *own_prefix, const char *sibling_prefix,
		  char *out, size_t outlen);
#endif
