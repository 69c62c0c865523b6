/* rustls's received plaintext: a queue of chunks (vecbuf::ChunkVecBuffer,
 * a VecDeque<Vec<u8>> and `prefix_used`, how much of the front chunk was
 * taken already). tokio-rustls hands plaintext out with
 * Reader::into_first_chunk, copies what the caller asked for, then
 * Reader::consume(amt): at consume's entry the bytes handed out are the amt
 * bytes at front.ptr + prefix_used. Rust lays out structs as it likes (no
 * DWARF in a release build), so where those fields are is read from the code
 * of consume itself (ChunkVecBuffer::consume_first_chunk, inlined into
 * Reader::consume by LTO), never assumed:
 *
 *     mov  rcx, [rdi + HEAD]       cmp rcx, r12; cmovae rax, r12  (wrap at CAP)
 *     mov  r12, [rdi + CAP]        lea rax, [rdx + rdx*2]          (24-byte chunks)
 *     mov  r13, [rdi + ELEMS]      mov rax, [r13 + rax*8 + LEN]    (front chunk's len)
 *     mov  r14, [rdi + PREFIX]     add r14, rsi                    (prefix_used += amt)
 *     ...  mov rdi, [rax + PTR]; call free                         (a chunk's bytes)
 *
 * Every field comes from one of those instructions; one missing, and the
 * read path is not probed (the plan says which). */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../elfsym.h"
#include "rustls_queue.h"

static const char *const regs64[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
				      "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15" };
#define NREGS 16
#define REG_RSI 4
#define REG_RDI 5

static int reg_index(const char *name, size_t len)
{
	for (int i = 0; i < NREGS; i++)
		if (strlen(regs64[i]) == len && !strncmp(regs64[i], name, len))
			return i;
	return -1;
}

/* "a, b" of an instruction's text after its mnemonic: the two operands. */
static int split_ops(const char *text, const char *mnemonic, char *a, char *b, size_t len)
{
	size_t m = strlen(mnemonic);
	const char *comma;

	if (strncmp(text, mnemonic, m) || text[m] != ' ' || !(comma = strstr(text + m + 1, ", ")))
		return -1;
	snprintf(a, len, "%.*s", (int)(comma - (text + m + 1)), text + m + 1);
	snprintf(b, len, "%s", comma + 2);
	return 0;
}

static int reg_of(const char *op)
{
	return reg_index(op, strlen(op));
}

/* "qword ptr [BASE + 0xD]" or "[BASE]": BASE's index and D; -1 otherwise. */
static int mem_base_disp(const char *op, long *disp)
{
	const char *p = strchr(op, '['), *end;
	size_t n = 0;

	if (!p || strncmp(op, "qword ptr [", 11) || !(end = strchr(p, ']')))
		return -1;
	p++;
	while (p + n < end && p[n] != ' ')
		n++;
	*disp = 0;
	if (p + n < end) { /* capstone: " + 8", " + 0x10" */
		if (strncmp(p + n, " + ", 3))
			return -1;
		*disp = strtol(p + n + 3, NULL, 0);
	}
	return reg_index(p, n);
}

/* "qword ptr [BASE + IDX*8 + 0xD]": BASE, IDX and D; -1 otherwise. */
static int mem_indexed(const char *op, int *index, long *disp)
{
	char base[8], idx[8];
	long d = 0;

	if (sscanf(op, "qword ptr [%7[a-z0-9] + %7[a-z0-9]*8 + %li]", base, idx, &d) < 2 &&
	    sscanf(op, "qword ptr [%7[a-z0-9] + %7[a-z0-9]*8]", base, idx) < 2)
		return -1;
	*index = reg_of(idx);
	*disp = d;
	return *index < 0 ? -1 : reg_of(base);
}

/* Whether name (any width: "eax", "r14d") is part of the 64-bit reg64. */
static int same_reg(const char *name, const char *reg64)
{
	size_t n = strlen(reg64);

	if (!strcmp(name, reg64))
		return 1;
	if (reg64[1] >= '0' && reg64[1] <= '9') /* r8 … r15: r8d, r8w, r8b */
		return !strncmp(name, reg64, n) && name[n] && !name[n + 1];
	return name[0] == 'e' && !strcmp(name + 1, reg64 + 1); /* eax … edi */
}

struct tracker {
	long field[NREGS];   /* the queue's field this register was loaded from, or -1 */
	int is_queue[NREGS]; /* holds the queue's address (rdi, or a copy) */
	int triple[NREGS];   /* holds 3 * (a register): an index into 24-byte chunks */
	int cap_reg;         /* the register a cmov after `cmp head, cap` takes: cap's */
	long head_cmp;       /* the field compared with cap */
};

static void forget(struct tracker *t, int r)
{
	t->field[r] = -1;
	t->is_queue[r] = 0;
	t->triple[r] = 0;
}

