/* The probe planner on small libraries the test builds: shaped like libssl
 * (exported SSL_write/SSL_read/_ex wrappers around hidden internal functions),
 * with the internal functions in assembly so that their first instructions
 * are known exactly. One library per case the planner must tell apart:
 *   v30      OpenSSL 3.0 shape: planned, count pointer in rcx
 *   v35      3.5 shape: a flags argument, pointer in r8, SSL_write_ex
 *            reaching SSL_write_ex2 through the PLT
 *   cet      every function starts with endbr64: the probe goes after it
 *   liar     claims 3.0 but passes the pointer in r8: not proved, fallback
 *   nover    no version string: fallback
 *   subfirst the internal function starts with sub (single-stepped): fallback
 *   inlined  no function reached by all wrappers: fallback
 * And libcrypto-shaped ones with a memory BIO method table (crypto-mem:
 * type 0x401, "memory buffer"; crypto-nottype: another type), and the
 * kernel's emulate/single-step rule on single instructions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "elfsym.h"
#include "libs/openssl.h"
#include "x86insn.h"
#include "scratch.h"
#include "assert.h"

static char dir[] = "/tmp/tlsprobe-planner-XXXXXX";

static const char common_c[] =
	"#include <stddef.h>\n"
	"#ifndef VERSION\n#define VERSION \"\"\n#endif\n"
	"const char banner[] = VERSION;\n"
	"int ssl_write_internal(void *s, const void *b, size_t n, WFLAGS size_t *w);\n"
	"int ssl_read_internal(void *s, void *b, size_t n, size_t *r);\n"
	"int SSL_write(void *s, const void *b, int n) { size_t w; int ret;\n"
	"  if (n < 0) return -1; ret = ssl_write_internal(s, b, (size_t)n, WARG &w);\n"
	"  return ret > 0 ? (int)w : ret; }\n"
	"int SSL_read(void *s, void *b, int n) { size_t r; int ret;\n"
	"  if (n < 0) return -1; ret = ssl_read_internal(s, b, (size_t)n, &r);\n"
	"  return ret > 0 ? (int)r : ret; }\n"
	"int SSL_read_ex(void *s, void *b, size_t n, size_t *r) {\n"
	"  int ret = ssl_read_internal(s, b, n, r); return ret < 0 ? 0 : ret; }\n"
	"#ifdef EX2\n"
	"int SSL_write_ex2(void *s, const void *b, size_t n, unsigned long f, size_t *w) {\n"
	"  int ret = ssl_write_internal(s, b, n, f, w); return ret < 0 ? 0 : ret; }\n"
	"int SSL_write_ex(void *s, const void *b, size_t n, size_t *w) {\n"
	"  return SSL_write_ex2(s, b, n, 0, w); }\n"
	"#else\n"
	"int SSL_write_ex(void *s, const void *b, size_t n, size_t *w) {\n"
	"  int ret = ssl_write_internal(s, b, n, WARG w); return ret < 0 ? 0 : ret; }\n"
	"#endif\n";

/* libcrypto's memory BIO, shaped as crypto/bio/bss_mem.c has it: the
 * method table with the converters in the size_t slots, mem_write and
 * mem_read in the _old ones (static: local .symtab symbols, the test's
 * independent answer). */
static const char crypto_c[] =
	"const char banner[] = \"OpenSSL 3.0.19 27 Jan 2026\";\n"
	"struct bio_method_st { int type; const char *name; void *bwrite;\n"
	"  int (*bwrite_old)(void *, const char *, int); void *bread;\n"
	"  int (*bread_old)(void *, char *, int); void *bputs, *bgets, *ctrl;\n"
	"  int (*create)(void *); };\n"
	"static volatile int sink;\n"
	"__attribute__((noinline)) static int mem_write(void *b, const char *in, int n)\n"
	"{ sink = n + (in != 0) + (b != 0); return n; }\n"
	"__attribute__((noinline)) static int mem_read(void *b, char *out, int n)\n"
	"{ sink = n - (out != 0) - (b != 0); return n; }\n"
	"__attribute__((noinline)) static int mem_new(void *b) { sink = (b != 0); return 1; }\n"
	"__attribute__((noinline)) static int conv(void) { return sink; }\n"
	"static const struct bio_method_st mem_method = { TYPE, \"memory buffer\",\n"
	"  (void *)conv, mem_write, (void *)conv, mem_read, (void *)conv, (void *)conv,\n"
	"  (void *)conv, mem_new };\n"
	"const struct bio_method_st *BIO_s_mem(void) { return &mem_method; }\n";

