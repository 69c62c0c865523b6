/* The Go samples of scripts/go-samples.sh (tests/go-samples/tlsdial built by
 * every toolchain, four ways each, with Go's own view of them), as the tests
 * find them: build/go-samples or $TLSPROBE_GO_SAMPLES. A missing sample skips
 * its test, saying so, or fails it under TLSPROBE_NO_SKIP=1 (make test).
 * Include after cmocka.h. */
#ifndef TLSPROBE_TESTS_GO_SAMPLES_H
#define TLSPROBE_TESTS_GO_SAMPLES_H
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const toolchains[] = { "go1.15", "go1.19", "go1.22", "go1.24", "go1.27.3" };
static const char *const builds[] = { "default", "stripped", "nocgo", "pie" };
#define NTOOLCHAINS (sizeof(toolchains) / sizeof(toolchains[0]))
#define NBUILDS (sizeof(builds) / sizeof(builds[0]))

struct sample {
	const char *go, *build;
	char name[48];		/* the test's name: GO/BUILD */
};

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
