/* Go's crypto/tls, linked into every Go executable: (*Conn).Write and
 * (*Conn).Read, found in .symtab or, stripped, in .gopclntab, with the
 * arguments where the binary's Go version passes them (registers from 1.17,
 * the stack before). No uretprobe (Go moves goroutine stacks, and a rewritten
 * return address breaks the unwinder): a probe on each return instruction,
 * found by decoding the function. The call's state is kept by goroutine; the
 * fd is read from the connection object (bpf/gotls.bpf.c). */
#include <capstone/capstone.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../elfsym.h"
#include "../gobuildinfo.h"
#include "../gopclntab.h"
#include "go.h"

static const char *const lib_names[] = { NULL }; /* found by exec, never by name */
static const char *const companions[] = { NULL };

/* Where the fd is in a tls.Conn, by Go version: tls.Conn.conn (a net.Conn)
 * → its data, a *net.TCPConn, whose embedded conn's fd (*netFD) → netFD.pfd
 * (poll.FD) → Sysfd. The interface's method table (runtime.itab) has its
 * methods from fun, at +24; net.Conn's first, by name, is Close. And where a
 * goroutine's stack bounds are in its g (runtime.g.stack: lo, hi).
 * tests/test_go.c checks every row against the DWARF of binaries each Go
 * release built (tests/go-samples). A version outside every row is an
 * unknown layout: not traced, and said so. */
struct go_layout {
	int min_minor, max_minor;       /* Go 1.min … 1.max */
	uint16_t tls_conn_conn;         /* tls.Conn.conn */
	uint16_t tcpconn_fd;            /* net.TCPConn → conn.fd */
	uint16_t netfd_sysfd;           /* netFD.pfd.Sysfd */
	uint16_t itab_fun;              /* runtime.itab.fun */
	uint16_t g_stack;               /* runtime.g.stack (lo, then hi) */
};

static const struct go_layout layouts[] = {
	{ 15, 27, 0, 0, 16, 24, 0 },
};

const struct go_layout_view *go_layout_for(int major, int minor, struct go_layout_view *out)
{
	if (major != 1)
		return NULL;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		if (minor < layouts[i].min_minor || minor > layouts[i].max_minor)
			continue;
		out->tls_conn_conn = layouts[i].tls_conn_conn;
		out->tcpconn_fd = layouts[i].tcpconn_fd;
		out->netfd_sysfd = layouts[i].netfd_sysfd;
		out->itab_fun = layouts[i].itab_fun;
		out->g_stack = layouts[i].g_stack;
		return out;
	}
	return NULL;
}

/* Where the arguments and results are, and the goroutine. */
struct go_abi {
	int registers;                  /* 1.17+ on amd64 */
	uint8_t session, buf, count;    /* enum site_loc: c, b's data, the result n (at a return) */
};

static const struct go_abi register_abi = { 1, LOC_RAX, LOC_RBX, LOC_RAX };
/* (c, b.ptr, b.len, b.cap, n, err) in stack slots 1..7 past the return address */
static const struct go_abi stack_abi = { 0, LOC_STACK | 1, LOC_STACK | 2, LOC_STACK | 5 };

static int classify(struct tls_lib *lib, struct elf_image *img, char *err, size_t errlen)
{
	struct go_image gi;
	struct go_version v;
	char why[160];

	if (!go_is_binary(img)) {
		snprintf(err, errlen, "%s: not a Go binary", lib->path);
		return -1;
	}
	lib->version[0] = '\0';
	if (!go_image_from_elf(&gi, img) && !go_buildinfo_version(&gi, &v, why, sizeof(why)))
		snprintf(lib->version, sizeof(lib->version), "%s", v.text);
	return 0;
}

/* A function's entry and end: .symtab when it has the symbol, else the
 * function table. from says which. */
static int find_func(struct elf_image *img, const struct gopclntab *tab, const char *name,
		     uint64_t *entry, uint64_t *end, const char **from)
{
	struct go_func fn;
	uint64_t size;

	if (!elf_image_symbol(img, name, entry, &size) && size) {
		*end = *entry + size;
		*from = ".symtab";
		return 0;
	}
	if (tab && !gopclntab_find(tab, name, &fn)) {
		*entry = fn.entry;
		*end = fn.end;
		*from = ".gopclntab";
		return 0;
	}
	return -1;
}

