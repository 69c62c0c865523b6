#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "uprobe_multi.h"

static struct tls_lib *find_lib(struct lib_registry *reg, unsigned int major,
				unsigned int minor, uint64_t inode)
{
	for (size_t i = 0; i < reg->nlibs; i++) {
		struct tls_lib *lib = &reg->libs[i];

		if (lib->dev_major == major && lib->dev_minor == minor && lib->inode == inode)
			return lib;
	}
	return NULL;
}

static int keep_link(struct lib_registry *reg, struct bpf_link *link)
{
	if (reg->nlinks == reg->links_cap) {
		size_t cap = reg->links_cap ? reg->links_cap * 2 : 32;
		struct bpf_link **links = realloc(reg->links, cap * sizeof(*links));

		if (!links)
			return -ENOMEM;
		reg->links = links;
		reg->links_cap = cap;
	}
	reg->links[reg->nlinks++] = link;
	return 0;
}

/* Rules of the site table that this tracer's programs carry out; a site
 * with any other is refused, never attached and then ignored. */
static const char *unsupported_rule(const struct site_desc *d)
{
	if (d->kind >= SITE_MEM_BIO_WRITE && d->kind <= SITE_MEM_BIO_NEW)
		return NULL; /* membio.bpf.c */
	if (d->len < LEN_RET32 || d->len > LEN_ENTRY_LOC)
		return "an unknown byte-count rule";
	if (d->kind == SITE_QUEUE_TAKE) /* rustls.bpf.c */
		return d->fd != FD_SOCKET_BEFORE ? "a queue read with its fd other than read before"
		       : d->session != LOC_RDI || d->count != LOC_RSI || d->len != LEN_ENTRY_LOC
			       ? "a queue read with the queue or amount elsewhere than rdi, rsi"
			       : NULL;
	if (d->kind == SITE_ENTRY_RET_INSNS) /* gotls.bpf.c */
		return d->state != STATE_GOROUTINE ? "return instructions without goroutine state"
		       : d->fd != FD_OBJECT_CHAIN  ? "an fd found other than in the connection object"
						   : NULL;
	if (d->kind != SITE_ENTRY_RETURN)
		return "a site kind other than entry + return probe";
	if (d->state != STATE_THREAD)
		return "call state kept other than per thread";
	if (d->fd != FD_SYSCALL_INSIDE && d->fd != FD_SOCKET_BEFORE && d->fd != FD_SOCKET_AFTER)
		return "an fd found other than by the syscalls in or around the call";
	return NULL;
}

static struct bpf_program *site_program(struct lib_registry *reg, const struct probe_site *site,
					int retprobe)
{
	const char *name = retprobe ? site->return_prog ? site->return_prog : "tls_return"
				    : site->entry_prog ? site->entry_prog : "tls_entry";

	if (retprobe && reg->return_prog)
		return reg->return_prog;
	if (!retprobe && reg->entry_prog)
		return reg->entry_prog;
	return bpf_object__find_program_by_name(reg->obj, name);
}

/* retprobe: the return program, as a uretprobe at offset, or as a plain
 * uprobe on a return instruction (SITE_ENTRY_RET_INSNS). */
static int attach_at(struct lib_registry *reg, const struct tls_lib *lib,
		     const struct probe_site *site, unsigned int id, int retprobe, uint64_t offset)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .bpf_cookie = id);
	struct bpf_program *prog = site_program(reg, site, retprobe);
	struct bpf_link *link;

	opts.retprobe = retprobe && site->desc.kind != SITE_ENTRY_RET_INSNS;
	if (!prog) {
		fprintf(stderr, "tlsprobe: %s: no BPF program %s for %s\n", lib->path,
			retprobe ? site->return_prog ? site->return_prog : "tls_return"
				 : site->entry_prog ? site->entry_prog : "tls_entry",
			site->func);
		return -1;
	}
	link = bpf_program__attach_uprobe_opts(prog, -1, lib->host_path, offset, &opts);
	if (!link) {
		fprintf(stderr, "tlsprobe: %s: cannot attach %s probe to %s at 0x%llx: %s\n",
			lib->path, retprobe ? "return" : "entry", site->func,
			(unsigned long long)offset, strerror(errno));
		return -1;
	}
	return keep_link(reg, link);
}

static int keep_multi_link(struct lib_registry *reg, int fd)
{
	if (reg->nmulti == reg->multi_cap) {
		size_t cap = reg->multi_cap ? reg->multi_cap * 2 : 16;
		int *fds = realloc(reg->multi_links, cap * sizeof(*fds));

		if (!fds)
			return -ENOMEM;
		reg->multi_links = fds;
		reg->multi_cap = cap;
	}
	reg->multi_links[reg->nmulti++] = fd;
	return 0;
}

