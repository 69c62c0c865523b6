#include <capstone/capstone.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elfsym.h"
#include "x86insn.h"

/* The instruction longest on x86 is 15 bytes; a function we decode ends
 * inside its section, so this bounds one-instruction decodes. */
#define INSN_MAX 15

static csh handle;
/* The one instruction cs_disasm_iter decodes into, reused: cs_disasm would
 * allocate an instruction and its details for each one decoded, and the
 * planner decodes a function an instruction at a time. */
static cs_insn *scratch;

static int open_capstone(void)
{
	if (handle)
		return 0;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK)
		return -1;
	cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
	scratch = cs_malloc(handle);
	if (!scratch) {
		cs_close(&handle);
		handle = 0;
		return -1;
	}
	return 0;
}

/* mov REG, rsp / lea REG, [rsp + d]: REG gets a stack address. Not rbp:
 * optimised code (libssl is built -O2, no frame pointer) uses it as a
 * general register, so an address off rbp proves nothing. */
static uint16_t stack_addr_target(const cs_insn *ci)
{
	const cs_x86 *x = &ci->detail->x86;

	if (x->op_count != 2 || x->operands[0].type != X86_OP_REG)
		return 0;
	if (ci->id == X86_INS_MOV && x->operands[1].type == X86_OP_REG &&
	    x->operands[1].reg == X86_REG_RSP)
		return x->operands[0].reg;
	if (ci->id == X86_INS_LEA && x->operands[1].type == X86_OP_MEM &&
	    x->operands[1].mem.base == X86_REG_RSP && x->operands[1].mem.index == X86_REG_INVALID)
		return x->operands[0].reg;
	return 0;
}

static uint64_t rip_relative(const cs_insn *ci, const cs_x86_op *op)
{
	return ci->address + ci->size + (uint64_t)op->mem.disp;
}

/* The operands the Go planner asks about: thread-local loads, immediates
 * moved into a register, and the first memory operand. */
static void reduce_operands(const cs_insn *ci, struct x86_instr *out)
{
	const cs_x86 *x = &ci->detail->x86;

	for (int i = 0; i < x->op_count; i++) {
		if (x->operands[i].type == X86_OP_MEM && !out->mem_base) {
			out->mem_base = x->operands[i].mem.base;
			out->mem_disp = x->operands[i].mem.disp;
		}
	}
	if (ci->id != X86_INS_MOV || x->op_count != 2 || x->operands[0].type != X86_OP_REG)
		return;
	if (x->operands[1].type == X86_OP_IMM) {
		out->imm_dest = x->operands[0].reg;
		out->imm = x->operands[1].imm;
	} else if (x->operands[1].type == X86_OP_MEM && x->operands[1].mem.segment == X86_REG_FS &&
		   x->operands[1].mem.index == X86_REG_INVALID) {
		out->fs_load = 1;
		out->fs_dest = x->operands[0].reg;
		out->fs_base = x->operands[1].mem.base == X86_REG_INVALID ? 0
									    : x->operands[1].mem.base;
		out->fs_disp = x->operands[1].mem.disp;
	}
}

/* "mnemonic op_str" in text (96 bytes): at most 31 + 1 + 60 and the NUL.
 * Not snprintf: the planner decodes every instruction it walks. */
static void put_text(const cs_insn *ci, char *text)
{
	size_t n = strnlen(ci->mnemonic, 31), m = strnlen(ci->op_str, 60);

	memcpy(text, ci->mnemonic, n);
	if (m) {
		text[n++] = ' ';
		memcpy(text + n, ci->op_str, m);
		n += m;
	}
	text[n] = 0;
}

