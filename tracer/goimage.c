#include <errno.h>
#include <gelf.h>
#include <string.h>
#include "elfsym.h"
#include "goimage.h"

int go_image_add(struct go_image *gi, const struct go_region *region)
{
	if (gi->nregions >= GO_MAX_REGIONS)
		return -ENOSPC;
	gi->regions[gi->nregions++] = *region;
	return 0;
}

static int elf_symbol(void *ctx, const char *name, uint64_t *value)
{
	return elf_image_symbol(ctx, name, value, NULL);
}

static int elf_relative(void *ctx, uint64_t slot, uint64_t *value)
{
	return elf_image_relative_value(ctx, slot, value);
}

int go_image_from_elf(struct go_image *gi, struct elf_image *img)
{
	struct elf_section_info info;

	memset(gi, 0, sizeof(*gi));
	gi->symbol = elf_symbol;
	gi->relative = elf_relative;
	gi->ctx = img;
	for (size_t i = 1; !elf_image_section_info(img, i, &info); i++) {
		struct go_region r = {
			.name = info.name, .addr = info.addr, .size = info.size, .bytes = info.bytes,
			.exec = info.flags & SHF_EXECINSTR, .write = info.flags & SHF_WRITE,
		};

		/* only what is loaded has an address (a Go binary has ~25 such
		 * sections); a file with more is refused, not read in part */
		if (!(info.flags & SHF_ALLOC) || !info.addr || !info.size)
			continue;
		if (go_image_add(gi, &r))
			return -E2BIG;
	}
	return gi->nregions ? 0 : -ENOENT;
}

const struct go_region *go_region_named(const struct go_image *gi, const char *name)
{
	for (size_t i = 0; i < gi->nregions; i++)
		if (!strcmp(gi->regions[i].name, name))
			return &gi->regions[i];
	return NULL;
}

/* addr - r->addr when addr lies in r, written so that nothing overflows. */
static bool region_holds(const struct go_region *r, uint64_t addr)
{
	return addr >= r->addr && addr - r->addr < r->size;
}

const struct go_region *go_region_at(const struct go_image *gi, uint64_t addr, bool with_bytes)
{
	for (size_t i = 0; i < gi->nregions; i++) {
		const struct go_region *r = &gi->regions[i];

		if (region_holds(r, addr) && (!with_bytes || r->bytes))
			return r;
	}
	return NULL;
}

bool go_in_text(const struct go_image *gi, uint64_t start, uint64_t end)
{
	const struct go_region *r = go_region_at(gi, start, false);

	return r && r->exec && end >= start && end - r->addr <= r->size;
}

const uint8_t *go_bytes(const struct go_image *gi, uint64_t addr, uint64_t len)
{
	const struct go_region *r = go_region_at(gi, addr, true);

	if (!r || len > r->size - (addr - r->addr))
		return NULL;
	return r->bytes + (addr - r->addr);
}

int go_read_ptr(const struct go_image *gi, uint64_t addr, uint64_t *value)
{
	const uint8_t *p = go_bytes(gi, addr, 8);

	if (!p)
		return -ENOENT;
	*value = go_le64(p);
	/* a PIE's pointer may be left for the dynamic linker to fill in */
	if (!*value && gi->relative && gi->relative(gi->ctx, addr, value))
		*value = 0;
	return 0;
}

int go_symbol(const struct go_image *gi, const char *name, uint64_t *value)
{
	return gi->symbol ? gi->symbol(gi->ctx, name, value) : -ENOENT;
}