/* One uprobe_multi link of the program named NAME_multi at these offsets.
 * 0; 1 when that cannot be (no such program loaded, or the kernel refused:
 * said once, and no more tried). */
static int attach_multi(struct lib_registry *reg, const struct tls_lib *lib, const char *name,
			const uint64_t *offsets, const uint64_t *cookies, unsigned int n)
{
	struct bpf_program *prog;
	char multi[64];
	int fd;

	snprintf(multi, sizeof(multi), "%s_multi", name);
	prog = bpf_object__find_program_by_name(reg->obj, multi);
	if (!prog || bpf_program__fd(prog) < 0)
		return 1;
	fd = uprobe_multi_attach(bpf_program__fd(prog), lib->host_path, offsets, cookies, n);
	if (fd < 0) {
		fprintf(stderr, "tlsprobe: %s: uprobe_multi link refused (%s): one probe per "
			"instruction from now on\n", lib->path, strerror(-fd));
		reg->use_multi = 0;
		return 1;
	}
	return keep_multi_link(reg, fd) ? (close(fd), -1) : 0;
}

/* A file whose every site is an entry and its return instructions (Go):
 * all its return instructions under one link, then all its entries under
 * another, where the kernel has uprobe_multi and the sites' programs have
 * _multi twins (not the floors'). 0; 1: attach them one by one instead. */
static int attach_lib_multi(struct lib_registry *reg, const struct tls_lib *lib,
			    const unsigned int *ids)
{
	uint64_t rets[PLAN_SITES_MAX * RET_SITES_MAX], ret_ids[PLAN_SITES_MAX * RET_SITES_MAX];
	uint64_t entries[PLAN_SITES_MAX], entry_ids[PLAN_SITES_MAX];
	const struct probe_site *first = &lib->plan.sites[0];
	unsigned int nrets = 0;
	int i, ret;

	if (!reg->use_multi || reg->entry_prog || !lib->plan.nsites)
		return 1;
	for (i = 0; i < lib->plan.nsites; i++) {
		const struct probe_site *site = &lib->plan.sites[i];

		if (site->desc.kind != SITE_ENTRY_RET_INSNS || !site->entry_prog ||
		    !site->return_prog || strcmp(site->entry_prog, first->entry_prog) ||
		    strcmp(site->return_prog, first->return_prog))
			return 1;
		for (int r = 0; r < site->nrets; r++) {
			rets[nrets] = site->rets[r].offset;
			ret_ids[nrets++] = ids[i];
		}
		entries[i] = site->offset;
		entry_ids[i] = ids[i];
	}
	ret = attach_multi(reg, lib, first->return_prog, rets, ret_ids, nrets);
	if (ret)
		return ret;
	ret = attach_multi(reg, lib, first->entry_prog, entries, entry_ids, lib->plan.nsites);
	if (ret > 0) { /* the returns are in: the entries one by one */
		for (i = 0; i < lib->plan.nsites; i++)
			if (attach_at(reg, lib, &lib->plan.sites[i], ids[i], 0,
				      lib->plan.sites[i].offset))
				return -1;
		return 0;
	}
	return ret;
}

/* The site's return probes: a uretprobe at the site, or a probe on each of
 * its return instructions. */
static int attach_returns(struct lib_registry *reg, const struct tls_lib *lib,
			  const struct probe_site *site, unsigned int id)
{
	if (site->desc.kind != SITE_ENTRY_RET_INSNS)
		return attach_at(reg, lib, site, id, 1, site->offset);
	for (int r = 0; r < site->nrets; r++)
		if (attach_at(reg, lib, site, id, 1, site->rets[r].offset))
			return -1;
	return 0;
}

/* A site gets the next index of the site table, its rules written there
 * before any probe can fire with that index. */
static int add_site(struct lib_registry *reg, const struct tls_lib *lib, int i, unsigned int *id)
{
	struct site_desc desc = lib->plan.sites[i].desc;
	const char *why = unsupported_rule(&desc);

	if (why) {
		fprintf(stderr, "tlsprobe: %s: %s not probed: this tracer does not implement %s\n",
			lib->path, lib->plan.sites[i].func, why);
		return -1;
	}
	if (reg->nsites == SITES_MAX) {
		fprintf(stderr, "tlsprobe: %s: the site table is full (%d sites)\n", lib->path,
			SITES_MAX);
		return -1;
	}
	*id = reg->nsites;
	if (bpf_map_update_elem(reg->sites_fd, id, &desc, BPF_ANY) ||
	    (reg->exts_fd >= 0 &&
	     bpf_map_update_elem(reg->exts_fd, id, &lib->plan.sites[i].ext, BPF_ANY))) {
		fprintf(stderr, "tlsprobe: %s: cannot write the site table: %s\n", lib->path,
			strerror(errno));
		return -1;
	}
	reg->sites[reg->nsites++] = (struct site_ref){ .lib = lib->id, .site = i };
	return 0;
}

