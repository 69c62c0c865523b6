/* /proc/PID/maps: which files a process maps, named by (device, inode) so one
 * library file is probed once however many processes (or containers) map it. */
#ifndef TLSPROBE_PROCMAPS_H
#define TLSPROBE_PROCMAPS_H
#include <limits.h>
#include <stdint.h>

struct map_entry {
	uint64_t start, end, offset;
	char perms[5];
	unsigned int dev_major, dev_minor;
	uint64_t inode;
	char path[PATH_MAX];   /* as the process sees it; "" for anonymous maps */
};

/* Parses one line of /proc/PID/maps. Returns 0, or -1 if it is malformed. */
int procmaps_parse_line(const char *line, struct map_entry *e);

/* Calls fn for every file-backed mapping of pid; stops early when fn returns
 * non-zero and returns that value. Returns -errno if the maps can't be read. */
int procmaps_for_each(int pid, int (*fn)(const struct map_entry *e, void *arg), void *arg);

/* "/proc/PID/root" + path: the file as the process sees it, containers included. */
void procmaps_host_path(int pid, const char *path, char *out, size_t outlen);
#endif
