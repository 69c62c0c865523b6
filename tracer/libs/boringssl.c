/* BoringSSL. Every plaintext write goes through
 *   int SSL_write(SSL *ssl, const void *buf, int num)
 * and every read that consumes plaintext through
 *   int SSL_read(SSL *ssl, void *buf, int num)
 * both returning the byte count (int). BoringSSL has no _ex functions;
 * its SSL BIO (BIO_f_ssl, ssl/bio_ssl.cc) calls SSL_read/SSL_write. SSL_peek
 * returns bytes without consuming them, and SSL_read is SSL_peek plus the
 * consumption (ssl_lib.cc: SSL_read calls SSL_peek, or its inlined body):
 * probing SSL_peek too would count every read twice, so only SSL_read is
 * probed and peeked bytes are seen once, when SSL_read takes them.
 *
 * Recognised by content, not by name (Android's libssl.so.0 is named like
 * OpenSSL's, and Envoy-like programs link BoringSSL in): the file defines
 * SSL_write or SSL_read (.dynsym, or .symtab where -fvisibility=hidden made
 * them local), and its .rodata, or its libcrypto's, holds the text
 * OpenSSL_version() returns, "BoringSSL" (boringssl_holds). A program
 * stripped of every symbol is still recognised, by that text together with
 * the name of libssl's source file that its error reporting keeps
 * (OPENSSL_PUT_ERROR's __FILE__, ".../ssl/ssl_lib.cc"), so that it is
 * reported; it is never probed: with no symbol there is nothing to prove a
 * site from, and a guessed address could be anything. Where this can fail:
 * a build with its error strings' file names removed (then the stripped
 * program is not recognised at all, and nothing is probed), or a future
 * OpenSSL_version() that returns another text. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <string.h>
#include "../elfsym.h"
#include "boringssl.h"

/* Android's build (Debian's android-libboringssl: .../android/libssl.so.0).
 * Only file names: classification is by content. */
static const char *const lib_names[] = { "libssl.so.0", NULL };
static const char *const companions[] = { "libcrypto.so", NULL };

#define VERSION_TEXT "OpenSSL 1.1.1 (compatible; BoringSSL)"

/* Whether blob holds s as a string of its own (NUL before and after, or s
 * at the start). */
static int has_string(const uint8_t *blob, size_t len, const char *s)
{
	size_t n = strlen(s) + 1; /* with its NUL */
	const uint8_t *p = blob, *end = blob + len;

	while (p < end && (p = memmem(p, end - p, s, n))) {
		if (p == blob || p[-1] == '\0')
			return 1;
		p++;
	}
	return 0;
}

static int rodata_says_boringssl(const uint8_t *rodata, size_t len)
{
	return has_string(rodata, len, "BoringSSL") ||
	       memmem(rodata, len, VERSION_TEXT, strlen(VERSION_TEXT)) != NULL;
}

static int image_says_boringssl(struct elf_image *img)
{
	const uint8_t *rodata;
	size_t len;

	return !elf_image_section(img, ".rodata", &rodata, &len) &&
	       rodata_says_boringssl(rodata, len);
}

static const char *file_name(const char *path)
{
	const char *base = strrchr(path, '/');

	return base ? base + 1 : path;
}

int boringssl_holds(const struct tls_lib *lib, struct elf_image *img)
{
	char crypto_path[PATH_MAX];
	struct elf_image *crypto;
	int says;

	if (image_says_boringssl(img))
		return 1;
	if (strncmp(file_name(lib->host_path), "libssl", 6))
		return 0;
	/* the version text is libcrypto's (OpenSSL_version is in crypto.c) */
	sibling_path(lib->host_path, "libssl", "libcrypto", crypto_path, sizeof(crypto_path));
	crypto = elf_image_open(crypto_path);
	if (!crypto)
		return 0;
	says = image_says_boringssl(crypto);
	elf_image_close(crypto);
	return says;
}

/* libssl's own source file, in the file names BoringSSL's error reporting
 * keeps ("/build/.../src/ssl/ssl_lib.cc"). */
static int rodata_has_libssl_source(struct elf_image *img)
{
	static const char name[] = "/ssl_lib.cc"; /* with its NUL: the end of a path */

	return rodata_has_bytes(img, name, sizeof(name));
}

static int defines(struct elf_image *img, const char *name)
{
	uint64_t vaddr, size;

	return !elf_image_func(img, name, &vaddr, &size);
}

static int classify(struct tls_lib *lib, struct elf_image *img, char *err, size_t errlen)
{
	if (defines(img, "SSL_write") || defines(img, "SSL_read")) {
		if (!boringssl_holds(lib, img)) {
			snprintf(err, errlen, "%s: not BoringSSL (no \"BoringSSL\" in its .rodata or "
				 "its libcrypto's)", lib->path);
			return -1;
		}
	} else if (!image_says_boringssl(img) || !rodata_has_libssl_source(img)) {
		snprintf(err, errlen, "%s: defines none of SSL_write, SSL_read", lib->path);
		return -1;
	}
	/* Nothing in the binary says more (no release, no API version). */
	snprintf(lib->version, sizeof(lib->version), "BoringSSL");
	return 0;
}

