#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "procmaps.h"

int procmaps_parse_line(const char *line, struct map_entry *e)
{
	int path_at = 0;

	memset(e, 0, sizeof(*e));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n",
		   &e->start, &e->end, e->perms, &e->offset, &e->dev_major,
		   &e->dev_minor, &e->inode, &path_at) < 7)
		return -1;
	if (path_at > 0) {
		snprintf(e->path, sizeof(e->path), "%s", line + path_at);
		e->path[strcspn(e->path, "\n")] = '\0';
	}
	return 0;
}

int procmaps_for_each(int pid, int (*fn)(const struct map_entry *e, void *arg), void *arg)
{
	static struct map_entry e; /* PATH_MAX is too big for a small stack */
	char path[64], line[PATH_MAX + 128];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (procmaps_parse_line(line, &e) || !e.inode || e.path[0] != '/')
			continue;
		ret = fn(&e, arg);
	}
	fclose(f);
	return ret;
}

void procmaps_host_path(int pid, const char *path, char *out, size_t outlen)
{
	snprintf(out, outlen, "/proc/%d/root%s", pid, path);
}

static int is_mapped_file(const char *path, const struct map_entry *e)
{
	struct stat st;

	return !stat(path, &st) && major(st.st_dev) == e->dev_major &&
	       minor(st.st_dev) == e->dev_minor && st.st_ino == e->inode;
}

/* The kernel prints a mapped file's path as seen from the root of whoever
 * reads the maps: for a process in another mount namespace (a container)
 * the path is the process's own, for one whose root is a directory of the
 * tracer's filesystem (chroot, unshare --root, RootDirectory=) it is the
 * tracer's. So each candidate is checked by device and inode (the path as
 * printed, then the process's root and the path), and the last
 * one, the mapping's own link in /proc/PID/map_files (root only), opens the
 * very file the process maps, wherever it is. */
int procmaps_open_path(int pid, const struct map_entry *e, char *out, size_t outlen)
{
	/* The printed path first: it outlives the process (a probe is attached
	 * by path, maybe after a short-lived process has exited). */
	snprintf(out, outlen, "%s", e->path);
	if (is_mapped_file(out, e))
		return 0;
	procmaps_host_path(pid, e->path, out, outlen);
	if (is_mapped_file(out, e))
		return 0;
	snprintf(out, outlen, "/proc/%d/map_files/%llx-%llx", pid, (unsigned long long)e->start,
		 (unsigned long long)e->end);
	if (is_mapped_file(out, e))
		return 0;
	procmaps_host_path(pid, e->path, out, outlen);
	return -1;
}

/* mountinfo escapes space, tab, newline and backslash (and overlayfs commas)
 * as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* upperdir=, lowerdir= and lowerdir+= (6.8+) of overlayfs's super options. */
static void overlay_dirs(char *opts, struct mount_entry *m)
{
	for (char *opt = strtok(opts, ","); opt; opt = strtok(NULL, ",")) {
		size_t used = strlen(m->lower);

		if (!strncmp(opt, "upperdir=", 9))
			snprintf(m->upper, sizeof(m->upper), "%.4095s", opt + 9);
		else if (!strncmp(opt, "lowerdir=", 9))
			snprintf(m->lower, sizeof(m->lower), "%.8191s", opt + 9);
		else if (!strncmp(opt, "lowerdir+=", 10))
			snprintf(m->lower + used, sizeof(m->lower) - used, "%s%.4095s",
				 used ? ":" : "", opt + 10);
	}
	unescape(m->upper);
	unescape(m->lower);
}

