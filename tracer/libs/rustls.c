/* rustls, linked into Rust executables. rustls does no I/O: the application
 * (or tokio-rustls, or rustls's own Stream) hands it plaintext, then writes
 * the ciphertext it produced to the socket; it reads ciphertext from the
 * socket, has rustls decrypt it, then takes the plaintext out. So the fd of
 * a write comes from the socket write after it (FD_SOCKET_AFTER), that of a
 * read from the socket read before it (FD_SOCKET_BEFORE): emit.bpf.h.
 *
 * Functions are found by their exact demangled path (legacy or v0 mangling,
 * libiberty), every instance (one per connection side). A release build with
 * LTO inlines rustls's small public functions (Writer::write, Reader::read,
 * into_first_chunk) into the application; what is left of the write path is
 * the plaintext sink behind Writer, ConnectionCommon's PlaintextSink::write
 * and ::write_vectored. LTO may also change a function's arguments when it
 * sees every caller, so each site's arguments are checked in its code before
 * it is used (sink_args_proved). */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../elfsym.h"
#include "../rustsym.h"
#include "../x86insn.h"
#include "rustls.h"
#include "rustls_queue.h"

static const char *const lib_names[] = { NULL }; /* found by exec, never by name */
static const char *const companions[] = { NULL };

/* The write path's functions (rustls 0.23), by demangled path. */
enum sink_fn { SINK_WRITE, SINK_WRITE_VECTORED };
static const struct {
	const char *path;
	enum sink_fn fn;
	const char *func;   /* the records' "func" */
} sinks[] = {
	{ "<rustls::conn::ConnectionCommon<T> as rustls::conn::connection::PlaintextSink>::write",
	  SINK_WRITE, "rustls::ConnectionCommon::write (PlaintextSink)" },
	{ "<rustls::conn::ConnectionCommon<T> as rustls::conn::connection::PlaintextSink>::write_vectored",
	  SINK_WRITE_VECTORED, "rustls::ConnectionCommon::write_vectored (PlaintextSink)" },
};

/* The read path's public functions: what a read site would be made from.
 * Not probed yet (see plan): named in the plan so that it says which of them
 * a build kept. */
static const char *const reader_paths[] = {
	"<rustls::conn::connection::Reader as std::io::Read>::read",
	"rustls::conn::connection::Reader::into_first_chunk",
	"<rustls::conn::connection::Reader as std::io::BufRead>::consume",
};

#define READER_READ 0    /* reader_paths[0] */
#define READER_CONSUME 2 /* reader_paths[2] */

struct func_at {
	uint64_t vaddr, size;
};

#define FUNC_INSTANCES_MAX 4

struct rustls_funcs {
	struct func_at read[FUNC_INSTANCES_MAX];
	int nreads;
	struct { uint64_t vaddr, size; enum sink_fn fn; } sink[8];
	int nsinks;
	struct func_at consume[FUNC_INSTANCES_MAX];
	int nconsumes;
	int any_rustls;           /* a function of the crate at all */
	unsigned int readers;     /* bit i: reader_paths[i] is there */
};

/* One more instance of a function (a symbol in .symtab and .dynsym is one). */
static void add_func(struct func_at *v, int *n, uint64_t vaddr, uint64_t size)
{
	if (!size || *n == FUNC_INSTANCES_MAX)
		return;
	for (int k = 0; k < *n; k++)
		if (v[k].vaddr == vaddr)
			return;
	v[*n].vaddr = vaddr;
	v[(*n)++].size = size;
}

static int collect(const char *name, uint64_t vaddr, uint64_t size, void *arg)
{
	struct rustls_funcs *f = arg;
	char path[512];

	if (rust_demangle_path(name, path, sizeof(path)))
		return 0;
	if (!strncmp(path, "rustls::", 8) || !strncmp(path, "<rustls::", 9))
		f->any_rustls = 1;
	for (size_t i = 0; i < sizeof(reader_paths) / sizeof(reader_paths[0]); i++)
		if (!strcmp(path, reader_paths[i]))
			f->readers |= 1u << i;
	if (!strcmp(path, reader_paths[READER_READ]))
		add_func(f->read, &f->nreads, vaddr, size);
	if (!strcmp(path, reader_paths[READER_CONSUME]))
		add_func(f->consume, &f->nconsumes, vaddr, size);
	for (size_t i = 0; i < sizeof(sinks) / sizeof(sinks[0]); i++) {
		if (strcmp(path, sinks[i].path) || !size)
			continue;
		for (int k = 0; k < f->nsinks; k++)
			if (f->sink[k].vaddr == vaddr)
				return 0; /* .symtab and .dynsym both */
		if (f->nsinks < (int)(sizeof(f->sink) / sizeof(f->sink[0])))
			f->sink[f->nsinks++] = (typeof(f->sink[0])){ vaddr, size, sinks[i].fn };
	}
	return 0;
}

