/* The Go parsers (tracer/gopclntab.c, tracer/gobuildinfo.c):
 * - on hand-built tables, one per pclntab layout, the text start from the
 *   header, a relocation or the moduledata (Go 1.26+ leaves it 0), and
 *   broken tables that must be refused, never half-read;
 * - on real binaries: tests/go-samples/tlsdial built by Go 1.15, 1.19, 1.22,
 *   1.24 and the newest, each default, stripped, CGO_ENABLED=0 and PIE, by
 *   scripts/go-samples.sh into build/go-samples (or $TLSPROBE_GO_SAMPLES),
 *   with the ground truth Go's own debug/gosym read from each. Without them
 *   those tests are skipped, saying so; with TLSPROBE_NO_SKIP=1 (make test)
 *   they fail. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "assert.h"
#include "elfsym.h"
#include "gobuildinfo.h"
#include "gopclntab.h"
#include "go_samples.h"

/* ---- hand-built tables ---------------------------------------------- */

#define TEXT 0x401000ULL	/* where the synthetic text starts */
#define TEXT_SIZE 0x1000ULL
#define TAB 0x500000ULL		/* where the synthetic pclntab is */
#define MD 0x600000ULL		/* where the synthetic moduledata is */

struct fake_func {
	const char *name;
	uint64_t off;		/* from TEXT */
};

static const struct fake_func fake_funcs[] = {
	{ "runtime.text", 0x0 },
	{ "crypto/tls.(*Conn).Write", 0x100 },
	{ "crypto/tls.(*Conn).Read", 0x340 },
};
#define NFAKE 3
#define FAKE_END 0x400		/* the last function's end, from TEXT */

/* A synthetic binary: the table, a moduledata and what the image says. */
struct fake {
	uint8_t tab[1024];
	size_t len;
	uint8_t md[192];
	uint64_t md_addr;
	uint64_t reloc_slot, reloc_value;	/* one RELATIVE relocation, if slot */
	bool with_md_symbol;
	struct go_image gi;
	/* where the builder put the parts, for tests that break one */
	size_t functab_off, records_off, names_off;
};

