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
#endif