/* rustls's version from its source paths in the panic locations (which a
 * stripped build keeps too). */
static void crate_version(struct tls_lib *lib, struct elf_image *img)
{
	char v[32];

	lib->version[0] = '\0';
	if (!rust_crate_version(img, "rustls", v, sizeof(v)))
		snprintf(lib->version, sizeof(lib->version), "rustls %s", v);
}

/* A mangled name of rustls's (either mangling spells the crate "6rustls"):
 * what classify asks, without demangling every symbol (plan does, once). */
static int names_rustls(const char *name, uint64_t vaddr, uint64_t size, void *arg)
{
	(void)vaddr;
	(void)size;
	(void)arg;
	return strstr(name, "6rustls") != NULL;
}

static int classify(struct tls_lib *lib, struct elf_image *img, char *err, size_t errlen)
{
	if (!rust_is_binary(img)) {
		snprintf(err, errlen, "%s: not built by rustc", lib->path);
		return -1;
	}
	crate_version(lib, img);
	if (!lib->version[0] && !elf_image_each_func(img, names_rustls, NULL)) {
		snprintf(err, errlen, "%s: a Rust binary without rustls", lib->path);
		return -1;
	}
	return 0;
}

/* Whether insn is `mov qword ptr [rsp + DISP], REG`: DISP, or -1. */
static long stack_store_of(const struct x86_instr *insn, const char *reg)
{
	char want[16];
	const char *p;
	long disp = 0;

	snprintf(want, sizeof(want), "], %s", reg);
	if (strncmp(insn->text, "mov qword ptr [rsp", 18) || !(p = strstr(insn->text, want)) ||
	    p[strlen(want)])
		return -1;
	if (insn->text[18] == ' ' && insn->text[19] == '+')
		disp = strtol(insn->text + 21, NULL, 0);
	else if (insn->text[18] != ']')
		return -1;
	return disp;
}

/* The arguments a sink function gets, checked in its code up to its first
 * call or branch, before it writes rsi or rdx: write(&mut self, buf: &[u8])
 * stores rsi and rdx side by side (the slice, ptr then len: the payload it
 * passes on); write_vectored(&mut self, bufs: &[IoSlice]) compares rdx (the
 * count) with 0 or 1 and loads the first slice from [rsi]. Anything else
 * (LTO rewrote the arguments) is not probed. */
static int sink_args_proved(const struct x86_func *fn, enum sink_fn kind, char *proof,
			    size_t prooflen)
{
	long ptr_at = -1, len_at = -1;
	int count_tested = 0, slice_loaded = 0;

	for (size_t i = 0; i < fn->n && i < 48; i++) {
		const struct x86_instr *in = &fn->insns[i];
		long d;

		if (kind == SINK_WRITE) {
			if ((d = stack_store_of(in, "rsi")) >= 0)
				ptr_at = d;
			if ((d = stack_store_of(in, "rdx")) >= 0)
				len_at = d;
			if (ptr_at >= 0 && len_at == ptr_at + 8) {
				snprintf(proof, prooflen, "buf: rsi, len: rdx (stored as one slice "
					 "at [rsp + 0x%lx])", ptr_at);
				return 0;
			}
		} else {
			if (!strcmp(in->text, "test rdx, rdx") || !strcmp(in->text, "cmp rdx, 1"))
				count_tested = 1;
			if (strstr(in->text, "[rsi]") && !x86_writes_reg(in, X86_REG_RSI))
				slice_loaded = 1;
			if (count_tested && slice_loaded) {
				snprintf(proof, prooflen, "slices: rsi, count: rdx (tested, first "
					 "slice loaded from [rsi])");
				return 0;
			}
		}
		if (in->is_call || in->ends_flow || x86_writes_reg(in, X86_REG_RSI) ||
		    x86_writes_reg(in, X86_REG_RDX))
			break;
	}
	snprintf(proof, prooflen, "its code does not show the declared arguments (LTO may have "
		 "changed them)");
	return -1;
}

/* A write site: entry + return probe; the session is the connection (self,
 * rdi); io::Result<usize> comes back as rax (0: Ok) and rdx (the count). */
static int sink_site(struct elf_image *img, uint64_t vaddr, uint64_t size, enum sink_fn kind,
		     struct probe_site *site, char *why, size_t whylen)
{
	struct x86_func fn;
	int ret;

