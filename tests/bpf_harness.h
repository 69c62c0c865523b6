/* The tracer's real BPF programs, loaded into a test and attached to
 * functions of the test binary itself (the way the kernel's selftests/bpf
 * uprobe tests probe their own code): a fresh skeleton per test, loaded as
 * trace.c loads it (ring-buffer size and wake-up threshold set before load,
 * the fd syscall program this kernel can run), the test process as the only
 * target (targets_configure_bpf), the site table written as attach.c writes
 * it (the probe's cookie is the site's index; return probe first), and the
 * ring buffer drained into a list of raw records the test decodes itself or
 * hands to the real consumer. Needs root and a kernel with uprobes. */
#ifndef TLSPROBE_TESTS_BPF_HARNESS_H
#define TLSPROBE_TESTS_BPF_HARNESS_H
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "elfsym.h"
#include "trace.h"
#include "targets.h"
#include "tlsprobe.skel.h"

#define HARNESS_LINKS_MAX 32

/* One ring-buffer record as it came: the header, then the chunk's bytes. */
struct harness_record {
	size_t size;
	union {
		struct call_header hdr;
		uint8_t bytes[sizeof(struct data_event)];
	} *rec;
};

struct harness {
	struct tlsprobe_bpf *skel;
	struct bpf_program *fd_prog;
	struct bpf_link *links[HARNESS_LINKS_MAX];
	int nlinks;
	unsigned int nsites;
	char exe[PATH_MAX];
	struct elf_image *img;
	struct ring_buffer *rb;
	struct harness_record *recs;
	size_t nrecs, cap;
};

/* The record's chunk bytes (DATA records). */
static inline const uint8_t *harness_chunk(const struct harness_record *r)
{
	return r->rec->bytes + sizeof(struct call_header);
}

static int harness_keep(void *ctx, void *data, size_t size)
{
	struct harness *h = ctx;
	struct harness_record *r;

	if (h->nrecs == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct harness_record *recs = realloc(h->recs, cap * sizeof(*recs));

		if (!recs)
			return -ENOMEM;
		h->recs = recs;
		h->cap = cap;
	}
	r = &h->recs[h->nrecs];
	r->rec = calloc(1, size > sizeof(*r->rec) ? size : sizeof(*r->rec));
	if (!r->rec)
		return -ENOMEM;
	memcpy(r->rec, data, size);
	r->size = size;
	h->nrecs++;
	return 0;
}

static void harness_close(struct harness *h)
{
	/* (each uprobe removed waits for a grace period: ~0.1-0.2 s here) */
	for (int i = 0; i < h->nlinks; i++)
		bpf_link__destroy(h->links[i]);
	ring_buffer__free(h->rb);
	tlsprobe_bpf__destroy(h->skel);
	if (h->img)
		elf_image_close(h->img);
	for (size_t i = 0; i < h->nrecs; i++)
		free(h->recs[i].rec);
	free(h->recs);
	memset(h, 0, sizeof(*h));
}

static int harness_fail(struct harness *h, const char *what, int err)
{
	fprintf(stderr, "bpf_harness: %s: %s\n", what, strerror(err < 0 ? -err : err));
	harness_close(h);
	return -1;
}

/* Loads the skeleton with a ring buffer of ringbuf_bytes (a power of two,
 * at least a page), makes this process the target and attaches the fd
 * syscall hook. The probes come with harness_site. 0, or -1 (said why). */
static int harness_open(struct harness *h, __u32 ringbuf_bytes)
{
	struct targets targets = { .npids = 1, .pids = { getpid() } };
	ssize_t n;
	int err;

	memset(h, 0, sizeof(*h));
	n = readlink("/proc/self/exe", h->exe, sizeof(h->exe) - 1);
	if (n < 0)
		return harness_fail(h, "readlink /proc/self/exe", errno);
	h->exe[n] = '\0';
	h->img = elf_image_open(h->exe);
	if (!h->img)
		return harness_fail(h, h->exe, errno);
	h->skel = tlsprobe_bpf__open();
	if (!h->skel)
		return harness_fail(h, "open the skeleton", errno);
	bpf_map__set_max_entries(h->skel->maps.events, ringbuf_bytes);
	h->skel->rodata->wakeup_threshold = ringbuf_bytes / 8;
	h->fd_prog = trace_pick_fd_program(h->skel); /* as trace does */
	err = tlsprobe_bpf__load(h->skel);
	if (err)
		return harness_fail(h, "load the skeleton", err);
	err = targets_configure_bpf(&targets, h->skel);
	if (err)
		return harness_fail(h, "target_pids", err);
	/* Only the fd hook: the openat hook would report library loads, which
	 * these tests do not follow. */
	h->links[h->nlinks] = bpf_program__attach(h->fd_prog);
	if (!h->links[h->nlinks])
		return harness_fail(h, "attach the fd syscall hook", errno);
	h->nlinks++;
	h->rb = ring_buffer__new(bpf_map__fd(h->skel->maps.events), harness_keep, h, NULL);
	if (!h->rb)
		return harness_fail(h, "ring buffer", errno);
	return 0;
}

