#include <stdio.h>
#include <string.h>
#include "elfsym.h"
#include "planner.h"

/* Code followed from an entry without a known size: jumps further than this
 * from the entry are taken for tail calls. */
#define WALK_SPAN 4096
#define WALK_INSNS_MAX 2048

int reach_has(const struct reach *r, uint64_t addr)
{
	for (int i = 0; i < r->n; i++)
		if (r->addr[i] == addr)
			return 1;
	return 0;
}

static void reach_add(struct reach *r, uint64_t addr)
{
	if (!reach_has(r, addr) && r->n < REACH_MAX)
		r->addr[r->n++] = addr;
}

void reach_intersect(struct reach *a, const struct reach *b)
{
	int kept = 0;

	for (int i = 0; i < a->n; i++)
		if (reach_has(b, a->addr[i]))
			a->addr[kept++] = a->addr[i];
	a->n = kept;
}

/* A PLT stub is `jmp *slot(%rip)` (after an endbr64 in IBT builds), its slot
 * bound to a symbol by a relocation. Returns the address of that symbol when
 * this library defines it as a function, else 0. */
static uint64_t plt_stub_target(struct elf_image *img, uint64_t addr)
{
	struct x86_instr in;
	const char *name;
	uint64_t vaddr, size;

	if (x86_decode_one(img, addr, &in))
		return 0;
	if (x86_is_endbr64(&in) && x86_decode_one(img, addr + in.size, &in))
		return 0;
	if (!in.rip_slot_jump || !(name = elf_image_got_symbol(img, in.slot)) ||
	    elf_image_func(img, name, &vaddr, &size))
		return 0;
	return vaddr;
}

static void add_target(struct elf_image *img, uint64_t target, int depth, struct reach *r)
{
	uint64_t bound = plt_stub_target(img, target);
	uint64_t size;
	const char *name;

	if (!bound) {
		reach_add(r, target);
		return;
	}
	/* Through the PLT to a function of this library. */
	reach_add(r, bound);
	name = elf_image_func_name_at(img, bound);
	if (depth > 0 && name && !elf_image_func(img, name, &bound, &size))
		plan_reach(img, bound, size, depth - 1, r);
}

/* Linear decode of a function of known size. */
static int reach_sized(struct elf_image *img, uint64_t vaddr, uint64_t size, int depth,
		       struct reach *r)
{
	struct x86_func fn;

	if (x86_decode(img, vaddr, size, &fn))
		return -1;
	for (size_t i = 0; i < fn.n; i++) {
		const struct x86_instr *in = &fn.insns[i];

		if (in->has_target && (in->is_call || in->target < fn.start || in->target >= fn.end))
			add_target(img, in->target, depth, r);
	}
	x86_func_free(&fn);
	return 0;
}

struct walk {
	uint64_t todo[256], seen[WALK_INSNS_MAX];
	int ntodo, nseen;
};

static int walk_seen(struct walk *w, uint64_t addr)
{
	for (int i = 0; i < w->nseen; i++)
		if (w->seen[i] == addr)
			return 1;
	return 0;
}

/* Follows the control flow from vaddr (a function without a size). */
static int reach_walk(struct elf_image *img, uint64_t vaddr, int depth, struct reach *r)
{
	struct walk w = { .todo = { vaddr }, .ntodo = 1 };

	while (w.ntodo) {
		uint64_t addr = w.todo[--w.ntodo];

		while (!walk_seen(&w, addr) && w.nseen < WALK_INSNS_MAX) {
			struct x86_instr in;

			if (x86_decode_one(img, addr, &in))
				return -1;
			w.seen[w.nseen++] = addr;
			if (in.has_target && (in.is_call || in.target < vaddr ||
					      in.target >= vaddr + WALK_SPAN))
				add_target(img, in.target, depth, r);
			else if (in.has_target && w.ntodo < 256)
				w.todo[w.ntodo++] = in.target;
			if (in.ends_flow)
				break;
			addr += in.size;
		}
	}
	return 0;
}

int plan_reach(struct elf_image *img, uint64_t vaddr, uint64_t size, int depth, struct reach *r)
{
	return size ? reach_sized(img, vaddr, size, depth, r) : reach_walk(img, vaddr, depth, r);
}

static size_t find_call(const struct x86_func *fn, uint64_t callee)
{
	for (size_t i = 0; i < fn->n; i++)
		if (fn->insns[i].is_call && fn->insns[i].has_target && fn->insns[i].target == callee)
			return i;
	return fn->n;
}