static int writes_arg_reg(const struct x86_instr *insn, const struct go_abi *abi)
{
	static const unsigned int regs[] = { X86_REG_RAX, X86_REG_RBX, X86_REG_RCX, X86_REG_RDI,
					     X86_REG_RSI, X86_REG_R8,  X86_REG_R9,  X86_REG_R10,
					     X86_REG_R11, X86_REG_R14 };

	if (x86_writes_reg(insn, X86_REG_RSP))
		return 1;
	for (size_t i = 0; abi->registers && i < sizeof(regs) / sizeof(regs[0]); i++)
		if (x86_writes_reg(insn, regs[i]))
			return 1;
	return 0;
}

/* Go's prologue checks the stack against g.stackguard0 ([g + 16]) and
 * branches to morestack: `cmp rsp, [r14 + 16]; jbe` (register ABI), or
 * `mov rcx, fs:[-8]; lea rax, [rsp - N]; cmp rax, [rcx + 16]; jbe` (stack
 * ABI; a PIE moves -8 into rcx first). Finds where g is (the register, or the
 * thread-local slot) and the index of the prologue's conditional branch,
 * -1 when the prologue is not of that shape. */
struct go_prologue {
	int jcc;                 /* index of the branch to morestack, or -1 */
	int g_in_r14;            /* register ABI: the check reads [r14 + 16] */
	int g_tls_proved;        /* stack ABI: g loaded from fs:[g_tls] */
	int64_t g_tls;
	char proof[160];
};

static void read_prologue(const struct x86_func *fn, const struct go_abi *abi,
			  struct go_prologue *pro)
{
	uint16_t g_reg = 0;

	memset(pro, 0, sizeof(*pro));
	pro->jcc = -1;
	for (size_t i = 0; i < fn->n && i < 8; i++) {
		const struct x86_instr *in = &fn->insns[i];

		if (in->fs_load && !in->fs_base) {
			pro->g_tls = in->fs_disp;
			g_reg = in->fs_dest;
		} else if (in->fs_load && i > 0 && fn->insns[i - 1].imm_dest == in->fs_base) {
			pro->g_tls = fn->insns[i - 1].imm;
			g_reg = in->fs_dest;
		} else if (g_reg && in->mem_base == g_reg && in->mem_disp == 16) {
			pro->g_tls_proved = 1;
			snprintf(pro->proof, sizeof(pro->proof),
				 "g: fs:%lld (the prologue loads it into %s and reads g.stackguard0 "
				 "at [%s + 0x10])", (long long)pro->g_tls, x86_reg_name(g_reg),
				 x86_reg_name(g_reg));
		} else if (in->mem_base == X86_REG_R14 && in->mem_disp == 16 && abi->registers) {
			pro->g_in_r14 = 1;
			snprintf(pro->proof, sizeof(pro->proof),
				 "g: r14 (the prologue reads g.stackguard0 at [r14 + 0x10])");
		}
		if (in->is_jump && in->has_target && !in->ends_flow) {
			pro->jcc = (int)i;
			return;
		}
		if (in->ends_flow || in->is_call)
			return;
	}
}

/* The entry site: the prologue's branch to morestack when nothing before it
 * writes an argument register or rsp and no jump lands between (arguments
 * are as at the entry, and a jcc is emulated), else the entry itself (and
 * always with --probes entry: the function's symbol, where the peers probe). */
static void entry_site(const struct x86_func *fn, const struct go_abi *abi,
		       const struct go_prologue *pro, enum plan_mode mode, struct probe_site *site)
{
	int at = mode == PLAN_ENTRY ? 0 : pro->jcc; /* entry: the symbol, as the peers probe */

	for (int i = 0; i < at; i++)
		if (writes_arg_reg(&fn->insns[i], abi) ||
		    (i > 0 && x86_is_branch_target(fn, fn->insns[i].addr)))
			at = 0;
	if (at > 0 && x86_is_branch_target(fn, fn->insns[at].addr))
		at = 0;
	if (at < 0)
		at = 0;
	site->insn = fn->insns[at];
	site->vaddr = fn->insns[at].addr;
	site->cls = x86_probe_class(&site->insn);
	snprintf(site->what, sizeof(site->what), "%s", at ? "the prologue's stack check branch: "
		 "arguments as at the entry" : "the entry");
}

