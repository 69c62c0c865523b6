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

/* A (process, file) pair that was told its stack is not traced. */
struct skip_ref {
	int pid;
	unsigned int lib;
};

struct lib_registry {
	struct tls_lib *libs;
	size_t nlibs, cap;
	struct bpf_link **links;
	size_t nlinks, links_cap;
	/* uprobe_multi links (their fds), when the kernel has them (use_multi) */
	int *multi_links;
	size_t nmulti, multi_cap;
	int use_multi;
	struct site_ref sites[SITES_MAX];
	unsigned int nsites;
	int sites_fd;                  /* the BPF site table */
	int exts_fd;                   /* and its second half (struct site_ext), or -1 */
	struct bpf_object *obj;        /* where the sites' entry programs are found by name */
	/* NULL: the programs each site names (tls_entry/tls_return, nss_entry …);
	 * set: these at every site (the floors) */
	struct bpf_program *entry_prog, *return_prog;
	enum plan_mode plan_mode;
	int verbose;
	FILE *explain;   /* non-NULL: print each library's plan there */
	/* Called once per target process and file holding a stack that cannot
	 * be probed (LIB_UNPLANNED: the reason is in lib->reason). */
	void (*on_unplanned)(void *arg, int pid, const struct tls_lib *lib);
	void *unplanned_arg;
	struct skip_ref skips[1024];
	size_t nskips;
};

/* Looks at the file mapped as `e` in process pid, unless it was looked at
 * already (by device and inode), and attaches to it when it holds a TLS
 * stack. Returns 1 when newly attached, 0 when attached before or holding no
 * stack, -1 when it holds one that can't be probed (the reason is printed
 * once, and on_unplanned called once per process). */
int registry_attach_mapping(struct lib_registry *reg, int pid, const struct map_entry *e);

/* Looks at every file pid runs code from (its executable, its libraries)
 * and attaches to those holding a TLS stack. Returns how many such files it
 * maps (attached now or before, or not probeable), or -errno when its maps
 * can't be read. */
int registry_scan_pid(struct lib_registry *reg, int pid);

/* Attaches to the TLS libraries in the host's library directories, so that
 * processes started later are traced from their first call. */
void registry_attach_system_libs(struct lib_registry *reg);
/* Looks at one file by its path (attached if it holds a stack). */
void registry_look_at_path(struct lib_registry *reg, const char *path);
/* The same for a file of an image layer: path is where a container sees
 * it (records name it so), host_path where the tracer opens it. */
void registry_look_at_file(struct lib_registry *reg, const char *path, const char *host_path);

/* Of the probed files pid maps, the one attached last, or NULL; when pid
 * is gone, of all probed files (it may have mapped any). */
const struct tls_lib *registry_latest_attached(struct lib_registry *reg, int pid);

/* The library and site of a record's site index; NULL when there is none. */
const struct tls_lib *registry_site(const struct lib_registry *reg, unsigned int site,
				    const struct probe_site **probe);
/* Removes every probe (the libraries stay known, for naming records). */
void registry_detach(struct lib_registry *reg);
/* Another process holds the probes now (the detach child): forgets them
 * here without removing them. */
void registry_forget_links(struct lib_registry *reg);
void registry_free(struct lib_registry *reg);
#endif
