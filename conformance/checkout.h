/* The tlsprobe checkout the running binary belongs to, and the fixtures
 * built from it: shared by `conform` and `bench`. */
#ifndef TLSPROBE_CHECKOUT_H
#define TLSPROBE_CHECKOUT_H
#include <stddef.h>

/* build/tlsprobe's parent's parent, if it holds fixtures/openssl. 0 or -1. */
int checkout_root(char *root, size_t len);

/* "host" is the host's OpenSSL; other fixture names are Debian releases run
 * in containers. */
int fixture_is_host(const char *fixture);

/* `make fixtures`: the host fixture and the test CA. 0, or -1 (reported). */
int checkout_build_fixtures(const char *root, const char *who);

/* scripts/images.sh for the container fixtures among names (the host is
 * skipped). 0, or non-zero when an image could not be built. */
int checkout_build_images(const char *root, char *const names[], int n, const char *who);

/* The Docker client to run fixtures with (docker.io's, when installed). */
const char *checkout_docker(void);

/* The image of a release's OpenSSL fixture: tlsprobe/fixture-openssl:NAME. */
void checkout_image(const char *fixture, char *out, size_t len);

/* One fixture scenario: run.sh SCENARIO OUTDIR CA on the host, or the same
 * in the release's image (--network none, OUTDIR mounted at /out, the CA at
 * /ca). env: NULL, or "NAME=value" settings ending with NULL. Output to log.
 * Returns spawn_run's status (0, the exit status, or -1 on timeout). */
int checkout_run_fixture(const char *root, const char *fixture, const char *scenario,
			 const char *outdir, char *const env[], const char *log, int timeout_ms);
#endif
