/* bpftrace as a TLS tracer, the way people use it: uprobes on the exported
 * read and write functions of each TLS library file, printing the bytes
 * with buf(). The program is generated per stack from the library files on
 * this host and in Docker's image layers (a probe on a layer's file fires
 * for every container of the image), with only the functions each file
 * exports. One line per call:
 *   TLSPROBE DIR FUNC NSECS PID TID NSIDS LEN COMM HEX
 * (NSIDS: the ids in the target's pid namespace, nspid << 32 | nstid).
 * bpftrace gives no fd and no addresses (not reachable from these
 * functions' arguments), and prints at most BPFTRACE_STRLEN (200 in 0.17)
 * bytes per buf(); the program prints the call's length, so the converter
 * reports the rest as loss rather than hiding it. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "adapter.h"
#include "bpftrace.h"
#include "../../tracer/elfsym.h"
#include "../../tracer/hex.h"
#include "../../tracer/record.h"

#define MAX_LIBS 128
#define STRLEN_MAX 200 /* bpftrace 0.17's largest BPFTRACE_STRLEN */

/* How a probed function hands over its bytes. */
enum shape {
	RET_INT, /* buf in arg1, the byte count is the (32-bit int) return value */
	RET_SSIZE, /* the same, a 64-bit ssize_t */
	RET_EX,  /* buf in arg1, returns 1 and stores the count at *arg3 */
};

struct bt_func {
	const char *name;
	const char *dir; /* "out": the app writes; "in": it reads */
	enum shape shape;
};

struct bt_stack {
	const char *stack;               /* a manifest's stack */
	const char *const *lib_prefixes; /* file names of its libraries */
	const struct bt_func *funcs;     /* NULL-terminated by name */
};

static const char *const libssl[] = { "libssl.so.1.1", "libssl.so.3", NULL };
static const char *const libssl_boring[] = { "libssl.so.0", NULL };
static const char *const libgnutls[] = { "libgnutls.so.30", NULL };
static const char *const libnspr[] = { "libnspr4.so", NULL };

static const struct bt_func ssl_funcs[] = {
	{ "SSL_write", "out", RET_INT }, { "SSL_read", "in", RET_INT },
	{ "SSL_write_ex", "out", RET_EX }, { "SSL_read_ex", "in", RET_EX }, {},
};
static const struct bt_func gnutls_funcs[] = {
	{ "gnutls_record_send", "out", RET_SSIZE }, { "gnutls_record_recv", "in", RET_SSIZE }, {},
};
static const struct bt_func nspr_funcs[] = {
	{ "PR_Write", "out", RET_INT }, { "PR_Send", "out", RET_INT },
	{ "PR_Read", "in", RET_INT },   { "PR_Recv", "in", RET_INT }, {},
};

/* The stacks whose libraries it can probe by name; a stack linked into an
 * executable (openssl-static, Go, rustls) is not claimed. */
static const struct bt_stack bt_stacks[] = {
	{ "openssl", libssl, ssl_funcs },
	{ "custom-bio", libssl, ssl_funcs },
	{ "boringssl", libssl_boring, ssl_funcs },
	{ "gnutls", libgnutls, gnutls_funcs },
	{ "nss", libnspr, nspr_funcs },
	{},
};

static const char *const claimed_stacks[] = { "openssl", "custom-bio", "boringssl", "gnutls",
					      "nss", NULL };

/* The events' "stack" for a probed function: the first stack that has it. */
static const char *stack_of_func(const char *func)
{
	for (const struct bt_stack *s = bt_stacks; s->stack; s++)
		for (const struct bt_func *fn = s->funcs; fn->name; fn++)
			if (!strcmp(fn->name, func))
				return s->stack;
	return "";
}

static const struct bt_stack *stack_find(const char *stack)
{
	for (const struct bt_stack *s = bt_stacks; s->stack; s++)
		if (!strcmp(s->stack, stack))
			return s;
	return NULL;
}

/* ---- finding the library files ---- */

struct lib_list {
	char path[MAX_LIBS][512];
	dev_t dev[MAX_LIBS];
	ino_t ino[MAX_LIBS];
	int n;
};

