/* libFuzzer entry point for the Go parsers, built and run by `make fuzz`
 * (build/fuzz/fuzz_gopclntab; the ELF around them: fuzz_elf.c).
 * The input is, at once, the pclntab, a data section the moduledata and
 * table scans read, and .go.buildinfo: every path that reads untrusted bytes
 * sees it. Every function the table yields is read back; the input up to
 * its first NUL is also a version string (go_version_parse). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gobuildinfo.h"
#include "gopclntab.h"

#define TEXT 0x401000ULL

static int visit(const struct go_func *fn, void *arg)
{
	size_t *total = arg;

	/* names are terminated inside the input: strlen must stay in it */
	*total += strlen(fn->name) + (fn->end - fn->entry);
	return 0;
}

static void image_of(struct go_image *gi, const uint8_t *data, size_t size, bool with_table)
{
	struct go_region text = { .name = ".text", .addr = TEXT, .size = 0x100000, .exec = true };
	struct go_region tab = { .name = ".gopclntab", .addr = 0x500000, .size = size, .bytes = data };
	struct go_region noptr = { .name = ".noptrdata", .addr = 0x600000, .size = size,
				   .bytes = data, .write = true };
	struct go_region info = { .name = ".go.buildinfo", .addr = 0x700000, .size = size,
				  .bytes = data, .write = true };

	memset(gi, 0, sizeof(*gi));
	go_image_add(gi, &text);
	if (with_table)
		go_image_add(gi, &tab);
	go_image_add(gi, &noptr);
	go_image_add(gi, &info);
}

static void parse_version(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct go_version v;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!go_version_parse(text, &v)) {
		go_version_at_least(&v, 1, 17);
		go_register_abi(&v);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_image gi;
	struct gopclntab tab;
	struct go_version v;
	struct go_func fn;
	char err[256];
	size_t total = 0;

	if (!size)
		return 0;
	/* with the section, then found by its magic in the data */
	for (int with_table = 1; with_table >= 0; with_table--) {
		image_of(&gi, data, size, with_table);
		if (!gopclntab_open(&gi, &tab, err, sizeof(err))) {
			gopclntab_foreach(&tab, visit, &total);
			gopclntab_find(&tab, "crypto/tls.(*Conn).Write", &fn);
		}
	}
	go_buildinfo_version(&gi, &v, err, sizeof(err));
	parse_version(data, size);
	return total == 1 ? 1 : 0;
}
