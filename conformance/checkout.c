#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "checkout.h"
#include "child.h"

#define IMAGES_MAX 16
#define ENV_MAX 8

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

void checkout_image(const char *fixture, char *out, size_t len)
{
	snprintf(out, len, "tlsprobe/fixture-openssl:%.60s", fixture);
}

int checkout_run_fixture(const char *root, const char *fixture, const char *scenario,
			 const char *outdir, char *const env[], const char *log, int timeout_ms)
{
	char run_sh[PATH_MAX], ca[PATH_MAX], image[128];
	char out_mount[PATH_MAX + 8], ca_mount[PATH_MAX + 8];
	char *argv[16 + 2 * ENV_MAX];
	int n = 0, nenv = 0;

	while (env && env[nenv] && nenv < ENV_MAX)
		nenv++;
	snprintf(ca, sizeof(ca), "%.4000s/build/ca", root);
	if (fixture_is_host(fixture)) {
		snprintf(run_sh, sizeof(run_sh), "%.4000s/build/fixtures/openssl/run.sh", root);
		if (nenv)
			argv[n++] = "env";
		for (int i = 0; i < nenv; i++)
			argv[n++] = env[i];
		argv[n++] = run_sh;
		argv[n++] = (char *)scenario;
		argv[n++] = (char *)outdir;
		argv[n++] = ca;
	} else {
		checkout_image(fixture, image, sizeof(image));
		snprintf(out_mount, sizeof(out_mount), "%.4000s:/out", outdir);
		snprintf(ca_mount, sizeof(ca_mount), "%.4000s:/ca:ro", ca);
		argv[n++] = (char *)checkout_docker();
		argv[n++] = "run";
		argv[n++] = "--rm";
		argv[n++] = "--network";
		argv[n++] = "none";
		for (int i = 0; i < nenv; i++) {
			argv[n++] = "-e";
			argv[n++] = env[i];
		}
		argv[n++] = "-v";
		argv[n++] = out_mount;
		argv[n++] = "-v";
		argv[n++] = ca_mount;
		argv[n++] = image;
		argv[n++] = "/opt/tlsfix/run.sh";
		argv[n++] = (char *)scenario;
		argv[n++] = "/out";
		argv[n++] = "/ca";
	}
	argv[n] = NULL;
	return spawn_run(argv, log, timeout_ms);
}
