#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "../elfsym.h"
#include "boringssl.h"
#include "openssl.h"
#include "openssl_membio.h"

/* libcrypto too: its memory BIO is probed (libs/openssl_membio.c). */
static const char *const lib_names[] = { "libssl.so", "libcrypto.so", NULL };
static const char *const companions[] = { "libcrypto.so", NULL };

/* libssl.so.3 carries no version string; its libcrypto (same directory, same
 * suffix) does. */
static void detect_version(struct tls_lib *lib)
{
	char crypto_path[PATH_MAX];

	if (!version_scan_file(lib->host_path, "OpenSSL ", 2, lib->version, sizeof(lib->version)))
		return;
	sibling_path(lib->host_path, "libssl", "libcrypto", crypto_path, sizeof(crypto_path));
	if (version_scan_file(crypto_path, "OpenSSL ", 2, lib->version, sizeof(lib->version)))
		lib->version[0] = '\0';
}

static int parse_version(const char *version, int *major, int *minor, int *patch)
{
	return sscanf(version, "OpenSSL %d.%d.%d", major, minor, patch) == 3 ? 0 : -1;
}

/* The exported functions of one direction, and where each keeps its count. */
struct entry_fn {
	const char *name;
	enum site_len len;
	enum site_loc count;   /* LEN_OUT_PTR: the count pointer's register */
};

static const struct entry_fn write_entries[] = {
	{ "SSL_write", LEN_RET32, LOC_NONE },
	{ "SSL_write_ex", LEN_OUT_PTR, LOC_RCX },
	{ "SSL_write_ex2", LEN_OUT_PTR, LOC_R8 },     /* OpenSSL >= 3.3 */
	{ NULL },
};

static const struct entry_fn read_entries[] = {
	{ "SSL_read", LEN_RET32, LOC_NONE },
	{ "SSL_read_ex", LEN_OUT_PTR, LOC_RCX },
	{ NULL },
};

/* The signatures of the internal functions, from OpenSSL's ssl_local.h:
 *   int ssl_read_internal(SSL *s, void *buf, size_t num, size_t *readbytes);
 *   int ssl_write_internal(SSL *s, const void *buf, size_t num, size_t *written);
 * from 1.1.1 (the size_t rework that brought SSL_write_ex) to 3.2; 3.3 gave
 * the write function a `uint64_t flags` before `written` (for
 * SSL_write_ex2). Versions outside [1.1.1, 4.0) have not been examined:
 * LOC_NONE, no plan. */
static enum site_loc internal_count_loc(enum data_dir dir, int major, int minor, int patch)
{
	int v = major * 10000 + minor * 100 + patch;

	if (v < 10101 || major >= 4)
		return LOC_NONE;
	if (dir == DATA_IN)
		return LOC_RCX;
	return v >= 30300 ? LOC_R8 : LOC_RCX;
}

static void append_name(char *list, size_t len, const char *name)
{
	size_t used = strlen(list);

	snprintf(list + used, len - used, "%s%s", used ? ", " : "", name);
}

/* The one function every exported function of a direction reaches: its
 * address, or 0 with the reason in why. */
static uint64_t find_internal(struct elf_image *img, const struct entry_fn *entries,
			      char *reached, size_t reachedlen, char *why, size_t whylen)
{
	struct reach common = {};
	int found = 0;

	for (const struct entry_fn *e = entries; e->name; e++) {
		struct reach r = {};
		uint64_t vaddr, size;

		if (elf_image_func(img, e->name, &vaddr, &size))
			continue;
		if (plan_reach(img, vaddr, size, 1, &r)) {
			snprintf(why, whylen, "%s does not decode", e->name);
			return 0;
		}
		if (found++)
			reach_intersect(&common, &r);
		else
			common = r;
		append_name(reached, reachedlen, e->name);
	}
	if (common.n != 1) {
		snprintf(why, whylen, "%d functions are reached from every one of %s: "
			 "cannot single out the internal one", common.n, reached);
		return 0;
	}
	return common.addr[0];
}