static void put32(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int fake_symbol(void *ctx, const char *name, uint64_t *value)
{
	struct fake *f = ctx;

	if (f->with_md_symbol && !strcmp(name, "runtime.firstmoduledata")) {
		*value = f->md_addr;
		return 0;
	}
	return -ENOENT;
}

static int fake_relative(void *ctx, uint64_t slot, uint64_t *value)
{
	struct fake *f = ctx;

	if (!f->reloc_slot || slot != f->reloc_slot)
		return -ENOENT;
	*value = f->reloc_value;
	return 0;
}

static unsigned header_words(uint32_t magic)
{
	return magic == GO_PCLN_12 ? 1 : magic == GO_PCLN_116 ? 7 : 8;
}

/* Writes a table of the fake functions in magic's layout; text_start goes
 * into a 1.18+ header (0: as Go 1.26 writes it). */
static void build_table(struct fake *f, uint32_t magic, uint64_t text_start)
{
	bool v118 = magic == GO_PCLN_118 || magic == GO_PCLN_120;
	unsigned field = v118 ? 4 : 8, rec_size = v118 ? 8 : 16;
	size_t hdr = 8 + 8 * header_words(magic), names, functab, records, at;
	uint8_t *t = f->tab;

	memset(t, 0, sizeof(f->tab));
	put32(t, magic);
	t[6] = 1;
	t[7] = 8;
	put64(t + 8, NFAKE);
	/* 1.2: the function table right after nfunc, names after the records */
	functab = magic == GO_PCLN_12 ? hdr : hdr + 128;
	records = functab + (2 * NFAKE + 1) * field + 4;
	names = magic == GO_PCLN_12 ? records + NFAKE * rec_size : hdr;
	for (size_t i = 0, n = names; i < NFAKE; i++) {
		size_t base_rec = magic == GO_PCLN_12 ? 0 : functab;
		size_t base_name = magic == GO_PCLN_12 ? 0 : names;
		size_t rec = records + i * rec_size;
		uint64_t entry = v118 ? fake_funcs[i].off : TEXT + fake_funcs[i].off;

		strcpy((char *)t + n, fake_funcs[i].name);
		(field == 4 ? put32 : put64)(t + functab + 2 * i * field, entry);
		(field == 4 ? put32 : put64)(t + functab + (2 * i + 1) * field, rec - base_rec);
		(field == 4 ? put32 : put64)(t + rec, entry);
		put32(t + rec + field, n - base_name);
		n += strlen(fake_funcs[i].name) + 1;
		at = n;
	}
	(field == 4 ? put32 : put64)(t + functab + 2 * NFAKE * field,
				     v118 ? FAKE_END : TEXT + FAKE_END);
	if (magic == GO_PCLN_116) {
		put64(t + 8 + 8 * 2, names);
		put64(t + 8 + 8 * 6, functab);
	} else if (v118) {
		put64(t + 8 + 8 * 2, text_start);
		put64(t + 8 + 8 * 3, names);
		for (unsigned w = 4; w <= 6; w++)	/* cu, file, pc tables: unused here */
			put64(t + 8 + 8 * w, names);
		put64(t + 8 + 8 * 7, functab);
	}
	f->functab_off = functab;
	f->records_off = records;
	f->names_off = names;
	f->len = magic == GO_PCLN_12 ? at : records + NFAKE * rec_size;
}

/* A Go 1.16+ moduledata for the table at TAB, with its text at text. */
static void build_moduledata(struct fake *f, uint64_t text)
{
	uint8_t *m = f->md;
	uint64_t names = f->names_off, functab = f->functab_off;
	const uint64_t slices[6][2] = {
		{ names, 16 }, { names, 4 }, { names, 8 }, { names, 8 }, { functab, 32 },
		{ functab, NFAKE + 1 },
	};

	memset(m, 0, sizeof(f->md));
	put64(m, TAB);
	for (int i = 0; i < 6; i++) {
		put64(m + 8 + 24 * i, TAB + slices[i][0]);
		put64(m + 8 + 24 * i + 8, slices[i][1]);
		put64(m + 8 + 24 * i + 16, slices[i][1]);
	}
	put64(m + 160, text + fake_funcs[0].off);	/* minpc */
	put64(m + 168, text + FAKE_END);		/* maxpc */
	put64(m + 176, text);
	put64(m + 184, text + FAKE_END + 0x10);	/* etext */
}

/* The image: text (no bytes needed), the table, the moduledata (when md_addr). */
static void build_image(struct fake *f)
{
	struct go_region text = { .name = ".text", .addr = TEXT, .size = TEXT_SIZE, .exec = true };
	struct go_region tab = { .name = ".gopclntab", .addr = TAB, .size = f->len, .bytes = f->tab };
	struct go_region md = { .name = ".noptrdata", .addr = f->md_addr, .size = sizeof(f->md),
				.bytes = f->md, .write = true };

	memset(&f->gi, 0, sizeof(f->gi));
	f->gi.symbol = fake_symbol;
	f->gi.relative = fake_relative;
	f->gi.ctx = f;
	assert_int_equal(go_image_add(&f->gi, &text), 0);
	assert_int_equal(go_image_add(&f->gi, &tab), 0);
	if (f->md_addr)
		assert_int_equal(go_image_add(&f->gi, &md), 0);
}

/* The table's functions are the fake ones, at their addresses. */
static void assert_fake_functions(const struct gopclntab *tab)
{
	struct go_func fn;

	assert_int_equal(tab->nfunc, NFAKE);
	for (uint64_t i = 0; i < NFAKE; i++) {
		uint64_t end = i + 1 < NFAKE ? fake_funcs[i + 1].off : FAKE_END;

		assert_int_equal(gopclntab_func(tab, i, &fn), 0);
		assert_string_equal(fn.name, fake_funcs[i].name);
		assert_int_equal(fn.entry, TEXT + fake_funcs[i].off);
		assert_int_equal(fn.end, TEXT + end);
	}
	assert_int_equal(gopclntab_func(tab, NFAKE, &fn), -ERANGE);
	assert_int_equal(gopclntab_find(tab, "crypto/tls.(*Conn).Read", &fn), 0);
	assert_int_equal(fn.entry, TEXT + 0x340);
	assert_int_equal(fn.end, TEXT + FAKE_END);
	assert_int_equal(gopclntab_find(tab, "crypto/tls.(*Conn).Rea", &fn), -ENOENT);
}

struct layout_case {
	const char *what;
	uint32_t magic;
	uint64_t header_text;	/* textStart in the header (1.18+) */
	uint64_t reloc_text;	/* what a relocation of that word says (0: none) */
	uint64_t md_addr;	/* a moduledata (0: none) */
	bool md_symbol;		/* runtime.firstmoduledata names it */
	const char *text_from;	/* where the text start must come from */
};

static const struct layout_case layouts[] = {
	{ "1.2-1.15", GO_PCLN_12, 0, 0, 0, false, "" },
	{ "1.16-1.17", GO_PCLN_116, 0, 0, 0, false, "" },
	{ "1.18-1.19", GO_PCLN_118, TEXT, 0, 0, false, "header" },
	{ "1.20-1.25", GO_PCLN_120, TEXT, 0, 0, false, "header" },
	{ "1.20-1.25 PIE", GO_PCLN_120, 0, TEXT, 0, false, "relocation" },
	{ "1.26 with .symtab", GO_PCLN_120, 0, 0, MD, true, "runtime.firstmoduledata" },
	{ "1.26 stripped", GO_PCLN_120, 0, 0, MD + 0x40, false, "moduledata in .noptrdata" },
};

static void every_layout(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout_case *c = &layouts[i];
		struct fake *f = calloc(1, sizeof(*f));
		struct gopclntab tab;
		char err[256] = "";

		print_message("layout %s\n", c->what);
		assert_non_null(f);
		build_table(f, c->magic, c->header_text);
		f->md_addr = c->md_addr;
		f->with_md_symbol = c->md_symbol;
		if (c->reloc_text) {
			f->reloc_slot = TAB + 8 + 8 * 2;
			f->reloc_value = c->reloc_text;
		}
		if (c->md_addr)
			build_moduledata(f, TEXT);
		build_image(f);
		if (gopclntab_open(&f->gi, &tab, err, sizeof(err)))
			fail_msg("%s: %s", c->what, err);
		assert_int_equal(tab.magic, c->magic);
		assert_string_equal(tab.found_by, ".gopclntab");
		assert_string_equal(tab.text_start_from, c->text_from);
		assert_fake_functions(&tab);
		free(f);
	}
}

