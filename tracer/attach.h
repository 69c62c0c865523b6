/* The TLS libraries the tracer has attached to: one entry (and one set of
 * uprobes) per library file, identified by (device, inode), however many
 * processes or containers map it; and the site table their probes index
 * (each probe's BPF cookie is its site's index). Which files hold a TLS
 * stack, and where to probe them, the backends say (libs/backend.h). */
#ifndef TLSPROBE_ATTACH_H
#define TLSPROBE_ATTACH_H
#include <stddef.h>
#include <stdio.h>
#include "libs/backend.h"
#include "procmaps.h"

struct bpf_object;
struct bpf_program;
struct bpf_link;

/* One entry of the site table: the library and the site of its plan. */
struct site_ref {
	unsigned int lib, site;
};

struct lib_registry {
	struct tls_lib *libs;
	size_t nlibs, cap;
	struct bpf_link **links;
	size_t nlinks, links_cap;
	struct site_ref sites[SITES_MAX];
	unsigned int nsites;
	int sites_fd;                  /* the BPF site table */
	struct bpf_object *obj;        /* where the sites' entry programs are found by name */
	/* NULL: the programs each site names (tls_entry/tls_return, nss_entry …);
	 * set: these at every site (the floors) */
	struct bpf_program *entry_prog, *return_prog;
	enum plan_mode plan_mode;
	int verbose;
	FILE *explain;   /* non-NULL: print each library's plan there */
};

/* Attaches to the library mapped as `e` in process pid, unless that file is
 * attached already. Returns 1 when newly attached, 0 when known, -1 when it
 * can't be probed (the reason is printed once). */
int registry_attach_mapping(struct lib_registry *reg, int pid, const struct map_entry *e);

/* Attaches to every TLS library pid maps. Returns how many such files it
 * maps (attached now or before), or -errno when its maps can't be read. */
int registry_scan_pid(struct lib_registry *reg, int pid);

/* Attaches to the TLS libraries in the host's library directories, so that
 * processes started later are traced from their first call. */
void registry_attach_system_libs(struct lib_registry *reg);

/* The library and site of a record's site index; NULL when there is none. */
const struct tls_lib *registry_site(const struct lib_registry *reg, unsigned int site,
				    const struct probe_site **probe);
/* Removes every probe (the libraries stay known, for naming records). */
void registry_detach(struct lib_registry *reg);
void registry_free(struct lib_registry *reg);
#endif