/* Proves from SSL_write/SSL_read (which hand a local's address to the
 * internal function) that the count pointer is in the register the version
 * says. */
static int prove_count_pointer(struct elf_image *img, const char *outer, uint64_t internal,
			       enum site_loc count, struct probe_site *site,
			       char *why, size_t whylen)
{
	unsigned int reg = x86_arg_reg(count == LOC_R8 ? 5 : 4);
	uint64_t vaddr, size;
	struct x86_func fn;
	char detail[160];
	int ret;

	if (elf_image_func(img, outer, &vaddr, &size) || x86_decode(img, vaddr, size, &fn)) {
		snprintf(why, whylen, "%s is missing or does not decode", outer);
		return -1;
	}
	ret = plan_prove_stack_arg(&fn, internal, reg, detail, sizeof(detail));
	x86_func_free(&fn);
	if (ret) {
		snprintf(why, whylen, "count pointer not proved in %s (%s): %s",
			 outer, x86_reg_name(reg), detail);
		return -1;
	}
	snprintf(site->proof, sizeof(site->proof), "by %s, which passes %s", outer, detail);
	return 0;
}

/* Plans one direction on its internal function; 0 with *internal set, or
 * -1 with the reason in why. */
static int plan_internal(struct elf_image *img, int ver[3], enum data_dir dir,
			 struct probe_plan *plan, uint64_t *internal, char *why, size_t whylen)
{
	const struct entry_fn *entries = dir == DATA_IN ? read_entries : write_entries;
	enum site_loc count = internal_count_loc(dir, ver[0], ver[1], ver[2]);
	char reached[128] = "";
	struct probe_site site = {};

	if (count == LOC_NONE) {
		snprintf(why, whylen, "the internal functions of OpenSSL %d.%d.%d have not been "
			 "examined", ver[0], ver[1], ver[2]);
		return -1;
	}
	site_init_c(&site, dir == DATA_IN ? "ssl_read_internal" : "ssl_write_internal", dir,
		    LEN_OUT_PTR, count);
	*internal = find_internal(img, entries, reached, sizeof(reached), why, whylen);
	if (!*internal || prove_count_pointer(img, entries[0].name, *internal, count, &site,
					      why, whylen))
		return -1;
	if (plan_entry_site(img, *internal, 1, &site)) {
		snprintf(why, whylen, "the internal function at 0x%llx does not decode",
			 (unsigned long long)*internal);
		return -1;
	}
	if (site.cls != PROBE_EMULATED) {
		snprintf(why, whylen, "the internal function begins with `%s`, which the kernel "
			 "single-steps", site.insn.text);
		return -1;
	}
	snprintf(site.what, sizeof(site.what), "%.40s at 0x%llx, reached from %.80s", site.func,
		 (unsigned long long)*internal, reached);
	plan->planned[dir] = 1;
	return plan_add(plan, &site);
}

/* The exported functions of one direction, each probed at its entry. */
static void plan_entries(struct elf_image *img, enum data_dir dir, struct probe_plan *plan)
{
	const struct entry_fn *entries = dir == DATA_IN ? read_entries : write_entries;

	for (const struct entry_fn *e = entries; e->name; e++) {
		struct probe_site site = {};
		uint64_t vaddr, size;

		site_init_c(&site, e->name, dir, e->len, e->count);
		if (elf_image_func(img, e->name, &vaddr, &size) ||
		    plan_entry_site(img, vaddr, 0, &site))
			continue;
		snprintf(site.what, sizeof(site.what), "%s, exported", e->name);
		plan_add(plan, &site);
	}
}

/* BIO_f_ssl's method table (struct bio_method_st: int type; const char *name;
 * then bwrite at +16 and bread at +32, from 1.1.1 on) points to its write and
 * read functions; if these reach the probed internal functions, programs that
 * read and write through an SSL BIO (s_server -WWW) are covered. */
