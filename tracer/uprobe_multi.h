/* BPF_TRACE_UPROBE_MULTI links (Linux 6.6+): many offsets of one file under
 * one link, removed after one grace period where separate probes wait for
 * one each (~0.1 s here: seconds for the return instructions of every Go
 * binary in the image layers). Debian 12's libbpf (1.1) has no call for
 * them, so the link is made with the bpf syscall itself. */
#ifndef TLSPROBE_UPROBE_MULTI_H
#define TLSPROBE_UPROBE_MULTI_H
#include <stdbool.h>
#include <stdint.h>

/* The program's expected attach type for such links (enum bpf_attach_type). */
#define UPROBE_MULTI_ATTACH_TYPE 48

/* Whether the running kernel has them (its release: 6.6 or later). */
bool uprobe_multi_supported(void);

/* A link of prog_fd (loaded with UPROBE_MULTI_ATTACH_TYPE) at cnt file
 * offsets of path, each with its BPF cookie. The link's fd, or -errno. */
int uprobe_multi_attach(int prog_fd, const char *path, const uint64_t *offsets,
			const uint64_t *cookies, unsigned int cnt);
#endif
