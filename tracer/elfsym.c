#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "elfsym.h"

struct elf_image {
	int fd;
	Elf *elf;
	void *image;	/* elf_image_open_mem: our copy of the bytes, else NULL */
};

/* An empty image (no file, no bytes yet), libelf initialised. */
static struct elf_image *image_new(void)
{
	struct elf_image *img;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = EINVAL;
		return NULL;
	}
	img = calloc(1, sizeof(*img));
	if (img)
		img->fd = -1;
	return img;
}

/* img once libelf has begun on it: an ELF file, or closed (ENOEXEC). */
static struct elf_image *image_checked(struct elf_image *img)
{
	if (img->elf && elf_kind(img->elf) == ELF_K_ELF)
		return img;
	elf_image_close(img);
	errno = ENOEXEC;
	return NULL;
}

struct elf_image *elf_image_open(const char *path)
{
	struct elf_image *img = image_new();

	if (!img)
		return NULL;
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0) {
		elf_image_close(img);
		return NULL;
	}
	/* read(2), not mmap: the kernel puts every uprobe registered on this
	 * file into each new mapping of it, ours too, and the planner would
	 * decode another tracer's (or our own) int3 for the code. */
	img->elf = elf_begin(img->fd, ELF_C_READ, NULL);
	return image_checked(img);
}

struct elf_image *elf_image_open_mem(const void *bytes, size_t len)
{
	struct elf_image *img = image_new();

	if (!img)
		return NULL;
	/* A copy: elf_memory takes a writable image, and the caller's bytes
	 * (a fuzzer's input) must not change under it or outlive it. */
	img->image = malloc(len ? len : 1);
	if (!img->image) {
		elf_image_close(img);
		return NULL;
	}
	memcpy(img->image, bytes, len);
	img->elf = elf_memory(img->image, len);
	return image_checked(img);
}

void elf_image_close(struct elf_image *img)
{
	int saved = errno;

	if (!img)
		return;
	if (img->elf)
		elf_end(img->elf);
	if (img->fd >= 0)
		close(img->fd);
	free(img->image);
	free(img);
	errno = saved;
}

static Elf_Scn *find_section_of_type(Elf *elf, Elf64_Word type)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type)
			return scn;
	return NULL;
}

