#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
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