static int name_matches(const char *name, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (!strncmp(name, *prefixes, strlen(*prefixes)))
			return 1;
	return 0;
}

/* A regular file (not a symlink: its target is found by its own name), once
 * per inode: image layers share files. */
static void add_lib(struct lib_list *libs, const char *path)
{
	struct stat st;

	if (lstat(path, &st) || !S_ISREG(st.st_mode))
		return;
	for (int i = 0; i < libs->n; i++)
		if (libs->dev[i] == st.st_dev && libs->ino[i] == st.st_ino)
			return;
	if (libs->n == MAX_LIBS) {
		fprintf(stderr, "bpftrace adapter: more than %d library files: %s not probed\n",
			MAX_LIBS, path);
		return;
	}
	if (strlen(path) >= sizeof(libs->path[0]))
		return;
	snprintf(libs->path[libs->n], sizeof(libs->path[0]), "%.511s", path);
	libs->dev[libs->n] = st.st_dev;
	libs->ino[libs->n] = st.st_ino;
	libs->n++;
}

static void scan_dir(struct lib_list *libs, const char *dir, const char *const *prefixes)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024];

	while (d && (e = readdir(d))) {
		if (!name_matches(e->d_name, prefixes))
			continue;
		snprintf(path, sizeof(path), "%.700s/%.255s", dir, e->d_name);
		add_lib(libs, path);
	}
	if (d)
		closedir(d);
}

/* Where Debian puts shared libraries, under root ("" for the host's). */
static void scan_root(struct lib_list *libs, const char *root, const char *const *prefixes)
{
	static const char *const dirs[] = { "usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu",
					    "usr/lib/x86_64-linux-gnu/android", NULL };
	char dir[1024];

	for (const char *const *d = dirs; *d; d++) {
		snprintf(dir, sizeof(dir), "%.600s/%s", root, *d);
		scan_dir(libs, dir, prefixes);
	}
}

/* The host's libraries, then every Docker image layer's. */
static void find_libs(struct lib_list *libs, const char *const *prefixes)
{
	glob_t layers;

	scan_root(libs, "", prefixes);
	if (glob("/var/lib/docker/overlay2/*/diff", GLOB_NOSORT, NULL, &layers))
		return;
	for (size_t i = 0; i < layers.gl_pathc; i++)
		scan_root(libs, layers.gl_pathv[i], prefixes);
	globfree(&layers);
}

/* ---- the program ---- */

/* The ids in the target's pid namespace, which bpftrace 0.17 has no
 * builtin for: struct pid's numbers[level] (the kernel's array has no fixed
 * size, so it is reached through a pointer), packed into one map value at
 * entry: the return probe's stack (512 bytes) holds buf()'s copy twice. */
static const char ns_ids[] =
	"$p = curtask->thread_pid; $g = curtask->group_leader->thread_pid; "
	"$pa = (uint64)((struct upid *)$p->numbers) + $p->level * sizeof(struct upid); "
	"$ga = (uint64)((struct upid *)$g->numbers) + $g->level * sizeof(struct upid); "
	"@ns[tid] = ((uint64)((struct upid *)$ga)->nr << 32) | (uint64)((struct upid *)$pa)->nr; ";

/* Entry: only the outermost TLS call of a thread counts (SSL_write_ex
 * reaching SSL_write_ex2, NSS's layers calling each other's PR_*). */
static void write_entry(FILE *f, const char *lib, const struct bt_func *fn, const char *comm)
{
	fprintf(f, "uprobe:%s:%s /comm == \"%s\"/ { @depth[tid]++; if (@depth[tid] == 1) { "
		"@buf[tid] = arg1; @cnt[tid] = arg3; %s} }\n", lib, fn->name, comm, ns_ids);
}