struct entry_fn {
	const char *name;
	enum data_dir dir;
};

static const struct entry_fn entries[] = {
	{ "SSL_write", DATA_OUT },
	{ "SSL_read", DATA_IN },
};

/* The function's site: after a CET endbr64 (PLAN_AUTO), where the kernel
 * emulates the first instruction of every build looked at (push); on the
 * entry itself with --probes entry. 0, or -1 with the reason in why. */
static int plan_entry(struct elf_image *img, const struct entry_fn *e, enum plan_mode mode,
		      struct probe_plan *plan, uint64_t *vaddr)
{
	char *why = plan->why[e->dir];
	size_t whylen = sizeof(plan->why[e->dir]);
	struct probe_site site;
	uint64_t size;

	site_init_c(&site, e->name, e->dir, LEN_RET32, LOC_NONE);
	if (elf_image_func(img, e->name, vaddr, &size)) {
		snprintf(why, whylen, "no %s in .dynsym or .symtab", e->name);
		*vaddr = 0;
		return -1;
	}
	if (plan_entry_site(img, *vaddr, mode == PLAN_AUTO, &site)) {
		snprintf(why, whylen, "%s at 0x%llx does not decode", e->name,
			 (unsigned long long)*vaddr);
		*vaddr = 0;
		return -1;
	}
	snprintf(site.what, sizeof(site.what), "%s, BoringSSL's only %s function", e->name,
		 e->dir == DATA_OUT ? "write" : "read");
	if (mode == PLAN_ENTRY)
		snprintf(why, whylen, "as asked (--probes entry)");
	else if (site.cls == PROBE_EMULATED)
		plan->planned[e->dir] = 1;
	else
		snprintf(why, whylen, "%s begins with `%s`, which the kernel single-steps",
			 e->name, site.insn.text);
	return plan_add(plan, &site);
}

/* BIO_f_ssl's method table (struct bio_method_st: int type; const char
 * *name; then bwrite at +16 and bread at +24) points to its write and read
 * functions: covered when these reach the probed SSL_write and SSL_read. */
static void check_bio(struct elf_image *img, const uint64_t fn_addr[2], char *out, size_t len)
{
	static const unsigned int slot_offset[2] = { 16, 24 };
	uint64_t vaddr, size, table = 0, fn[2];
	struct x86_func code;

	if (elf_image_func(img, "BIO_f_ssl", &vaddr, &size)) {
		snprintf(out, len, "BIO_f_ssl: not in this file");
		return;
	}
	if (x86_decode(img, vaddr, size, &code))
		goto unproven;
	for (size_t i = 0; i < code.n && !table; i++)
		table = code.insns[i].rip_lea;
	x86_func_free(&code);
	for (int d = 0; d < 2; d++) {
		struct reach r = {};

		if (!table || !fn_addr[d] ||
		    elf_image_relative_value(img, table + slot_offset[d], &fn[d]) ||
		    plan_reach(img, fn[d], 0, 0, &r) || !reach_has(&r, fn_addr[d]))
			goto unproven;
	}
	snprintf(out, len, "BIO_f_ssl: covered: its write (0x%llx) and read (0x%llx) call "
		 "SSL_write and SSL_read", (unsigned long long)fn[0], (unsigned long long)fn[1]);
	return;
unproven:
	snprintf(out, len, "BIO_f_ssl: not proven: its method table is not understood, or its "
		 "functions do not call SSL_write/SSL_read");
}

static int plan(struct tls_lib *lib, struct elf_image *img, enum plan_mode mode, char *err,
		size_t errlen)
{
	struct probe_plan *p = &lib->plan;
	uint64_t fn_addr[2] = {};
	char bio[160];

	if (!defines(img, "SSL_write") && !defines(img, "SSL_read")) {
		snprintf(err, errlen, "BoringSSL linked into %s without symbols: SSL_read/SSL_write "
			 "cannot be proved (neither is in .dynsym or .symtab); not attached",
			 lib->path);
		return -1;
	}
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		uint64_t vaddr;

		if (!plan_entry(img, &entries[i], mode, p, &vaddr))
			fn_addr[entries[i].dir] = vaddr;
	}
	check_bio(img, fn_addr, bio, sizeof(bio));
	snprintf(p->coverage, sizeof(p->coverage), "%.140s; SSL_peek: not probed (what it returns is "
		 "captured when SSL_read takes it)", bio);
	if (p->nsites)
		return 0;
	snprintf(err, errlen, "%s: BoringSSL, but neither SSL_write nor SSL_read can be probed "
		 "(%s; %s)", lib->path, p->why[DATA_OUT], p->why[DATA_IN]);
	return -1;
}

const struct tls_backend boringssl_backend = {
	.name = "boringssl",
	.lib_names = lib_names,
	.companions = companions,
	.classify = classify,
	.plan = plan,
};
