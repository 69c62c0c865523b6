/* Rust symbol paths (tracer/rustsym.c): legacy and v0 mangling to the exact
 * paths the rustls backend matches, hash and disambiguators left out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../tracer/rustsym.h"

static void expect_path(const char *mangled, const char *want)
{
	char path[512];

	assert_int_equal(rust_demangle_path(mangled, path, sizeof(path)), 0);
	assert_string_equal(path, want);
}

/* Legacy: from the rustls fixture's blocking build (rustls 0.23.46). */
static void test_legacy(void **state)
{
	(void)state;
	expect_path("_ZN66_$LT$rustls..conn..connection..Reader$u20$as$u20$std..io..Read$GT$"
		    "4read17h27959b879f852fa6E",
		    "<rustls::conn::connection::Reader as std::io::Read>::read");
	expect_path("_ZN99_$LT$rustls..conn..ConnectionCommon$LT$T$GT$$u20$as$u20$rustls..conn.."
		    "connection..PlaintextSink$GT$5write17h8e2a98edf27f1e68E",
		    "<rustls::conn::ConnectionCommon<T> as rustls::conn::connection::PlaintextSink>"
		    "::write");
}

/* v0: crate disambiguators (Cs…_) are not printed. */
static void test_v0(void **state)
{
	(void)state;
	expect_path("_RNvXs0_NtNtCs1234_6rustls4conn10connectionNtB5_6WriterNtNtCsabc_3std2io5"
		    "Write5write",
		    "<rustls::conn::connection::Writer as std::io::Write>::write");
}

/* write_all is not write: the paths differ, so an exact match tells them apart. */
static void test_not_a_prefix(void **state)
{
	char path[512];

	(void)state;
	assert_int_equal(rust_demangle_path("_ZN3std2io5Write9write_all17h0123456789abcdefE", path,
					    sizeof(path)), 0);
	assert_string_equal(path, "std::io::Write::write_all");
}

static void test_not_rust(void **state)
{
	char path[64];

	(void)state;
	assert_int_equal(rust_demangle_path("SSL_write", path, sizeof(path)), -1);
	assert_int_equal(rust_demangle_path("_ZN3foo", path, sizeof(path)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_v0),
		cmocka_unit_test(test_not_a_prefix),
		cmocka_unit_test(test_not_rust),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
