/* The BoringSSL backend on real BoringSSL builds: trixie's android-libboringssl
 * (libssl.so.0 and its libcrypto.so.0, where the version text is) and the
 * BoringSSL fixture's static and stripped tlsfix, copied out of the fixture
 * images by scripts/boringssl-samples.sh into build/boringssl (or
 * $TLSPROBE_BORINGSSL_SAMPLES). Without them (no images yet) the tests that
 * need them are skipped, saying so; the shared library falls back to the
 * host's android-libboringssl when that is installed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "assert.h"
#include "elfsym.h"
#include "libs/boringssl.h"
#include "libs/openssl.h"

#define HOST_ANDROID_LIBSSL "/usr/lib/x86_64-linux-gnu/android/libssl.so.0"
#define HOST_LIBSSL3 "/usr/lib/x86_64-linux-gnu/libssl.so.3"

/* The sample's path, or NULL (the test skipped, with the reason printed). */
static const char *sample(const char *rel, const char *host_fallback)
{
	static char path[4][PATH_MAX];
	static int next;
	const char *dir = getenv("TLSPROBE_BORINGSSL_SAMPLES");
	char *p = path[next++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", dir && *dir ? dir : "build/boringssl", rel);
	if (!access(p, R_OK))
		return p;
	if (host_fallback && !access(host_fallback, R_OK))
		return host_fallback;
	/* make test copies the samples out of the images first: there, a
	 * missing one is a failure, not a skip */
	if (getenv("TLSPROBE_NO_SKIP"))
		fail_msg("no %s (scripts/boringssl-samples.sh did not copy it)", p);
	print_message("skipped: no %s (run scripts/images.sh boringssl, then "
		      "scripts/boringssl-samples.sh)\n", p);
	return NULL;
}

/* backend_plan_lib on path: its return value; lib and err filled. */
static int plan_file(struct tls_lib *lib, const char *path, const struct tls_backend *backend,
		     enum plan_mode mode, char *err, size_t errlen)
{
	memset(lib, 0, sizeof(*lib));
	snprintf(lib->path, sizeof(lib->path), "%s", path);
	snprintf(lib->host_path, sizeof(lib->host_path), "%s", path);
	lib->backend = backend;
	err[0] = '\0';
	return backend_plan_lib(lib, mode, err, errlen);
}

static struct tls_lib *planned(const char *path, enum plan_mode mode)
{
	struct tls_lib *lib = calloc(1, sizeof(*lib));
	char err[512];

	assert_non_null(lib);
	if (plan_file(lib, path, NULL, mode, err, sizeof(err)))
		fail_msg("planning %s: %s", path, err);
	assert_ptr_equal(lib->backend, &boringssl_backend);
	assert_string_equal(lib->version, "BoringSSL");
	return lib;
}

/* One site per direction, on SSL_write and SSL_read: int returns, the
 * session and buffer in the first two argument registers. */
static void check_sites(const struct tls_lib *lib)
{
	const struct probe_site *w = plan_site(&lib->plan, "SSL_write");
	const struct probe_site *r = plan_site(&lib->plan, "SSL_read");

	assert_int_equal(lib->plan.nsites, 2);
	assert_non_null(w);
	assert_non_null(r);
	assert_int_equal(w->desc.dir, DATA_OUT);
	assert_int_equal(r->desc.dir, DATA_IN);
	assert_int_equal(w->desc.len, LEN_RET32);
	assert_int_equal(r->desc.len, LEN_RET32);
	assert_int_equal(w->desc.session, LOC_RDI);
	assert_int_equal(w->desc.buf, LOC_RSI);
	assert_int_equal(r->desc.session, LOC_RDI);
	assert_int_equal(r->desc.buf, LOC_RSI);
	/* SSL_read is SSL_peek plus consuming: a probe on SSL_peek as well
	 * would count every read twice */
	assert_null(plan_site(&lib->plan, "SSL_peek"));
	assert_contains(lib->plan.coverage, "SSL_peek: not probed");
}

static void file_name_picks_the_backend(void **state)
{
	(void)state;
	assert_ptr_equal(backend_for_path(HOST_ANDROID_LIBSSL), &boringssl_backend);
	assert_ptr_equal(backend_for_path("/x/libssl.so.3"), &openssl_backend);
	assert_ptr_equal(backend_for_path("/x/libssl.so.1.1"), &openssl_backend);
}

/* Android's libssl.so.0: classified by content (its libcrypto's
 * "BoringSSL"), both sites after the CET endbr64, on an emulated push. */
static void shared_library(void **state)
{
	const char *path = sample("shared/libssl.so.0", HOST_ANDROID_LIBSSL);
	struct tls_lib *lib;
	(void)state;

	if (!path)
		skip();
	lib = planned(path, PLAN_AUTO);
	check_sites(lib);
	for (int d = 0; d < 2; d++) {
		assert_true(lib->plan.planned[d]);
		assert_int_equal(lib->plan.sites[d].cls, PROBE_EMULATED);
	}
	/* BoringSSL's SSL BIO calls SSL_read/SSL_write: covered */
	assert_contains(lib->plan.coverage, "BIO_f_ssl: covered");
	free(lib);
}

static void shared_library_entry_mode(void **state)
{
	const char *path = sample("shared/libssl.so.0", HOST_ANDROID_LIBSSL);
	struct tls_lib *lib;
	uint64_t vaddr, size;
	struct elf_image *img;
	(void)state;

	if (!path)
		skip();
	lib = planned(path, PLAN_ENTRY);
	check_sites(lib);
	img = elf_image_open(path);
	assert_non_null(img);
	assert_int_equal(elf_image_func(img, "SSL_write", &vaddr, &size), 0);
	assert_int_equal(plan_site(&lib->plan, "SSL_write")->vaddr, vaddr);
	elf_image_close(img);
	assert_false(lib->plan.planned[DATA_OUT]);
	assert_contains(lib->plan.why[DATA_OUT], "as asked");
	free(lib);
}

/* Asked as OpenSSL ("OpenSSL 1.1.1 (compatible; BoringSSL)"): refused. */
static void openssl_refuses_boringssl(void **state)
{
	const char *path = sample("shared/libssl.so.0", HOST_ANDROID_LIBSSL);
	struct tls_lib lib;
	char err[512];
	(void)state;

	if (!path)
		skip();
	assert_int_not_equal(plan_file(&lib, path, &openssl_backend, PLAN_AUTO, err, sizeof(err)), 0);
	assert_contains(err, "BoringSSL, not OpenSSL");
	assert_int_equal(lib.plan.nsites, 0);
}

/* OpenSSL's libssl is not BoringSSL, and is still OpenSSL's. */
static void openssl_is_not_boringssl(void **state)
{
	struct tls_lib lib;
	char err[512];
	(void)state;

	if (access(HOST_LIBSSL3, R_OK)) {
		print_message("skipped: no %s\n", HOST_LIBSSL3);
		skip();
	}
	assert_int_not_equal(plan_file(&lib, HOST_LIBSSL3, &boringssl_backend, PLAN_AUTO, err,
				       sizeof(err)), 0);
	assert_contains(err, "not BoringSSL");
	assert_int_equal(plan_file(&lib, HOST_LIBSSL3, NULL, PLAN_AUTO, err, sizeof(err)), 0);
	assert_ptr_equal(lib.backend, &openssl_backend);
}

/* Linked in with -fvisibility=hidden: SSL_read/SSL_write are local .symtab
 * symbols of the executable, which is classified and planned as well. */
static void static_local_symbols(void **state)
{
	const char *path = sample("static/tlsfix", NULL);
	struct tls_lib *lib;
	(void)state;

	if (!path)
		skip();
	lib = planned(path, PLAN_AUTO);
	check_sites(lib);
	for (int d = 0; d < 2; d++)
		assert_int_equal(lib->plan.sites[d].cls, PROBE_EMULATED);
	free(lib);
}

/* Stripped: recognised (its "BoringSSL" and libssl's source file name),
 * never planned, with the reason. */
static void stripped_is_recognised_not_planned(void **state)
{
	const char *path = sample("stripped/tlsfix", NULL);
	struct tls_lib lib;
	char err[512];
	(void)state;

	if (!path)
		skip();
	assert_int_equal(plan_file(&lib, path, NULL, PLAN_AUTO, err, sizeof(err)), -1);
	assert_ptr_equal(lib.backend, &boringssl_backend);
	assert_string_equal(lib.version, "BoringSSL");
	assert_contains(err, "BoringSSL linked into");
	assert_contains(err, "without symbols");
	assert_contains(err, "not attached");
	assert_int_equal(lib.plan.nsites, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_name_picks_the_backend),
		cmocka_unit_test(shared_library),
		cmocka_unit_test(shared_library_entry_mode),
		cmocka_unit_test(openssl_refuses_boringssl),
		cmocka_unit_test(openssl_is_not_boringssl),
		cmocka_unit_test(static_local_symbols),
		cmocka_unit_test(stripped_is_recognised_not_planned),
	};
	return cmocka_run_group_tests_name("boringssl", tests, NULL, NULL);
}
