/* The TLS libraries the tracer has attached to: one entry (and one set of
 * uprobes) per library file, identified by (device, inode), however many
 * processes or containers map it. */
#ifndef TLSPROBE_ATTACH_H
#define TLSPROBE_ATTACH_H
#include <stddef.h>
#include <stdio.h>
#include "libs/openssl.h"
#include "procmaps.h"

struct bpf_program;
struct bpf_link;

struct lib_registry {
	struct tls_lib *libs;
	size_t nlibs, cap;
	struct bpf_link **links;
	size_t nlinks, links_cap;
	struct bpf_program *entry_prog, *return_prog;
	enum plan_mode plan_mode;
	int verbose;
	FILE *explain;   /* non-NULL: print each library's plan there */
};

/* Attaches to the library mapped as `e` in process pid, unless that file is
 * attached already. Returns 1 when newly attached, 0 when known, -1 when it
 * can't be probed (the reason is printed once). */
int registry_attach_mapping(struct lib_registry *reg, int pid, const struct map_entry *e);

/* Attaches to every libssl that pid maps. Returns how many libssl files it
 * maps (attached now or before), or -errno when its maps can't be read. */
int registry_scan_pid(struct lib_registry *reg, int pid);

/* Attaches to the libssl files in the host's library directories, so that
 * processes started later are traced from their first call. */
void registry_attach_system_libs(struct lib_registry *reg);

const struct tls_lib *registry_lib(const struct lib_registry *reg, unsigned int id);
/* Removes every probe (the libraries stay known, for naming records). */
void registry_detach(struct lib_registry *reg);
void registry_free(struct lib_registry *reg);
#endif
