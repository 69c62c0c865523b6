/* libFuzzer target for the probe planner's decoder on arbitrary bytes: the
 * input is machine code. It is decoded as a buffer (x86_decode_bytes: what
 * x86_decode does once it has a section's bytes) and each instruction is
 * classified the way the planner asks; then the same bytes become the
 * .text of a small ELF image built here, with symbols over them and a PLT
 * relocation on their first slot, so that plan_reach (sized and following
 * the flow), plan_entry_site and the PLT-stub resolution read them as they
 * read a library's code. Built by `make fuzz` (build/fuzz/). */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "elfsym.h"
#include "planner.h"
#include "x86insn.h"

#define BASE 0x400000ULL
/* The file's parts, in order; the code last so that it may have any size. */
#define PHDR_OFF 64
#define SHSTR_OFF 128
#define STR_OFF 192
#define SYM_OFF 200
#define RELA_OFF 272
#define SHDR_OFF 304
#define CODE_OFF 704
#define NSECTIONS 6

static const char shstrtab[] = "\0.text\0.symtab\0.strtab\0.rela.plt\0.shstrtab";
static const char strtab[] = "\0f\0g";

static void put_shdr(uint8_t *image, int idx, uint32_t name, uint32_t type, uint64_t flags,
		     uint64_t addr, uint64_t off, uint64_t size, uint32_t link, uint32_t info,
		     uint64_t entsize)
{
	Elf64_Shdr sh = { .sh_name = name, .sh_type = type, .sh_flags = flags, .sh_addr = addr,
			  .sh_offset = off, .sh_size = size, .sh_link = link, .sh_info = info,
			  .sh_addralign = 1, .sh_entsize = entsize };

	memcpy(image + SHDR_OFF + idx * sizeof(sh), &sh, sizeof(sh));
}

/* An ET_DYN image with one PT_LOAD over the whole file: .text is the code
 * (at BASE + CODE_OFF), f covers it, g its second half, and a JUMP_SLOT
 * relocation binds the code's first 8 bytes to f. */
static uint8_t *build_image(const uint8_t *code, size_t n, size_t *total)
{
	Elf64_Ehdr eh = { .e_type = ET_DYN, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			  .e_phoff = PHDR_OFF, .e_shoff = SHDR_OFF, .e_ehsize = sizeof(Elf64_Ehdr),
			  .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1,
			  .e_shentsize = sizeof(Elf64_Shdr), .e_shnum = NSECTIONS,
			  .e_shstrndx = NSECTIONS - 1 };
	uint64_t text = BASE + CODE_OFF;
	Elf64_Sym syms[3] = {
		{ 0 },
		{ .st_name = 1, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = 1,
		  .st_value = text, .st_size = n },
		{ .st_name = 3, .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), .st_shndx = 1,
		  .st_value = text + n / 2, .st_size = n - n / 2 },
	};
	Elf64_Rela rela = { .r_offset = text, .r_info = ELF64_R_INFO(1, R_X86_64_JUMP_SLOT) };
	Elf64_Phdr ph = { .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_vaddr = BASE,
			  .p_paddr = BASE, .p_align = 0x1000 };
	uint8_t *image;

	*total = CODE_OFF + n;
	image = calloc(1, *total);
	if (!image)
		return NULL;
	ph.p_filesz = ph.p_memsz = *total;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(image, &eh, sizeof(eh));
	memcpy(image + PHDR_OFF, &ph, sizeof(ph));
	memcpy(image + SHSTR_OFF, shstrtab, sizeof(shstrtab));
	memcpy(image + STR_OFF, strtab, sizeof(strtab));
	memcpy(image + SYM_OFF, syms, sizeof(syms));
	memcpy(image + RELA_OFF, &rela, sizeof(rela));
	memcpy(image + CODE_OFF, code, n);
	put_shdr(image, 1, 1, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, text, CODE_OFF, n, 0, 0, 0);
	put_shdr(image, 2, 7, SHT_SYMTAB, 0, 0, SYM_OFF, sizeof(syms), 3, 1, sizeof(Elf64_Sym));
	put_shdr(image, 3, 15, SHT_STRTAB, 0, 0, STR_OFF, sizeof(strtab), 0, 0, 0);
	put_shdr(image, 4, 23, SHT_RELA, SHF_ALLOC, 0, RELA_OFF, sizeof(rela), 2, 0,
		 sizeof(Elf64_Rela));
	put_shdr(image, 5, 33, SHT_STRTAB, 0, 0, SHSTR_OFF, sizeof(shstrtab), 0, 0, 0);
	return image;
}

/* What the planner asks of a decoded function. The planner proves one
 * argument at one call of a function; every call and register here would
 * cost O(n^3) per input, so a few of each (the rest are the same code). */
#define CALLS_PROVED 4
#define BRANCH_TARGETS_ASKED 64

static void classify_all(const struct x86_func *fn)
{
	char proof[200];
	int proved = 0;

	for (size_t i = 0; i < fn->n; i++) {
		const struct x86_instr *in = &fn->insns[i];

		x86_probe_class_name(x86_probe_class(in));
		x86_is_endbr64(in);
		if (i < BRANCH_TARGETS_ASKED)
			x86_is_branch_target(fn, in->addr);
		x86_writes_reg(in, x86_arg_reg(1 + i % 6));
		if (in->is_call && in->has_target && proved < CALLS_PROVED)
			plan_prove_stack_arg(fn, in->target, x86_arg_reg(1 + proved++ % 6), proof,
					     sizeof(proof));
	}
}

static void plan_image(const uint8_t *data, size_t size)
{
	static struct probe_site site;
	struct elf_image *img;
	struct reach r = { 0 };
	uint8_t *image;
	size_t total;

	image = build_image(data, size, &total);
	if (!image)
		return;
	img = elf_image_open_mem(image, total);
	free(image);
	if (!img)
		abort(); /* the image built above must open: the target itself is wrong */
	plan_reach(img, BASE + CODE_OFF, size, 2, &r);
	plan_reach(img, BASE + CODE_OFF, 0, 2, &r);
	plan_reach(img, BASE + CODE_OFF + size / 2, 0, 1, &r);
	plan_entry_site(img, BASE + CODE_OFF, 1, &site);
	elf_image_close(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x86_func fn;
	struct x86_instr one;

	if (!size)
		return 0;
	if (!x86_decode_bytes(data, size, BASE, size, &fn)) {
		classify_all(&fn);
		x86_func_free(&fn);
	}
	if (!x86_decode_bytes(data, size, BASE, 0, &fn)) {
		one = fn.insns[0];
		x86_probe_class(&one);
		x86_func_free(&fn);
	}
	plan_image(data, size);
	return 0;
}