static void reduce(const cs_insn *ci, struct x86_instr *out)
{
	const cs_x86 *x = &ci->detail->x86;
	cs_regs rd, wr;
	uint8_t nrd = 0, nwr = 0;

	memset(out, 0, sizeof(*out));
	out->addr = ci->address;
	out->size = ci->size;
	memcpy(out->bytes, ci->bytes, ci->size < sizeof(out->bytes) ? ci->size : sizeof(out->bytes));
	put_text(ci, out->text);
	out->is_call = ci->id == X86_INS_CALL;
	out->is_jump = cs_insn_group(handle, ci, CS_GRP_JUMP);
	if ((out->is_call || out->is_jump) && x->op_count == 1 && x->operands[0].type == X86_OP_IMM) {
		out->has_target = 1;
		out->target = (uint64_t)x->operands[0].imm;
	}
	if ((ci->id == X86_INS_JMP || ci->id == X86_INS_CALL) && x->op_count == 1 &&
	    x->operands[0].type == X86_OP_MEM && x->operands[0].mem.base == X86_REG_RIP &&
	    x->operands[0].mem.index == X86_REG_INVALID) {
		out->rip_slot_jump = ci->id == X86_INS_JMP;
		out->rip_slot_call = ci->id == X86_INS_CALL;
		out->slot = rip_relative(ci, &x->operands[0]);
	}
	out->ends_flow = ci->id == X86_INS_JMP || ci->id == X86_INS_HLT || ci->id == X86_INS_UD2 ||
			 cs_insn_group(handle, ci, CS_GRP_RET);
	if (!cs_regs_access(handle, ci, rd, &nrd, wr, &nwr))
		for (int i = 0; i < nwr && out->nregs_written < 8; i++)
			out->regs_written[out->nregs_written++] = wr[i];
	out->stack_addr_reg = stack_addr_target(ci);
	if (ci->id == X86_INS_LEA && x->op_count == 2 && x->operands[1].type == X86_OP_MEM &&
	    x->operands[1].mem.base == X86_REG_RIP)
		out->rip_lea = rip_relative(ci, &x->operands[1]);
	out->is_ret = cs_insn_group(handle, ci, CS_GRP_RET);
	reduce_operands(ci, out);
}

int x86_decode(struct elf_image *img, uint64_t vaddr, uint64_t size, struct x86_func *fn)
{
	const uint8_t *code;
	size_t avail;

	memset(fn, 0, sizeof(*fn));
	if (elf_image_bytes_at(img, vaddr, &code, &avail))
		return -1;
	return x86_decode_bytes(code, avail, vaddr, size, fn);
}

/* The instruction at the start of code (at most avail bytes), at vaddr. */
static int decode_one(const uint8_t *code, size_t avail, uint64_t vaddr, struct x86_instr *out)
{
	size_t n = avail < INSN_MAX ? avail : INSN_MAX;

	if (open_capstone() || !cs_disasm_iter(handle, &code, &n, &vaddr, scratch))
		return -1;
	reduce(scratch, out);
	return 0;
}

/* Appends one decoded instruction to fn, growing its array by doubling. */
static int append_insn(struct x86_func *fn, size_t *cap, const cs_insn *ci)
{
	if (fn->n == *cap) {
		size_t grown = *cap ? *cap * 2 : 16;
		struct x86_instr *insns = realloc(fn->insns, grown * sizeof(*insns));

		if (!insns)
			return -1;
		fn->insns = insns;
		*cap = grown;
	}
	reduce(ci, &fn->insns[fn->n++]);
	return 0;
}

/* fn holds the one instruction at code. */
static int decode_one_func(const uint8_t *code, size_t avail, uint64_t vaddr,
			   struct x86_func *fn)
{
	fn->insns = malloc(sizeof(*fn->insns));
	if (!fn->insns || decode_one(code, avail, vaddr, fn->insns)) {
		x86_func_free(fn);
		return -1;
	}
	fn->n = 1;
	fn->start = vaddr;
	fn->end = vaddr + fn->insns[0].size;
	return 0;
}

int x86_decode_bytes(const uint8_t *code, size_t avail, uint64_t vaddr, uint64_t size,
		     struct x86_func *fn)
{
	uint64_t addr = vaddr;
	size_t cap = 0;

	memset(fn, 0, sizeof(*fn));
	if (!size)
		return decode_one_func(code, avail, vaddr, fn);
	if (size > avail || open_capstone())
		return -1;
	while (size && cs_disasm_iter(handle, &code, &size, &addr, scratch)) {
		if (append_insn(fn, &cap, scratch)) {
			x86_func_free(fn);
			return -1;
		}
	}
	/* Capstone stops at the first byte sequence that is no instruction:
	 * a function that does not decode to its end is not understood. */
	if (size) {
		x86_func_free(fn);
		return -1;
	}
	fn->start = vaddr;
	fn->end = addr;
	return 0;
}