/* An entry and a return probe on every site of the plan: the kernel puts one
 * breakpoint there for both. The return probe goes first: a call entered
 * between the two would otherwise stay "in progress" with no return to end
 * it. */
static int attach_lib(struct lib_registry *reg, const struct tls_lib *lib)
{
	unsigned int ids[PLAN_SITES_MAX];
	int multi;

	for (int i = 0; i < lib->plan.nsites; i++) {
		ids[i] = SITES_MAX; /* (not attached) */
		if (reg->entry_prog && site_is_mem_bio(&lib->plan.sites[i]))
			continue; /* the floors count TLS calls only */
		if (add_site(reg, lib, i, &ids[i]))
			return -1;
	}
	multi = attach_lib_multi(reg, lib, ids);
	if (multi < 0)
		return -1;
	for (int i = 0; multi && i < lib->plan.nsites; i++) {
		const struct probe_site *site = &lib->plan.sites[i];

		if (ids[i] == SITES_MAX)
			continue;
		if ((!site_entry_only(site) && attach_returns(reg, lib, site, ids[i])) ||
		    attach_at(reg, lib, site, ids[i], 0, site->offset))
			return -1;
	}
	if (reg->explain)
		plan_print(reg->explain, lib->path, lib->version, &lib->plan);
	if (reg->verbose)
		fprintf(stderr, "tlsprobe: attached to %s (%s, %s; file %u:%u inode %llu, opened as %s)\n",
			lib->path, lib->backend->name,
			lib->version[0] ? lib->version : "version unknown", lib->dev_major,
			lib->dev_minor, (unsigned long long)lib->inode, lib->host_path);
	for (int d = 0; d < 2 && !reg->explain; d++)
		if (!lib->plan.planned[d] && reg->plan_mode == PLAN_AUTO && lib->plan.why[d][0])
			fprintf(stderr, "tlsprobe: %s: %s probes on the exported entry points (slower): "
				"%s\n", lib->path, d == DATA_IN ? "read" : "write", lib->plan.why[d]);
	return 0;
}

