#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "attach.h"
#include "layers.h"

/* A statically linked TLS stack is at least this large (OpenSSL's libssl
 * and libcrypto alone are several MiB, BoringSSL's about 2): smaller
 * executables are not opened, which keeps a toolchain layer quick to look
 * at. Libraries are found by name whatever their size. */
#define STATIC_STACK_MIN (1 << 20)

static int is_elf(int dirfd, const char *name)
{
	unsigned char magic[4];
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), n;

	if (fd < 0)
		return 0;
	n = read(fd, magic, sizeof(magic));
	close(fd);
	return n == 4 && !memcmp(magic, "\177ELF", 4);
}

/* Whether a directory entry may hold TLS code: a library by its name, or
 * an executable large enough for a stack linked in. */
static int may_hold_stack(const char *name, const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return 0;
	return backend_for_path(name) || ((st->st_mode & 0111) && st->st_size >= STATIC_STACK_MIN);
}

struct layer_walk {
	struct lib_registry *reg;
	const char *root;       /* the layer's files (".../diff") */
	unsigned int files;
};

/* dir (a path in the image) and, depth permitting, its subdirectories. */
static void walk_dir(struct layer_walk *lw, const char *dir, int depth)
{
	char host[1200], image_path[1200];
	struct dirent *d;
	struct stat st;
	DIR *dp;

	snprintf(host, sizeof(host), "%s%s", lw->root, dir);
	dp = opendir(host);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.' ||
		    fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		snprintf(image_path, sizeof(image_path), "%s/%s", dir, d->d_name);
		if (S_ISDIR(st.st_mode)) {
			if (depth > 0)
				walk_dir(lw, image_path, depth - 1);
			continue;
		}
		if (!may_hold_stack(d->d_name, &st) || !is_elf(dirfd(dp), d->d_name))
			continue;
		snprintf(host, sizeof(host), "%s%s", lw->root, image_path);
		lw->files++;
		registry_look_at_file(lw->reg, image_path, host);
	}
	closedir(dp);
}

static int seen(const struct layer_watch *w, const char *id)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (!strcmp(w->seen[i], id))
			return 1;
	return 0;
}

static int remember(struct layer_watch *w, const char *id)
{
	if (w->nseen == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		char (*v)[72] = realloc(w->seen, cap * sizeof(*v));

		if (!v)
			return -1;
		w->seen = v;
		w->cap = cap;
	}
	snprintf(w->seen[w->nseen++], sizeof(w->seen[0]), "%.*s", (int)sizeof(w->seen[0]) - 1, id);
	return 0;
}

/* Where in an image TLS code is looked for. Not the whole tree: on this
 * kind of disk every directory opened costs about a millisecond, and a
 * toolchain layer has thousands. Libraries are found by name in the
 * library directories; executables in the directories programs are
 * installed to, and below /opt, /app, /srv (two levels). A TLS program
 * elsewhere is still found when it runs (exec), with its late start
 * reported if it was. */
static const char *const code_dirs[] = {
	"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu/android",
	"/usr/lib64", "/usr/lib", "/usr/local/lib", "/bin", "/sbin", "/usr/bin", "/usr/sbin",
	"/usr/local/bin", "/usr/local/sbin",
};
static const char *const app_dirs[] = { "/opt", "/app", "/srv" };

/* The layer's files: overlay2/<cache-id>/diff. */
static void look_at_layer(struct layer_watch *w, struct lib_registry *reg, const char *chain)
{
	char path[600], cache_id[128] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/image/overlay2/layerdb/sha256/%s/cache-id", w->root, chain);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(cache_id, sizeof(cache_id), f))
		cache_id[0] = '\0';
	fclose(f);
	cache_id[strcspn(cache_id, "\n/")] = '\0';
	if (!cache_id[0])
		return;
	snprintf(path, sizeof(path), "%s/overlay2/%s/diff", w->root, cache_id);
	struct layer_walk lw = { .reg = reg, .root = path };

	for (size_t i = 0; i < sizeof(code_dirs) / sizeof(code_dirs[0]); i++)
		walk_dir(&lw, code_dirs[i], 0);
	for (size_t i = 0; i < sizeof(app_dirs) / sizeof(app_dirs[0]); i++)
		walk_dir(&lw, app_dirs[i], 2);
	w->files += lw.files;
}

int layers_scan_new(struct layer_watch *w, struct lib_registry *reg)
{
	char dir[300];
	struct dirent *d;
	DIR *layers;
	int n = 0;

	if (!w->root[0])
		snprintf(w->root, sizeof(w->root), "/var/lib/docker");
	snprintf(dir, sizeof(dir), "%s/image/overlay2/layerdb/sha256", w->root);
	layers = opendir(dir);
	if (!layers)
		return 0; /* no Docker here */
	while ((d = readdir(layers))) {
		/* "<64 hex digits>"; the layer store writes "<id>-<random>" temporary
		 * directories first and renames them when complete */
		if (strlen(d->d_name) != 64 || seen(w, d->d_name))
			continue;
		if (remember(w, d->d_name))
			break;
		look_at_layer(w, reg, d->d_name);
		n++;
	}
	closedir(layers);
	return n;
}

void layers_poll(struct layer_watch *w, struct lib_registry *reg, uint64_t now_ns)
{
	if (now_ns < w->next_ns)
		return;
	layers_scan_new(w, reg);
	w->next_ns = now_ns + LAYERS_RESCAN_MS * 1000000ULL;
}

void layers_free(struct layer_watch *w)
{
	free(w->seen);
	memset(w, 0, sizeof(*w));
}
