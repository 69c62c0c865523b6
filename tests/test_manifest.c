// SPDX-License-Identifier: GPL-2.0
/* Unit tests: fixture manifests (conformance/manifest.c) — reading them,
 * the lookups, --fixtures selection, and a clear file:line error for each
 * kind of bad line. Manifests are written to a scratch checkout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "manifest.h"
#include "assert.h"
#include "scratch.h"

static const char openssl_manifest[] =
	"# a comment line\n"
	"stack      openssl        # trailing comment\n"
	"comm       tlsfix\n"
	"build      host\n"
	"dockerfile docker/openssl.Dockerfile\n"
	"\n"
	"scenarios  basic size-1 ex bio quick\n"
	"fresh      quick\n"
	"fresh      bio\n"
	"bench      bench-64 stream-64\n"
	"variant    host     host     the host's OpenSSL\n"
	"variant    bullseye bullseye OpenSSL 1.1.1 (Debian 11)\n"
	"variant    trixie   trixie   OpenSSL 3.5\n"
	"default    trixie host\n";

static const char gnutls_manifest[] =
	"stack      gnutls\n"
	"comm       tlsfix\n"
	"build      container\n"
	"dockerfile docker/gnutls.Dockerfile\n"
	"scenarios  basic size-1 threads\n"
	"bench      stream-64\n"
	"variant    bookworm bookworm GnuTLS 3.7\n"
	"variant    trixie   trixie   GnuTLS 3.8\n"
	"without    threads  book* -- no threads there\n"
	"default    bookworm\n";

/* root/fixtures/<stack>/manifest with text. */
static void write_manifest(const char *root, const char *stack, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/fixtures", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/fixtures/%s", root, stack);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/fixtures/%s/manifest", root, stack);
	assert_int_equal(scratch_write(path, text), 0);
}

struct world {
	char root[64];
	struct manifest_set set;
};

/* A checkout with two good manifests and fixtures/ca (no manifest). */
static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	char ca[96];
	char err[512];

	snprintf(w->root, sizeof(w->root), "/tmp/test_manifest.XXXXXX");
	if (!mkdtemp(w->root))
		return -1;
	write_manifest(w->root, "gnutls", gnutls_manifest);
	write_manifest(w->root, "openssl", openssl_manifest);
	snprintf(ca, sizeof(ca), "%s/fixtures/ca", w->root);
	mkdir(ca, 0755);
	if (manifest_load_all(w->root, &w->set, err, sizeof(err))) {
		print_error("%s\n", err);
		return -1;
	}
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	char *root = w->root;
	int ret;

	manifest_set_free(&w->set);
	ret = scratch_remove((void **)&root);
	free(w);
	return ret;
}

static void test_fields(void **state)
{
	struct world *w = *state;
	const struct manifest *m;

	assert_int_equal(w->set.n, 2);
	/* the reference stack first, whatever the directory order */
	assert_string_equal(w->set.v[0].stack, "openssl");
	assert_string_equal(w->set.v[1].stack, "gnutls");
	m = &w->set.v[0];
	assert_string_equal(m->comm, "tlsfix");
	assert_true(m->build_host);
	assert_false(w->set.v[1].build_host);
	assert_string_equal(m->dockerfile, "docker/openssl.Dockerfile");
	assert_int_equal(m->nscenarios, 5);
	assert_string_equal(m->scenarios[3], "bio");
	assert_int_equal(m->nfresh, 2);	/* two lines add up */
	assert_string_equal(m->fresh[0], "quick");
	assert_string_equal(m->fresh[1], "bio");
	assert_int_equal(w->set.v[1].nfresh, 0);
	assert_int_equal(m->nbench, 2);
	assert_int_equal(m->nvariants, 3);
	assert_string_equal(m->variants[1].name, "bullseye");
	assert_string_equal(m->variants[1].suite, "bullseye");
	assert_string_equal(m->variants[1].description, "OpenSSL 1.1.1 (Debian 11)");
	assert_string_equal(m->variants[0].description, "the host's OpenSSL");
	assert_int_equal(m->ndefaults, 2);
	assert_string_equal(m->variants[m->defaults[0]].name, "trixie");
	assert_string_equal(m->variants[m->defaults[1]].name, "host");
}