/* Virtual address → file offset, through the PT_LOAD segment holding it. */
static int vaddr_to_offset(Elf *elf, uint64_t vaddr, uint64_t *offset)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &n))
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && vaddr < ph.p_vaddr + ph.p_memsz) {
			*offset = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

int elf_image_offset(struct elf_image *img, uint64_t vaddr, uint64_t *offset)
{
	return vaddr_to_offset(img->elf, vaddr, offset);
}

static int is_defined_func(const GElf_Sym *sym)
{
	return sym->st_shndx != SHN_UNDEF && GELF_ST_TYPE(sym->st_info) == STT_FUNC;
}

/* Calls match(sym, name, arg) for every symbol of one symbol table until it
 * returns non-zero; returns the index that matched or -1. */
static long symtab_find(Elf *elf, Elf_Scn *scn, GElf_Sym *out,
			int (*match)(const GElf_Sym *sym, const char *name, const void *arg),
			const void *arg, const char **name_out)
{
	GElf_Shdr sh;
	Elf_Data *data;

	if (!scn || !gelf_getshdr(scn, &sh) || !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
		return -1;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		const char *name;

		if (!gelf_getsym(data, i, out))
			continue;
		name = elf_strptr(elf, sh.sh_link, out->st_name);
		if (name && match(out, name, arg)) {
			if (name_out)
				*name_out = name;
			return (long)i;
		}
	}
	return -1;
}

static int match_name(const GElf_Sym *sym, const char *name, const void *want)
{
	return is_defined_func(sym) && !strcmp(name, want);
}

static int match_addr(const GElf_Sym *sym, const char *name, const void *want)
{
	return is_defined_func(sym) && name[0] && sym->st_value == *(const uint64_t *)want;
}

/* .dynsym first (what the dynamic linker uses), then .symtab. */
static int func_lookup(struct elf_image *img,
		       int (*match)(const GElf_Sym *, const char *, const void *),
		       const void *arg, GElf_Sym *sym, const char **name)
{
	if (symtab_find(img->elf, find_section_of_type(img->elf, SHT_DYNSYM), sym, match, arg,
			name) >= 0 ||
	    symtab_find(img->elf, find_section_of_type(img->elf, SHT_SYMTAB), sym, match, arg,
			name) >= 0)
		return 0;
	return -ENOENT;
}

int elf_image_func(struct elf_image *img, const char *name, uint64_t *vaddr, uint64_t *size)
{
	GElf_Sym sym;

	if (func_lookup(img, match_name, name, &sym, NULL))
		return -ENOENT;
	*vaddr = sym.st_value;
	*size = sym.st_size;
	return 0;
}

const char *elf_image_func_name_at(struct elf_image *img, uint64_t vaddr)
{
	GElf_Sym sym;
	const char *name = NULL;

	return func_lookup(img, match_addr, &vaddr, &sym, &name) ? NULL : name;
}

int elf_image_func_offset(struct elf_image *img, const char *name, uint64_t *offset)
{
	uint64_t vaddr, size;

	if (elf_image_func(img, name, &vaddr, &size))
		return -ENOENT;
	return vaddr_to_offset(img->elf, vaddr, offset);
}

int elf_image_bytes_at(struct elf_image *img, uint64_t vaddr, const uint8_t **bytes, size_t *avail)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(img->elf, scn))) {
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS || !(sh.sh_flags & SHF_ALLOC) ||
		    vaddr < sh.sh_addr || vaddr >= sh.sh_addr + sh.sh_size)
			continue;
		data = elf_rawdata(scn, NULL);
		if (!data || data->d_size != sh.sh_size)
			return -ENOENT;
		*bytes = (const uint8_t *)data->d_buf + (vaddr - sh.sh_addr);
		*avail = sh.sh_size - (vaddr - sh.sh_addr);
		return 0;
	}
	return -ENOENT;
}

/* Visits every RELA entry of the file; stops when fn returns non-zero. */
static int for_each_rela(Elf *elf, int (*fn)(Elf *elf, const GElf_Shdr *sh, const GElf_Rela *r,
					     void *arg), void *arg)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize ||
		    !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Rela r;
			int ret;

			if (gelf_getrela(data, i, &r) && (ret = fn(elf, &sh, &r, arg)))
				return ret;
		}
	}
	return 0;
}

struct got_query {
	uint64_t slot;
	const char *name;
};

static int match_got_slot(Elf *elf, const GElf_Shdr *sh, const GElf_Rela *r, void *arg)
{
	struct got_query *q = arg;
	unsigned long type = GELF_R_TYPE(r->r_info);
	Elf_Scn *symscn = elf_getscn(elf, sh->sh_link);
	GElf_Shdr symsh;
	GElf_Sym sym;
	Elf_Data *data;

	if (r->r_offset != q->slot || (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT))
		return 0;
	if (!symscn || !gelf_getshdr(symscn, &symsh) || !(data = elf_getdata(symscn, NULL)) ||
	    !gelf_getsym(data, GELF_R_SYM(r->r_info), &sym))
		return 0;
	q->name = elf_strptr(elf, symsh.sh_link, sym.st_name);
	return q->name != NULL;
}

const char *elf_image_got_symbol(struct elf_image *img, uint64_t slot_vaddr)
{
	struct got_query q = { .slot = slot_vaddr };

	return for_each_rela(img->elf, match_got_slot, &q) ? q.name : NULL;
}

struct relative_query {
	uint64_t slot, value;
};

static int match_relative(Elf *elf, const GElf_Shdr *sh, const GElf_Rela *r, void *arg)
{
	struct relative_query *q = arg;

	(void)elf;
	(void)sh;
	if (r->r_offset != q->slot || GELF_R_TYPE(r->r_info) != R_X86_64_RELATIVE)
		return 0;
	q->value = (uint64_t)r->r_addend;
	return 1;
}

