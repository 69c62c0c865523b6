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

/* Where the tracer can open the file of mapping e of pid: the path as
 * printed (the tracer's own files; a process whose root is a directory of
 * the tracer's filesystem), /proc/PID/root + the path (containers), or
 * /proc/PID/map_files/RANGE, the
 * first one that is the mapped file (same device and inode). 0, or -1 (out
 * is then the first one). */
int procmaps_open_path(int pid, const struct map_entry *e, char *out, size_t outlen);

/* One line of /proc/PID/mountinfo, as far as finding a file's real layer
 * needs it. */
struct mount_entry {
	unsigned int dev_major, dev_minor;
	char root[PATH_MAX];          /* what of the filesystem is mounted */
	char mount_point[PATH_MAX];   /* where, as the process sees it */
	char fstype[32];
	char upper[PATH_MAX];         /* overlay: upperdir, "" when none */
	char lower[2 * PATH_MAX];     /* overlay: the lower dirs, ':'-separated */
};

/* Parses one mountinfo line (octal escapes undone). 0, or -1 when malformed. */
int procmaps_parse_mountinfo_line(const char *line, struct mount_entry *m);

/* A file mapped from an overlay mount (every container's root) shows the
 * mount's device in the maps, a different one for every container; the
 * kernel maps, and probes, the layer file underneath. This finds that file:
 * its (device, inode), which names it however many containers map it, and a
 * host path to it. 0; 1 when the mapping is on no overlay mount (the maps'
 * identity is the file's); -1 when its layers can't be read or hold no such
 * file (then the maps' identity is all there is). */
int procmaps_real_file(int pid, const struct map_entry *e, unsigned int *dev_major,
		       unsigned int *dev_minor, uint64_t *inode, char *host_path, size_t len);
#endif