/* A 1.26 table, textStart 0, its moduledata broken by how. */
struct md_case {
	const char *what;
	void (*breaks)(struct fake *f);
	bool md_symbol;
	const char *error;
};

static void md_other_text(struct fake *f) { put64(f->md + 176, TEXT + 0x10); }
static void md_text_outside(struct fake *f) { build_moduledata(f, 0x900000); }
static void md_other_header(struct fake *f) { put64(f->md, TAB + 8); }
static void md_ftab_length(struct fake *f) { put64(f->md + 128 + 8, NFAKE); }
static void md_slice_outside(struct fake *f) { put64(f->md + 8, TAB + 4096); }
static void md_etext_short(struct fake *f) { put64(f->md + 184, TEXT + 0x200); }
static void md_none(struct fake *f) { memset(f->md, 0, sizeof(f->md)); }

static const struct md_case md_cases[] = {
	{ "text disagrees with minpc", md_other_text, false, "no valid moduledata" },
	{ "text outside .text", md_text_outside, false, "no valid moduledata" },
	{ "another header", md_other_header, false, "no valid moduledata" },
	{ "ftab length", md_ftab_length, false, "no valid moduledata" },
	{ "funcnametab outside", md_slice_outside, false, "no valid moduledata" },
	{ "etext before maxpc", md_etext_short, false, "no valid moduledata" },
	{ "no moduledata at all", md_none, false, "no valid moduledata" },
	{ "symbol names a broken one", md_other_text, true, "runtime.firstmoduledata at" },
};

/* Never a plausible guess: a moduledata that does not prove the text start
 * leaves the table unopened. */
static void moduledata_must_validate(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(md_cases) / sizeof(md_cases[0]); i++) {
		const struct md_case *c = &md_cases[i];
		struct fake *f = calloc(1, sizeof(*f));
		struct gopclntab tab;
		char err[256] = "";

		print_message("moduledata: %s\n", c->what);
		assert_non_null(f);
		build_table(f, GO_PCLN_120, 0);
		f->md_addr = MD;
		f->with_md_symbol = c->md_symbol;
		build_moduledata(f, TEXT);
		c->breaks(f);
		build_image(f);
		assert_int_equal(gopclntab_open(&f->gi, &tab, err, sizeof(err)), -EINVAL);
		assert_contains(err, c->error);
		free(f);
	}
}

/* Two moduledata that both validate but disagree: refused, not picked. */
static void two_moduledata_refused(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct gopclntab tab;
	char err[256] = "";
	uint8_t second[192];
	struct go_region r = { .name = ".data", .addr = 0x700000, .size = sizeof(second),
			       .bytes = second, .write = true };
	(void)state;

	assert_non_null(f);
	build_table(f, GO_PCLN_120, 0);
	f->md_addr = MD;
	build_moduledata(f, TEXT + 0x20);
	memcpy(second, f->md, sizeof(second));
	build_moduledata(f, TEXT);
	build_image(f);
	assert_int_equal(go_image_add(&f->gi, &r), 0);
	assert_int_equal(gopclntab_open(&f->gi, &tab, err, sizeof(err)), -EINVAL);
	assert_contains(err, "two moduledata");
	free(f);
}

/* Broken tables, each refused with a reason. */
struct broken_case {
	const char *what;
	uint32_t magic;
	void (*breaks)(struct fake *f);
	const char *error;
};

