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
};

struct elf_image *elf_image_open(const char *path)
{
	struct elf_image *img;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		errno = EINVAL;
		return NULL;
	}
	img = calloc(1, sizeof(*img));
	if (!img)
		return NULL;
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0)
		goto fail;
	img->elf = elf_begin(img->fd, ELF_C_READ_MMAP, NULL);
	if (!img->elf || elf_kind(img->elf) != ELF_K_ELF) {
		errno = ENOEXEC;
		goto fail;
	}
	return img;
fail:
	elf_image_close(img);
	return NULL;
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

static int symtab_lookup(Elf *elf, Elf_Scn *scn, const char *name, uint64_t *vaddr)
{
	GElf_Shdr sh;
	GElf_Sym sym;
	Elf_Data *data;

	if (!scn || !gelf_getshdr(scn, &sh) || !(data = elf_getdata(scn, NULL)))
		return -ENOENT;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		const char *sym_name;

		if (!gelf_getsym(data, i, &sym) || sym.st_shndx == SHN_UNDEF ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		sym_name = elf_strptr(elf, sh.sh_link, sym.st_name);
		if (sym_name && !strcmp(sym_name, name)) {
			*vaddr = sym.st_value;
			return 0;
		}
	}
	return -ENOENT;
}

int elf_image_func_offset(struct elf_image *img, const char *name, uint64_t *offset)
{
	uint64_t vaddr;

	if (symtab_lookup(img->elf, find_section_of_type(img->elf, SHT_DYNSYM), name, &vaddr) &&
	    symtab_lookup(img->elf, find_section_of_type(img->elf, SHT_SYMTAB), name, &vaddr))
		return -ENOENT;
	return vaddr_to_offset(img->elf, vaddr, offset);
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
		*bytes = data->d_buf;
		*len = data->d_size;
		return 0;
	}
	return -ENOENT;
}