/* Where the return at index ret is probed: the last instruction the kernel
 * emulates on the straight run of code before it, after the result
 * register's last write there (so the count is final: register ABI only, the
 * count in rax, g in r14 untouched by Go code), else the return itself. The
 * run ends at a call, a jump, or a jump's target (other paths join there:
 * that instruction still counts, every path to the return passing it). */
static size_t return_probe_at(const struct x86_func *fn, size_t ret, const struct go_abi *abi)
{
	if (!abi->registers)
		return ret; /* the result's stack slot moves with rsp: the return only */
	for (size_t i = ret; i-- > 0;) {
		const struct x86_instr *in = &fn->insns[i];

		if (in->is_call || in->is_jump || in->ends_flow || x86_writes_reg(in, X86_REG_RAX) ||
		    x86_writes_reg(in, X86_REG_R14))
			break;
		if (x86_probe_class(in) == PROBE_EMULATED)
			return i;
		if (x86_is_branch_target(fn, in->addr))
			break;
	}
	return ret;
}

static int ret_sites(struct elf_image *img, const struct x86_func *fn, const struct go_abi *abi,
		     struct probe_site *site, char *err, size_t errlen)
{
	site->nrets = 0;
	for (size_t i = 0; i < fn->n; i++) {
		const struct x86_instr *at;
		struct probe_ret *r;

		if (!fn->insns[i].is_ret)
			continue;
		if (site->nrets == RET_SITES_MAX) {
			snprintf(err, errlen, "%.100s: more than %d return instructions", site->func,
				 RET_SITES_MAX);
			return -1;
		}
		at = &fn->insns[return_probe_at(fn, i, abi)];
		r = &site->rets[site->nrets++];
		r->vaddr = at->addr;
		r->ret_vaddr = fn->insns[i].addr;
		snprintf(r->text, sizeof(r->text), "%.39s", at->text);
		r->cls = x86_probe_class(at);
		if (elf_image_offset(img, r->vaddr, &r->offset)) {
			snprintf(err, errlen, "%.100s: return at 0x%llx is in no segment", site->func,
				 (unsigned long long)r->vaddr);
			return -1;
		}
	}
	if (!site->nrets) {
		snprintf(err, errlen, "%.100s: no return instruction decoded", site->func);
		return -1;
	}
	return 0;
}

/* What the programs read: arguments by ABI, the result n at each return,
 * the goroutine, the fd's chain (checked against net.(*TCPConn).Close). */
static void describe_site(struct probe_site *site, enum data_dir dir, const struct go_abi *abi,
			  const struct go_prologue *pro, const struct go_layout_view *layout,
			  uint64_t close_entry)
{
	struct site_desc *d = &site->desc;
	struct site_ext *x = &site->ext;

	d->kind = SITE_ENTRY_RET_INSNS;
	d->dir = dir;
	d->len = LEN_LOC64;
	d->state = STATE_GOROUTINE;
	d->fd = FD_OBJECT_CHAIN;
	d->session = abi->session;
	d->buf = abi->buf;
	d->count = abi->count;
	site->entry_prog = "go_entry";
	site->return_prog = "go_return";
	x->g_loc = abi->registers ? LOC_R14 : LOC_NONE;
	x->g_tls = abi->registers ? 0 : pro->g_tls;
	x->iface_off = layout->tls_conn_conn;
	x->check_off = layout->itab_fun;
	x->check_delta = (int64_t)(close_entry - site->vaddr);
	x->nderef = 1;
	x->deref[0] = layout->tcpconn_fd;
	x->fd_off = layout->netfd_sysfd;
	x->g_stack = layout->g_stack;
	snprintf(site->proof, sizeof(site->proof), "%.100s; fd: c.conn (*net.TCPConn, its method table's "
		 "Close checked) → netFD → Sysfd at +%u", pro->proof, layout->netfd_sysfd);
}

static int plan_func(struct elf_image *img, const struct gopclntab *tab, const char *name,
		     enum data_dir dir, enum plan_mode mode, const struct go_abi *abi,
		     const struct go_layout_view *layout, uint64_t close_entry,
		     struct probe_plan *plan, char *err, size_t errlen)
{
	struct probe_site site;
	struct go_prologue pro;
	struct x86_func fn;
	uint64_t entry, end;
	const char *from;
	int ret = -1;