	site_init_c(site, sinks[kind].func, DATA_OUT, LEN_RET_RDX, LOC_NONE);
	site->desc.fd = FD_SOCKET_AFTER;
	if (kind == SINK_WRITE_VECTORED) {
		site->desc.bufs = BUF_IOVEC;
		site->desc.count = LOC_RDX;
	}
	if (x86_decode(img, vaddr, size, &fn)) {
		snprintf(why, whylen, "%s at 0x%llx does not decode", sinks[kind].func,
			 (unsigned long long)vaddr);
		return -1;
	}
	ret = sink_args_proved(&fn, kind, site->proof, sizeof(site->proof));
	x86_func_free(&fn);
	if (ret) {
		snprintf(why, whylen, "%s: %s", sinks[kind].func, site->proof);
		return -1;
	}
	if (plan_entry_site(img, vaddr, 1, site))
		return -1;
	snprintf(site->what, sizeof(site->what), "the plaintext sink behind rustls's Writer "
		 "(Writer::write%s is inlined or calls it)", kind == SINK_WRITE_VECTORED ?
		 "_vectored" : "");
	return 0;
}

/* Reader::consume(&mut self, amt) is `mov rdi, [rdi]; jmp` to
 * ChunkVecBuffer::consume_first_chunk in a build without LTO (the queue is
 * the Reader's only pointer); with LTO that function is consume's body and
 * rdi the queue itself. Either way the probe goes where rdi is the queue,
 * on the code whose fields were proved. */
static int consume_code(struct elf_image *img, uint64_t vaddr, uint64_t size, struct x86_func *fn)
{
	uint64_t tsize;

	if (x86_decode(img, vaddr, size, fn))
		return -1;
	if (fn->n >= 2 && !strcmp(fn->insns[0].text, "mov rdi, qword ptr [rdi]") &&
	    fn->insns[1].is_jump && fn->insns[1].has_target && fn->insns[1].ends_flow) {
		uint64_t target = fn->insns[1].target;
		const char *name = elf_image_func_name_at(img, target);

		x86_func_free(fn);
		if (!name || elf_image_func(img, name, &target, &tsize) || !tsize)
			return -1;
		return x86_decode(img, target, tsize, fn);
	}
	return 0;
}

static int take_site(struct elf_image *img, uint64_t vaddr, uint64_t size,
		     struct probe_site *site, char *why, size_t whylen)
{
	struct rustls_queue_layout q;
	struct x86_func fn;
	uint64_t at;
	int ret;

	if (consume_code(img, vaddr, size, &fn)) {
		snprintf(why, whylen, "Reader::consume at 0x%llx does not decode",
			 (unsigned long long)vaddr);
		return -1;
	}
	at = fn.start;
	ret = rustls_queue_prove(img, &fn, &q, why, whylen);
	x86_func_free(&fn);
	if (ret)
		return -1;
	memset(site, 0, sizeof(*site));
	snprintf(site->func, sizeof(site->func), "rustls::Reader::consume (BufRead)");
	site->desc = (struct site_desc){
		.kind = SITE_QUEUE_TAKE, .dir = DATA_IN, .len = LEN_ENTRY_LOC, .state = STATE_THREAD,
		.fd = FD_SOCKET_BEFORE, .session = LOC_RDI, .buf = LOC_NONE, .count = LOC_RSI,
	};
	site->ext.q_head = q.head;
	site->ext.q_cap = q.cap;
	site->ext.q_elems = q.elems;
	site->ext.q_taken = q.prefix;
	site->ext.q_elem_size = q.elem_size;
	site->ext.q_elem_ptr = q.elem_ptr;
	site->ext.q_elem_len = q.front_len;
	site->entry_prog = "rustls_take";
	snprintf(site->proof, sizeof(site->proof), "%s", q.proof);
	if (plan_entry_site(img, at, 1, site))
		return -1;
	snprintf(site->what, sizeof(site->what), "where tokio-rustls hands plaintext out "
		 "(Reader::consume%s)", at == vaddr ? ", consume_first_chunk inlined" :
		 ": its ChunkVecBuffer::consume_first_chunk");
	return 0;
}

/* Reader::read(&mut self, buf: &mut [u8]) (rustls's Stream, a blocking
 * app): checked in its code up to its first branch or call, before rdi, rsi
 * or rdx is written: it loads the queue from [rdi + D] (the Reader's
 * pointer: the session, the same queue Reader::consume takes), keeps or uses
 * rsi, and tests rdx (buf.is_empty()). */
static int reader_read_args(const struct x86_func *fn, int *queue_at, char *proof, size_t len)
{
	int tested = 0, kept = 0;

	*queue_at = -1;
	for (size_t i = 0; i < fn->n && i < 32; i++) {
		const struct x86_instr *in = &fn->insns[i];
		const char *p;

		if (!strcmp(in->text, "test rdx, rdx"))
			tested = 1;
		if (stack_store_of(in, "rsi") >= 0)
			kept = 1;
		if (*queue_at < 0 && !strncmp(in->text, "mov ", 4) &&
		    (p = strstr(in->text, ", qword ptr [rdi")) && !x86_writes_reg(in, X86_REG_RDI))
			*queue_at = p[16] == ']' ? 0 : (int)strtol(p + 19, NULL, 0);
		if (tested && kept && *queue_at >= 0 && *queue_at < 256) {
			snprintf(proof, len, "buf: rsi (kept), len: rdx (tested), the queue: "
				 "[rdi + 0x%x] (the session, as at consume)", *queue_at);
			return 0;
		}
		if (in->is_call || in->is_jump || x86_writes_reg(in, X86_REG_RDI) ||
		    x86_writes_reg(in, X86_REG_RSI) || x86_writes_reg(in, X86_REG_RDX))
			break;
	}
	snprintf(proof, len, "Reader::read's code does not show its declared arguments");
	return -1;
}