static void bad_magic(struct fake *f) { put32(f->tab, 0xfffffff2); }
static void bad_ptrsize(struct fake *f) { f->tab[7] = 4; }
static void bad_quantum(struct fake *f) { f->tab[6] = 4; }
static void too_many(struct fake *f) { put64(f->tab + 8, 1ULL << 60); }
static void no_funcs(struct fake *f) { put64(f->tab + 8, 0); }
static void unsorted(struct fake *f) { put32(f->tab + f->functab_off + 8, 0x380); }
static void unsorted64(struct fake *f) { put64(f->tab + f->functab_off + 16, TEXT + 0x380); }
static void outside_text(struct fake *f) { put64(f->tab + f->functab_off + 16 * NFAKE, TEXT + TEXT_SIZE + 1); }
static void record_mismatch(struct fake *f) { put32(f->tab + f->records_off + 8, 0x101); }
static void name_outside(struct fake *f) { put32(f->tab + f->records_off + 4, 100000); }
static void name_negative(struct fake *f) { put32(f->tab + f->records_off + 4, 0xffffff00); }
static void record_outside(struct fake *f) { put32(f->tab + f->functab_off + 4, 100000); }
static void names_off_outside(struct fake *f) { put64(f->tab + 8 + 8 * 3, 100000); }
static void unterminated(struct fake *f)
{
	/* the first function's name is the table's last byte, with no NUL after
	 * it (cutting the table short instead trips the offsets check first) */
	f->tab[f->len - 1] = 'x';
	put32(f->tab + f->records_off + 4, (uint32_t)(f->len - 1 - f->names_off));
}
static void text_start_wrong(struct fake *f) { put64(f->tab + 8 + 8 * 2, TEXT + TEXT_SIZE); }

static const struct broken_case broken_cases[] = {
	{ "unknown magic", GO_PCLN_120, bad_magic, "unknown pclntab magic" },
	{ "4-byte pointers", GO_PCLN_120, bad_ptrsize, "not x86-64" },
	{ "quantum 4", GO_PCLN_116, bad_quantum, "not x86-64" },
	{ "nfunc huge", GO_PCLN_120, too_many, "do not fit" },
	{ "nfunc huge (1.2)", GO_PCLN_12, too_many, "do not fit" },
	{ "no functions", GO_PCLN_118, no_funcs, "do not fit" },
	{ "unsorted", GO_PCLN_120, unsorted, "out of order" },
	{ "unsorted (1.16)", GO_PCLN_116, unsorted64, "out of order" },
	{ "end outside the text", GO_PCLN_12, outside_text, "not inside the text" },
	{ "record's entry differs", GO_PCLN_120, record_mismatch, "record is invalid" },
	{ "name offset outside", GO_PCLN_118, name_outside, "record is invalid" },
	{ "name offset negative", GO_PCLN_120, name_negative, "record is invalid" },
	{ "record outside", GO_PCLN_118, record_outside, "record is invalid" },
	{ "funcnames offset outside", GO_PCLN_120, names_off_outside, "offsets out of bounds" },
	{ "name unterminated", GO_PCLN_120, unterminated, "record is invalid" },
	{ "textStart beyond the text", GO_PCLN_118, text_start_wrong, "does not fit" },
};

static void broken_tables_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(broken_cases) / sizeof(broken_cases[0]); i++) {
		const struct broken_case *c = &broken_cases[i];
		struct fake *f = calloc(1, sizeof(*f));
		struct gopclntab tab;
		char err[256] = "";

		print_message("broken: %s\n", c->what);
		assert_non_null(f);
		build_table(f, c->magic, TEXT);
		c->breaks(f);
		build_image(f);
		assert_int_not_equal(gopclntab_open(&f->gi, &tab, err, sizeof(err)), 0);
		assert_contains(err, c->error);
		free(f);
	}
}