void x86_func_free(struct x86_func *fn)
{
	free(fn->insns);
	memset(fn, 0, sizeof(*fn));
}

int x86_decode_one(struct elf_image *img, uint64_t vaddr, struct x86_instr *out)
{
	const uint8_t *code;
	size_t avail;

	if (elf_image_bytes_at(img, vaddr, &code, &avail))
		return -1;
	return decode_one(code, avail, vaddr, out);
}

/* Legacy prefixes the kernel's branch emulation accepts before the opcode
 * (it refuses 0x66, the operand-size prefix). */
static int skip_prefixes(const struct x86_instr *insn)
{
	static const uint8_t ok[] = { 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65 };
	int i = 0;

	while (i < insn->size && memchr(ok, insn->bytes[i], sizeof(ok)))
		i++;
	return i;
}

static int is_emulated_branch_or_nop(const struct x86_instr *insn)
{
	int i = skip_prefixes(insn);
	uint8_t op;

	if (i >= insn->size)
		return 0;
	op = insn->bytes[i];
	if (op == 0xeb || op == 0xe9 || op == 0xe8 || op == 0x90 || (op >= 0x70 && op <= 0x7f))
		return 1;
	return op == 0x0f && i + 1 < insn->size && insn->bytes[i + 1] >= 0x80 &&
	       insn->bytes[i + 1] <= 0x8f;
}

/* push %r64: 0x50+r, or 0x41 0x50+r for r8-r15; nothing else. */
static int is_emulated_push(const struct x86_instr *insn)
{
	if (insn->size == 1)
		return insn->bytes[0] >= 0x50 && insn->bytes[0] <= 0x57;
	return insn->size == 2 && insn->bytes[0] == 0x41 && insn->bytes[1] >= 0x50 &&
	       insn->bytes[1] <= 0x57;
}

enum x86_probe_class x86_probe_class(const struct x86_instr *insn)
{
	return is_emulated_push(insn) || is_emulated_branch_or_nop(insn) ? PROBE_EMULATED
									  : PROBE_SINGLE_STEPPED;
}

const char *x86_probe_class_name(enum x86_probe_class cls)
{
	return cls == PROBE_EMULATED ? "emulated" : "single-stepped";
}

int x86_is_endbr64(const struct x86_instr *insn)
{
	static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };

	return insn->size == sizeof(endbr64) && !memcmp(insn->bytes, endbr64, sizeof(endbr64));
}

/* The 64-bit register a (sub)register belongs to. */
static unsigned int full_reg(unsigned int reg)
{
	static const unsigned int groups[][5] = {
		{ X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL, X86_REG_AH },
		{ X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL, X86_REG_BH },
		{ X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL, X86_REG_CH },
		{ X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL, X86_REG_DH },
		{ X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL, 0 },
		{ X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL, 0 },
		{ X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B, 0 },
		{ X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B, 0 },
	};

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (int i = 0; i < 5; i++)
			if (groups[g][i] && groups[g][i] == reg)
				return groups[g][0];
	return reg;
}

int x86_writes_reg(const struct x86_instr *insn, unsigned int reg)
{
	for (int i = 0; i < insn->nregs_written; i++)
		if (full_reg(insn->regs_written[i]) == full_reg(reg))
			return 1;
	return 0;
}

int x86_is_branch_target(const struct x86_func *fn, uint64_t addr)
{
	for (size_t i = 0; i < fn->n; i++)
		if (fn->insns[i].is_jump && fn->insns[i].has_target && fn->insns[i].target == addr)
			return 1;
	return 0;
}

const char *x86_reg_name(unsigned int reg)
{
	const char *name;

	if (open_capstone())
		return "?";
	name = cs_reg_name(handle, reg);
	return name ? name : "?";
}

unsigned int x86_arg_reg(int argno)
{
	static const unsigned int regs[] = { X86_REG_RDI, X86_REG_RSI, X86_REG_RDX,
					     X86_REG_RCX, X86_REG_R8,  X86_REG_R9 };

	return argno >= 1 && argno <= 6 ? regs[argno - 1] : 0;
}