static void check_bio(struct elf_image *img, const uint64_t internal[2], struct probe_plan *plan)
{
	static const unsigned int slot_offset[2] = { 16, 32 };
	uint64_t vaddr, size, table = 0, fn[2];
	struct x86_func code;
	int covered = 0;

	if (!plan->planned[DATA_OUT] && !plan->planned[DATA_IN]) {
		snprintf(plan->coverage, sizeof(plan->coverage), "BIO_f_ssl: not covered: BIO_f_ssl reads and writes "
			 "without calling the exported functions");
		return;
	}
	if (elf_image_func(img, "BIO_f_ssl", &vaddr, &size) || x86_decode(img, vaddr, size, &code))
		goto unproven;
	for (size_t i = 0; i < code.n && !table; i++)
		table = code.insns[i].rip_lea;
	x86_func_free(&code);
	for (int d = 0; d < 2; d++) {
		struct reach r = {};

		if (!table || elf_image_relative_value(img, table + slot_offset[d], &fn[d]) ||
		    plan_reach(img, fn[d], 0, 0, &r))
			goto unproven;
		covered += plan->planned[d] && reach_has(&r, internal[d]);
	}
	if (covered == 2)
		snprintf(plan->coverage, sizeof(plan->coverage), "BIO_f_ssl: covered: its write (0x%llx) and read (0x%llx) "
			 "call the probed internal functions", (unsigned long long)fn[0],
			 (unsigned long long)fn[1]);
	else if (covered == 1 && plan->planned[DATA_OUT] + plan->planned[DATA_IN] == 1)
		snprintf(plan->coverage, sizeof(plan->coverage), "BIO_f_ssl: partly covered: its %s reach the probed internal "
			 "function, its %s are NOT captured (that direction is on the exported entry "
			 "points)", plan->planned[DATA_OUT] ? "writes" : "reads",
			 plan->planned[DATA_OUT] ? "reads" : "writes");
	else
		snprintf(plan->coverage, sizeof(plan->coverage), "BIO_f_ssl: not proven: its functions (0x%llx, 0x%llx) "
			 "do not call the probed ones", (unsigned long long)fn[0],
			 (unsigned long long)fn[1]);
	return;
unproven:
	snprintf(plan->coverage, sizeof(plan->coverage), "BIO_f_ssl: not proven: BIO_f_ssl's method table not understood");
}

static int plan_library(struct elf_image *img, const char *version, enum plan_mode mode,
			struct probe_plan *plan)
{
	uint64_t internal[2] = {};
	int ver[3] = {}, known = version[0] && !parse_version(version, &ver[0], &ver[1],
								       &ver[2]);

	for (int d = 0; d < 2; d++) {
		if (mode == PLAN_ENTRY)
			snprintf(plan->why[d], sizeof(plan->why[d]), "as asked (--probes entry)");
		else if (!known)
			snprintf(plan->why[d], sizeof(plan->why[d]), "OpenSSL version unknown: the "
				 "internal functions' signatures cannot be told");
		else if (!plan_internal(img, ver, d, plan, &internal[d], plan->why[d],
					sizeof(plan->why[d])))
			continue;
		plan_entries(img, d, plan);
	}
	check_bio(img, internal, plan);
	return plan->nsites ? 0 : -1;
}

static int defines_ssl_calls(struct elf_image *img)
{
	uint64_t vaddr, size;

	return !elf_image_func(img, "SSL_write", &vaddr, &size) ||
	       !elf_image_func(img, "SSL_read", &vaddr, &size);
}

/* libssl's own source file's name, which its error reporting (ERR_raise,
 * OPENSSL_FILE) keeps in .rodata even where the symbols are gone. */
static int names_libssl_source(struct elf_image *img)
{
	return rodata_has_bytes(img, "ssl_lib.c", strlen("ssl_lib.c"));
}

/* libssl's code is in img (with symbols or without). */
static int holds_libssl(struct elf_image *img)
{
	return defines_ssl_calls(img) || names_libssl_source(img);
}