static int harness_attach(struct harness *h, struct bpf_program *prog, uint64_t offset,
			  unsigned int site, int retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe, .bpf_cookie = site);

	if (h->nlinks == HARNESS_LINKS_MAX) {
		fprintf(stderr, "bpf_harness: more than %d links\n", HARNESS_LINKS_MAX);
		return -1;
	}
	h->links[h->nlinks] = bpf_program__attach_uprobe_opts(prog, -1, h->exe, offset, &opts);
	if (!h->links[h->nlinks]) {
		fprintf(stderr, "bpf_harness: attach %s at 0x%llx of %s: %s\n",
			bpf_program__name(prog), (unsigned long long)offset, h->exe, strerror(errno));
		return -1;
	}
	h->nlinks++;
	return 0;
}

/* Makes the test binary's function func a site with rules desc: writes it
 * at the next index of the site table, then attaches tls_return and the
 * entry program (NULL: tls_entry) with that index as cookie. Returns the
 * site's index, or -1 (said why). */
static int harness_site(struct harness *h, const char *func, const struct site_desc *desc,
			const char *entry_prog)
{
	struct bpf_program *entry = bpf_object__find_program_by_name(
		h->skel->obj, entry_prog ? entry_prog : "tls_entry");
	unsigned int site = h->nsites;
	uint64_t offset;

	if (!entry || elf_image_func_offset(h->img, func, &offset)) {
		fprintf(stderr, "bpf_harness: no program %s or no function %s in %s\n",
			entry_prog ? entry_prog : "tls_entry", func, h->exe);
		return -1;
	}
	if (bpf_map_update_elem(bpf_map__fd(h->skel->maps.sites), &site, desc, BPF_ANY)) {
		fprintf(stderr, "bpf_harness: site table: %s\n", strerror(errno));
		return -1;
	}
	h->nsites++;
	if (harness_attach(h, h->skel->progs.tls_return, offset, site, 1) ||
	    harness_attach(h, entry, offset, site, 0))
		return -1;
	return (int)site;
}

/* The entry program prog_name alone on the test binary's function func
 * (a memory BIO's function: no site rules, no return probe). 0, or -1. */
static int harness_entry_probe(struct harness *h, const char *func, const char *prog_name)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(h->skel->obj, prog_name);
	uint64_t offset;

	if (!prog || elf_image_func_offset(h->img, func, &offset)) {
		fprintf(stderr, "bpf_harness: no program %s or no function %s in %s\n", prog_name,
			func, h->exe);
		return -1;
	}
	return harness_attach(h, prog, offset, 0, 0);
}

/* Everything in the ring buffer so far, appended to h->recs. Returns how many
 * records came, or -1. */
static int harness_drain(struct harness *h)
{
	size_t before = h->nrecs;

	return ring_buffer__consume(h->rb) < 0 ? -1 : (int)(h->nrecs - before);
}

/* Forgets the records drained so far. */
static void harness_forget(struct harness *h)
{
	for (size_t i = 0; i < h->nrecs; i++)
		free(h->recs[i].rec);
	h->nrecs = 0;
}

/* The BPF totals, summed over CPUs. */
static int harness_stats(struct harness *h, struct trace_stats *sum)
{
	int ncpus = libbpf_num_possible_cpus();
	struct trace_stats per_cpu[ncpus > 0 ? ncpus : 1];
	__u32 zero = 0;

	memset(sum, 0, sizeof(*sum));
	if (ncpus <= 0 || bpf_map_lookup_elem(bpf_map__fd(h->skel->maps.stats), &zero, per_cpu))
		return -1;
	for (int i = 0; i < ncpus; i++) {
		sum->calls += per_cpu[i].calls;
		sum->bytes += per_cpu[i].bytes;
		sum->lost_calls += per_cpu[i].lost_calls;
		sum->lost_bytes += per_cpu[i].lost_bytes;
		sum->lost_loss_records += per_cpu[i].lost_loss_records;
		sum->untallied_bytes += per_cpu[i].untallied_bytes;
		sum->nested_calls += per_cpu[i].nested_calls;
		sum->lost_lib_opens += per_cpu[i].lost_lib_opens;
	}
	return 0;
}
#endif
