/* Finding OpenSSL's version string in a library's .rodata, and deciding
 * which mapped files are libssl. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "libs/openssl.h"
#include "libs/nss.h"

static int scan(const char *blob, size_t len, char *out)
{
	return version_scan((const uint8_t *)blob, len, "OpenSSL ", 2, out, 64);
}

static void finds_dated_version(void **state)
{
	static const char blob[] = "\0x\0OpenSSL 3.0.19 27 Jan 2026\0other";
	char out[64];
	(void)state;

	assert_int_equal(scan(blob, sizeof(blob), out), 0);
	assert_string_equal(out, "OpenSSL 3.0.19");
}

static void keeps_letter_suffix_and_double_space(void **state)
{
	static const char blob[] = "OpenSSL 1.1.1w  11 Sep 2023";
	char out[64];
	(void)state;

	assert_int_equal(scan(blob, sizeof(blob), out), 0);
	assert_string_equal(out, "OpenSSL 1.1.1w");
}

static void prefers_dated_over_earlier_mention(void **state)
{
	static const char blob[] = "compat: OpenSSL 1.0.0\0OpenSSL default\0OpenSSL 3.5.7 3 Nov 2026";
	char out[64];
	(void)state;

	assert_int_equal(scan(blob, sizeof(blob), out), 0);
	assert_string_equal(out, "OpenSSL 3.5.7");
}

static void falls_back_to_undated(void **state)
{
	static const char blob[] = "x OpenSSL 3.2.1\0";
	char out[64];
	(void)state;

	assert_int_equal(scan(blob, sizeof(blob), out), 0);
	assert_string_equal(out, "OpenSSL 3.2.1");
}

static void rejects_non_versions(void **state)
{
	static const char blob[] = "OpenSSL default\0OpenSSL 3\0OpenSSL .1.2\0OpenSSL ";
	char out[64] = "unchanged";
	(void)state;

	assert_int_equal(scan(blob, sizeof(blob), out), -1);
	assert_int_equal(scan("", 0, out), -1);
}

static int is_openssl(const char *path)
{
	return backend_for_path(path) == &openssl_backend;
}

static void recognises_libssl_names(void **state)
{
	(void)state;

	assert_true(is_openssl("/usr/lib/x86_64-linux-gnu/libssl.so.3"));
	assert_true(is_openssl("/usr/lib/x86_64-linux-gnu/libssl.so.1.1"));
	assert_true(is_openssl("libssl.so"));
	/* libcrypto too: its memory BIO is probed (libs/openssl_membio.c) */
	assert_true(is_openssl("/usr/lib/x86_64-linux-gnu/libcrypto.so.3"));
	assert_false(is_openssl("/usr/lib/x86_64-linux-gnu/libcryptsetup.so.12"));
	assert_false(is_openssl("/opt/libssl/libfoo.so"));
	assert_false(is_openssl("/usr/lib/libssl3.so")); /* NSS */
}

/* The backend table picks the backend by file name, each stack its own. */
static void backends_claim_their_libraries(void **state)
{
	(void)state;

	assert_ptr_equal(backend_for_path("/usr/lib/x86_64-linux-gnu/libssl.so.3"), &openssl_backend);
	assert_ptr_equal(backend_for_path("/usr/lib/x86_64-linux-gnu/libnspr4.so"), &nss_backend);
	assert_null(backend_for_path("/usr/lib/x86_64-linux-gnu/libssl3.so"));
	assert_null(backend_for_path("/usr/lib/x86_64-linux-gnu/libgnutls-openssl.so.27"));
	assert_null(backend_for_path("/usr/lib/x86_64-linux-gnu/libc.so.6"));
}

static void finds_other_stacks_versions(void **state)
{
	static const char gnutls[] = "x\0Enabled GnuTLS 3.7.9 logging...\n";
	static const char nss[] = "\0$Header: NSS 3.87.1 $\0Version: NSS 3.87.1\0";
	static const char nss110[] = "\0Version: NSS 3.110\0";
	char out[64];
	(void)state;

	assert_int_equal(version_scan((const uint8_t *)gnutls, sizeof(gnutls), "GnuTLS ", 2, out,
				      sizeof(out)), 0);
	assert_string_equal(out, "GnuTLS 3.7.9");
	assert_int_equal(version_scan((const uint8_t *)nss, sizeof(nss), "NSS ", 2, out, sizeof(out)), 0);
	assert_string_equal(out, "NSS 3.87.1");
	/* NSS 3.88 on: two numbers, which an OpenSSL-style scan does not take */
	assert_int_equal(version_scan((const uint8_t *)nss110, sizeof(nss110), "NSS ", 2, out,
				      sizeof(out)), -1);
	assert_int_equal(version_scan((const uint8_t *)nss110, sizeof(nss110), "NSS ", 1, out,
					    sizeof(out)), 0);
	assert_string_equal(out, "NSS 3.110");
	assert_int_equal(version_scan((const uint8_t *)nss, sizeof(nss), "OpenSSL ", 2, out,
				      sizeof(out)), -1);
}

static void finds_sibling_libraries(void **state)
{
	char out[128];
	(void)state;

	sibling_path("/usr/lib/x/libssl.so.3", "libssl", "libcrypto", out, sizeof(out));
	assert_string_equal(out, "/usr/lib/x/libcrypto.so.3");
	sibling_path("/opt/libnspr4.so", "libnspr4", "libnss3", out, sizeof(out));
	assert_string_equal(out, "/opt/libnss3.so");
	sibling_path("libssl.so.1.1", "libssl", "libcrypto", out, sizeof(out));
	assert_string_equal(out, "libcrypto.so.1.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_dated_version),
		cmocka_unit_test(keeps_letter_suffix_and_double_space),
		cmocka_unit_test(prefers_dated_over_earlier_mention),
		cmocka_unit_test(falls_back_to_undated),
		cmocka_unit_test(rejects_non_versions),
		cmocka_unit_test(recognises_libssl_names),
		cmocka_unit_test(backends_claim_their_libraries),
		cmocka_unit_test(finds_other_stacks_versions),
		cmocka_unit_test(finds_sibling_libraries),
	};
	return cmocka_run_group_tests_name("openssl_version", tests, NULL, NULL);
}