int plan_prove_stack_arg(const struct x86_func *fn, uint64_t callee, unsigned int reg,
			 char *proof, size_t prooflen)
{
	size_t call = find_call(fn, callee);

	if (call == fn->n) {
		snprintf(proof, prooflen, "no direct call to 0x%llx", (unsigned long long)callee);
		return -1;
	}
	for (size_t i = call; i-- > 0;) {
		const struct x86_instr *in = &fn->insns[i];

		if (x86_is_branch_target(fn, fn->insns[i + 1].addr) || in->is_jump || in->is_call)
			break; /* another path reaches the call: its register is unknown */
		if (!x86_writes_reg(in, reg))
			continue;
		if (in->stack_addr_reg == reg && in->nregs_written == 1) {
			snprintf(proof, prooflen, "a stack address: `%s` at 0x%llx", in->text,
				 (unsigned long long)in->addr);
			return 0;
		}
		snprintf(proof, prooflen, "`%s` at 0x%llx sets %s to no stack address", in->text,
			 (unsigned long long)in->addr, x86_reg_name(reg));
		return -1;
	}
	snprintf(proof, prooflen, "%s is not set in the block before the call at 0x%llx",
		 x86_reg_name(reg), (unsigned long long)fn->insns[call].addr);
	return -1;
}

int plan_entry_site(struct elf_image *img, uint64_t vaddr, int skip_endbr,
		    struct probe_site *site)
{
	if (x86_decode_one(img, vaddr, &site->insn))
		return -1;
	if (skip_endbr && x86_is_endbr64(&site->insn)) {
		vaddr += site->insn.size;
		if (x86_decode_one(img, vaddr, &site->insn))
			return -1;
	}
	site->vaddr = vaddr;
	site->cls = x86_probe_class(&site->insn);
	return elf_image_offset(img, vaddr, &site->offset) ? -1 : 0;
}

const struct probe_site *plan_site(const struct probe_plan *plan, const char *func)
{
	for (int i = 0; i < plan->nsites; i++)
		if (!strcmp(plan->sites[i].func, func))
			return &plan->sites[i];
	return NULL;
}

int plan_add(struct probe_plan *plan, const struct probe_site *site)
{
	if (plan->nsites == PLAN_SITES_MAX)
		return -1;
	plan->sites[plan->nsites++] = *site;
	return 0;
}

void site_init_c(struct probe_site *site, const char *func, enum data_dir dir,
		 enum site_len len, enum site_loc count)
{
	memset(site, 0, sizeof(*site));
	snprintf(site->func, sizeof(site->func), "%s", func);
	site->desc = (struct site_desc){
		.kind = SITE_ENTRY_RETURN, .dir = dir, .len = len, .state = STATE_THREAD,
		.fd = FD_SYSCALL_INSIDE, .session = LOC_RDI, .buf = LOC_RSI, .count = count,
	};
}

const char *site_loc_name(unsigned int loc, char *buf, size_t len)
{
	static const char *const regs[] = {
		[LOC_NONE] = "-", [LOC_RDI] = "rdi", [LOC_RSI] = "rsi", [LOC_RDX] = "rdx",
		[LOC_RCX] = "rcx", [LOC_R8] = "r8", [LOC_R9] = "r9", [LOC_RAX] = "rax",
		[LOC_RBX] = "rbx", [LOC_R10] = "r10", [LOC_R11] = "r11", [LOC_R14] = "r14",
	};

	if (loc & LOC_STACK)
		snprintf(buf, len, "stack slot %u", loc & 0x7f);
	else
		snprintf(buf, len, "%s", loc < sizeof(regs) / sizeof(regs[0]) && regs[loc] ? regs[loc] : "?");
	return buf;
}

static void len_text(const struct site_desc *d, char *out, size_t len)
{
	char reg[32];

	switch (d->len) {
	case LEN_OUT_PTR:
		snprintf(out, len, "*(size_t *)%s saved at entry, when eax > 0",
			 site_loc_name(d->count, reg, sizeof(reg)));
		break;
	case LEN_RET64: snprintf(out, len, "rax, when > 0"); break;
	case LEN_RET_RDX: snprintf(out, len, "rdx, when rax = 0 (Ok)"); break;
	case LEN_ENTRY_LOC:
		snprintf(out, len, "%s at the entry", site_loc_name(d->count, reg, sizeof(reg)));
		break;
	case LEN_LOC64:
		snprintf(out, len, "%s, when > 0", site_loc_name(d->count, reg, sizeof(reg)));
		break;
	default: snprintf(out, len, "eax, when > 0"); break;
	}
}

