/* The Go backend (tracer/libs/go.c) on the Go samples (tests/go_samples.h):
 * - the return instructions it probes are exactly the RETs Go's own
 *   disassembler (`go tool objdump`, rets.txt) shows in (*Conn).Write/Read,
 *   for every toolchain and build (a stripped build: those of its build
 *   with symbols, the code being the same);
 * - the entry site is the prologue's branch to morestack, emulated, inside
 *   the function, and where g is follows the ABI (r14; fs:-8 for Go 1.15);
 * - the fd chain's offsets and where g keeps its stack bounds (go.c's
 *   table) are those the DWARF of each release's binary says (truth.txt,
 *   "layout" lines);
 * - releases outside the table are refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "assert.h"
#include "elfsym.h"
#include "libs/backend.h"
#include "libs/go.h"
#include "go_samples.h"

static const char *const funcs[] = { "crypto/tls.(*Conn).Write", "crypto/tls.(*Conn).Read" };

/* The RETs rets.txt lists for build's func, in address order. */
static int objdump_rets(const char *rets_path, const char *build, const char *func,
			uint64_t *addr, int max)
{
	char line[512], b[32], f[256];
	uint64_t a;
	int n = 0;
	FILE *fp = fopen(rets_path, "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "ret %31s %255s %" SCNx64, b, f, &a) == 3 && !strcmp(b, build) &&
		    !strcmp(f, func) && n < max)
			addr[n++] = a;
	fclose(fp);
	return n;
}