struct variant {
	const char *name, *cflags, *first_insn;
};

static const struct variant variants[] = {
	{ "v30", "-DVERSION='\"OpenSSL 3.0.19 27 Jan 2026\"' -DWFLAGS= -DWARG=", "" },
	{ "v35", "-DVERSION='\"OpenSSL 3.5.7 1 Jul 2025\"' -DEX2 '-DWFLAGS=unsigned long f,' "
		 "-DWARG=0,", "" },
	{ "cet", "-fcf-protection=full -DVERSION='\"OpenSSL 3.0.19 27 Jan 2026\"' -DWFLAGS= "
		 "-DWARG=", "endbr64" },
	{ "liar", "-DVERSION='\"OpenSSL 3.0.19 27 Jan 2026\"' '-DWFLAGS=unsigned long f,' "
		  "-DWARG=0,", "" },
	{ "nover", "-DWFLAGS= -DWARG=", "" },
	{ "subfirst", "-DVERSION='\"OpenSSL 3.0.19 27 Jan 2026\"' -DWFLAGS= -DWARG=",
	  "sub $8, %rsp" },
};

static int build_variant(const struct variant *v)
{
	char path[256], cmd[2048], asm_text[1024];
	const char *pop = !strcmp(v->first_insn, "sub $8, %rsp") ? " add $8, %rsp\n" : "";
	const char *first = !strcmp(v->first_insn, "endbr64") ? " endbr64" :
			    pop[0] ? " sub $8, %rsp" : "";

	snprintf(asm_text, sizeof(asm_text),
		 ".text\n"
		 ".globl ssl_write_internal\n.hidden ssl_write_internal\n"
		 ".type ssl_write_internal,@function\nssl_write_internal:\n%s\n push %%rbx\n"
		 " mov $1, %%eax\n pop %%rbx\n%s ret\n"
		 ".globl ssl_read_internal\n.hidden ssl_read_internal\n"
		 ".type ssl_read_internal,@function\nssl_read_internal:\n%s\n push %%rbx\n"
		 " mov $1, %%eax\n pop %%rbx\n%s ret\n"
		 ".section .note.GNU-stack,\"\",@progbits\n", first, pop, first, pop);
	snprintf(path, sizeof(path), "%s/%s.S", dir, v->name);
	if (scratch_write(path, asm_text))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cc -shared -fPIC -O2 %s -o %s/libssl-%s.so %s/common.c %s/%s.S", v->cflags, dir,
		 v->name, dir, dir, v->name);
	return system(cmd) ? -1 : 0;
}

static int build_fixtures(void **state)
{
	char path[256], cmd[1024];

	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	snprintf(path, sizeof(path), "%s/common.c", dir);
	if (scratch_write(path, common_c))
		return -1;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (build_variant(&variants[i]))
			return -1;
	/* inlined: the wrappers do the work themselves */
	snprintf(path, sizeof(path), "%s/inlined.c", dir);
	if (scratch_write(path, "const char banner[] = \"OpenSSL 3.0.19 27 Jan 2026\";\n"
			     "int SSL_write(void *s, const void *b, int n) { return n; }\n"
			     "int SSL_read(void *s, void *b, int n) { return n; }\n"))
		return -1;
	snprintf(cmd, sizeof(cmd), "cc -shared -fPIC -O2 -o %s/libssl-inlined.so %s", dir, path);
	if (system(cmd))
		return -1;
	snprintf(path, sizeof(path), "%s/crypto.c", dir);
	if (scratch_write(path, crypto_c))
		return -1;
	snprintf(cmd, sizeof(cmd), "cc -shared -fPIC -O2 -DTYPE=0x401 -o %s/libssl-crypto-mem.so %s && "
		 "cc -shared -fPIC -O2 -DTYPE=0x402 -o %s/libssl-crypto-nottype.so %s", dir, path,
		 dir, path);
	return system(cmd) ? -1 : 0;
}