static void test_lookups(void **state)
{
	struct world *w = *state;
	const struct manifest *m = manifest_stack(&w->set, "openssl");
	const struct manifest *g = manifest_stack(&w->set, "gnutls");
	struct fixture_row row;
	char image[128];

	assert_non_null(m);
	assert_non_null(g);
	assert_null(manifest_stack(&w->set, "nss"));
	assert_true(manifest_supports(m, "ex"));
	assert_false(manifest_supports(g, "ex"));
	assert_true(manifest_supports(g, "threads"));
	assert_true(manifest_supports_bench(m, "bench-64"));
	assert_false(manifest_supports_bench(g, "bench-64"));
	assert_false(manifest_supports(m, "bench-64"));	/* a bench scenario, not a conformance one */
	assert_true(manifest_variant_is_host(manifest_variant(m, "host")));
	assert_false(manifest_variant_is_host(manifest_variant(m, "trixie")));
	assert_null(manifest_variant(g, "host"));
	/* fresh: container variants only, listed scenarios only */
	assert_true(manifest_fresh(m, manifest_variant(m, "trixie"), "quick"));
	assert_true(manifest_fresh(m, manifest_variant(m, "bullseye"), "bio"));
	assert_false(manifest_fresh(m, manifest_variant(m, "host"), "quick"));
	assert_false(manifest_fresh(m, manifest_variant(m, "trixie"), "basic"));
	assert_false(manifest_fresh(g, manifest_variant(g, "trixie"), "quick"));
	manifest_image(g, manifest_variant(g, "trixie"), image, sizeof(image));
	assert_string_equal(image, "tlsprobe/fixture-gnutls:trixie");

	assert_int_equal(fixture_row_find(&w->set, "gnutls@trixie", &row), 0);
	assert_string_equal(row.name, "gnutls@trixie");
	assert_ptr_equal(row.m, g);
	assert_string_equal(row.v->suite, "trixie");
	assert_int_equal(fixture_row_find(&w->set, "gnutls@host", &row), -1);
	assert_int_equal(fixture_row_find(&w->set, "openssl", &row), -1);
	assert_int_equal(fixture_row_find(&w->set, "@trixie", &row), -1);
}

/* The rows a --fixtures list selects, as "a b c". */
static void selected(const struct world *w, const char *list, char *out, size_t len)
{
	struct fixture_row rows[16];
	char err[512];
	int n = fixture_rows_select(&w->set, list, rows, 16, err, sizeof(err));
	size_t used = 0;

	out[0] = '\0';
	if (n < 0) {
		snprintf(out, len, "error: %s", err);
		return;
	}
	for (int i = 0; i < n; i++)
		used += snprintf(out + used, len - used, "%s%s", i ? " " : "", rows[i].name);
}

static void test_select(void **state)
{
	struct world *w = *state;
	char got[1024];

	selected(w, "default", got, sizeof(got));
	assert_string_equal(got, "openssl@trixie openssl@host gnutls@bookworm");
	selected(w, "all", got, sizeof(got));
	assert_string_equal(got, "openssl@host openssl@bullseye openssl@trixie gnutls@bookworm "
				 "gnutls@trixie");
	selected(w, "gnutls", got, sizeof(got));
	assert_string_equal(got, "gnutls@bookworm gnutls@trixie");
	/* the order asked, each row once */
	selected(w, "gnutls@trixie,openssl@host,gnutls,openssl@host", got, sizeof(got));
	assert_string_equal(got, "gnutls@trixie openssl@host gnutls@bookworm");
	selected(w, "openssl@host,host", got, sizeof(got));
	assert_contains(got, "error: no fixture 'host' (valid: all, default, openssl, openssl@host, "
			     "openssl@bullseye, openssl@trixie, gnutls, gnutls@bookworm, gnutls@trixie)");
	selected(w, "gnutls@host", got, sizeof(got));
	assert_contains(got, "error: no fixture 'gnutls@host'");
	selected(w, "", got, sizeof(got));
	assert_contains(got, "error: no fixture row chosen");
}

static void test_too_many_rows(void **state)
{
	struct world *w = *state;
	struct fixture_row rows[2];
	char err[256];

	assert_int_equal(fixture_rows_select(&w->set, "all", rows, 2, err, sizeof(err)), -1);
	assert_contains(err, "more than 2 fixture rows");
}