/* OpenSSL's libcrypto alone (no SSL_* functions): a file of the stack
 * only when its memory BIO can be probed; else it holds nothing to trace
 * (and no process mapping it is told it cannot be traced): err says why. */
static int is_libcrypto(struct tls_lib *lib, struct elf_image *img, char *err, size_t errlen)
{
	struct probe_plan scratch = {};
	uint64_t vaddr, size;
	int ver[3];

	snprintf(err, errlen, "%s: defines none of SSL_write, SSL_read", lib->path);
	if (elf_image_func(img, "BIO_s_mem", &vaddr, &size) ||
	    version_scan_file(lib->host_path, "OpenSSL ", 2, lib->version, sizeof(lib->version)))
		return 0;
	if (boringssl_holds(lib, img) || parse_version(lib->version, &ver[0], &ver[1], &ver[2]) ||
	    openssl_plan_mem_bio(img, ver[0], ver[1], &scratch)) {
		snprintf(err, errlen, "%s: OpenSSL's libcrypto, without a memory BIO to probe (%s)",
			 lib->path, scratch.mem_bio[0] ? scratch.mem_bio : "BoringSSL's, or no version");
		lib->version[0] = '\0';
		return 0;
	}
	return 1;
}

/* libssl, or an executable with it linked in: SSL_write or SSL_read among
 * the symbols; or, without symbols, OpenSSL's version text together with
 * libssl's own source file name (libcrypto alone has the version, not
 * that). The second kind is recognised so that it can be reported, not
 * probed: with no symbol there is nothing to prove a site from. */
static int classify(struct tls_lib *lib, struct elf_image *img, char *err, size_t errlen)
{
	int found = 0;

	if (defines_ssl_calls(img)) {
		detect_version(lib);
		found = 1;
	} else if (names_libssl_source(img) &&
		   !version_scan_file(lib->host_path, "OpenSSL ", 2, lib->version,
				      sizeof(lib->version))) {
		found = 1;
	}
	/* BoringSSL has OpenSSL's API and calls itself "OpenSSL 1.1.1
	 * (compatible; BoringSSL)", but its internals are its own: never
	 * planned as OpenSSL 1.1.1 (libs/boringssl.c plans it). */
	if (found && boringssl_holds(lib, img)) {
		lib->version[0] = '\0';
		snprintf(err, errlen, "%s: BoringSSL, not OpenSSL", lib->path);
		return -1;
	}
	if (found || is_libcrypto(lib, img, err, errlen))
		return 0;
	return -1;
}

/* The SSL calls' sites where the file defines them, and the memory BIO's
 * where it holds one (libcrypto, or a program with both linked in). */
static int plan(struct tls_lib *lib, struct elf_image *img, enum plan_mode mode, char *err,
		size_t errlen)
{
	int ver[3], known = !parse_version(lib->version, &ver[0], &ver[1], &ver[2]);

	if (!holds_libssl(img)) { /* libcrypto (is_libcrypto) */
		if (known && !openssl_plan_mem_bio(img, ver[0], ver[1], &lib->plan))
			return 0;
		snprintf(err, errlen, "%s: %s", lib->path, lib->plan.mem_bio);
		return -1;
	}
	if (!plan_library(img, lib->version, mode, &lib->plan)) {
		if (known)
			openssl_plan_mem_bio(img, ver[0], ver[1], &lib->plan);
		return 0;
	}
	snprintf(err, errlen, "%s: %s linked in without symbols (none of SSL_write, SSL_read, "
		 "SSL_write_ex, SSL_read_ex in .dynsym or .symtab): no probe site can be proved, "
		 "not attached", lib->path, lib->version[0] ? lib->version : "OpenSSL");
	return -1;
}

const struct tls_backend openssl_backend = {
	.name = "openssl",
	.lib_names = lib_names,
	.companions = companions,
	.classify = classify,
	.plan = plan,
};