static struct tls_lib *plan(const char *variant, enum plan_mode mode)
{
	struct tls_lib *lib = calloc(1, sizeof(*lib));
	char err[512];

	assert_non_null(lib);
	snprintf(lib->path, sizeof(lib->path), "%s/libssl-%s.so", dir, variant);
	snprintf(lib->host_path, sizeof(lib->host_path), "%s", lib->path);
	lib->backend = &openssl_backend; /* (the scratch files are not named libssl.so*) */
	if (backend_plan_lib(lib, mode, err, sizeof(err)))
		fail_msg("planning %s: %s", variant, err);
	return lib;
}

static const struct probe_site *site_of(const struct tls_lib *lib, const char *func)
{
	return plan_site(&lib->plan, func);
}

static void assert_falls_back(const struct tls_lib *lib, enum data_dir dir, const char *why)
{
	if (lib->plan.planned[dir] || !strstr(lib->plan.why[dir], why))
		fail_msg("%s: expected a fallback saying '%s', got planned=%d why='%s'",
			 dir == DATA_IN ? "read" : "write", why, lib->plan.planned[dir],
			 lib->plan.why[dir]);
}

static void openssl_30_shape_is_planned(void **state)
{
	struct tls_lib *lib = plan("v30", PLAN_AUTO);
	const struct probe_site *w = site_of(lib, "ssl_write_internal");
	const struct probe_site *r = site_of(lib, "ssl_read_internal");
	(void)state;

	assert_true(lib->plan.planned[DATA_OUT] && lib->plan.planned[DATA_IN]);
	assert_int_equal(lib->plan.nsites, 2);
	assert_non_null(w);
	assert_non_null(r);
	assert_int_equal(w->desc.len, LEN_OUT_PTR);
	assert_int_equal(w->desc.count, LOC_RCX);
	assert_int_equal(r->desc.len, LEN_OUT_PTR);
	assert_int_equal(r->desc.count, LOC_RCX);
	assert_int_equal(w->desc.dir, DATA_OUT);
	assert_int_equal(r->desc.dir, DATA_IN);
	assert_int_equal(w->desc.session, LOC_RDI);
	assert_int_equal(w->desc.buf, LOC_RSI);
	assert_string_equal(w->insn.text, "push rbx");
	assert_int_equal(w->cls, PROBE_EMULATED);
	assert_contains(w->what, "SSL_write, SSL_write_ex");
	assert_contains(w->proof, "stack address");
	assert_string_equal(lib->version, "OpenSSL 3.0.19");
	free(lib);
}

static void openssl_35_shape_takes_the_fifth_argument(void **state)
{
	struct tls_lib *lib = plan("v35", PLAN_AUTO);
	const struct probe_site *w = site_of(lib, "ssl_write_internal");
	(void)state;

	assert_non_null(w);
	assert_int_equal(w->desc.count, LOC_R8);
	/* SSL_write_ex reaches it only through the PLT and SSL_write_ex2 */
	assert_contains(w->what, "SSL_write, SSL_write_ex, SSL_write_ex2");
	assert_int_equal(site_of(lib, "ssl_read_internal")->desc.count, LOC_RCX);
	free(lib);
}

static void cet_probe_goes_after_endbr64(void **state)
{
	struct tls_lib *lib = plan("cet", PLAN_AUTO);
	const struct probe_site *w = site_of(lib, "ssl_write_internal");
	struct tls_lib *entry = plan("cet", PLAN_ENTRY);
	(void)state;

	assert_non_null(w);
	assert_string_equal(w->insn.text, "push rbx");
	assert_int_equal(w->cls, PROBE_EMULATED);
	/* the exported entry itself starts with endbr64, which is single-stepped */
	assert_string_equal(site_of(entry, "SSL_write")->insn.text, "endbr64");
	assert_int_equal(site_of(entry, "SSL_write")->cls, PROBE_SINGLE_STEPPED);
	free(lib);
	free(entry);
}