static int read_site(struct elf_image *img, uint64_t vaddr, uint64_t size,
		     struct probe_site *site, char *why, size_t whylen)
{
	struct x86_func fn;
	int queue_at, ret;

	site_init_c(site, "rustls::Reader::read", DATA_IN, LEN_RET_RDX, LOC_NONE);
	site->desc.fd = FD_SOCKET_BEFORE;
	if (x86_decode(img, vaddr, size, &fn)) {
		snprintf(why, whylen, "Reader::read at 0x%llx does not decode",
			 (unsigned long long)vaddr);
		return -1;
	}
	ret = reader_read_args(&fn, &queue_at, site->proof, sizeof(site->proof));
	x86_func_free(&fn);
	if (ret) {
		snprintf(why, whylen, "%s", site->proof);
		return -1;
	}
	site->desc.session_deref = 1;
	site->desc.session_off = queue_at;
	if (plan_entry_site(img, vaddr, 1, site))
		return -1;
	snprintf(site->what, sizeof(site->what), "rustls's Reader::read (rustls::Stream, "
		 "blocking apps)");
	return 0;
}

/* Which of rustls's Reader functions this build kept, for the plan. */
static void readers_kept(unsigned int readers, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(reader_paths) / sizeof(reader_paths[0]); i++)
		if (readers & (1u << i))
			snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? ", " : "",
				 strrchr(reader_paths[i], ':') + 1);
	if (!out[0])
		snprintf(out, len, "nothing, all inlined");
}

static int plan(struct tls_lib *lib, struct elf_image *img, enum plan_mode mode, char *err,
		size_t errlen)
{
	struct probe_plan *p = &lib->plan;
	struct rustls_funcs f = { 0 };
	char why[256] = "";

	(void)mode; /* the sinks are entry points already */
	elf_image_each_func(img, collect, &f);
	for (int i = 0; i < f.nsinks; i++) {
		struct probe_site site;

		if (sink_site(img, f.sink[i].vaddr, f.sink[i].size, f.sink[i].fn, &site, why,
			      sizeof(why)))
			continue;
		if (plan_add(p, &site))
			break;
		p->planned[DATA_OUT] = 1; /* internal functions, proved: not exported ones */
	}
	for (int i = 0; i < f.nconsumes; i++) {
		struct probe_site site;

		if (take_site(img, f.consume[i].vaddr, f.consume[i].size, &site, why, sizeof(why)))
			continue;
		if (plan_add(p, &site))
			break;
		p->planned[DATA_IN] = 1;
	}
	for (int i = 0; i < f.nreads; i++) {
		struct probe_site site;

		if (read_site(img, f.read[i].vaddr, f.read[i].size, &site, why, sizeof(why)))
			continue;
		if (plan_add(p, &site))
			break;
		p->planned[DATA_IN] = 1;
	}
	if (!p->planned[DATA_IN]) {
		char kept[160];

		readers_kept(f.readers, kept, sizeof(kept));
		snprintf(p->why[DATA_IN], sizeof(p->why[DATA_IN]), "no read site: %.100s (this build "
			 "keeps of rustls's Reader: %.100s)", f.nconsumes || f.nreads ? why :
			 "no Reader::consume or Reader::read", kept);
	}
	snprintf(p->coverage, sizeof(p->coverage), "writes: every path into a connection "
		 "(Writer::write, write_vectored, Stream, tokio-rustls) reaches the sink");
	if (p->nsites)
		return 0;
	if (!f.any_rustls)
		snprintf(err, errlen, "%s: %s linked in without symbols: rustls's functions cannot "
			 "be found; not attached", lib->path, lib->version[0] ? lib->version : "rustls");
	else if (!f.nsinks)
		snprintf(err, errlen, "%s: no PlaintextSink::write of rustls's ConnectionCommon "
			 "(inlined, or a rustls this tracer does not know)", lib->path);
	else
		snprintf(err, errlen, "%s: %s", lib->path, why);
	return -1;
}

const struct tls_backend rustls_backend = {
	.name = "rustls",
	.lib_names = lib_names,
	.companions = companions,
	.classify = classify,
	.plan = plan,
};
