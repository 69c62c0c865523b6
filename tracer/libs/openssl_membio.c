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
 * int); bread; bread_old (BIO *, char *, int); … BIO_s_mem's table has
 * mem_write and mem_read in the _old slots (the size_t slots hold the
 * generic converters). */
#define METHOD_NAME 8
#define METHOD_BWRITE_OLD 24
#define METHOD_BREAD_OLD 40
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

static int add_mem_site(struct elf_image *img, uint64_t fn, enum site_kind kind,
			struct probe_plan *plan)
{
	struct probe_site site = {};
	int write = kind == SITE_MEM_BIO_WRITE;

	snprintf(site.func, sizeof(site.func), "%s", write ? "mem_write" : "mem_read");
	site.desc = (struct site_desc){ .kind = kind, .dir = write ? DATA_OUT : DATA_IN,
					.state = STATE_THREAD, .session = LOC_RDI,
					.buf = LOC_RSI };
	site.entry_prog = write ? "membio_write" : "membio_read";
	if (plan_entry_site(img, fn, 1, &site))
		return -1;
	snprintf(site.what, sizeof(site.what), "memory BIO %s function (BIO_s_mem's table, +%d)",
		 write ? "write" : "read", write ? METHOD_BWRITE_OLD : METHOD_BREAD_OLD);
	return plan_add(plan, &site);
}

int openssl_plan_mem_bio(struct elf_image *img, int major, int minor, struct probe_plan *plan)
{
	uint64_t table, fn_write, fn_read, vaddr, size;
	int before = plan->nsites;

	if (elf_image_func(img, "BIO_s_mem", &vaddr, &size))
		return -1; /* libssl: libcrypto has it */
	if (major < 1 || (major == 1 && minor < 1) || major > 3) {
		snprintf(plan->mem_bio, sizeof(plan->mem_bio), "memory BIOs: not probed: the method "
			 "table of OpenSSL %d.%d has not been examined", major, minor);
		return -1;
	}
	if (mem_method_table(img, &table) || !is_mem_method(img, table) ||
	    elf_image_relative_value(img, table + METHOD_BWRITE_OLD, &fn_write) ||
	    elf_image_relative_value(img, table + METHOD_BREAD_OLD, &fn_read)) {
		snprintf(plan->mem_bio, sizeof(plan->mem_bio), "memory BIOs: not probed: BIO_s_mem's "
			 "method table not found or not understood");
		return -1;
	}
	if (add_mem_site(img, fn_write, SITE_MEM_BIO_WRITE, plan) ||
	    add_mem_site(img, fn_read, SITE_MEM_BIO_READ, plan)) {
		plan->nsites = before;
		snprintf(plan->mem_bio, sizeof(plan->mem_bio), "memory BIOs: not probed: their "
			 "functions (0x%llx, 0x%llx) do not decode", (unsigned long long)fn_write,
			 (unsigned long long)fn_read);
		return -1;
	}
	snprintf(plan->mem_bio, sizeof(plan->mem_bio), "memory BIOs: their write (0x%llx) and read "
		 "(0x%llx) functions, from BIO_s_mem's method table at 0x%llx: the sockets of "
		 "sessions whose app moves the ciphertext", (unsigned long long)fn_write,
		 (unsigned long long)fn_read, (unsigned long long)table);
	return 0;
}
