/* Symbols and sections of an ELF file, with libelf. */
#ifndef TLSPROBE_ELFSYM_H
#define TLSPROBE_ELFSYM_H
#include <stddef.h>
#include <stdint.h>

struct elf_image;

/* Returns NULL and sets errno (ENOEXEC: not an ELF file). */
struct elf_image *elf_image_open(const char *path);
/* The same over len bytes in memory (copied: bytes need not outlive it);
 * for the fuzz targets. NULL with errno ENOEXEC when they are no ELF. */
struct elf_image *elf_image_open_mem(const void *bytes, size_t len);
void elf_image_close(struct elf_image *img);

/* File offset of a defined function symbol (what a uprobe attaches to):
 * .dynsym first, then .symtab. Returns 0, or -ENOENT. */
int elf_image_func_offset(struct elf_image *img, const char *name, uint64_t *offset);

/* Address (st_value) and size of a defined function symbol, .dynsym first,
 * then .symtab. Returns 0, or -ENOENT. */
int elf_image_func(struct elf_image *img, const char *name, uint64_t *vaddr, uint64_t *size);

/* Name of a defined function symbol at vaddr (.dynsym, then .symtab), or NULL.
 * Owned by img. */
const char *elf_image_func_name_at(struct elf_image *img, uint64_t vaddr);

/* File offset of a virtual address, through the PT_LOAD segment holding it. */
int elf_image_offset(struct elf_image *img, uint64_t vaddr, uint64_t *offset);

/* The bytes of the section holding vaddr (any section with contents): *bytes
 * points at vaddr, *avail bytes follow it. Returns 0, or -ENOENT. */
int elf_image_bytes_at(struct elf_image *img, uint64_t vaddr, const uint8_t **bytes, size_t *avail);

/* The symbol a GOT slot is bound to by a JUMP_SLOT or GLOB_DAT relocation
 * (what a PLT stub jumping through that slot calls), or NULL. Owned by img. */
const char *elf_image_got_symbol(struct elf_image *img, uint64_t slot_vaddr);

/* The address an R_X86_64_RELATIVE relocation stores in a slot (a function
 * pointer in a PIC library's .data.rel.ro). Returns 0, or -ENOENT. */
int elf_image_relative_value(struct elf_image *img, uint64_t slot_vaddr, uint64_t *value);

/* Calls fn(name, vaddr, size, arg) for every defined function symbol, .symtab
 * first, then .dynsym (a name in both comes twice), until fn returns non-zero;
 * returns that value, or 0. For stacks whose functions are known by a pattern
 * of names, not one name (Rust's mangled paths with a hash per build). */
int elf_image_each_func(struct elf_image *img,
			int (*fn)(const char *name, uint64_t vaddr, uint64_t size, void *arg),
			void *arg);

/* Whether the file has any symbol table at all. */
int elf_image_has_symbols(struct elf_image *img);

/* The bytes of a section (owned by img). Returns 0, or -ENOENT. */
int elf_image_section(struct elf_image *img, const char *name, const uint8_t **data, size_t *len);

/* One section header with its contents (parsers that follow addresses
 * between sections: Go's pclntab, moduledata, buildinfo). */
struct elf_section_info {
	const char *name;	/* "" when the string table has none */
	uint64_t addr, size, flags;	/* sh_addr, sh_size, sh_flags (SHF_*) */
	uint32_t type;		/* sh_type */
	const uint8_t *bytes;	/* size bytes owned by img; NULL for SHT_NOBITS */
};

/* The idx-th section (0 is the null section). Returns 0, or -ENOENT past the
 * last one (or when it cannot be read). */
int elf_image_section_info(struct elf_image *img, size_t idx, struct elf_section_info *info);

/* Value and size of a defined symbol of any type (objects too), .symtab
 * first (where a stripped-of-nothing executable keeps its data symbols), then
 * .dynsym. Returns 0, or -ENOENT. */
int elf_image_symbol(struct elf_image *img, const char *name, uint64_t *value, uint64_t *size);
#endif
