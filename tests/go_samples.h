/* The Go samples of scripts/go-samples.sh (tests/go-samples/tlsdial built by
 * every toolchain, four ways each, with Go's own view of them), as the tests
 * find them: build/go-samples or $TLSPROBE_GO_SAMPLES. A missing sample skips
 * its test, saying so, or fails it under TLSPROBE_NO_SKIP=1 (make test).
 * $TLSPROBE_GO_TOOLCHAINS, when set, names the toolchains to test (make test's
 * subset; scripts/go-samples.sh builds the same): the others get no test,
 * and the program says so. Include after cmocka.h. */
#ifndef TLSPROBE_TESTS_GO_SAMPLES_H
#define TLSPROBE_TESTS_GO_SAMPLES_H
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const toolchains[] = { "go1.15", "go1.19", "go1.22", "go1.24", "go1.27.3" };
static const char *const builds[] = { "default", "stripped", "nocgo", "pie" };
#define NTOOLCHAINS (sizeof(toolchains) / sizeof(toolchains[0]))
#define NBUILDS (sizeof(builds) / sizeof(builds[0]))

struct sample {
	const char *go, *build;
	char name[48];		/* the test's name: GO/BUILD */
};

/* Whether go's samples are tested: $TLSPROBE_GO_TOOLCHAINS unset, empty or
 * "all", or a space-separated list that names go. */
static bool toolchain_chosen(const char *go)
{
	const char *list = getenv("TLSPROBE_GO_TOOLCHAINS");
	size_t len = strlen(go);

	if (!list || !*list || !strcmp(list, "all"))
		return true;
	for (const char *p = strstr(list, go); p; p = strstr(p + 1, go))
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return true;
	return false;
}

/* Says which toolchains get no test (once, before the tests run). */
static void say_toolchains_left_out(void)
{
	for (size_t g = 0; g < NTOOLCHAINS; g++)
		if (!toolchain_chosen(toolchains[g]))
			printf("not tested: the %s samples (TLSPROBE_GO_TOOLCHAINS=\"%s\")\n",
			       toolchains[g], getenv("TLSPROBE_GO_TOOLCHAINS"));
}

static const char *samples_dir(void)
{
	const char *dir = getenv("TLSPROBE_GO_SAMPLES");

	return dir && *dir ? dir : "build/go-samples";
}

/* A sample's file (DIR/GO/REL) when it is there, else NULL: skipped with the
 * reason, or failed under TLSPROBE_NO_SKIP. */
static const char *sample_file(const char *go, const char *rel, char *path, size_t len)
{
	snprintf(path, len, "%s/%s/%s", samples_dir(), go, rel);
	if (!access(path, R_OK))
		return path;
	if (getenv("TLSPROBE_NO_SKIP"))
		fail_msg("no %s (scripts/go-samples.sh did not build it)", path);
	print_message("skipped: no %s (run scripts/go-samples.sh)\n", path);
	return NULL;
}

#endif