/* A site probed on each return instruction: where, and what each costs. */
static void print_ret_sites(FILE *f, const struct probe_site *s, const char *bytes)
{
	int emulated = 0;

	if (s->proof[0])
		fprintf(f, "              %s\n", s->proof);
	for (int r = 0; r < s->nrets; r++)
		emulated += s->rets[r].cls == PROBE_EMULATED;
	fprintf(f, "      return: a probe on each of %d return paths (%d emulated, %d "
		"single-stepped; no uretprobe: the stack may move); bytes = %s\n", s->nrets, emulated,
		s->nrets - emulated, bytes);
	for (int r = 0; r < s->nrets; r++) {
		const struct probe_ret *ret = &s->rets[r];
		char covers[64] = "";

		if (ret->vaddr != ret->ret_vaddr)
			snprintf(covers, sizeof(covers), " (the result final; for the ret at 0x%llx)",
				 (unsigned long long)ret->ret_vaddr);
		fprintf(f, "        0x%llx (file offset 0x%llx)  %-22s %s%s\n",
			(unsigned long long)ret->vaddr, (unsigned long long)ret->offset, ret->text,
			x86_probe_class_name(ret->cls), covers);
	}
	if (emulated < s->nrets)
		fprintf(f, "        (a ret is probed where no instruction the kernel emulates comes "
			"after the result's last write on its path)\n");
}

static void print_site(FILE *f, const struct probe_site *s)
{
	char session[32], buf[32], count[32], bytes[96];

	len_text(&s->desc, bytes, sizeof(bytes));
	fprintf(f, "    0x%llx (file offset 0x%llx)  %-22s %s\n", (unsigned long long)s->vaddr,
		(unsigned long long)s->offset, s->insn.text, x86_probe_class_name(s->cls));
	fprintf(f, "      %s\n", s->what);
	if (s->desc.session_deref) {
		char reg[24];

		snprintf(session, sizeof(session), "*(%s + %u)",
			 site_loc_name(s->desc.session, reg, sizeof(reg)), s->desc.session_off);
	} else {
		site_loc_name(s->desc.session, session, sizeof(session));
	}
	fprintf(f, "      entry:  session = %s, buf = %s%s%s%s%s\n", session,
		site_loc_name(s->desc.buf, buf, sizeof(buf)),
		s->desc.len == LEN_OUT_PTR ? ", count pointer = " : "",
		s->desc.len == LEN_OUT_PTR ? site_loc_name(s->desc.count, count, sizeof(count)) : "",
		s->entry_prog ? "; program " : "", s->entry_prog ? s->entry_prog : "");
	if (s->desc.kind == SITE_ENTRY_RET_INSNS) {
		print_ret_sites(f, s, bytes);
		return;
	}
	if (s->proof[0])
		fprintf(f, "              %s %s\n", s->desc.len == LEN_OUT_PTR ?
			"count pointer proved" : "proved:", s->proof);
	if (s->desc.kind == SITE_QUEUE_TAKE)
		fprintf(f, "      no return probe: bytes = %s, at the queue's front\n", bytes);
	else
		fprintf(f, "      return: uretprobe at the same site; bytes = %s\n", bytes);
}

static void print_mem_bio_site(FILE *f, const struct probe_site *s)
{
	fprintf(f, "    0x%llx (file offset 0x%llx)  %-22s %s\n", (unsigned long long)s->vaddr,
		(unsigned long long)s->offset, s->insn.text, x86_probe_class_name(s->cls));
	fprintf(f, "      %s\n", s->what);
	fprintf(f, "      entry only: bio = rdi%s; program %s\n",
		s->desc.kind == SITE_MEM_BIO_NEW ? "" : ", buffer = rsi, length = edx", s->entry_prog);
}

int site_is_mem_bio(const struct probe_site *site)
{
	return site->desc.kind == SITE_MEM_BIO_WRITE || site->desc.kind == SITE_MEM_BIO_READ ||
	       site->desc.kind == SITE_MEM_BIO_NEW;
}

int site_entry_only(const struct probe_site *site)
{
	return site_is_mem_bio(site) || site->desc.kind == SITE_QUEUE_TAKE;
}

static int plan_has_data_sites(const struct probe_plan *plan)
{
	for (int i = 0; i < plan->nsites; i++)
		if (!site_is_mem_bio(&plan->sites[i]))
			return 1;
	return 0;
}

void plan_print(FILE *f, const char *path, const char *version, const struct probe_plan *plan)
{
	static const char *const dir_name[2] = { "write", "read" };

	fprintf(f, "%s (%s)\n", path, version && version[0] ? version : "version unknown");
	for (int d = 0; d < 2 && plan_has_data_sites(plan); d++) {
		fprintf(f, "  %s: %s%s%s\n", dir_name[d],
			plan->planned[d] ? "planned" : "exported entry points",
			plan->why[d][0] ? " — " : "", plan->why[d]);
		for (int i = 0; i < plan->nsites; i++)
			if (plan->sites[i].desc.dir == d && !site_is_mem_bio(&plan->sites[i]))
				print_site(f, &plan->sites[i]);
	}
	if (plan->coverage[0])
		fprintf(f, "  %s\n", plan->coverage);
	if (plan->mem_bio[0])
		fprintf(f, "  %s\n", plan->mem_bio);
	for (int i = 0; i < plan->nsites; i++)
		if (site_is_mem_bio(&plan->sites[i]))
			print_mem_bio_site(f, &plan->sites[i]);
}
