/* libFuzzer target for everything that reads an ELF file the tracer is
 * pointed at (a mapped library or executable: untrusted bytes): the symbol,
 * section, GOT and relocation readers of elfsym.c, the version readers (the
 * backends' .rodata scans, Rust crate versions, Go's buildinfo and pclntab),
 * and every backend's classify and plan, which drive the planner's decoder
 * over the code the symbols point at. Built by `make fuzz` (build/fuzz/);
 * seeds are real libraries and fixture binaries (tests/fuzz/seeds.sh).
 * The input is the whole file, opened from memory (elf_image_open_mem). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "elfsym.h"
#include "gobuildinfo.h"
#include "gopclntab.h"
#include "libs/backend.h"
#include "rustsym.h"
#include "x86insn.h"

/* Per-input work stays bounded however many symbols a seed has: the
 * per-symbol readers run on the first ones only. */
#define FUNCS_CHECKED 64
#define SECTIONS_MAX 4096

static const char *const exported[] = {
	"SSL_write", "SSL_read", "SSL_write_ex", "SSL_read_ex", "gnutls_record_send",
	"gnutls_record_recv", "PR_Write", "PR_Read", "crypto/tls.(*Conn).Write", NULL,
};

struct func_walk {
	struct elf_image *img;
	size_t seen;
};

static int visit_func(const char *name, uint64_t vaddr, uint64_t size, void *arg)
{
	struct func_walk *walk = arg;
	struct x86_instr insn;
	char path[512];
	uint64_t offset;

	(void)size;
	if (walk->seen++ >= FUNCS_CHECKED)
		return 1;
	elf_image_func_name_at(walk->img, vaddr);
	elf_image_offset(walk->img, vaddr, &offset);
	x86_decode_one(walk->img, vaddr, &insn);
	rust_demangle_path(name, path, sizeof(path));
	return 0;
}

static void read_sections(struct elf_image *img)
{
	struct elf_section_info info;
	const uint8_t *bytes;
	size_t avail;
	uint64_t value;

	for (size_t i = 0; i < SECTIONS_MAX && !elf_image_section_info(img, i, &info); i++) {
		if (!info.size)
			continue;
		/* a section's first byte and its first slot, as GOT/PLT readers ask */
		elf_image_bytes_at(img, info.addr, &bytes, &avail);
		elf_image_got_symbol(img, info.addr);
		elf_image_relative_value(img, info.addr, &value);
		elf_image_section(img, info.name, &bytes, &avail);
	}
}

static void read_versions(struct elf_image *img)
{
	static const struct { const char *prefix; int min_dots; } scans[] = {
		{ "OpenSSL ", 2 }, { "GnuTLS ", 2 }, { "NSS ", 1 },
	};
	const uint8_t *rodata;
	size_t len;
	char out[64];
	struct go_image gi;
	struct go_version v;
	struct gopclntab tab;
	struct go_func fn;

	if (!elf_image_section(img, ".rodata", &rodata, &len))
		for (size_t i = 0; i < sizeof(scans) / sizeof(scans[0]); i++)
			version_scan(rodata, len, scans[i].prefix, scans[i].min_dots, out, sizeof(out));
	rust_is_binary(img);
	rust_crate_version(img, "rustls", out, sizeof(out));
	go_is_binary(img);
	if (go_image_from_elf(&gi, img))
		return;
	go_buildinfo_version(&gi, &v, out, sizeof(out));
	if (!gopclntab_open(&gi, &tab, out, sizeof(out)))
		gopclntab_find(&tab, "crypto/tls.(*Conn).Write", &fn);
}

/* What classify reads from the file beside the image (host_path, its
 * libcrypto or libnss3) is not there; the image's own .rodata stands in,
 * so that plan sees a version and takes its version-dependent paths. */
static void version_from_image(struct tls_lib *lib, struct elf_image *img)
{
	static const char *const prefixes[] = { "OpenSSL ", "GnuTLS ", "NSS " };
	const uint8_t *rodata;
	size_t len;

	if (lib->version[0] || elf_image_section(img, ".rodata", &rodata, &len))
		return;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!version_scan(rodata, len, prefixes[i], i == 2 ? 1 : 2, lib->version,
				  sizeof(lib->version)))
			return;
}

static void plan_all(struct elf_image *img)
{
	static struct tls_lib lib; /* a plan is large */
	char err[512];

	for (const struct tls_backend *const *b = tls_backends; *b; b++) {
		memset(&lib, 0, sizeof(lib));
		snprintf(lib.path, sizeof(lib.path), "/fuzz/libssl.so.3");
		snprintf(lib.host_path, sizeof(lib.host_path), "/nonexistent/fuzz/libssl.so.3");
		if ((*b)->classify(&lib, img, err, sizeof(err)))
			continue;
		version_from_image(&lib, img);
		(*b)->plan(&lib, img, PLAN_AUTO, err, sizeof(err));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image *img = elf_image_open_mem(data, size);
	struct func_walk walk;
	uint64_t value, vsize;

	if (!img)
		return 0;
	walk = (struct func_walk){ .img = img };
	elf_image_each_func(img, visit_func, &walk);
	elf_image_has_symbols(img);
	for (const char *const *name = exported; *name; name++) {
		elf_image_func_offset(img, *name, &value);
		elf_image_symbol(img, *name, &value, &vsize);
	}
	elf_image_symbol(img, "runtime.buildVersion", &value, NULL);
	read_sections(img);
	read_versions(img);
	plan_all(img);
	elf_image_close(img);
	return 0;
}