static void write_return(FILE *f, const char *lib, const struct bt_func *fn, const char *comm)
{
	fprintf(f, "uretprobe:%s:%s /comm == \"%s\" && @depth[tid]/ { ", lib, fn->name, comm);
	/* an int's -1 is 0xffffffff in rax: sign-extend it from 32 bits */
	if (fn->shape == RET_INT)
		fprintf(f, "$n = (int64)(int32)retval; ");
	else if (fn->shape == RET_SSIZE)
		fprintf(f, "$n = (int64)retval; ");
	else
		fprintf(f, "$n = (int64)0; if ((int32)retval == 1) { $n = (int64)*(uint64 *)@cnt[tid]; } ");
	/* buf()'s length clamped where the verifier can see it */
	fprintf(f, "if (@depth[tid] == 1 && $n > 0) { $k = $n; if ($k > %d) { $k = %d; } "
		"printf(\"TLSPROBE %s %s %%lu %%d %%d %%lu %%ld %%s %%rx\\n\", nsecs, pid, tid, "
		"@ns[tid], $n, comm, buf(@buf[tid], $k)); } "
		"@depth[tid]--; if (@depth[tid] == 0) { delete(@depth[tid]); delete(@buf[tid]); "
		"delete(@cnt[tid]); delete(@ns[tid]); } }\n", STRLEN_MAX, STRLEN_MAX, fn->dir,
		fn->name);
}

/* Writes the program for stack into path: 0, or -1 (err). */
int bpftrace_write_program(const char *stack, const char *comm, const char *path, char *err,
			   size_t errlen)
{
	const struct bt_stack *s = stack_find(stack);
	struct lib_list *libs;
	int probes = 0;
	FILE *f;

	if (!s) {
		snprintf(err, errlen, "the bpftrace adapter has no probes for stack %s", stack);
		return -1;
	}
	libs = calloc(1, sizeof(*libs));
	f = libs ? fopen(path, "w") : NULL;
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		free(libs);
		return -1;
	}
	find_libs(libs, s->lib_prefixes);
	fprintf(f, "// tlsprobe's bpftrace adapter, stack %s: %d library files\n", stack, libs->n);
	for (int i = 0; i < libs->n; i++) {
		struct elf_image *img = elf_image_open(libs->path[i]);
		uint64_t off;

		for (const struct bt_func *fn = s->funcs; img && fn->name; fn++) {
			if (elf_image_func_offset(img, fn->name, &off))
				continue;
			write_entry(f, libs->path[i], fn, comm);
			write_return(f, libs->path[i], fn, comm);
			probes += 2;
		}
		if (img)
			elf_image_close(img);
	}
	/* BEGIN runs once every probe is attached: the ready line. */
	fprintf(f, "BEGIN { printf(\"%s\\n\"); }\n", BPFTRACE_READY_LINE);
	fclose(f);
	free(libs);
	if (!probes) {
		snprintf(err, errlen, "no %s library with its read/write functions on this host "
			 "or in Docker's image layers", stack);
		return -1;
	}
	return 0;
}

static int bpftrace_command(const struct adapter_run *run, char *cmd, size_t len, char *err,
			    size_t errlen)
{
	char program[1024];

	snprintf(program, sizeof(program), "%s/bpftrace.bt", run->dir);
	if (bpftrace_write_program(run->stack, run->comm, program, err, errlen))
		return -1;
	/* 0.17 refuses more than 512 probes by default: every image layer's
	 * copy of a library gets 8 */
	snprintf(cmd, len, "BPFTRACE_STRLEN=%d BPFTRACE_MAX_PROBES=%d exec ", STRLEN_MAX,
		 MAX_LIBS * 8);
	if (adapter_shell_quote(run->tracer_bin ? run->tracer_bin : bpftrace_adapter.default_bin,
				cmd, len) || strlen(cmd) + 2 >= len) {
		snprintf(err, errlen, "the bpftrace command is too long");
		return -1;
	}
	strcat(cmd, " ");
	if (adapter_shell_quote(program, cmd, len)) {
		snprintf(err, errlen, "the bpftrace command is too long");
		return -1;
	}
	return 0;
}

/* ---- the converter ---- */

/* "\x47\x45" → bytes; the count, or -1 if it is not that. */
static long unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (s[0] == '\\' && s[1] == 'x' && s[2] && s[3] && n < max) {
		if (hex_digit(s[2]) < 0 || hex_digit(s[3]) < 0)
			return -1;
		out[n++] = (uint8_t)(hex_digit(s[2]) << 4 | hex_digit(s[3]));
		s += 4;
	}
	return *s && *s != '\n' ? -1 : (long)n;
}