static void wrong_register_for_the_version_falls_back(void **state)
{
	struct tls_lib *lib = plan("liar", PLAN_AUTO);
	(void)state;

	assert_falls_back(lib, DATA_OUT, "count pointer not proved");
	assert_true(lib->plan.planned[DATA_IN]); /* the read side is still what 3.0 says */
	assert_non_null(site_of(lib, "SSL_write"));
	assert_non_null(site_of(lib, "SSL_write_ex"));
	assert_null(site_of(lib, "ssl_write_internal"));
	free(lib);
}

static void unknown_version_falls_back(void **state)
{
	struct tls_lib *lib = plan("nover", PLAN_AUTO);
	(void)state;

	assert_falls_back(lib, DATA_OUT, "version unknown");
	assert_falls_back(lib, DATA_IN, "version unknown");
	assert_int_equal(site_of(lib, "SSL_read")->desc.len, LEN_RET32);
	assert_int_equal(site_of(lib, "SSL_read_ex")->desc.len, LEN_OUT_PTR);
	assert_int_equal(site_of(lib, "SSL_read_ex")->desc.count, LOC_RCX);
	free(lib);
}

static void single_stepped_internal_entry_falls_back(void **state)
{
	struct tls_lib *lib = plan("subfirst", PLAN_AUTO);
	(void)state;

	assert_falls_back(lib, DATA_OUT, "single-steps");
	assert_falls_back(lib, DATA_IN, "single-steps");
	free(lib);
}

static void no_shared_internal_function_falls_back(void **state)
{
	struct tls_lib *lib = plan("inlined", PLAN_AUTO);
	(void)state;

	assert_falls_back(lib, DATA_OUT, "cannot single out");
	assert_non_null(site_of(lib, "SSL_write"));
	free(lib);
}

static void entry_mode_probes_the_exported_functions(void **state)
{
	struct tls_lib *lib = plan("v35", PLAN_ENTRY);
	(void)state;

	assert_false(lib->plan.planned[DATA_OUT] || lib->plan.planned[DATA_IN]);
	assert_int_equal(lib->plan.nsites, 5); /* write, write_ex, write_ex2, read, read_ex */
	assert_int_equal(site_of(lib, "SSL_write_ex2")->desc.count, LOC_R8);
	assert_contains(lib->plan.coverage, "not covered");
	free(lib);
}

static struct x86_instr insn_of(const char *bytes, size_t n)
{
	struct x86_instr in = { .size = (uint8_t)n };

	memcpy(in.bytes, bytes, n);
	return in;
}

/* arch/x86/kernel/uprobes.c: what is emulated and what is single-stepped. */
static void emulation_rule(void **state)
{
	static const struct {
		const char *bytes;
		size_t n;
		enum x86_probe_class cls;
	} cases[] = {
		{ "\x55", 1, PROBE_EMULATED },                       /* push rbp */
		{ "\x41\x56", 2, PROBE_EMULATED },                   /* push r14 */
		{ "\x90", 1, PROBE_EMULATED },                       /* nop */
		{ "\xe8\0\0\0\0", 5, PROBE_EMULATED },               /* call rel32 */
		{ "\xe9\0\0\0\0", 5, PROBE_EMULATED },               /* jmp rel32 */
		{ "\x74\x05", 2, PROBE_EMULATED },                   /* je rel8 */
		{ "\x0f\x84\0\0\0\0", 6, PROBE_EMULATED },           /* je rel32 */
		{ "\x48\x83\xec\x18", 4, PROBE_SINGLE_STEPPED },     /* sub rsp, 0x18 */
		{ "\xf3\x0f\x1e\xfa", 4, PROBE_SINGLE_STEPPED },     /* endbr64 */
		{ "\x48\x89\xe5", 3, PROBE_SINGLE_STEPPED },         /* mov rbp, rsp */
		{ "\x66\x90", 2, PROBE_SINGLE_STEPPED },             /* 0x66-prefixed nop */
		{ "\x0f\x1f\x44\0\0", 5, PROBE_SINGLE_STEPPED },     /* nopl (multi-byte) */
		{ "\x66\x55", 2, PROBE_SINGLE_STEPPED },             /* push bp (16-bit) */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x86_instr in = insn_of(cases[i].bytes, cases[i].n);

		if (x86_probe_class(&in) != cases[i].cls)
			fail_msg("case %zu (first byte 0x%02x): got %s, want %s", i,
				 (unsigned char)cases[i].bytes[0], x86_probe_class_name(x86_probe_class(&in)),
				 x86_probe_class_name(cases[i].cls));
	}
}