static struct tls_lib *new_lib(struct lib_registry *reg)
{
	if (reg->nlibs == reg->cap) {
		size_t cap = reg->cap ? reg->cap * 2 : 8;
		struct tls_lib *libs = realloc(reg->libs, cap * sizeof(*libs));

		if (!libs)
			return NULL;
		reg->libs = libs;
		reg->cap = cap;
	}
	memset(&reg->libs[reg->nlibs], 0, sizeof(reg->libs[0]));
	reg->libs[reg->nlibs].id = reg->nlibs;
	return &reg->libs[reg->nlibs++];
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Why a file is not probed, said once for the file: a stack that cannot be
 * planned always, an unreadable file when it is named like a TLS library
 * (else it is one of the many files of a process that hold no stack). */
static void say_not_probed(const struct lib_registry *reg, const struct tls_lib *lib)
{
	if (lib->state == LIB_UNPLANNED)
		fprintf(stderr, "tlsprobe: not tracing %s (%s): %s\n", lib->path,
			lib->backend->name, lib->reason);
	else if (lib->state == LIB_UNREADABLE && (reg->verbose || backend_for_path(lib->path)))
		fprintf(stderr, "tlsprobe: skipping %s\n", lib->reason);
	else if (lib->state == LIB_NOT_TLS && reg->verbose > 1)
		fprintf(stderr, "tlsprobe: %s\n", lib->reason);
}

/* The registry's entry for a file: looked at (classified by content,
 * planned, attached) the first time it is seen, from then on the same
 * answer, whatever it was, for every process that maps it. */
static struct tls_lib *look_at_file(struct lib_registry *reg, unsigned int major,
				    unsigned int minor, uint64_t inode, const char *path,
				    const char *host_path)
{
	struct tls_lib *lib = find_lib(reg, major, minor, inode);
	int ret;

	if (lib)
		return lib;
	lib = new_lib(reg);
	if (!lib)
		return NULL;
	lib->dev_major = major;
	lib->dev_minor = minor;
	lib->inode = inode;
	snprintf(lib->path, sizeof(lib->path), "%s", path);
	snprintf(lib->host_path, sizeof(lib->host_path), "%s", host_path);
	ret = backend_plan_lib(lib, reg->plan_mode, lib->reason, sizeof(lib->reason));
	if (ret > 0) {
		lib->state = LIB_NOT_TLS;
		lib->backend = NULL;
	} else if (ret < 0) {
		lib->state = lib->backend ? LIB_UNPLANNED : LIB_UNREADABLE;
	} else {
		lib->reason[0] = '\0';
		lib->state = attach_lib(reg, lib) ? LIB_FAILED : LIB_ATTACHED;
		lib->attached_ns = monotonic_ns();
	}
	say_not_probed(reg, lib);
	return lib;
}

/* Whether the file holds a TLS stack (probed or not). */
static int holds_stack(const struct tls_lib *lib)
{
	return lib && (lib->state == LIB_ATTACHED || lib->state == LIB_UNPLANNED ||
		       lib->state == LIB_FAILED);
}

/* A target maps a stack that is not traced: it hears so once per process. */
static void report_unplanned(struct lib_registry *reg, int pid, const struct tls_lib *lib)
{
	for (size_t i = 0; i < reg->nskips; i++)
		if (reg->skips[i].pid == pid && reg->skips[i].lib == (unsigned int)lib->id)
			return;
	if (reg->nskips < sizeof(reg->skips) / sizeof(reg->skips[0]))
		reg->skips[reg->nskips++] = (struct skip_ref){ .pid = pid, .lib = lib->id };
	if (reg->on_unplanned)
		reg->on_unplanned(reg->unplanned_arg, pid, lib);
}

/* The file of a mapping, and where the tracer can open it: a container's
 * file is its layer file (what one attachment covers for every container of
 * that image), any other the file the process sees (procmaps_open_path: its
 * root, or the path as printed when the process has another root). */
static struct tls_lib *mapping_file(struct lib_registry *reg, int pid, const struct map_entry *e)
{
	char host_path[PATH_MAX + 32];
	unsigned int major, minor;
	uint64_t inode;
	int real;