/* One instruction of consume's straight-line start. */
static void track(struct tracker *t, const struct x86_instr *in, struct rustls_queue_layout *q)
{
	char a[64], b[64];
	long disp;
	int ra, rb, idx;

	if (!split_ops(in->text, "mov", a, b, sizeof(a)) && (ra = reg_of(a)) >= 0) {
		if ((rb = reg_of(b)) >= 0) {
			long f = t->field[rb];
			int iq = t->is_queue[rb];

			forget(t, ra);
			t->field[ra] = f;
			t->is_queue[ra] = iq;
		} else if ((rb = mem_base_disp(b, &disp)) >= 0 && t->is_queue[rb]) {
			forget(t, ra);
			t->field[ra] = disp;
		} else if ((rb = mem_indexed(b, &idx, &disp)) >= 0 && t->field[rb] >= 0 &&
			   t->triple[idx] && q->elems < 0) {
			q->elems = t->field[rb];
			q->elem_size = 24;
			q->front_len = disp;
			forget(t, ra);
		} else {
			forget(t, ra);
		}
		return;
	}
	if (!split_ops(in->text, "cmp", a, b, sizeof(a)) && (ra = reg_of(a)) >= 0 &&
	    (rb = reg_of(b)) >= 0 && t->field[ra] >= 0 && t->field[rb] >= 0) {
		t->head_cmp = t->field[ra];
		t->cap_reg = rb;
		return;
	}
	if ((!split_ops(in->text, "cmovae", a, b, sizeof(a)) ||
	     !split_ops(in->text, "cmovb", a, b, sizeof(a))) && (rb = reg_of(b)) >= 0 &&
	    rb == t->cap_reg && t->head_cmp >= 0 && q->head < 0) {
		q->head = t->head_cmp;
		q->cap = t->field[rb];
		return;
	}
	if (!split_ops(in->text, "lea", a, b, sizeof(a)) && (ra = reg_of(a)) >= 0) {
		char x[8], y[8];

		forget(t, ra);
		if (sscanf(b, "[%7[a-z0-9] + %7[a-z0-9]*2]", x, y) == 2 && !strcmp(x, y))
			t->triple[ra] = 1;
		return;
	}
	if (!split_ops(in->text, "add", a, b, sizeof(a)) && (ra = reg_of(a)) >= 0 &&
	    reg_of(b) == REG_RSI && t->field[ra] >= 0 && q->prefix < 0) {
		q->prefix = t->field[ra];
		return;
	}
	for (int i = 0; i < in->nregs_written; i++)
		for (int r = 0; r < NREGS; r++)
			if (same_reg(x86_reg_name(in->regs_written[i]), regs64[r]))
				forget(t, r);
}

/* Whether insn calls the allocator's free (through the GOT, or directly). */
static int calls_free(struct elf_image *img, const struct x86_instr *in)
{
	const char *name = NULL;

	if (in->rip_slot_call || in->rip_slot_jump) {
		const uint8_t *bytes;
		size_t avail;
		uint64_t target;

		name = elf_image_got_symbol(img, in->slot);
		/* a slot the static linker filled (no relocation): what it holds */
		if (!name && !elf_image_bytes_at(img, in->slot, &bytes, &avail) && avail >= 8) {
			memcpy(&target, bytes, 8);
			name = elf_image_func_name_at(img, target);
		}
	} else if ((in->is_call || in->is_jump) && in->has_target)
		name = elf_image_func_name_at(img, in->target);
	return name && (!strcmp(name, "free") || !strncmp(name, "free@", 5) ||
			strstr(name, "__rust_dealloc") || strstr(name, "__rdl_dealloc"));
}

/* A chunk's byte pointer: the field of a chunk the function frees (`mov rdi,
 * [X + PTR]` right before a call of free), the one of its three fields that
 * is not the length. */
static long freed_field(struct elf_image *img, const struct x86_func *fn, long len_at)
{
	for (size_t i = 0; i + 1 < fn->n; i++) {
		char a[64], b[64];
		long disp;
		size_t k;

		if (split_ops(fn->insns[i].text, "mov", a, b, sizeof(a)) || reg_of(a) != REG_RDI ||
		    mem_base_disp(b, &disp) < 0)
			continue;
		/* the call, with at most two instructions between that leave rdi */
		for (k = i + 1; k < fn->n && k <= i + 3; k++)
			if (calls_free(img, &fn->insns[k]) ||
			    x86_writes_reg(&fn->insns[k], X86_REG_RDI) || fn->insns[k].is_call ||
			    fn->insns[k].is_jump)
				break;
		if (k < fn->n && k <= i + 3 && calls_free(img, &fn->insns[k]) &&
		    (disp == 0 || disp == 8 || disp == 16) && disp != len_at)
			return disp;
	}
	return -1;
}

int rustls_queue_prove(struct elf_image *img, const struct x86_func *fn,
		       struct rustls_queue_layout *q, char *why, size_t whylen)
{
	struct tracker t;

	memset(&t, 0, sizeof(t));
	for (int r = 0; r < NREGS; r++)
		t.field[r] = -1;
	t.is_queue[REG_RDI] = 1;
	t.cap_reg = -1;
	t.head_cmp = -1;
	q->head = q->cap = q->elems = q->prefix = q->elem_ptr = q->front_len = -1;
	q->elem_size = 0;
	for (size_t i = 0; i < fn->n && i < 64; i++) {
		const struct x86_instr *in = &fn->insns[i];

		if (in->is_call || in->ends_flow || q->prefix >= 0)
			break;
		track(&t, in, q);
	}
	if (q->elems >= 0)
		q->elem_ptr = freed_field(img, fn, q->front_len);
	if (q->head < 0 || q->cap < 0 || q->elems < 0 || q->prefix < 0 || q->elem_ptr < 0) {
		snprintf(why, whylen, "consume's code does not show the plaintext queue's fields "
			 "(head %ld, cap %ld, chunks %ld, prefix %ld, chunk ptr %ld)", q->head,
			 q->cap, q->elems, q->prefix, q->elem_ptr);
		return -1;
	}
	snprintf(q->proof, sizeof(q->proof), "queue from consume's code: head +0x%lx, cap +0x%lx, "
		 "chunks +0x%lx (24 bytes: ptr +0x%lx, len +0x%lx), taken +0x%lx; amt: rsi",
		 q->head, q->cap, q->elems, q->elem_ptr, q->front_len, q->prefix);
	return 0;
}