/* A manifest that is the good one with one line replaced (or added): the
 * error must name the file and the line. */
struct bad_case {
	const char *text;
	const char *stack_dir;
	const char *want;	/* in the error, after the path */
};

static const char good_head[] = "stack openssl\ncomm tlsfix\nbuild host\n"
				"dockerfile docker/openssl.Dockerfile\nscenarios basic\n"
				"variant host host the host\n";

static const struct bad_case bad_cases[] = {
	{ "stack openssl\ncomm tlsfix\nbuidl host\n", "openssl", ":3: unknown key 'buidl'" },
	{ "stack openssl\nstack gnutls\n", "openssl", ":2: 'stack' given twice (first on line 1)" },
	{ "stack openssl extra\n", "openssl", ":1: 'stack' takes one value, got 2" },
	{ "stack OpenSSL\n", "openssl", ":1: bad stack name 'OpenSSL'" },
	{ "stack openssl\ncomm a-very-long-command\n", "openssl", ":2: comm 'a-very-long-command' is longer" },
	{ "stack openssl\nbuild sometimes\n", "openssl", ":2: build is 'host' or 'container', not 'sometimes'" },
	{ "dockerfile /etc/passwd\n", "openssl", ":1: the dockerfile is a path inside the checkout" },
	{ "scenarios\n", "openssl", ":1: 'scenarios' lists no scenario" },
	{ "scenarios basic size/1\n", "openssl", ":1: bad scenario name 'size/1'" },
	{ "scenarios basic basic\n", "openssl", ":1: scenario 'basic' listed twice" },
	{ "fresh\n", "openssl", ":1: 'fresh' lists no scenario" },
	{ "fresh quick quick\n", "openssl", ":1: scenario 'quick' listed twice" },
	{ "fresh quick/1\n", "openssl", ":1: bad scenario name 'quick/1'" },
	{ "variant host\n", "openssl", ":1: 'variant' needs a name and 'host' or a Debian suite" },
	{ "variant Trixie trixie\n", "openssl", ":1: bad variant name or suite 'Trixie trixie'" },
	{ NULL, NULL, NULL },
};

static void expect_error(const char *root, const char *stack_dir, const char *text, const char *want)
{
	char path[256], err[512];
	struct manifest m;

	write_manifest(root, stack_dir, text);
	snprintf(path, sizeof(path), "%s/fixtures/%s/manifest", root, stack_dir);
	if (!manifest_load_file(path, &m, err, sizeof(err))) {
		print_error("no error for:\n%s\n", text);
		fail();
	}
	assert_contains(err, path);
	assert_contains(err, want);
}

static void test_bad_lines(void **state)
{
	struct world *w = *state;

	for (const struct bad_case *c = bad_cases; c->text; c++)
		expect_error(w->root, c->stack_dir, c->text, c->want);
}

/* Errors found once the whole file is read: the line they are about, or
 * the file alone. */
static void test_bad_files(void **state)
{
	struct world *w = *state;
	char text[1024];

	snprintf(text, sizeof(text), "%sdefault host nope\n", good_head);
	expect_error(w->root, "openssl", text, ":7: default variant 'nope' is not a variant of openssl");
	snprintf(text, sizeof(text), "%sdefault host host\n", good_head);
	expect_error(w->root, "openssl", text, ":7: default variant 'host' named twice");
	/* a fresh scenario must be one the fixture runs */
	snprintf(text, sizeof(text), "%sfresh basic\nfresh quick\n", good_head);
	expect_error(w->root, "openssl", text, ":8: fresh scenario 'quick' is not in 'scenarios'");
	snprintf(text, sizeof(text), "%svariant host bookworm again\n", good_head);
	expect_error(w->root, "openssl", text, ":7: variant 'host' given twice");
	expect_error(w->root, "openssl", "stack openssl\ncomm tlsfix\nscenarios basic\n",
		     "manifest: no 'build' line");
	expect_error(w->root, "openssl", "stack openssl\ncomm tlsfix\nbuild host\nvariant host host\n",
		     "manifest: no 'scenarios' line");
	expect_error(w->root, "openssl", "stack openssl\ncomm tlsfix\nbuild host\nscenarios basic\n",
		     "manifest: no 'variant' line");
	expect_error(w->root, "nss", "stack nss\ncomm tlsfix\nbuild container\nscenarios basic\n"
		     "dockerfile docker/nss.Dockerfile\nvariant host host\n",
		     "variant 'host' runs on the host but the stack has 'build container'");
	expect_error(w->root, "nss", "stack nss\ncomm tlsfix\nbuild container\nscenarios basic\n"
		     "variant bookworm bookworm\n",
		     "variant 'bookworm' runs in a container but there is no 'dockerfile'");
	expect_error(w->root, "wolfssl", good_head, "stack 'openssl' is in a directory named 'wolfssl'");
}

