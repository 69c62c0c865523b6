#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "../elfsym.h"
#include "openssl.h"

static const char *const func_names[FUNC_COUNT] = {
	[FUNC_SSL_WRITE] = "SSL_write",
	[FUNC_SSL_READ] = "SSL_read",
	[FUNC_SSL_WRITE_EX] = "SSL_write_ex",
	[FUNC_SSL_READ_EX] = "SSL_read_ex",
	[FUNC_SSL_WRITE_EX2] = "SSL_write_ex2",
	[FUNC_SSL_WRITE_INTERNAL] = "ssl_write_internal",
	[FUNC_SSL_READ_INTERNAL] = "ssl_read_internal",
};

const char *tls_func_name(enum tls_func func)
{
	return func < FUNC_COUNT ? func_names[func] : "?";
}

enum data_dir tls_func_dir(enum tls_func func)
{
	return func == FUNC_SSL_READ || func == FUNC_SSL_READ_EX || func == FUNC_SSL_READ_INTERNAL
		       ? DATA_IN : DATA_OUT;
}

int openssl_is_libssl(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "libssl.so", 9);
}

/* Length of "X.Y.Z[letters]" at s, or 0 if s holds no such version. */
static size_t version_token_len(const char *s, size_t avail)
{
	size_t i = 0;
	int dots = 0;

	while (i < avail && (isdigit((unsigned char)s[i]) || s[i] == '.')) {
		dots += s[i] == '.';
		i++;
	}
	if (dots < 2 || !isdigit((unsigned char)s[0]))
		return 0;
	while (i < avail && islower((unsigned char)s[i]))
		i++;
	return i;
}

int openssl_version_scan(const uint8_t *buf, size_t len, char *out, size_t outlen)
{
	static const char prefix[] = "OpenSSL ";
	const size_t plen = sizeof(prefix) - 1;
	const char *text = (const char *)buf;
	int found = 0;

	for (size_t i = 0; i + plen < len; i++) {
		size_t vlen;
		int dated;

		if (memcmp(text + i, prefix, plen))
			continue;
		vlen = version_token_len(text + i + plen, len - i - plen);
		if (!vlen)
			continue;
		/* "OpenSSL 3.0.19 27 Jan 2026": a space (or two) then the date. */
		dated = i + plen + vlen + 2 < len && text[i + plen + vlen] == ' ' &&
			(isdigit((unsigned char)text[i + plen + vlen + 1]) ||
			 isdigit((unsigned char)text[i + plen + vlen + 2]));
		if (!found || dated)
			snprintf(out, outlen, "%.*s", (int)(plen + vlen), text + i);
		found = 1;
		if (dated)
			return 0;
	}
	return found ? 0 : -1;
}

static int scan_rodata(const char *path, char *out, size_t outlen)
{
	struct elf_image *img = elf_image_open(path);
	const uint8_t *rodata;
	size_t len;
	int ret = -1;

	if (!img)
		return -1;
	if (!elf_image_section(img, ".rodata", &rodata, &len))
		ret = openssl_version_scan(rodata, len, out, outlen);
	elf_image_close(img);
	return ret;
}

/* libssl.so.3 carries no version string; its libcrypto (same directory, same
 * suffix) does. */
static void detect_version(struct tls_lib *lib)
{
	char crypto_path[PATH_MAX];
	const char *base = strrchr(lib->host_path, '/');

	if (!scan_rodata(lib->host_path, lib->version, sizeof(lib->version)) || !base)
		return;
	snprintf(crypto_path, sizeof(crypto_path), "%.*s/libcrypto%s",
		 (int)(base - lib->host_path), lib->host_path, base + strlen("/libssl"));
	if (scan_rodata(crypto_path, lib->version, sizeof(lib->version)))
		lib->version[0] = '\0';
}

int openssl_parse_version(const char *version, int *major, int *minor, int *patch)
{
	return sscanf(version, "OpenSSL %d.%d.%d", major, minor, patch) == 3 ? 0 : -1;
}