/* No .gopclntab section: the one valid header in a data section. */
static void table_found_by_magic(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	static uint8_t rodata[4096];
	struct go_region text = { .name = ".text", .addr = TEXT, .size = TEXT_SIZE, .exec = true };
	struct go_region ro = { .name = ".rodata", .addr = 0x480000, .size = sizeof(rodata),
				.bytes = rodata };
	struct gopclntab tab;
	char err[256] = "";
	(void)state;

	assert_non_null(f);
	build_table(f, GO_PCLN_118, 0x480000 + 0x123 /* a wrong text start */);
	memset(rodata, 0, sizeof(rodata));
	/* a decoy: the magic with a header that does not validate */
	memcpy(rodata + 64, f->tab, 16);
	build_table(f, GO_PCLN_118, TEXT);
	memcpy(rodata + 1024, f->tab, f->len);
	assert_int_equal(go_image_add(&f->gi, &text), 0);
	assert_int_equal(go_image_add(&f->gi, &ro), 0);
	if (gopclntab_open(&f->gi, &tab, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(tab.found_by, "magic in .rodata");
	assert_int_equal(tab.addr, 0x480000 + 1024);
	assert_fake_functions(&tab);
	/* a second valid copy: ambiguous, refused */
	memcpy(rodata + 2048, f->tab, f->len);
	assert_int_equal(gopclntab_open(&f->gi, &tab, err, sizeof(err)), -EINVAL);
	assert_contains(err, "two valid pclntabs");
	free(f);
}

/* ---- .go.buildinfo --------------------------------------------------- */

static void version_strings(void **state)
{
	static const struct {
		const char *text;
		int ret, major, minor, patch;
		bool regabi;
	} cases[] = {
		{ "go1.22.12", 0, 1, 22, 12, true },
		{ "go1.15.15", 0, 1, 15, 15, false },
		{ "go1.16", 0, 1, 16, 0, false },
		{ "go1.17", 0, 1, 17, 0, true },
		{ "go1.21rc2", 0, 1, 21, 0, true },
		{ "go1.27.3 X:nodwarf5", 0, 1, 27, 3, true },
		{ "devel go1.23-abcdef", -EINVAL, 0, 0, 0, false },
		{ "go1.", -EINVAL, 0, 0, 0, false },
		{ "go1.22.", -EINVAL, 0, 0, 0, false },
		{ "go99999999999999999999.1", -EINVAL, 0, 0, 0, false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct go_version v;

		assert_int_equal(go_version_parse(cases[i].text, &v), cases[i].ret);
		if (cases[i].ret)
			continue;
		assert_int_equal(v.major, cases[i].major);
		assert_int_equal(v.minor, cases[i].minor);
		assert_int_equal(v.patch, cases[i].patch);
		assert_int_equal(go_register_abi(&v), cases[i].regabi);
	}
}

static const char MAGIC[] = "\xff Go buildinf:";

/* Go 1.18+: the version inline after the 32-byte header. */
static void buildinfo_inline(void **state)
{
	uint8_t sec[64] = { 0 };
	struct go_region r = { .name = ".go.buildinfo", .addr = 0x700000, .size = sizeof(sec),
			       .bytes = sec };
	struct go_image gi = { 0 };
	struct go_version v;
	char err[128];
	(void)state;

	memcpy(sec, MAGIC, 14);
	sec[14] = 8;
	sec[15] = 2;
	sec[32] = 9;
	memcpy(sec + 33, "go1.22.12", 9);
	assert_int_equal(go_image_add(&gi, &r), 0);
	assert_int_equal(go_buildinfo_version(&gi, &v, err, sizeof(err)), 0);
	assert_string_equal(v.text, "go1.22.12");
	assert_int_equal(v.minor, 22);
	/* a length past the section */
	sec[32] = 40;
	assert_int_equal(go_buildinfo_version(&gi, &v, err, sizeof(err)), -EINVAL);
	assert_contains(err, "out of bounds");
	/* a varint that never ends */
	memset(sec + 32, 0x80, 32);
	assert_int_equal(go_buildinfo_version(&gi, &v, err, sizeof(err)), -EINVAL);
}

/* Go 1.13-1.17: a pointer to a string header, which points at the text. */
static void buildinfo_pointers(void **state)
{
	uint8_t sec[32] = { 0 }, data[64] = { 0 };
	struct go_region bi = { .name = ".go.buildinfo", .addr = 0x700000, .size = sizeof(sec),
				.bytes = sec };
	struct go_region rd = { .name = ".rodata", .addr = 0x480000, .size = sizeof(data),
				.bytes = data };
	struct go_image gi = { 0 };
	struct go_version v;
	char err[128];
	(void)state;

	memcpy(sec, MAGIC, 14);
	sec[14] = 8;
	put64(sec + 16, 0x480000);		/* → string header */
	put64(data, 0x480000 + 16);		/* → "go1.15.15" */
	put64(data + 8, 9);
	memcpy(data + 16, "go1.15.15", 9);
	assert_int_equal(go_image_add(&gi, &bi), 0);
	assert_int_equal(go_image_add(&gi, &rd), 0);
	assert_int_equal(go_buildinfo_version(&gi, &v, err, sizeof(err)), 0);
	assert_string_equal(v.text, "go1.15.15");
	assert_false(go_register_abi(&v));
	put64(data + 8, 60);			/* runs past .rodata */
	assert_int_equal(go_buildinfo_version(&gi, &v, err, sizeof(err)), -EINVAL);
	put64(data + 8, 9);
	put64(sec + 16, 0x123);			/* nowhere */
	assert_int_equal(go_buildinfo_version(&gi, &v, err, sizeof(err)), -EINVAL);
	sec[14] = 4;
	assert_int_equal(go_buildinfo_version(&gi, &v, err, sizeof(err)), -EINVAL);
	assert_contains(err, "x86-64 only");
}

/* A C program (this test) is no Go binary, and nothing in it is read as one. */
static void c_binary_is_not_go(void **state)
{
	struct elf_image *img = elf_image_open("/proc/self/exe");
	struct go_image gi;
	struct go_version v;
	struct gopclntab tab;
	char err[256];
	(void)state;

	assert_non_null(img);
	assert_false(go_is_binary(img));
	assert_int_equal(go_image_from_elf(&gi, img), 0);
	assert_int_equal(go_buildinfo_version(&gi, &v, err, sizeof(err)), -ENOENT);
	assert_contains(err, "no .go.buildinfo");
	assert_int_equal(gopclntab_open(&gi, &tab, err, sizeof(err)), -EINVAL);
	assert_contains(err, "no .gopclntab");
	elf_image_close(img);
}

/* ---- the samples ----------------------------------------------------- */

static const char *const wanted[] = { "crypto/tls.(*Conn).Write", "crypto/tls.(*Conn).Read" };

static struct sample samples[NTOOLCHAINS * NBUILDS];

/* What the truth file says of one binary. */
struct truth {
	char version[64];
	char section[64];	/* the section gosym read */
	char note[512];
	bool has_func[2], has_symtab[2];
	uint64_t entry[2], end[2], symtab_value[2];
};

static int wanted_index(const char *name)
{
	for (int i = 0; i < 2; i++)
		if (!strcmp(name, wanted[i]))
			return i;
	return -1;
}

static void read_truth_line(const char *line, struct truth *t)
{
	char name[128];
	uint64_t a, b;
	int w;

	if (sscanf(line, "section %63s", t->section) == 1) {
		/* stored */
	} else if (!strncmp(line, "note ", 5)) {
		snprintf(t->note + strlen(t->note), sizeof(t->note) - strlen(t->note), "%s", line + 5);
	} else if (sscanf(line, "func %127s %" SCNx64 " %" SCNx64, name, &a, &b) == 3 &&
		   (w = wanted_index(name)) >= 0) {
		t->has_func[w] = true;
		t->entry[w] = a;
		t->end[w] = b;
	} else if (sscanf(line, "symtab %127s %" SCNx64, name, &a) == 2 &&
		   (w = wanted_index(name)) >= 0) {
		t->has_symtab[w] = true;
		t->symtab_value[w] = a;
	}
}

/* The lines after "binary BUILD/tlsdial" up to the next binary. */
static void read_truth(const char *truth_path, const char *version_path, const char *build,
		       struct truth *t)
{
	char line[768], want[64], word[32];
	bool mine = false;
	FILE *f = fopen(truth_path, "r");

	memset(t, 0, sizeof(*t));
	assert_non_null(f);
	snprintf(want, sizeof(want), "binary %s/tlsdial", build);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "binary ", 7))
			mine = !strcmp(line, want);
		else if (mine)
			read_truth_line(line, t);
	}
	fclose(f);
	f = fopen(version_path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %63s", word, t->version) == 2 && !strcmp(word, build))
			break;
		else
			t->version[0] = '\0';
	fclose(f);
	if (!t->version[0])
		fail_msg("%s names no version for %s", version_path, build);
}

static void check_version(const struct go_image *gi, const struct truth *t, const char *path)
{
	struct go_version v;
	char err[256];

	if (go_buildinfo_version(gi, &v, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	assert_string_equal(v.text, t->version);
	assert_int_equal(go_register_abi(&v), go_version_at_least(&v, 1, 17));
}

/* Write and Read as gosym (and .symtab, where there is one) say. */
static void check_functions(const struct gopclntab *tab, const struct truth *t, const char *path)
{
	for (int w = 0; w < 2; w++) {
		struct go_func fn;

		if (gopclntab_find(tab, wanted[w], &fn))
			fail_msg("%s: no %s in the pclntab", path, wanted[w]);
		if (t->has_symtab[w])
			assert_int_equal(fn.entry, t->symtab_value[w]);
		if (!t->has_func[w])
			fail_msg("%s: gosym gave no truth for %s (%s)", path, wanted[w], t->note);
		assert_int_equal(fn.entry, t->entry[w]);
		assert_int_equal(fn.end, t->end[w]);
	}
}

static void sample_matches_gosym(void **state)
{
	const struct sample *s = *state;
	char path[PATH_MAX], truth_path[PATH_MAX], version_path[PATH_MAX], rel[64], err[256];
	struct go_image gi;
	struct gopclntab tab;
	struct elf_image *img;
	struct truth t;

	snprintf(rel, sizeof(rel), "%s/tlsdial", s->build);
	if (!sample_file(s->go, rel, path, sizeof(path)) ||
	    !sample_file(s->go, "truth.txt", truth_path, sizeof(truth_path)) ||
	    !sample_file(s->go, "version", version_path, sizeof(version_path)))
		skip();
	read_truth(truth_path, version_path, s->build, &t);
	if (t.note[0])
		print_message("%s: the truth says: %s\n", path, t.note);
	img = elf_image_open(path);
	assert_non_null(img);
	assert_true(go_is_binary(img));
	assert_int_equal(go_image_from_elf(&gi, img), 0);
	check_version(&gi, &t, path);
	if (gopclntab_open(&gi, &tab, err, sizeof(err)))
		fail_msg("%s: %s", path, err);
	print_message("%s: %s, magic 0x%08x, %" PRIu64 " functions, text start %s\n", path,
		      t.version, tab.magic, tab.nfunc, tab.text_start_from[0] ? tab.text_start_from : "-");
	check_functions(&tab, &t, path);
	assert_string_equal(tab.found_by, t.section);
	elf_image_close(img);
}

/* A copy of src at dst with the bytes at file offset off replaced by len
 * bytes of with; offset_of(elf, arg) says where (0: nowhere, a failure). */
static void copy_patched(const char *src, const char *dst,
			 size_t (*offset_of)(Elf *elf, const void *arg), const void *arg,
			 const void *with, size_t len)
{
	FILE *f = fopen(src, "rb");
	size_t size, off;
	uint8_t *buf;
	Elf *elf;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = (size_t)ftell(f);
	rewind(f);
	buf = malloc(size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, size, f), size);
	fclose(f);
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	elf = elf_memory((char *)buf, size);
	assert_non_null(elf);
	off = offset_of(elf, arg);
	elf_end(elf);
	assert_int_not_equal(off, 0);
	assert_true(off + len <= size);
	memcpy(buf + off, with, len);
	f = fopen(dst, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, size, f), size);
	fclose(f);
	free(buf);
}

/* The section header of the section named name. */
static bool find_section(Elf *elf, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, sh) && !strcmp(elf_strptr(elf, shstrndx, sh->sh_name), name))
			return true;
	return false;
}

