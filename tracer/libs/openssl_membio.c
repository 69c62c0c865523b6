/* OpenSSL's memory BIO (BIO_s_mem): where its write and read functions
 * are, proved from the method table BIO_s_mem() returns. Apps that move a
 * session's ciphertext themselves (SSL_set_bio with memory BIOs: event
 * loops, language runtimes) pass it through these two, so probes there tie
 * each BIO to its session and its socket (bpf/membio.bpf.h). */
#include <stdio.h>
#include <string.h>
#include "../elfsym.h"
#include "openssl_membio.h"

/* struct bio_method_st, 1.1.0 to 3.x (crypto/bio/bio_local.h): int type;
 * const char *name; bwrite (size_t API); bwrite_old (BIO *, const char *,
 * int); bread; bread_old (BIO *, char *, int); bputs; bgets; ctrl; create
 * (BIO *); … BIO_s_mem's table has mem_write and mem_read in the _old
 * slots (the size_t slots hold the generic converters), mem_new in create. */
#define METHOD_NAME 8
#define METHOD_BWRITE_OLD 24
#define METHOD_BREAD_OLD 40
#define METHOD_CREATE 72 /* after bputs, bgets, ctrl */
#define BIO_TYPE_MEM (1 | 0x0400)

/* The method table BIO_s_mem() returns: its first rip-relative lea. */
static int mem_method_table(struct elf_image *img, uint64_t *table)
{
	uint64_t vaddr, size;
	struct x86_func code;

	*table = 0;
	if (elf_image_func(img, "BIO_s_mem", &vaddr, &size) || x86_decode(img, vaddr, size, &code))
		return -1;
	for (size_t i = 0; i < code.n && !*table; i++)
		*table = code.insns[i].rip_lea;
	x86_func_free(&code);
	return *table ? 0 : -1;
}

/* The table is the memory BIO's: its type and its name say so. */
static int is_mem_method(struct elf_image *img, uint64_t table)
{
	static const char name[] = "memory buffer";
	const uint8_t *bytes;
	uint64_t name_addr;
	size_t avail;
	int32_t type;

	if (elf_image_bytes_at(img, table, &bytes, &avail) || avail < sizeof(type))
		return 0;
	memcpy(&type, bytes, sizeof(type));
	if (type != BIO_TYPE_MEM || elf_image_relative_value(img, table + METHOD_NAME, &name_addr) ||
	    elf_image_bytes_at(img, name_addr, &bytes, &avail) || avail < sizeof(name))
		return 0;
	return !memcmp(bytes, name, sizeof(name));
}

static const struct {
	enum site_kind kind;
	unsigned int slot;
	const char *func, *prog, *what;
} mem_sites[] = {
	{ SITE_MEM_BIO_WRITE, METHOD_BWRITE_OLD, "mem_write", "membio_write", "write" },
	{ SITE_MEM_BIO_READ, METHOD_BREAD_OLD, "mem_read", "membio_read", "read" },
	{ SITE_MEM_BIO_NEW, METHOD_CREATE, "mem_new", "membio_new", "create" },
};
#define N_MEM_SITES (sizeof(mem_sites) / sizeof(mem_sites[0]))

static int add_mem_site(struct elf_image *img, int i, uint64_t fn, struct probe_plan *plan)
{
	struct probe_site site = {};

	snprintf(site.func, sizeof(site.func), "%s", mem_sites[i].func);
	site.desc = (struct site_desc){ .kind = mem_sites[i].kind,
					.dir = mem_sites[i].kind == SITE_MEM_BIO_READ ? DATA_IN : DATA_OUT,
					.state = STATE_THREAD, .session = LOC_RDI, .buf = LOC_RSI };
	site.entry_prog = mem_sites[i].prog;
	if (plan_entry_site(img, fn, 1, &site))
		return -1;
	snprintf(site.what, sizeof(site.what), "memory BIO %s function (BIO_s_mem's table, +%u)",
		 mem_sites[i].what, mem_sites[i].slot);
	return plan_add(plan, &site);
}

int openssl_plan_mem_bio(struct elf_image *img, int major, int minor, struct probe_plan *plan)
{
	uint64_t table, fn[N_MEM_SITES], vaddr, size;
	int before = plan->nsites;

	if (elf_image_func(img, "BIO_s_mem", &vaddr, &size))
		return -1; /* libssl: libcrypto has it */
	if (major < 1 || (major == 1 && minor < 1) || major > 3) {
		snprintf(plan->mem_bio, sizeof(plan->mem_bio), "memory BIOs: not probed: the method "
			 "table of OpenSSL %d.%d has not been examined", major, minor);
		return -1;
	}
	if (mem_method_table(img, &table) || !is_mem_method(img, table))
		goto not_understood;
	for (size_t i = 0; i < N_MEM_SITES; i++)
		if (elf_image_relative_value(img, table + mem_sites[i].slot, &fn[i]))
			goto not_understood;
	for (size_t i = 0; i < N_MEM_SITES; i++) {
		if (add_mem_site(img, (int)i, fn[i], plan)) {
			plan->nsites = before;
			snprintf(plan->mem_bio, sizeof(plan->mem_bio), "memory BIOs: not probed: their "
				 "%s function (0x%llx) does not decode, or the plan is full",
				 mem_sites[i].what, (unsigned long long)fn[i]);
			return -1;
		}
	}
	snprintf(plan->mem_bio, sizeof(plan->mem_bio), "memory BIOs: their write (0x%llx), read "
		 "(0x%llx) and create (0x%llx) functions, from BIO_s_mem's method table at 0x%llx: "
		 "the sockets of sessions whose app moves the ciphertext", (unsigned long long)fn[0],
		 (unsigned long long)fn[1], (unsigned long long)fn[2], (unsigned long long)table);
	return 0;
not_understood:
	snprintf(plan->mem_bio, sizeof(plan->mem_bio), "memory BIOs: not probed: BIO_s_mem's "
		 "method table not found or not understood");
	return -1;
}