static void plan_sample(const char *path, struct tls_lib *lib)
{
	char err[512];

	memset(lib, 0, sizeof(*lib));
	snprintf(lib->path, sizeof(lib->path), "%s", path);
	snprintf(lib->host_path, sizeof(lib->host_path), "%s", path);
	if (backend_plan_lib(lib, PLAN_AUTO, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	assert_non_null(lib->backend);
	assert_string_equal(lib->backend->name, "go");
	assert_int_equal(lib->plan.nsites, 2);
}

static void check_site(const struct probe_site *site, const char *func, int register_abi)
{
	assert_string_equal(site->func, func);
	assert_int_equal(site->desc.kind, SITE_ENTRY_RET_INSNS);
	assert_int_equal(site->desc.state, STATE_GOROUTINE);
	assert_int_equal(site->desc.fd, FD_OBJECT_CHAIN);
	assert_int_equal(site->desc.len, LEN_LOC64);
	assert_int_equal(site->cls, PROBE_EMULATED);
	assert_true(site->insn.is_jump && !site->insn.ends_flow);
	if (register_abi) {
		assert_int_equal(site->desc.session, LOC_RAX);
		assert_int_equal(site->desc.buf, LOC_RBX);
		assert_int_equal(site->desc.count, LOC_RAX);
		assert_int_equal(site->ext.g_loc, LOC_R14);
	} else {
		assert_int_equal(site->desc.session, LOC_STACK | 1);
		assert_int_equal(site->desc.buf, LOC_STACK | 2);
		assert_int_equal(site->desc.count, LOC_STACK | 5);
		assert_int_equal(site->ext.g_loc, LOC_NONE);
		assert_int_equal(site->ext.g_tls, -8);
	}
}

static void plan_matches_objdump(void **state)
{
	const struct sample *s = *state;
	char path[PATH_MAX], rets_path[PATH_MAX], rel[64];
	/* a stripped build has no symbols for objdump: its default build's RETs */
	const char *truth_build = strcmp(s->build, "stripped") ? s->build : "default";
	struct tls_lib lib;

	snprintf(rel, sizeof(rel), "%s/tlsdial", s->build);
	if (!sample_file(s->go, rel, path, sizeof(path)) ||
	    !sample_file(s->go, "rets.txt", rets_path, sizeof(rets_path)))
		skip();
	plan_sample(path, &lib);
	print_message("%s: %s\n", path, lib.version);
	for (int f = 0; f < 2; f++) {
		const struct probe_site *site = plan_site(&lib.plan, funcs[f]);
		uint64_t want[RET_SITES_MAX];
		int n = objdump_rets(rets_path, truth_build, funcs[f], want, RET_SITES_MAX);

		assert_non_null(site);
		check_site(site, funcs[f], strcmp(s->go, "go1.15") != 0);
		assert_true(n > 0);
		assert_int_equal(site->nrets, n);
		for (int r = 0; r < n; r++)
			assert_int_equal(site->rets[r].ret_vaddr, want[r]);
		/* the entry site is in the function, before its first return */
		assert_true(site->vaddr < site->rets[0].vaddr);
	}
}

/* The sum of the truth's "layout NAME OFFSET" lines for these names (one of
 * them each: the alternatives are the same member in other releases), or
 * -1 when one is missing. */
static long dwarf_offset(const char *truth_path, const char *const *names, int n)
{
	char line[512], name[256];
	long off, sum = 0;
	int found = 0;
	FILE *fp = fopen(truth_path, "r");

	assert_non_null(fp);
	/* only the default build's lines: the first binary's */
	while (fgets(line, sizeof(line), fp)) {
		if (!strncmp(line, "binary ", 7) && strstr(line, "binary default/") != line)
			break;
		if (sscanf(line, "layout %255s %ld", name, &off) != 2)
			continue;
		for (int i = 0; i < n; i++)
			if (!strcmp(name, names[i])) {
				sum += off;
				found++;
			}
	}
	fclose(fp);
	return found ? sum : -1;
}

static void layout_matches_dwarf(void **state)
{
	const struct sample *s = *state;
	static const char *const conn[] = { "crypto/tls.Conn.conn" };
	static const char *const tcp_fd[] = { "net.TCPConn.conn", "net.conn.fd" };
	static const char *const sysfd[] = { "net.netFD.pfd", "internal/poll.FD.Sysfd" };
	static const char *const fun[] = { "runtime.itab.fun", "internal/abi.ITab.Fun" };
	static const char *const g_stack[] = { "runtime.g.stack" };
	static const char *const lo[] = { "runtime.stack.lo" }, *const hi[] = { "runtime.stack.hi" };
	char truth_path[PATH_MAX], path[PATH_MAX];
	struct go_layout_view layout;
	struct tls_lib lib;
	int major, minor;

	if (!sample_file(s->go, "default/tlsdial", path, sizeof(path)) ||
	    !sample_file(s->go, "truth.txt", truth_path, sizeof(truth_path)))
		skip();
	assert_int_equal(sscanf(s->go, "go%d.%d", &major, &minor), 2);
	assert_non_null(go_layout_for(major, minor, &layout));
	assert_int_equal(layout.tls_conn_conn, dwarf_offset(truth_path, conn, 1));
	assert_int_equal(layout.tcpconn_fd, dwarf_offset(truth_path, tcp_fd, 2));
	assert_int_equal(layout.netfd_sysfd, dwarf_offset(truth_path, sysfd, 2));
	assert_int_equal(layout.itab_fun, dwarf_offset(truth_path, fun, 2));
	assert_int_equal(layout.g_stack, dwarf_offset(truth_path, g_stack, 1));
	assert_int_equal(0, dwarf_offset(truth_path, lo, 1));
	assert_int_equal(8, dwarf_offset(truth_path, hi, 1));
	/* and the plan carries them */
	plan_sample(path, &lib);
	for (int i = 0; i < 2; i++) {
		const struct site_ext *x = &lib.plan.sites[i].ext;

		assert_int_equal(x->iface_off, layout.tls_conn_conn);
		assert_int_equal(x->check_off, layout.itab_fun);
		assert_int_equal(x->nderef, 1);
		assert_int_equal(x->deref[0], layout.tcpconn_fd);
		assert_int_equal(x->fd_off, layout.netfd_sysfd);
		assert_int_equal(x->g_stack, layout.g_stack);
	}
}

/* The method the chain's check expects, found in the stripped build's
 * function table, is net.(*TCPConn).Close by the default build's .symtab
 * (-s -w changes no code address). */
static void check_names_tcpconn_close(void **state)
{
	const struct sample *s = *state;
	char path[PATH_MAX], stripped[PATH_MAX];
	struct elf_image *img;
	uint64_t close_vaddr, size;
	struct tls_lib lib;

	if (!sample_file(s->go, "default/tlsdial", path, sizeof(path)) ||
	    !sample_file(s->go, "stripped/tlsdial", stripped, sizeof(stripped)))
		skip();
	plan_sample(stripped, &lib);
	img = elf_image_open(path);
	assert_non_null(img);
	assert_int_equal(elf_image_symbol(img, "net.(*TCPConn).Close", &close_vaddr, &size), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(lib.plan.sites[i].vaddr + lib.plan.sites[i].ext.check_delta,
			      close_vaddr);
	elf_image_close(img);
}

static void unknown_releases_refused(void **state)
{
	struct go_layout_view layout;

	(void)state;
	assert_null(go_layout_for(1, 14, &layout));
	assert_null(go_layout_for(1, 28, &layout));
	assert_null(go_layout_for(2, 0, &layout));
	assert_non_null(go_layout_for(1, 15, &layout));
	assert_non_null(go_layout_for(1, 27, &layout));
}

int main(void)
{
	static struct sample samples[NTOOLCHAINS * NBUILDS], defaults[NTOOLCHAINS][2];
	struct CMUnitTest tests[1 + NTOOLCHAINS * NBUILDS + NTOOLCHAINS * 2] = {
		cmocka_unit_test(unknown_releases_refused),
	};
	size_t n = 1;

	say_toolchains_left_out();
	for (size_t g = 0; g < NTOOLCHAINS; g++)
		for (size_t b = 0; b < NBUILDS && toolchain_chosen(toolchains[g]); b++) {
			struct sample *s = &samples[g * NBUILDS + b];

			s->go = toolchains[g];
			s->build = builds[b];
			snprintf(s->name, sizeof(s->name), "%s/%s returns", s->go, s->build);
			tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(plan_matches_objdump, s);
			tests[n++].name = s->name;
		}
	for (size_t g = 0; g < NTOOLCHAINS; g++) {
		for (int k = 0; k < 2 && toolchain_chosen(toolchains[g]); k++) {
			struct sample *s = &defaults[g][k];

			s->go = toolchains[g];
			s->build = "default";
			snprintf(s->name, sizeof(s->name), "%s %s", s->go,
				 k ? "fd check on Close" : "layout");
			tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
				k ? check_names_tcpconn_close : layout_matches_dwarf, s);
			tests[n++].name = s->name;
		}
	}
	return _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
}