/* One bad manifest fails the whole set, naming it; no manifest at all too. */
static void test_load_all_errors(void **state)
{
	struct world *w = *state;
	struct manifest_set set;
	char err[512], other[96];

	snprintf(other, sizeof(other), "%s/other", w->root);
	mkdir(other, 0755);
	assert_int_equal(manifest_load_all(other, &set, err, sizeof(err)), -1);
	assert_contains(err, "cannot read");
	assert_contains(err, "/other/fixtures");
	write_manifest(other, "openssl", openssl_manifest);
	write_manifest(other, "nss", "stack nss\nfrobnicate yes\n");
	assert_int_equal(manifest_load_all(other, &set, err, sizeof(err)), -1);
	assert_contains(err, "/other/fixtures/nss/manifest:2: unknown key 'frobnicate'");
	assert_null(set.v);
	assert_int_equal(set.n, 0);
	/* a fixtures directory with no stack in it */
	snprintf(other, sizeof(other), "%s/other2", w->root);
	mkdir(other, 0755);
	write_manifest(other, "ca", "stack ca\n");
	snprintf(other, sizeof(other), "%s/other2/fixtures/ca/manifest", w->root);
	assert_int_equal(remove(other), 0);
	snprintf(other, sizeof(other), "%s/other2", w->root);
	assert_int_equal(manifest_load_all(other, &set, err, sizeof(err)), -1);
	assert_contains(err, "no fixtures/*/manifest under");
}

/* The checkout's own manifests must read (this runs from the checkout). */
/* A `without` line leaves a scenario out on the variants it matches. */
static void test_without(void **state)
{
	struct world *w = *state;
	const struct manifest *g = manifest_stack(&w->set, "gnutls");
	const char *why = "";

	assert_true(manifest_supports(g, "threads"));
	assert_false(manifest_row_supports(g, manifest_variant(g, "bookworm"), "threads", &why));
	assert_string_equal(why, "no threads there");
	assert_true(manifest_row_supports(g, manifest_variant(g, "trixie"), "threads", &why));
	assert_null(why);
	assert_true(manifest_row_supports(g, manifest_variant(g, "bookworm"), "basic", NULL));
	assert_false(manifest_row_supports(g, manifest_variant(g, "trixie"), "ex", NULL));
	expect_error(w->root, "gnutls", "stack gnutls\ncomm tlsfix\nbuild container\n"
		     "dockerfile d\nscenarios basic\nvariant a bookworm\nwithout ex a -- x\n",
		     ":7: 'without' scenario 'ex' is not in 'scenarios'");
	expect_error(w->root, "gnutls", "without basic a\n",
		     ":1: 'without' needs a scenario, variant patterns, then -- and the reason");
	write_manifest(w->root, "gnutls", gnutls_manifest);
}

static void test_checkout_manifests(void **state)
{
	struct manifest_set set;
	char err[512];
	const struct manifest *m;

	(void)state;
	if (manifest_load_all(".", &set, err, sizeof(err))) {
		print_error("%s\n", err);
		fail();
	}
	m = manifest_stack(&set, "openssl");
	assert_non_null(m);
	assert_string_equal(set.v[0].stack, "openssl");
	assert_true(manifest_variant_is_host(manifest_variant(m, "host")));
	assert_int_equal(m->ndefaults, 4);
	manifest_set_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_too_many_rows),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_load_all_errors),
		cmocka_unit_test(test_without),
		cmocka_unit_test(test_checkout_manifests),
	};

	return cmocka_run_group_tests_name("manifest", tests, setup, teardown);
}