	real = procmaps_real_file(pid, e, &major, &minor, &inode, host_path, sizeof(host_path));
	if (!real)
		return look_at_file(reg, major, minor, inode, e->path, host_path);
	if (real < 0 && reg->verbose)
		fprintf(stderr, "tlsprobe: pid %d: %s is on an overlay mount, but no layer holds it: "
			"attached as this mount's file\n", pid, e->path);
	procmaps_open_path(pid, e, host_path, sizeof(host_path));
	return look_at_file(reg, e->dev_major, e->dev_minor, e->inode, e->path, host_path);
}

int registry_attach_mapping(struct lib_registry *reg, int pid, const struct map_entry *e)
{
	size_t known = reg->nlibs;
	struct tls_lib *lib = mapping_file(reg, pid, e);

	if (!lib)
		return -1;
	if (lib->state == LIB_UNPLANNED)
		report_unplanned(reg, pid, lib);
	if (!holds_stack(lib))
		return 0;
	if (lib->state != LIB_ATTACHED)
		return -1;
	return reg->nlibs > known ? 1 : 0;
}

/* Code the process runs from a file: where a TLS stack can be (a library,
 * or the executable itself). Data-only mappings are left alone. */
static int maps_code(const struct map_entry *e)
{
	return e->inode && e->path[0] == '/' && e->perms[2] == 'x';
}

struct scan_ctx {
	struct lib_registry *reg;
	int pid;
	int mapped;
	int files; /* code mappings of files: none in a process that has exited */
	/* the file of the previous mapping: a library comes in several
	 * consecutive mappings, looked at once */
	unsigned int last_major, last_minor;
	uint64_t last_inode;
};

static int scan_mapping(const struct map_entry *e, void *arg)
{
	struct scan_ctx *ctx = arg;

	ctx->files += maps_code(e);
	if (!maps_code(e) || (e->inode == ctx->last_inode && e->dev_major == ctx->last_major &&
			      e->dev_minor == ctx->last_minor))
		return 0;
	ctx->last_major = e->dev_major;
	ctx->last_minor = e->dev_minor;
	ctx->last_inode = e->inode;
	if (registry_attach_mapping(ctx->reg, ctx->pid, e) != 0 ||
	    holds_stack(find_lib(ctx->reg, e->dev_major, e->dev_minor, e->inode)))
		ctx->mapped++;
	return 0;
}

int registry_scan_pid(struct lib_registry *reg, int pid)
{
	struct scan_ctx ctx = { .reg = reg, .pid = pid };
	int ret = procmaps_for_each(pid, scan_mapping, &ctx);

	if (ret >= 0 && !ctx.files)
		return -ESRCH; /* a zombie: its maps are empty */
	return ret < 0 ? ret : ctx.mapped;
}

/* A file whose probes capture plaintext (libcrypto's memory BIO probes
 * only tell sockets apart): what "attached late" is about. */
static int captures_plaintext(const struct tls_lib *lib)
{
	if (lib->state != LIB_ATTACHED)
		return 0;
	for (int i = 0; i < lib->plan.nsites; i++)
		if (!site_is_mem_bio(&lib->plan.sites[i]))
			return 1;
	return 0;
}

struct latest_ctx {
	struct lib_registry *reg;
	int pid;
	int files;
	const struct tls_lib *latest;
};

static int latest_mapping(const struct map_entry *e, void *arg)
{
	struct latest_ctx *ctx = arg;
	const struct tls_lib *lib;

	if (!maps_code(e))
		return 0;
	ctx->files++;
	lib = mapping_file(ctx->reg, ctx->pid, e);
	if (lib && captures_plaintext(lib) &&
	    (!ctx->latest || lib->attached_ns > ctx->latest->attached_ns))
		ctx->latest = lib;
	return 0;
}

const struct tls_lib *registry_latest_attached(struct lib_registry *reg, int pid)
{
	struct latest_ctx ctx = { .reg = reg, .pid = pid };

	if (procmaps_for_each(pid, latest_mapping, &ctx) >= 0 && ctx.files)
		return ctx.latest;
	/* Gone (or a zombie, with empty maps): it may have mapped any of them. */
	for (size_t i = 0; i < reg->nlibs; i++)
		if (captures_plaintext(&reg->libs[i]) &&
		    (!ctx.latest || reg->libs[i].attached_ns > ctx.latest->attached_ns))
			ctx.latest = &reg->libs[i];
	return ctx.latest;
}

void registry_look_at_file(struct lib_registry *reg, const char *path, const char *host_path)
{
	struct stat st;

	if (!stat(host_path, &st) && S_ISREG(st.st_mode))
		look_at_file(reg, major(st.st_dev), minor(st.st_dev), st.st_ino, path, host_path);
}

void registry_look_at_path(struct lib_registry *reg, const char *path)
{
	registry_look_at_file(reg, path, path);
}

void registry_attach_system_libs(struct lib_registry *reg)
{
	static const char *const dirs[] = {
		"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
		"/usr/local/lib", "/usr/lib/x86_64-linux-gnu/android",
	};
	char pattern[PATH_MAX];
	glob_t found;

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		for (const struct tls_backend *const *b = tls_backends; *b; b++) {
			for (const char *const *name = (*b)->lib_names; *name; name++) {
				snprintf(pattern, sizeof(pattern), "%s/%s*", dirs[d], *name);
				if (glob(pattern, 0, NULL, &found))
					continue;
				for (size_t i = 0; i < found.gl_pathc; i++)
					registry_look_at_path(reg, found.gl_pathv[i]);
				globfree(&found);
			}
		}
	}
}

const struct tls_lib *registry_site(const struct lib_registry *reg, unsigned int site,
				    const struct probe_site **probe)
{
	const struct tls_lib *lib;

	*probe = NULL;
	if (site >= reg->nsites)
		return NULL;
	lib = &reg->libs[reg->sites[site].lib];
	*probe = &lib->plan.sites[reg->sites[site].site];
	return lib;
}

void registry_detach(struct lib_registry *reg)
{
	for (size_t i = 0; i < reg->nlinks; i++)
		bpf_link__destroy(reg->links[i]);
	reg->nlinks = 0;
	for (size_t i = 0; i < reg->nmulti; i++)
		close(reg->multi_links[i]);
	reg->nmulti = 0;
}

void registry_forget_links(struct lib_registry *reg)
{
	/* disconnected: destroy frees the memory and leaves the probe (a perf
	 * link's detach would disable the event, shared with the child) */
	for (size_t i = 0; i < reg->nlinks; i++) {
		bpf_link__disconnect(reg->links[i]);
		bpf_link__destroy(reg->links[i]);
	}
	reg->nlinks = 0;
	reg->nmulti = 0; /* plain fds: the child's copies keep the probes */
}

void registry_free(struct lib_registry *reg)
{
	registry_detach(reg);
	free(reg->links);
	free(reg->multi_links);
	free(reg->libs);
	memset(reg, 0, sizeof(*reg));
}