/* The exported functions of one direction, and where each keeps its count. */
struct entry_fn {
	enum tls_func func;
	enum len_source len_from;
};

static const struct entry_fn write_entries[] = {
	{ FUNC_SSL_WRITE, LEN_FROM_RETURN },
	{ FUNC_SSL_WRITE_EX, LEN_FROM_ARG4 },
	{ FUNC_SSL_WRITE_EX2, LEN_FROM_ARG5 },
	{ FUNC_COUNT, 0 },
};

static const struct entry_fn read_entries[] = {
	{ FUNC_SSL_READ, LEN_FROM_RETURN },
	{ FUNC_SSL_READ_EX, LEN_FROM_ARG4 },
	{ FUNC_COUNT, 0 },
};

/* The signatures of the internal functions, from OpenSSL's ssl_local.h:
 *   int ssl_read_internal(SSL *s, void *buf, size_t num, size_t *readbytes);
 *   int ssl_write_internal(SSL *s, const void *buf, size_t num, size_t *written);
 * from 1.1.1 (the size_t rework that brought SSL_write_ex) to 3.2; 3.3 gave
 * the write function a `uint64_t flags` before `written` (for
 * SSL_write_ex2). Versions outside [1.1.1, 4.0) have not been examined:
 * 0, no plan. */
static enum len_source internal_len_from(enum data_dir dir, int major, int minor, int patch)
{
	int v = major * 10000 + minor * 100 + patch;

	if (v < 10101 || major >= 4)
		return 0;
	if (dir == DATA_IN)
		return LEN_FROM_ARG4;
	return v >= 30300 ? LEN_FROM_ARG5 : LEN_FROM_ARG4;
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

