#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "checkout.h"
#include "child.h"

#define IMAGES_MAX 16

int checkout_root(char *root, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char probe[PATH_MAX + 32];

	if (n <= 0)
		return -1;
	exe[n] = '\0';
	snprintf(root, len, "%s", dirname(dirname(exe)));
	snprintf(probe, sizeof(probe), "%s/fixtures/openssl", root);
	return access(probe, F_OK);
}

int fixture_is_host(const char *fixture)
{
	return !strcmp(fixture, "host");
}

int checkout_build_fixtures(const char *root, const char *who)
{
	char *make_argv[] = { "make", "-s", "-C", (char *)root, "fixtures", NULL };

	if (spawn_run(make_argv, NULL, -1)) {
		fprintf(stderr, "%s: building the host fixture failed\n", who);
		return -1;
	}
	return 0;
}

int checkout_build_images(const char *root, char *const names[], int n, const char *who)
{
	char script[PATH_MAX + 32];
	char *argv[IMAGES_MAX + 2] = { script };
	int nargs = 1;

	snprintf(script, sizeof(script), "%s/scripts/images.sh", root);
	for (int i = 0; i < n && nargs <= IMAGES_MAX; i++)
		if (!fixture_is_host(names[i]))
			argv[nargs++] = names[i];
	if (nargs == 1)
		return 0;
	fprintf(stderr, "%s: preparing container images (slow the first time)\n", who);
	return spawn_run(argv, NULL, -1);
}

const char *checkout_docker(void)
{
	return access("/usr/bin/docker", X_OK) ? "docker" : "/usr/bin/docker";
}
