/* The GnuTLS backend on the GnuTLS library Debian installs (scripts/deps.sh
 * installs libgnutls30): its file name picks the backend, its banner gives
 * the version, and its plan puts writes on gnutls_record_send2 (which
 * gnutls_record_send tail-calls) and reads on the exported functions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "assert.h"
#include "libs/gnutls.h"

#define LIBGNUTLS "/usr/lib/x86_64-linux-gnu/libgnutls.so.30"

static const struct probe_site *site_of(const struct tls_lib *lib, const char *func)
{
	return plan_site(&lib->plan, func);
}

static struct tls_lib *plan(enum plan_mode mode)
{
	struct tls_lib *lib = calloc(1, sizeof(*lib));
	char err[512];

	assert_non_null(lib);
	snprintf(lib->path, sizeof(lib->path), "%s", LIBGNUTLS);
	snprintf(lib->host_path, sizeof(lib->host_path), "%s", LIBGNUTLS);
	if (backend_plan_lib(lib, mode, err, sizeof(err)))
		fail_msg("planning %s: %s", LIBGNUTLS, err);
	return lib;
}

static void file_name_picks_the_backend(void **state)
{
	(void)state;
	assert_ptr_equal(backend_for_path(LIBGNUTLS), &gnutls_backend);
	assert_ptr_equal(backend_for_path("/x/libgnutls.so"), &gnutls_backend);
	assert_null(backend_for_path("/x/libgnutls-openssl.so.27"));
	assert_null(backend_for_path("/x/libgnutlsxx.so.30"));
}

static void writes_go_on_send2(void **state)
{
	struct tls_lib *lib = plan(PLAN_AUTO);
	const struct probe_site *w = site_of(lib, "gnutls_record_send2");
	(void)state;

	assert_contains(lib->version, "GnuTLS 3.");
	assert_true(lib->plan.planned[DATA_OUT]);
	assert_non_null(w);
	assert_int_equal(w->cls, PROBE_EMULATED);
	assert_int_equal(w->desc.dir, DATA_OUT);
	assert_int_equal(w->desc.len, LEN_RET64);
	assert_int_equal(w->desc.session, LOC_RDI);
	assert_int_equal(w->desc.buf, LOC_RSI);
	/* send tail-calls send2, which sees its writes: a probe on send would
	 * only add a second trap to each */
	assert_null(site_of(lib, "gnutls_record_send"));
	free(lib);
}

static void reads_stay_on_the_exported_functions(void **state)
{
	struct tls_lib *lib = plan(PLAN_AUTO);
	const struct probe_site *r = site_of(lib, "gnutls_record_recv");
	(void)state;

	assert_false(lib->plan.planned[DATA_IN]);
	assert_contains(lib->plan.why[DATA_IN], "handshake records");
	assert_non_null(r);
	assert_int_equal(r->desc.dir, DATA_IN);
	assert_int_equal(r->desc.len, LEN_RET64);
	assert_non_null(site_of(lib, "gnutls_record_recv_seq"));
	free(lib);
}

/* The exported entry points, each write seen once: send2 stands for send. */
static void entry_mode_probes_the_exported_functions(void **state)
{
	struct tls_lib *lib = plan(PLAN_ENTRY);
	(void)state;

	assert_false(lib->plan.planned[DATA_OUT]);
	assert_null(site_of(lib, "gnutls_record_send"));
	assert_non_null(site_of(lib, "gnutls_record_send2"));
	assert_non_null(site_of(lib, "gnutls_record_send_range"));
	assert_non_null(site_of(lib, "gnutls_record_recv"));
	assert_non_null(site_of(lib, "gnutls_record_recv_seq"));
	free(lib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_name_picks_the_backend),
		cmocka_unit_test(writes_go_on_send2),
		cmocka_unit_test(reads_stay_on_the_exported_functions),
		cmocka_unit_test(entry_mode_probes_the_exported_functions),
	};
	return cmocka_run_group_tests_name("gnutls", tests, NULL, NULL);
}
