/* Symbols and sections of an ELF file, with libelf. */
#ifndef TLSPROBE_ELFSYM_H
#define TLSPROBE_ELFSYM_H
#include <stddef.h>
#include <stdint.h>

struct elf_image;

/* Returns NULL and sets errno (ENOEXEC: not an ELF file). */
struct elf_image *elf_image_open(const char *path);
void elf_image_close(struct elf_image *img);

/* File offset of a defined function symbol (what a uprobe attaches to):
 * .dynsym first, then .symtab. Returns 0, or -ENOENT. */
int elf_image_func_offset(struct elf_image *img, const char *name, uint64_t *offset);

/* Whether the file has any symbol table at all. */
int elf_image_has_symbols(struct elf_image *img);

/* The bytes of a section (owned by img). Returns 0, or -ENOENT. */
int elf_image_section(struct elf_image *img, const char *name, const uint8_t **data, size_t *len);
#endif