	memset(&site, 0, sizeof(site));
	snprintf(site.func, sizeof(site.func), "%s", name);
	if (find_func(img, tab, name, &entry, &end, &from)) {
		snprintf(err, errlen, "%s is in neither .symtab nor .gopclntab", name);
		return -1;
	}
	if (x86_decode(img, entry, end - entry, &fn)) {
		snprintf(err, errlen, "%s (0x%llx-0x%llx, from %s) does not decode", name,
			 (unsigned long long)entry, (unsigned long long)end, from);
		return -1;
	}
	read_prologue(&fn, abi, &pro);
	if (!(abi->registers ? pro.g_in_r14 : pro.g_tls_proved)) {
		snprintf(err, errlen, "%s: the goroutine's g is not proved from the prologue (%s)",
			 name, abi->registers ? "no read of [r14 + 0x10]" : "no load from fs:");
		goto out;
	}
	entry_site(&fn, abi, &pro, mode, &site);
	if (elf_image_offset(img, site.vaddr, &site.offset)) {
		snprintf(err, errlen, "%s: 0x%llx is in no segment", name,
			 (unsigned long long)site.vaddr);
		goto out;
	}
	if (ret_sites(img, &fn, abi, &site, err, errlen))
		goto out;
	describe_site(&site, dir, abi, &pro, layout, close_entry);
	snprintf(site.what + strlen(site.what), sizeof(site.what) - strlen(site.what),
		 " (%s, %s ABI); a probe on each of its %d returns", from,
		 abi->registers ? "register" : "stack", site.nrets);
	if (plan_add(plan, &site)) {
		snprintf(err, errlen, "the plan is full");
		goto out;
	}
	plan->planned[dir] = 1;
	ret = 0;
out:
	x86_func_free(&fn);
	return ret;
}

static int plan(struct tls_lib *lib, struct elf_image *img, enum plan_mode mode, char *err,
		size_t errlen)
{
	struct go_layout_view layout;
	struct gopclntab tab, *tabp = NULL;
	struct go_image gi;
	struct go_version v;
	const struct go_abi *abi;
	uint64_t close_entry, close_end;
	const char *from;
	char why[200];

	/* (classify read the version from .go.buildinfo) */
	if (go_image_from_elf(&gi, img) || go_version_parse(lib->version, &v)) {
		snprintf(err, errlen, "%s: the Go version is unknown, so is its argument ABI", lib->path);
		return -1;
	}
	if (!go_layout_for(v.major, v.minor, &layout)) {
		snprintf(err, errlen, "%s: %s: a Go release whose tls.Conn layout this tracer does "
			 "not know (it knows 1.%d-1.%d)", lib->path, v.text, layouts[0].min_minor,
			 layouts[0].max_minor);
		return -1;
	}
	if (!gopclntab_open(&gi, &tab, why, sizeof(why)))
		tabp = &tab;
	if (find_func(img, tabp, "net.(*TCPConn).Close", &close_entry, &close_end, &from)) {
		snprintf(err, errlen, "%s: net.(*TCPConn).Close is in neither .symtab nor the "
			 "function table%s%s: the fd of a connection cannot be checked", lib->path,
			 tabp ? "" : ": ", tabp ? "" : why);
		return -1;
	}
	abi = go_register_abi(&v) ? &register_abi : &stack_abi;
	if (plan_func(img, tabp, "crypto/tls.(*Conn).Write", DATA_OUT, mode, abi, &layout, close_entry,
		      &lib->plan, why, sizeof(why)) ||
	    plan_func(img, tabp, "crypto/tls.(*Conn).Read", DATA_IN, mode, abi, &layout, close_entry,
		      &lib->plan, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", lib->path, why);
		return -1;
	}
	snprintf(lib->plan.coverage, sizeof(lib->plan.coverage),
		 "every tls.Conn Write and Read (net/http's included); fd from the connection "
		 "object, addresses from its socket");
	return 0;
}

const struct tls_backend go_backend = {
	.name = "go",
	.lib_names = lib_names,
	.companions = companions,
	.classify = classify,
	.plan = plan,
};
