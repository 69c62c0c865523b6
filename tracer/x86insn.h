/* x86-64 instructions, decoded with capstone (never a byte scan): what the
 * probe planner needs to know about a function's code. */
#ifndef TLSPROBE_X86INSN_H
#define TLSPROBE_X86INSN_H
#include <stddef.h>
#include <stdint.h>

struct elf_image;

/* One decoded instruction, reduced to what the planner asks about. */
struct x86_instr {
	uint64_t addr;
	uint8_t size;
	uint8_t bytes[16];
	char text[96];        /* "push r14", "sub rsp, 0x18" (Intel syntax) */
	int is_call, is_jump; /* call; any jmp or jcc */
	int has_target;       /* a direct (relative) call or jump: target is set */
	uint64_t target;
	int rip_slot_jump;    /* jmp qword ptr [rip + d]: slot is the memory address */
	int rip_slot_call;    /* call qword ptr [rip + d]: the same */
	uint64_t slot;
	int ends_flow;        /* ret, jmp, hlt, ud2: the next instruction is not reached from here */
	uint16_t regs_written[8]; /* capstone register ids */
	int nregs_written;
	/* mov REG, rsp / lea REG, [rsp + d]: REG (a capstone id) receives a
	 * stack address; 0 otherwise. */
	uint16_t stack_addr_reg;
	/* lea REG, [rip + d]: the address; 0 otherwise. */
	uint64_t rip_lea;
	int is_ret;
	/* mov REG, qword ptr fs:[d] (fs_base 0) or fs:[BASE] (fs_base: its
	 * capstone id): a load from thread-local storage into fs_dest. */
	int fs_load;
	uint16_t fs_dest, fs_base;
	int64_t fs_disp;
	/* mov REG, imm: imm_dest (a capstone id, 0 otherwise) gets imm. */
	uint16_t imm_dest;
	int64_t imm;
	/* A memory operand's base register and displacement (the first one),
	 * mem_base 0 when there is none. */
	uint16_t mem_base;
	int64_t mem_disp;
};

struct x86_func {
	uint64_t start, end;  /* [start, end) */
	struct x86_instr *insns;
	size_t n;
};

/* Decodes the code in [vaddr, vaddr + size) of img. size 0 decodes one
 * instruction. Returns 0, or -1 when the bytes are missing or do not decode. */
int x86_decode(struct elf_image *img, uint64_t vaddr, uint64_t size, struct x86_func *fn);
/* The same over avail bytes of code that start at vaddr (x86_decode's
 * work once it has the section's bytes; the fuzz target's seam). */
int x86_decode_bytes(const uint8_t *code, size_t avail, uint64_t vaddr, uint64_t size,
		     struct x86_func *fn);
void x86_func_free(struct x86_func *fn);
/* The one instruction at vaddr. 0, or -1 when it does not decode. */
int x86_decode_one(struct elf_image *img, uint64_t vaddr, struct x86_instr *out);

/* How the running kernel's uprobes handle a probe on this instruction. */
enum x86_probe_class {
	PROBE_EMULATED,      /* the kernel emulates it: no single-step trap */
	PROBE_SINGLE_STEPPED /* executed out of line: a second trap, 15-40x dearer here */
};

/* The rule of arch/x86/kernel/uprobes.c (branch_setup_xol_ops and
 * push_setup_xol_ops): relative jmp/call/jcc, the one-byte nop and push of a
 * 64-bit register are emulated; every other instruction (endbr64 and the
 * multi-byte nops included) is single-stepped. */
enum x86_probe_class x86_probe_class(const struct x86_instr *insn);
const char *x86_probe_class_name(enum x86_probe_class cls);

int x86_is_endbr64(const struct x86_instr *insn);

/* Does insn write register reg (a capstone id, any width of it)? */
int x86_writes_reg(const struct x86_instr *insn, unsigned int reg);

/* Is addr the target of a jump inside fn (so that another path merges
 * there)? */
int x86_is_branch_target(const struct x86_func *fn, uint64_t addr);

/* The name capstone gives a register id ("rcx"). */
const char *x86_reg_name(unsigned int reg);
/* Capstone ids of the 64-bit argument registers 1..6 (rdi … r9). */
unsigned int x86_arg_reg(int argno);
#endif
