/* The NSS backend on the NSPR and NSS libraries Debian installs
 * (scripts/deps.sh installs libnss3, which brings libnspr4): NSPR's four
 * plaintext functions, each started only by nss_entry (SSL-layered
 * descriptors), and the NSS version from libnss3.so next to libnspr4.so. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "assert.h"
#include "libs/nss.h"

#define LIBNSPR "/usr/lib/x86_64-linux-gnu/libnspr4.so"

static const struct probe_site *site_of(const struct tls_lib *lib, const char *func)
{
	return plan_site(&lib->plan, func);
}

static void plans_nsprs_functions_behind_the_ssl_layer_filter(void **state)
{
	static const struct { const char *name; enum data_dir dir; } want[] = {
		{ "PR_Write", DATA_OUT }, { "PR_Send", DATA_OUT },
		{ "PR_Read", DATA_IN }, { "PR_Recv", DATA_IN },
	};
	struct tls_lib *lib = calloc(1, sizeof(*lib));
	char err[512];
	(void)state;

	assert_non_null(lib);
	assert_ptr_equal(backend_for_path(LIBNSPR), &nss_backend);
	snprintf(lib->path, sizeof(lib->path), "%s", LIBNSPR);
	snprintf(lib->host_path, sizeof(lib->host_path), "%s", LIBNSPR);
	if (backend_plan_lib(lib, PLAN_AUTO, err, sizeof(err)))
		fail_msg("planning %s: %s", LIBNSPR, err);
	assert_contains(lib->version, "NSS 3.");
	assert_int_equal(lib->plan.nsites, 4);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct probe_site *s = site_of(lib, want[i].name);

		assert_non_null(s);
		assert_string_equal(s->entry_prog, "nss_entry");
		assert_int_equal(s->desc.dir, want[i].dir);
		assert_int_equal(s->desc.len, LEN_RET32);
		assert_int_equal(s->desc.session, LOC_RDI);
		assert_int_equal(s->desc.buf, LOC_RSI);
	}
	/* the fallback says why: NSPR's functions start single-stepped */
	assert_contains(lib->plan.why[DATA_OUT], "PR_Write begins with");
	assert_contains(lib->plan.coverage, "SSL layer");
	free(lib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plans_nsprs_functions_behind_the_ssl_layer_filter),
	};
	return cmocka_run_group_tests_name("nss", tests, NULL, NULL);
}