int procmaps_parse_mountinfo_line(const char *line, struct mount_entry *m)
{
	static char copy[4 * PATH_MAX];
	char *sep, *opts;
	int n = 0;

	memset(m, 0, sizeof(*m));
	snprintf(copy, sizeof(copy), "%s", line);
	copy[strcspn(copy, "\n")] = '\0';
	if (sscanf(copy, "%*d %*d %u:%u %4095s %4095s %n", &m->dev_major, &m->dev_minor, m->root,
		   m->mount_point, &n) < 4 || !n)
		return -1;
	/* optional fields, then " - FSTYPE SOURCE SUPER_OPTIONS" */
	sep = strstr(copy + n - 1, " - ");
	if (!sep || sscanf(sep + 3, "%31s", m->fstype) != 1)
		return -1;
	unescape(m->root);
	unescape(m->mount_point);
	opts = strchr(sep + 3, ' ');
	opts = opts ? strchr(opts + 1, ' ') : NULL;
	if (opts && !strcmp(m->fstype, "overlay"))
		overlay_dirs(opts + 1, m);
	return 0;
}

/* Whether path lies under the mount point mp ("/" holds everything). */
static int under(const char *path, const char *mp)
{
	size_t len = strlen(mp);

	if (!strcmp(mp, "/"))
		return path[0] == '/';
	return !strncmp(path, mp, len) && path[len] == '/';
}

/* The mount a mapped path lives on: that device, and the longest mount point
 * holding the path (one overlay may be mounted, bind-mounted, more than once). */
static int find_mount(int pid, const struct map_entry *e, struct mount_entry *best)
{
	static char line[4 * PATH_MAX];
	static struct mount_entry m;
	char path[64];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (procmaps_parse_mountinfo_line(line, &m) || m.dev_major != e->dev_major ||
		    m.dev_minor != e->dev_minor || !under(e->path, m.mount_point))
			continue;
		if (!found || strlen(m.mount_point) > strlen(best->mount_point))
			*best = m;
		found = 1;
	}
	fclose(f);
	return found ? 0 : -1;
}

/* The first layer holding rel: upper, then the lower dirs in order. */
static int first_layer(const struct mount_entry *m, const char *rel, char *out, size_t len,
		       struct stat *st)
{
	char lowers[2 * PATH_MAX];
	char *dir, *save = NULL;

	/* Relative layer paths (Docker shortens long option strings to
	 * "l/ID", relative to where it mounted from) can't be resolved here. */
	if (m->upper[0] != '/' && m->upper[0])
		return -1;
	snprintf(out, len, "%s/%s", m->upper, rel);
	if (m->upper[0] && !stat(out, st))
		return S_ISREG(st->st_mode) ? 0 : -1; /* a whiteout hides the lower ones */
	snprintf(lowers, sizeof(lowers), "%s", m->lower);
	for (dir = strtok_r(lowers, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (dir[0] != '/')
			return -1;
		snprintf(out, len, "%s/%s", dir, rel);
		if (!stat(out, st))
			return S_ISREG(st->st_mode) ? 0 : -1;
	}
	return -1;
}

int procmaps_real_file(int pid, const struct map_entry *e, unsigned int *dev_major,
		       unsigned int *dev_minor, uint64_t *inode, char *host_path, size_t len)
{
	static struct mount_entry m;
	char rel[PATH_MAX];
	size_t mp_len;
	struct stat st;

	if (find_mount(pid, e, &m) || strcmp(m.fstype, "overlay") || (!m.upper[0] && !m.lower[0]))
		return 1;
	mp_len = strcmp(m.mount_point, "/") ? strlen(m.mount_point) : 0;
	/* the path inside the mounted filesystem: its root (a bind mount of a
	 * subdirectory), then the path below the mount point */
	if (strcmp(m.root, "/"))
		snprintf(rel, sizeof(rel), "%.2000s/%.2000s", m.root + 1, e->path + mp_len + 1);
	else
		snprintf(rel, sizeof(rel), "%.4000s", e->path + mp_len + 1);
	if (first_layer(&m, rel, host_path, len, &st) || st.st_ino != e->inode)
		return -1; /* not what the maps name: better the maps' identity than a wrong one */
	*dev_major = major(st.st_dev);
	*dev_minor = minor(st.st_dev);
	*inode = st.st_ino;
	return 0;
}
