#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/libbpf.h>
#include "attach.h"

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

static int attach_probe(struct lib_registry *reg, const struct tls_lib *lib,
			const struct probe_site *site, int retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe,
		    .bpf_cookie = MAKE_COOKIE(lib->id, site->func, site->len_from,
					      tls_func_dir(site->func)));
	struct bpf_link *link;

	link = bpf_program__attach_uprobe_opts(retprobe ? reg->return_prog : reg->entry_prog,
					       -1, lib->host_path, site->offset, &opts);
	if (!link) {
		fprintf(stderr, "tlsprobe: %s: cannot attach %s probe to %s at 0x%llx: %s\n",
			lib->path, retprobe ? "return" : "entry", tls_func_name(site->func),
			(unsigned long long)site->offset, strerror(errno));
		return -1;
	}
	return keep_link(reg, link);
}

/* An entry and a return probe on every site of the plan: the kernel puts one
 * breakpoint there for both. The return probe goes first: a call entered
 * between the two would otherwise stay "in progress" with no return to end
 * it. */
static int attach_lib(struct lib_registry *reg, const struct tls_lib *lib)
{
	for (int i = 0; i < lib->plan.nsites; i++)
		if (attach_probe(reg, lib, &lib->plan.sites[i], 1) ||
		    attach_probe(reg, lib, &lib->plan.sites[i], 0))
			return -1;
	if (reg->explain)
		plan_print(reg->explain, lib->path, lib->version, &lib->plan);
	if (reg->verbose)
		fprintf(stderr, "tlsprobe: attached to %s (%s)\n", lib->path,
			lib->version[0] ? lib->version : "version unknown");
	for (int d = 0; d < 2 && !reg->explain; d++)
		if (!lib->plan.planned[d] && reg->plan_mode == PLAN_AUTO)
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

/* A library that can't be probed stays in the registry (unattached), so that
 * its reason is printed once, not for every process that maps it. */
static int add_lib(struct lib_registry *reg, unsigned int major, unsigned int minor,
		   uint64_t inode, const char *path, const char *host_path)
{
	struct tls_lib *lib = find_lib(reg, major, minor, inode);
	char err[PATH_MAX + 128];

	if (lib)
		return 0;
	lib = new_lib(reg);
	if (!lib)
		return -1;
	lib->dev_major = major;
	lib->dev_minor = minor;
	lib->inode = inode;
	snprintf(lib->path, sizeof(lib->path), "%s", path);
	snprintf(lib->host_path, sizeof(lib->host_path), "%s", host_path);
	if (openssl_plan(lib, reg->plan_mode, err, sizeof(err))) {
		fprintf(stderr, "tlsprobe: skipping %s\n", err);
		return -1;
	}
	return attach_lib(reg, lib) ? -1 : 1;
}

int registry_attach_mapping(struct lib_registry *reg, int pid, const struct map_entry *e)
{
	char host_path[PATH_MAX + 32];
	unsigned int major, minor;
	uint64_t inode;
	int real;

	/* A container's file: its layer file is what one attachment covers for
	 * every container of that image. */
	real = procmaps_real_file(pid, e, &major, &minor, &inode, host_path, sizeof(host_path));
	if (!real)
		return add_lib(reg, major, minor, inode, e->path, host_path);
	if (real < 0 && reg->verbose)
		fprintf(stderr, "tlsprobe: pid %d: %s is on an overlay mount, but no layer holds it: "
			"attached as this mount's file\n", pid, e->path);
	procmaps_host_path(pid, e->path, host_path, sizeof(host_path));
	return add_lib(reg, e->dev_major, e->dev_minor, e->inode, e->path, host_path);
}

struct scan_ctx {
	struct lib_registry *reg;
	int pid;
	int mapped;
	/* the file of the previous mapping: a library comes in several
	 * consecutive mappings, looked at once */
	unsigned int last_major, last_minor;
	uint64_t last_inode;
};

static int scan_mapping(const struct map_entry *e, void *arg)
{
	struct scan_ctx *ctx = arg;

	if (!openssl_is_libssl(e->path) || (e->inode == ctx->last_inode &&
					     e->dev_major == ctx->last_major &&
					     e->dev_minor == ctx->last_minor))
		return 0;
	ctx->last_major = e->dev_major;
	ctx->last_minor = e->dev_minor;
	ctx->last_inode = e->inode;
	ctx->mapped++;
	registry_attach_mapping(ctx->reg, ctx->pid, e);
	return 0;
}

int registry_scan_pid(struct lib_registry *reg, int pid)
{
	struct scan_ctx ctx = { .reg = reg, .pid = pid };
	int ret = procmaps_for_each(pid, scan_mapping, &ctx);

	return ret < 0 ? ret : ctx.mapped;
}

void registry_attach_system_libs(struct lib_registry *reg)
{
	static const char *const patterns[] = {
		"/usr/lib/x86_64-linux-gnu/libssl.so.*", "/lib/x86_64-linux-gnu/libssl.so.*",
		"/usr/lib64/libssl.so.*", "/usr/lib/libssl.so.*", "/usr/local/lib/libssl.so.*",
	};
	glob_t found;
	struct stat st;

	for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		if (glob(patterns[p], 0, NULL, &found))
			continue;
		for (size_t i = 0; i < found.gl_pathc; i++) {
			const char *path = found.gl_pathv[i];

			if (!stat(path, &st) && S_ISREG(st.st_mode))
				add_lib(reg, major(st.st_dev), minor(st.st_dev), st.st_ino, path, path);
		}
		globfree(&found);
	}
}

const struct tls_lib *registry_lib(const struct lib_registry *reg, unsigned int id)
{
	return id < reg->nlibs ? &reg->libs[id] : NULL;
}

void registry_detach(struct lib_registry *reg)
{
	for (size_t i = 0; i < reg->nlinks; i++)
		bpf_link__destroy(reg->links[i]);
	reg->nlinks = 0;
}

void registry_free(struct lib_registry *reg)
{
	registry_detach(reg);
	free(reg->links);
	free(reg->libs);
	memset(reg, 0, sizeof(*reg));
}