/* Where the section's name is in the section name table. */
static size_t section_name_offset(Elf *elf, const void *name)
{
	size_t shstrndx;
	GElf_Shdr sh, strsh;

	if (!find_section(elf, name, &sh) || elf_getshdrstrndx(elf, &shstrndx) ||
	    !gelf_getshdr(elf_getscn(elf, shstrndx), &strsh))
		return 0;
	return strsh.sh_offset + sh.sh_name;
}

/* Where a 1.18+ pclntab header keeps textStart (after 8 bytes and 2 words). */
static size_t text_start_offset(Elf *elf, const void *unused)
{
	GElf_Shdr sh;

	(void)unused;
	if (find_section(elf, ".gopclntab", &sh) || find_section(elf, ".data.rel.ro.gopclntab", &sh))
		return sh.sh_offset + 8 + 8 * 2;
	return 0;
}

/* Opens a patched copy of a sample (the truth read too): 0, or skipped. */
static int open_patched(const struct sample *s, struct truth *t, char *copy,
			size_t (*offset_of)(Elf *elf, const void *arg), const void *arg,
			const void *with, size_t len, struct elf_image **img, struct go_image *gi)
{
	char path[PATH_MAX], truth_path[PATH_MAX], version_path[PATH_MAX], rel[64];
	int fd;

	snprintf(rel, sizeof(rel), "%s/tlsdial", s->build);
	if (!sample_file(s->go, rel, path, sizeof(path)) ||
	    !sample_file(s->go, "truth.txt", truth_path, sizeof(truth_path)) ||
	    !sample_file(s->go, "version", version_path, sizeof(version_path)))
		return -1;
	read_truth(truth_path, version_path, s->build, t);
	fd = mkstemp(copy);
	assert_true(fd >= 0);
	close(fd);
	copy_patched(path, copy, offset_of, arg, with, len);
	*img = elf_image_open(copy);
	assert_non_null(*img);
	assert_int_equal(go_image_from_elf(gi, *img), 0);
	return 0;
}

