/* A Go binary as its parsers see it (gobuildinfo.c, gopclntab.c): the
 * address ranges of its sections with their bytes, and where they come from
 * (an ELF file, or a test's hand-built bytes). Every read is bounds-checked
 * against these ranges: the file is untrusted. x86-64 only (little endian,
 * 8-byte pointers). */
#ifndef TLSPROBE_GOIMAGE_H
#define TLSPROBE_GOIMAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_image;

struct go_region {
	const char *name;	/* the section's name, "" if none */
	uint64_t addr, size;
	const uint8_t *bytes;	/* size bytes; NULL: no contents in the file (.bss) */
	bool exec, write;
};

#define GO_MAX_REGIONS 64

struct go_image {
	struct go_region regions[GO_MAX_REGIONS];
	size_t nregions;
	/* The value of a symbol (.symtab, .dynsym); NULL: the image has none. */
	int (*symbol)(void *ctx, const char *name, uint64_t *value);
	/* What an R_X86_64_RELATIVE relocation stores at slot (a PIE's
	 * pointers); NULL: no relocations. */
	int (*relative)(void *ctx, uint64_t slot, uint64_t *value);
	void *ctx;
};

/* The allocated sections of an ELF file, its symbols and relocations (img
 * must outlive gi). Returns 0, -ENOENT when it has no section headers, or
 * -E2BIG with more than GO_MAX_REGIONS loaded sections. */
int go_image_from_elf(struct go_image *gi, struct elf_image *img);

/* Adds a region (tests, the fuzz target). Returns 0, or -ENOSPC. */
int go_image_add(struct go_image *gi, const struct go_region *region);

const struct go_region *go_region_named(const struct go_image *gi, const char *name);
/* The region holding addr (with contents, when with_bytes), or NULL. */
const struct go_region *go_region_at(const struct go_image *gi, uint64_t addr, bool with_bytes);
/* Whether [start, end] lies in one executable region (end may be its end). */
bool go_in_text(const struct go_image *gi, uint64_t start, uint64_t end);

/* The len bytes at addr, all in one region with contents, or NULL. */
const uint8_t *go_bytes(const struct go_image *gi, uint64_t addr, uint64_t len);
/* The pointer stored at addr: the file's word, or, when that is 0, what a
 * RELATIVE relocation puts there at load time. Returns 0, or -ENOENT. */
int go_read_ptr(const struct go_image *gi, uint64_t addr, uint64_t *value);
/* A symbol's value. Returns 0, or -ENOENT. */
int go_symbol(const struct go_image *gi, const char *name, uint64_t *value);

static inline uint32_t go_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t go_le64(const uint8_t *p)
{
	return go_le32(p) | (uint64_t)go_le32(p + 4) << 32;
}
#endif
