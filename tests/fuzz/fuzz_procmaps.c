/* libFuzzer target for the lines the tracer reads from /proc: a target's
 * maps (procmaps_parse_line) and mountinfo (procmaps_parse_mountinfo_line,
 * octal escapes and overlay options). A process controls its file names, so
 * these lines are untrusted. The input is one line (to its first NUL), fed
 * to both parsers. Built by `make fuzz` (build/fuzz/); seeds: lines of this
 * machine's /proc/self/maps and mountinfo (tests/fuzz/seeds.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "procmaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct map_entry map;     /* PATH_MAX-sized: not on the stack */
	static struct mount_entry mount;
	char *line = malloc(size + 1);

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	procmaps_parse_line(line, &map);
	procmaps_parse_mountinfo_line(line, &mount);
	free(line);
	return 0;
}