static void fill_record(struct record *r, const char *dir, const char *func, uint64_t ts,
			int pid, int tid, int nspid, int nstid, const char *comm, const char *stack)
{
	memset(r, 0, sizeof(*r));
	r->ts_ns = ts;
	r->pid = pid;
	r->tid = tid;
	r->nspid = nspid;
	r->nstid = nstid;
	r->fd = -1;
	snprintf(r->comm, sizeof(r->comm), "%.15s", comm);
	snprintf(r->func, sizeof(r->func), "%s", func);
	snprintf(r->stack, sizeof(r->stack), "%s", stack);
	r->dir = !strcmp(dir, "out") ? DIR_OUT : DIR_IN;
}

/* One TLSPROBE line: a data record of the bytes printed, and a loss record
 * of the rest of the call (bpftrace's buf() stops at BPFTRACE_STRLEN). */
static int convert_line(const char *line, FILE *events)
{
	char dir[8], func[64], comm[32], hex[STRLEN_MAX * 4 + 8];
	uint8_t data[STRLEN_MAX];
	unsigned long long ts, ns_ids;
	int pid, tid;
	long long len;
	long got;
	struct record r;

	if (sscanf(line, "TLSPROBE %7s %63s %llu %d %d %llu %lld %31s %807s", dir, func, &ts,
		   &pid, &tid, &ns_ids, &len, comm, hex) != 9)
		return -1;
	got = unhex(hex, data, sizeof(data));
	if (got < 0 || len < got)
		return -1;
	fill_record(&r, dir, func, ts, pid, tid, ns_ids >> 32, ns_ids & 0xffffffff, comm,
		    stack_of_func(func));
	r.type = RECORD_DATA;
	r.len = got;
	r.data = data;
	record_write_json(events, &r);
	if (len > got) {
		r.type = RECORD_LOSS;
		r.data = NULL;
		r.len = len;
		r.offset = got;
		r.lost = len - got;
		snprintf(r.reason, sizeof(r.reason), "bpftrace prints at most %d bytes per buf()",
			 STRLEN_MAX);
		record_write_json(events, &r);
	}
	return 0;
}

int bpftrace_convert(FILE *raw, FILE *events, char *err, size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0, bad = 0, lost_events = 0;

	while (getline(&line, &cap, raw) > 0) {
		long n;

		lineno++;
		if (!strncmp(line, "TLSPROBE ", 9)) {
			bad += convert_line(line, events) != 0;
			continue;
		}
		/* "Lost 36 events": the perf buffer was full; those calls are
		 * unknown, so they cannot become loss records of a connection. */
		if (sscanf(line, "Lost %ld events", &n) == 1)
			lost_events += n;
	}
	free(line);
	if (lost_events)
		fprintf(stderr, "bpftrace adapter: bpftrace lost %ld events (perf buffer full): "
			"their calls are missing from the capture\n", lost_events);
	if (bad) {
		snprintf(err, errlen, "%ld of %ld lines looked like events but could not be read",
			 bad, lineno);
		return -1;
	}
	return 0;
}

const struct adapter bpftrace_adapter = {
	.name = "bpftrace",
	.summary = "bpftrace (--tracer-bin, default: bpftrace on PATH): uprobes on the exported "
		   "read/write functions, <= 200 bytes a call in 0.17",
	.ready_line = BPFTRACE_READY_LINE,
	.version_arg = "--version",
	.default_bin = "bpftrace",
	/* No fd, no addresses: nothing in these functions' arguments leads to
	 * the socket. Bytes past buf()'s limit are reported as loss. */
	.claimed_checks = CLAIM(CHECK_BYTES) | CLAIM(CHECK_BOUNDARIES) | CLAIM(CHECK_PROCESS) |
			  CLAIM(CHECK_LOSS),
	.claimed_stacks = claimed_stacks,
	.command = bpftrace_command,
	.convert = bpftrace_convert,
};
