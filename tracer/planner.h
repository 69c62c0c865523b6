/* The probe planner: for a TLS library, where to put the uprobes and what the
 * BPF programs read there. A plan is either *planned* (internal functions
 * found by following the calls out of the exported ones, each probe on an
 * instruction the kernel emulates) or falls back to the exported entry points
 * (slower, still correct), and says why. Backends (libs/<stack>.c) fill a plan
 * with the helpers below; `tlsprobe plan` and `trace --explain` print it. */
#ifndef TLSPROBE_PLANNER_H
#define TLSPROBE_PLANNER_H
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "../bpf/events.h"
#include "x86insn.h"

struct elf_image;

enum plan_mode {
	PLAN_AUTO,  /* internal functions where proven, else the exported entry points */
	PLAN_ENTRY, /* the exported entry points only (for comparison) */
};

/* A return instruction of a SITE_ENTRY_RET_INSNS site: a plain uprobe there
 * runs the site's return program. */
struct probe_ret {
	uint64_t vaddr, offset;  /* the probed instruction */
	uint64_t ret_vaddr;      /* the return instruction it stands for (vaddr, or after it) */
	char text[40];
	enum x86_probe_class cls;
};

#define RET_SITES_MAX 32

struct probe_site {
	char func[512];          /* the probed function ("ssl_write_internal"): records' "func" */
	struct site_desc desc;   /* what the BPF programs read there (bpf/events.h) */
	struct site_ext ext;     /* and beyond it (Go: the goroutine, the fd's chain) */
	const char *entry_prog;  /* the entry program (nss_entry), NULL: the generic tls_entry */
	const char *return_prog; /* the return program, NULL: the generic tls_return */
	struct probe_ret rets[RET_SITES_MAX]; /* SITE_ENTRY_RET_INSNS: where it returns */
	int nrets;
	uint64_t vaddr, offset;  /* offset: in the file, what the uprobe attaches to */
	struct x86_instr insn;    /* the probed instruction */
	enum x86_probe_class cls;
	char what[160];          /* "internal function, reached from SSL_write, SSL_write_ex" */
	char proof[200];         /* how the byte-count pointer was proved, or "" */
};

#define PLAN_SITES_MAX 12

struct probe_plan {
	struct probe_site sites[PLAN_SITES_MAX];
	int nsites;
	int planned[2];        /* per data_dir: internal functions in use */
	char why[2][256];      /* per data_dir: why the fallback, when not planned */
	char coverage[220];    /* what the plan means for other paths ("BIO_f_ssl: covered …") */
	char mem_bio[220];     /* memory BIOs: the sites proved, or why none */
};

/* A set of code addresses (functions a piece of code reaches). */
#define REACH_MAX 64
struct reach {
	uint64_t addr[REACH_MAX];
	int n;
};

/* The functions code at [vaddr, vaddr + size) calls or tail-jumps to, within
 * the library: a call through a PLT stub counts as a call of the function
 * the stub is bound to when this library defines it (and, depth permitting,
 * what that one reaches); stubs bound to other libraries are left out.
 * size 0: follow the code from vaddr (jumps beyond 4 KiB count as tail
 * calls). Returns 0, or -1 when the code does not decode. */
int plan_reach(struct elf_image *img, uint64_t vaddr, uint64_t size, int depth, struct reach *r);
int reach_has(const struct reach *r, uint64_t addr);
/* Keeps in a only the addresses also in b. */
void reach_intersect(struct reach *a, const struct reach *b);

/* Proves that at the call from fn to callee, register reg holds a stack
 * address (mov reg, rsp / lea reg, [rsp+d]): the last instruction writing reg
 * before the call, with no branch into the code in between. Returns 0 and
 * describes the proof, or -1 and says why not. */
int plan_prove_stack_arg(const struct x86_func *fn, uint64_t callee, unsigned int reg,
			 char *proof, size_t prooflen);

/* The probe site of a function entered at vaddr: the entry itself, or the
 * instruction after a leading endbr64 (which touches no register or the
 * stack, so arguments and the return address are as at the entry). */
int plan_entry_site(struct elf_image *img, uint64_t vaddr, int skip_endbr,
		    struct probe_site *site);

/* A site of a C function `f(session, buf, …)`: entry and return probes,
 * state per thread, the fd from the syscall inside the call; the byte count
 * as len says (count: where LEN_OUT_PTR's pointer is, else LOC_NONE). */
void site_init_c(struct probe_site *site, const char *func, enum data_dir dir,
		 enum site_len len, enum site_loc count);

/* "rdi", "rsi", …, "stack slot 2". */
const char *site_loc_name(unsigned int loc, char *buf, size_t len);

/* The plan's site on the function named func, or NULL. */
const struct probe_site *plan_site(const struct probe_plan *plan, const char *func);

/* Whether site is a memory BIO's (SITE_MEM_BIO_*: entry only, no plaintext). */
int site_is_mem_bio(const struct probe_site *site);

/* Whether site has an entry probe only (memory BIOs, SITE_QUEUE_TAKE). */
int site_entry_only(const struct probe_site *site);

/* Appends a site; -1 when the plan is full. */
int plan_add(struct probe_plan *plan, const struct probe_site *site);

/* For people: one block per library (tlsprobe plan, trace --explain). */
void plan_print(FILE *f, const char *path, const char *version, const struct probe_plan *plan);
#endif
