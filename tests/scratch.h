/* A test group's scratch directory under /tmp, for the files it builds
 * itself (tests/test_elfsym.c, tests/test_planner.c): the group's setup
 * makes it with mkdtemp and puts its path in *state; scratch_remove is the
 * group's teardown. */
#ifndef TLSPROBE_TESTS_SCRATCH_H
#define TLSPROBE_TESTS_SCRATCH_H
#include <stdio.h>
#include <stdlib.h>

static int scratch_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static __attribute__((unused)) int scratch_remove(void **state)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", (const char *)*state);
	return system(cmd) ? -1 : 0;
}
#endif