static struct tls_lib *plan_crypto(const char *variant)
{
	struct tls_lib *lib = calloc(1, sizeof(*lib));
	char err[512];

	assert_non_null(lib);
	snprintf(lib->path, sizeof(lib->path), "%s/libssl-%s.so", dir, variant);
	snprintf(lib->host_path, sizeof(lib->host_path), "%s", lib->path);
	lib->backend = &openssl_backend;
	if (backend_plan_lib(lib, PLAN_AUTO, err, sizeof(err))) {
		lib->plan.nsites = -1;
		snprintf(lib->reason, sizeof(lib->reason), "%.250s", err);
	}
	return lib;
}

/* The memory BIO's functions are the ones its method table points to, as
 * the local symbols of the static functions say. */
static void memory_bio_sites_from_the_method_table(void **state)
{
	struct tls_lib *lib = plan_crypto("crypto-mem");
	struct elf_image *img = elf_image_open(lib->host_path);
	const struct probe_site *w = site_of(lib, "mem_write"), *r = site_of(lib, "mem_read");
	const struct probe_site *n = site_of(lib, "mem_new");
	uint64_t write_fn, read_fn, new_fn, size;
	(void)state;

	assert_non_null(img);
	assert_int_equal(elf_image_func(img, "mem_write", &write_fn, &size), 0);
	assert_int_equal(elf_image_func(img, "mem_read", &read_fn, &size), 0);
	assert_int_equal(elf_image_func(img, "mem_new", &new_fn, &size), 0);
	elf_image_close(img);
	assert_int_equal(lib->plan.nsites, 3);
	assert_non_null(n);
	assert_int_equal(n->desc.kind, SITE_MEM_BIO_NEW);
	assert_int_equal(n->vaddr, new_fn);
	assert_non_null(w);
	assert_non_null(r);
	assert_int_equal(w->desc.kind, SITE_MEM_BIO_WRITE);
	assert_int_equal(r->desc.kind, SITE_MEM_BIO_READ);
	assert_int_equal(w->vaddr, write_fn); /* (no endbr64 here: the entry itself) */
	assert_int_equal(r->vaddr, read_fn);
	assert_string_equal(w->entry_prog, "membio_write");
	assert_string_equal(r->entry_prog, "membio_read");
	assert_contains(lib->plan.mem_bio, "BIO_s_mem's method table");
	free(lib);
}

/* A table of another type is not the memory BIO's: nothing planned. */
static void other_method_table_not_planned(void **state)
{
	struct tls_lib *lib = plan_crypto("crypto-nottype");
	(void)state;

	assert_int_equal(lib->plan.nsites, -1);
	assert_contains(lib->reason, "without a memory BIO to probe");
	assert_contains(lib->reason, "not understood");
	free(lib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(openssl_30_shape_is_planned),
		cmocka_unit_test(openssl_35_shape_takes_the_fifth_argument),
		cmocka_unit_test(cet_probe_goes_after_endbr64),
		cmocka_unit_test(wrong_register_for_the_version_falls_back),
		cmocka_unit_test(unknown_version_falls_back),
		cmocka_unit_test(single_stepped_internal_entry_falls_back),
		cmocka_unit_test(no_shared_internal_function_falls_back),
		cmocka_unit_test(entry_mode_probes_the_exported_functions),
		cmocka_unit_test(emulation_rule),
		cmocka_unit_test(memory_bio_sites_from_the_method_table),
		cmocka_unit_test(other_method_table_not_planned),
	};
	return cmocka_run_group_tests_name("planner", tests, build_fixtures, scratch_remove);
}