/* Without .gopclntab: found through runtime.pclntab, or (stripped) by its
 * validated magic, with the same functions. */
static void sample_without_section(void **state)
{
	const struct sample *s = *state;
	char copy[] = "/tmp/tlsprobe-gopclntab-XXXXXX", err[256];
	struct go_image gi;
	struct gopclntab tab;
	struct elf_image *img;
	struct truth t;

	if (open_patched(s, &t, copy, section_name_offset, ".gopclntab", ".gopclnxxx", 10, &img,
			 &gi))
		skip();
	assert_null(go_region_named(&gi, ".gopclntab"));
	if (gopclntab_open(&gi, &tab, err, sizeof(err)))
		fail_msg("%s/%s without .gopclntab: %s", s->go, s->build, err);
	print_message("%s/%s without .gopclntab: found by %s, text start %s\n", s->go, s->build,
		      tab.found_by, tab.text_start_from[0] ? tab.text_start_from : "-");
	assert_string_equal(tab.found_by, t.has_symtab[0] ? "runtime.pclntab" : "magic in .gopclnxxx");
	check_functions(&tab, &t, copy);
	elf_image_close(img);
	unlink(copy);
}

/* A 1.18+ header's textStart zeroed, as Go 1.26 writes it: the text start
 * comes from the moduledata (the symbol, or found and validated when
 * stripped) or, in a PIE, the word's relocation; the functions the same. */