	for (const struct entry_fn *e = entries; e->func != FUNC_COUNT; e++) {
		struct reach r = {};
		uint64_t vaddr, size;

		if (elf_image_func(img, func_names[e->func], &vaddr, &size))
			continue;
		if (plan_reach(img, vaddr, size, 1, &r)) {
			snprintf(why, whylen, "%s does not decode", func_names[e->func]);
			return 0;
		}
		if (found++)
			reach_intersect(&common, &r);
		else
			common = r;
		append_name(reached, reachedlen, func_names[e->func]);
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
static int prove_count_pointer(struct elf_image *img, enum tls_func outer, uint64_t internal,
			       enum len_source len_from, struct probe_site *site,
			       char *why, size_t whylen)
{
	unsigned int reg = x86_arg_reg(len_from == LEN_FROM_ARG5 ? 5 : 4);
	uint64_t vaddr, size;
	struct x86_func fn;
	char detail[160];
	int ret;

	if (elf_image_func(img, func_names[outer], &vaddr, &size) ||
	    x86_decode(img, vaddr, size, &fn)) {
		snprintf(why, whylen, "%s is missing or does not decode", func_names[outer]);
		return -1;
	}
	ret = plan_prove_stack_arg(&fn, internal, reg, detail, sizeof(detail));
	x86_func_free(&fn);
	if (ret) {
		snprintf(why, whylen, "count pointer not proved in %s (%s): %s",
			 func_names[outer], x86_reg_name(reg), detail);
		return -1;
	}
	snprintf(site->proof, sizeof(site->proof), "by %s, which passes %s", func_names[outer],
		 detail);
	return 0;
}

/* Plans one direction on its internal function; 0 with *internal set, or
 * -1 with the reason in why. */
static int plan_internal(struct elf_image *img, int ver[3], enum data_dir dir,
			 struct probe_plan *plan, uint64_t *internal, char *why, size_t whylen)
{
	const struct entry_fn *entries = dir == DATA_IN ? read_entries : write_entries;
	enum len_source len_from = internal_len_from(dir, ver[0], ver[1], ver[2]);
	char reached[128] = "";
	struct probe_site site = {};

	if (!len_from) {
		snprintf(why, whylen, "the internal functions of OpenSSL %d.%d.%d have not been "
			 "examined", ver[0], ver[1], ver[2]);
		return -1;
	}
	*internal = find_internal(img, entries, reached, sizeof(reached), why, whylen);
	if (!*internal || prove_count_pointer(img, entries[0].func, *internal, len_from, &site,
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
	site.func = dir == DATA_IN ? FUNC_SSL_READ_INTERNAL : FUNC_SSL_WRITE_INTERNAL;
	site.len_from = len_from;
	snprintf(site.what, sizeof(site.what), "%s at 0x%llx, reached from %s", func_names[site.func],
		 (unsigned long long)*internal, reached);
	plan->planned[dir] = 1;
	return plan_add(plan, &site);
}

/* The exported functions of one direction, each probed at its entry. */
static void plan_entries(struct elf_image *img, enum data_dir dir, struct probe_plan *plan)
{
	const struct entry_fn *entries = dir == DATA_IN ? read_entries : write_entries;

	for (const struct entry_fn *e = entries; e->func != FUNC_COUNT; e++) {
		struct probe_site site = { .func = e->func, .len_from = e->len_from };
		uint64_t vaddr, size;

		if (elf_image_func(img, func_names[e->func], &vaddr, &size) ||
		    plan_entry_site(img, vaddr, 0, &site))
			continue;
		snprintf(site.what, sizeof(site.what), "%s, exported", func_names[e->func]);
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
		snprintf(plan->bio, sizeof(plan->bio), "not covered: BIO_f_ssl reads and writes "
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
		snprintf(plan->bio, sizeof(plan->bio), "covered: its write (0x%llx) and read (0x%llx) "
			 "call the probed internal functions", (unsigned long long)fn[0],
			 (unsigned long long)fn[1]);
	else if (covered == 1 && plan->planned[DATA_OUT] + plan->planned[DATA_IN] == 1)
		snprintf(plan->bio, sizeof(plan->bio), "partly covered: its %s reach the probed internal "
			 "function, its %s are NOT captured (that direction is on the exported entry "
			 "points)", plan->planned[DATA_OUT] ? "writes" : "reads",
			 plan->planned[DATA_OUT] ? "reads" : "writes");
	else
		snprintf(plan->bio, sizeof(plan->bio), "not proven: its functions (0x%llx, 0x%llx) "
			 "do not call the probed ones", (unsigned long long)fn[0],
			 (unsigned long long)fn[1]);
	return;
unproven:
	snprintf(plan->bio, sizeof(plan->bio), "not proven: BIO_f_ssl's method table not understood");
}

static int plan_library(struct elf_image *img, const char *version, enum plan_mode mode,
			struct probe_plan *plan)
{
	uint64_t internal[2] = {};
	int ver[3] = {}, known = version[0] && !openssl_parse_version(version, &ver[0], &ver[1],
								       &ver[2]);

	memset(plan, 0, sizeof(*plan));
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

int openssl_plan(struct tls_lib *lib, enum plan_mode mode, char *err, size_t errlen)
{
	struct elf_image *img = elf_image_open(lib->host_path);
	int ret;

	if (!img) {
		snprintf(err, errlen, "%s: %s", lib->path,
			 errno == ENOEXEC ? "not an ELF file" : strerror(errno));
		return -1;
	}
	if (!elf_image_has_symbols(img)) {
		snprintf(err, errlen, "%s: no symbol table (stripped of .dynsym and .symtab)",
			 lib->path);
		elf_image_close(img);
		return -1;
	}
	detect_version(lib);
	ret = plan_library(img, lib->version, mode, &lib->plan);
	elf_image_close(img);
	if (ret)
		snprintf(err, errlen, "%s: defines none of SSL_write, SSL_read, SSL_write_ex, "
			 "SSL_read_ex", lib->path);
	return ret;
}