int elf_image_relative_value(struct elf_image *img, uint64_t slot_vaddr, uint64_t *value)
{
	struct relative_query q = { .slot = slot_vaddr };

	if (!for_each_rela(img->elf, match_relative, &q))
		return -ENOENT;
	*value = q.value;
	return 0;
}

static int each_func_of(Elf *elf, Elf_Scn *scn,
			int (*fn)(const char *, uint64_t, uint64_t, void *), void *arg)
{
	GElf_Shdr sh;
	GElf_Sym sym;
	Elf_Data *data;
	int ret;

	if (!scn || !gelf_getshdr(scn, &sh) || !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
		return 0;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		const char *name;

		if (!gelf_getsym(data, i, &sym) || !is_defined_func(&sym))
			continue;
		name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (name && name[0] && (ret = fn(name, sym.st_value, sym.st_size, arg)))
			return ret;
	}
	return 0;
}

int elf_image_each_func(struct elf_image *img,
			int (*fn)(const char *name, uint64_t vaddr, uint64_t size, void *arg),
			void *arg)
{
	int ret = each_func_of(img->elf, find_section_of_type(img->elf, SHT_SYMTAB), fn, arg);

	return ret ? ret : each_func_of(img->elf, find_section_of_type(img->elf, SHT_DYNSYM), fn, arg);
}

int elf_image_has_symbols(struct elf_image *img)
{
	return find_section_of_type(img->elf, SHT_DYNSYM) ||
	       find_section_of_type(img->elf, SHT_SYMTAB);
}

int elf_image_section(struct elf_image *img, const char *name, const uint8_t **bytes, size_t *len)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(img->elf, &shstrndx))
		return -ENOENT;
	while ((scn = elf_nextscn(img->elf, scn))) {
		const char *scn_name;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh))
			continue;
		scn_name = elf_strptr(img->elf, shstrndx, sh.sh_name);
		if (!scn_name || strcmp(scn_name, name) || sh.sh_type == SHT_NOBITS)
			continue;
		data = elf_rawdata(scn, NULL);
		if (!data)
			return -ENOENT;
		/* libelf gives an empty section no buffer (NULL): callers scan
		 * [bytes, bytes + len), and NULL + 0 is undefined (found by
		 * tests/fuzz/fuzz_elf.c: an empty .rodata). */
		*bytes = data->d_buf ? data->d_buf : (const uint8_t *)"";
		*len = data->d_buf ? data->d_size : 0;
		return 0;
	}
	return -ENOENT;
}

int elf_image_section_info(struct elf_image *img, size_t idx, struct elf_section_info *info)
{
	size_t shstrndx;
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf_Data *data = NULL;

	if (elf_getshdrstrndx(img->elf, &shstrndx) || !(scn = elf_getscn(img->elf, idx)) ||
	    !gelf_getshdr(scn, &sh))
		return -ENOENT;
	info->name = elf_strptr(img->elf, shstrndx, sh.sh_name);
	if (!info->name)
		info->name = "";
	info->addr = sh.sh_addr;
	info->size = sh.sh_size;
	info->flags = sh.sh_flags;
	info->type = sh.sh_type;
	info->bytes = NULL;
	if (sh.sh_type != SHT_NOBITS) {
		/* a section whose bytes are not all in the file is left without any */
		data = elf_rawdata(scn, NULL);
		if (data && data->d_size == sh.sh_size)
			info->bytes = data->d_buf;
		else
			info->size = 0;
	}
	return 0;
}

static int match_any_defined(const GElf_Sym *sym, const char *name, const void *want)
{
	return sym->st_shndx != SHN_UNDEF && !strcmp(name, want);
}

int elf_image_symbol(struct elf_image *img, const char *name, uint64_t *value, uint64_t *size)
{
	GElf_Sym sym;

	if (symtab_find(img->elf, find_section_of_type(img->elf, SHT_SYMTAB), &sym,
			match_any_defined, name, NULL) < 0 &&
	    symtab_find(img->elf, find_section_of_type(img->elf, SHT_DYNSYM), &sym,
			match_any_defined, name, NULL) < 0)
		return -ENOENT;
	*value = sym.st_value;
	if (size)
		*size = sym.st_size;
	return 0;
}