static void sample_without_text_start(void **state)
{
	static const uint8_t zero[8];
	const struct sample *s = *state;
	struct go_version v;
	char copy[] = "/tmp/tlsprobe-gopclntab-XXXXXX", err[256];
	struct go_image gi;
	struct gopclntab tab;
	struct elf_image *img;
	struct truth t;

	if (open_patched(s, &t, copy, text_start_offset, NULL, zero, sizeof(zero), &img, &gi))
		skip();
	if (gopclntab_open(&gi, &tab, err, sizeof(err)))
		fail_msg("%s/%s, textStart 0: %s", s->go, s->build, err);
	print_message("%s/%s, textStart 0: text start from %s\n", s->go, s->build,
		      tab.text_start_from);
	/* a PIE's header word has a relocation of its own, until Go 1.26 */
	assert_int_equal(go_version_parse(t.version, &v), 0);
	if (!strcmp(s->build, "pie") && !go_version_at_least(&v, 1, 26))
		assert_string_equal(tab.text_start_from, "relocation");
	else if (t.has_symtab[0])
		assert_string_equal(tab.text_start_from, "runtime.firstmoduledata");
	else	/* .noptrdata; Go 1.27 gives it a section of its own, .go.module */
		assert_contains(tab.text_start_from, "moduledata in .");
	check_functions(&tab, &t, copy);
	elf_image_close(img);
	unlink(copy);
}

int main(void)
{
	static struct sample hidden[NTOOLCHAINS * 2], zeroed[(NTOOLCHAINS - 1) * NBUILDS];
	struct CMUnitTest tests[9 + NTOOLCHAINS * NBUILDS + NTOOLCHAINS * 2 +
				(NTOOLCHAINS - 1) * NBUILDS] = {
		cmocka_unit_test(every_layout),
		cmocka_unit_test(moduledata_must_validate),
		cmocka_unit_test(two_moduledata_refused),
		cmocka_unit_test(broken_tables_refused),
		cmocka_unit_test(table_found_by_magic),
		cmocka_unit_test(version_strings),
		cmocka_unit_test(buildinfo_inline),
		cmocka_unit_test(buildinfo_pointers),
		cmocka_unit_test(c_binary_is_not_go),
	};
	size_t n = 9;

	say_toolchains_left_out();
	for (size_t g = 0; g < NTOOLCHAINS; g++)
		for (size_t b = 0; b < NBUILDS && toolchain_chosen(toolchains[g]); b++) {
			struct sample *s = &samples[g * NBUILDS + b];

			s->go = toolchains[g];
			s->build = builds[b];
			snprintf(s->name, sizeof(s->name), "%s/%s", s->go, s->build);
			tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(sample_matches_gosym, s);
			tests[n++].name = s->name;
		}
	for (size_t g = 0; g < NTOOLCHAINS; g++)
		for (size_t b = 0; b < 2 && toolchain_chosen(toolchains[g]); b++) {	/* default, stripped */
			struct sample *s = &hidden[g * 2 + b];

			s->go = toolchains[g];
			s->build = builds[b];
			snprintf(s->name, sizeof(s->name), "%s/%s without .gopclntab", s->go, s->build);
			tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(sample_without_section, s);
			tests[n++].name = s->name;
		}
	for (size_t g = 1; g < NTOOLCHAINS; g++)	/* 1.18+ layouts: all but go1.15 */
		for (size_t b = 0; b < NBUILDS && toolchain_chosen(toolchains[g]); b++) {
			struct sample *s = &zeroed[(g - 1) * NBUILDS + b];

			s->go = toolchains[g];
			s->build = builds[b];
			snprintf(s->name, sizeof(s->name), "%s/%s textStart 0", s->go, s->build);
			tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(sample_without_text_start,
										  s);
			tests[n++].name = s->name;
		}
	return _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
}
