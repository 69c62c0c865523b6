/* Layouts (Go's runtime/symtab.go and cmd/link/internal/ld/pcln.go; facts
 * only): a header of magic, two zero pads, the instruction-size quantum and
 * the pointer size, then pointer-sized words:
 *   1.2-1.15   nfunc; the function table follows at 16
 *   1.16-1.17  nfunc nfiles funcnames cu filetab pctab functab   (offsets)
 *   1.18+      nfunc nfiles textStart funcnames cu filetab pctab functab
 * The function table is nfunc (entry, record offset) pairs and one more
 * entry, the end of the last function: pointer-sized absolute addresses up to
 * 1.17, 32-bit offsets from textStart from 1.18 on. A function's record starts
 * with its entry (again) and its name's offset. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "gopclntab.h"

#define HDR_PREFIX 8		/* magic, pads, quantum, pointer size */
#define PTR 8

/* The header words of each layout (after HDR_PREFIX), by what they hold. */
enum { W_NFUNC = 0 };
enum { W116_FUNCNAMES = 2, W116_FUNCTAB = 6, W116_COUNT = 7 };
enum { W118_TEXTSTART = 2, W118_FUNCNAMES = 3, W118_CU = 4, W118_FILETAB = 5, W118_PCTAB = 6,
       W118_FUNCTAB = 7, W118_COUNT = 8 };

/* runtime.moduledata from Go 1.16 on: the header pointer, six slices
 * (pointer, length, capacity) into the table, then findfunctab, minpc,
 * maxpc, text, etext. */
enum { MD_PCHEADER = 0, MD_FUNCNAMES = 8, MD_CUTAB = 32, MD_FILETAB = 56, MD_PCTAB = 80,
       MD_PCLNTABLE = 104, MD_FTAB = 128, MD_MINPC = 160, MD_MAXPC = 168, MD_TEXT = 176,
       MD_ETEXT = 184, MD_SIZE = 192 };
#define FTAB_ENTRY 8		/* a functab element: entry offset, record offset */

#define fail(err, errlen, ...) (snprintf((err), (errlen), __VA_ARGS__), -EINVAL)
#define set_text(s, ...) snprintf((s), sizeof(s), __VA_ARGS__)

static uint64_t hdr_word(const struct gopclntab *tab, unsigned i)
{
	return go_le64(tab->data + HDR_PREFIX + PTR * i);
}

/* The field at byte offset off of the table (bounds checked by the caller). */
static uint64_t field_at(const struct gopclntab *tab, uint64_t off)
{
	return tab->field == 4 ? go_le32(tab->data + off) : go_le64(tab->data + off);
}

/* Entry i of the function table as stored (i == nfunc: the end). */
static uint64_t raw_pc(const struct gopclntab *tab, uint64_t i)
{
	return field_at(tab, tab->functab_off + 2 * i * tab->field);
}

static uint64_t pc_of(const struct gopclntab *tab, uint64_t i)
{
	return tab->text_start + raw_pc(tab, i);
}

static uint64_t record_off(const struct gopclntab *tab, uint64_t i)
{
	return tab->funcdata_off + field_at(tab, tab->functab_off + (2 * i + 1) * tab->field);
}

static bool known_magic(uint32_t magic)
{
	return magic == GO_PCLN_12 || magic == GO_PCLN_116 || magic == GO_PCLN_118 ||
	       magic == GO_PCLN_120;
}

/* The fixed part every layout shares: magic, zero pads, x86's quantum 1
 * (other quanta are other architectures), 8-byte pointers. */
static int check_prefix(const struct gopclntab *tab, char *err, size_t errlen)
{
	const uint8_t *d = tab->data;

	if (tab->len < HDR_PREFIX)
		return fail(err, errlen, "pclntab of %llu bytes", (unsigned long long)tab->len);
	if (!known_magic(go_le32(d)))
		return fail(err, errlen, "unknown pclntab magic 0x%08x", go_le32(d));
	if (d[4] || d[5] || d[6] != 1 || d[7] != PTR)
		return fail(err, errlen, "pclntab header %02x %02x %02x %02x (not x86-64)", d[4], d[5],
			    d[6], d[7]);
	return 0;
}

/* Where each layout keeps its tables; checks they are inside the table. */
static int read_layout(struct gopclntab *tab, char *err, size_t errlen)
{
	unsigned words = tab->magic == GO_PCLN_12 ? 1 : tab->magic == GO_PCLN_116 ? W116_COUNT :
						       W118_COUNT;
	uint64_t room;

	if (tab->len < HDR_PREFIX + PTR * words)
		return fail(err, errlen, "pclntab header cut short");
	tab->nfunc = hdr_word(tab, W_NFUNC);
	if (tab->magic == GO_PCLN_12) {
		tab->field = PTR;
		tab->functab_off = HDR_PREFIX + PTR;
	} else if (tab->magic == GO_PCLN_116) {
		tab->field = PTR;
		tab->funcnames_off = hdr_word(tab, W116_FUNCNAMES);
		tab->functab_off = tab->funcdata_off = hdr_word(tab, W116_FUNCTAB);
	} else {
		tab->field = 4;
		tab->funcnames_off = hdr_word(tab, W118_FUNCNAMES);
		tab->functab_off = tab->funcdata_off = hdr_word(tab, W118_FUNCTAB);
	}
	if (tab->funcnames_off >= tab->len || tab->functab_off >= tab->len)
		return fail(err, errlen, "pclntab table offsets out of bounds");
	room = (tab->len - tab->functab_off) / tab->field;
	if (!tab->nfunc || !room || tab->nfunc > (room - 1) / 2)
		return fail(err, errlen, "pclntab: %llu functions do not fit",
			    (unsigned long long)tab->nfunc);
	return 0;
}

/* Entries sorted (as stored: the text start adds the same to each). */
static int check_sorted(const struct gopclntab *tab, char *err, size_t errlen)
{
	for (uint64_t i = 1; i <= tab->nfunc; i++)
		if (raw_pc(tab, i) < raw_pc(tab, i - 1))
			return fail(err, errlen, "pclntab: function %llu out of order",
				    (unsigned long long)i);
	return 0;
}

/* All the (sorted) entries, the last one's end too, in one text section. */
static int check_entries(const struct go_image *gi, const struct gopclntab *tab, char *err,
			 size_t errlen)
{
	if (!go_in_text(gi, pc_of(tab, 0), pc_of(tab, tab->nfunc)))
		return fail(err, errlen, "pclntab: functions 0x%llx-0x%llx not inside the text",
			    (unsigned long long)pc_of(tab, 0),
			    (unsigned long long)pc_of(tab, tab->nfunc));
	return 0;
}

/* Offset of function i's name in the table, once its record is checked:
 * inside the table, starting with the same entry, its name terminated. */
static int check_record(const struct gopclntab *tab, uint64_t i, uint64_t *name_off)
{
	uint64_t rec = record_off(tab, i);
	int32_t nameoff;

	if (rec < tab->funcdata_off || rec > tab->len || tab->len - rec < tab->field + 4)
		return -EINVAL;
	if (field_at(tab, rec) != raw_pc(tab, i))
		return -EINVAL;
	nameoff = (int32_t)go_le32(tab->data + rec + tab->field);
	if (nameoff < 0 || (uint64_t)nameoff >= tab->len - tab->funcnames_off)
		return -EINVAL;
	*name_off = tab->funcnames_off + (uint64_t)nameoff;
	if (!tab->data[*name_off] || !memchr(tab->data + *name_off, '\0', tab->len - *name_off))
		return -EINVAL;
	return 0;
}

static int check_records(const struct gopclntab *tab, char *err, size_t errlen)
{
	uint64_t name_off;

	for (uint64_t i = 0; i < tab->nfunc; i++)
		if (check_record(tab, i, &name_off))
			return fail(err, errlen, "pclntab: function %llu's record is invalid",
				    (unsigned long long)i);
	return 0;
}

/* A text start is proved when every function lies in the text from it. */
static bool text_start_fits(const struct go_image *gi, struct gopclntab *tab, uint64_t start)
{
	char ignored[8];

	if (!start || !go_in_text(gi, start, start))
		return false;
	tab->text_start = start;
	if (check_entries(gi, tab, ignored, sizeof(ignored))) {
		tab->text_start = 0;
		return false;
	}
	return true;
}

/* One slice of the moduledata: it must be the table's part at off. */
static bool md_slice_is(const struct go_image *gi, const struct gopclntab *tab, uint64_t md,
			unsigned field, uint64_t off, uint64_t elem_count)
{
	const uint8_t *s = go_bytes(gi, md + field, 24);
	uint64_t ptr, len, cap;

	if (!s || go_read_ptr(gi, md + field, &ptr))
		return false;
	len = go_le64(s + 8);
	cap = go_le64(s + 16);
	if (ptr != tab->addr + off || len > cap || off > tab->len)
		return false;
	if (elem_count)
		return len == elem_count && elem_count <= (tab->len - off) / FTAB_ENTRY;
	return len <= tab->len - off;
}

/* Whether md is the moduledata of this table (Go 1.16+ layout): its header
 * pointer, its slices all into the table, the function table's length, and
 * text, etext, minpc, maxpc agreeing with the entries. *text: its text. */
static bool moduledata_valid(const struct go_image *gi, const struct gopclntab *tab, uint64_t md,
			     uint64_t *text)
{
	uint64_t hdr, etext, minpc, maxpc;

	if (!go_bytes(gi, md, MD_SIZE) || go_read_ptr(gi, md + MD_PCHEADER, &hdr) || hdr != tab->addr)
		return false;
	if (!md_slice_is(gi, tab, md, MD_FUNCNAMES, hdr_word(tab, W118_FUNCNAMES), 0) ||
	    !md_slice_is(gi, tab, md, MD_CUTAB, hdr_word(tab, W118_CU), 0) ||
	    !md_slice_is(gi, tab, md, MD_FILETAB, hdr_word(tab, W118_FILETAB), 0) ||
	    !md_slice_is(gi, tab, md, MD_PCTAB, hdr_word(tab, W118_PCTAB), 0) ||
	    !md_slice_is(gi, tab, md, MD_PCLNTABLE, tab->functab_off, 0) ||
	    !md_slice_is(gi, tab, md, MD_FTAB, tab->functab_off, tab->nfunc + 1))
		return false;
	if (go_read_ptr(gi, md + MD_TEXT, text) || go_read_ptr(gi, md + MD_ETEXT, &etext) ||
	    go_read_ptr(gi, md + MD_MINPC, &minpc) || go_read_ptr(gi, md + MD_MAXPC, &maxpc))
		return false;
	return *text < etext && go_in_text(gi, *text, etext) &&
	       minpc == *text + raw_pc(tab, 0) && maxpc == *text + raw_pc(tab, tab->nfunc) &&
	       maxpc <= etext;
}

/* Stripped: the one moduledata in the data sections that points at this
 * table and validates. Two would be a guess between them: refused. */
static int scan_moduledata(const struct go_image *gi, struct gopclntab *tab, uint64_t *text,
			   const char **where, char *err, size_t errlen)
{
	unsigned found = 0;

	for (size_t i = 0; i < gi->nregions; i++) {
		const struct go_region *r = &gi->regions[i];
		uint64_t first = (r->addr + 7) & ~7ULL;

		if (!r->bytes || r->exec || r->size < MD_SIZE)
			continue;
		for (uint64_t a = first; a - r->addr <= r->size - MD_SIZE; a += 8) {
			uint64_t t;

			if (go_le64(r->bytes + (a - r->addr)) != tab->addr ||
			    !moduledata_valid(gi, tab, a, &t))
				continue;
			if (found++ && t != *text)
				return fail(err, errlen, "two moduledata for one pclntab");
			*text = t;
			*where = r->name;
		}
	}
	if (!found)
		return fail(err, errlen, "pclntab's textStart is 0 and no valid moduledata points at it");
	return 0;
}

/* Go 1.18+: the text start the entries are offsets from. The header's, or
 * what a relocation puts there (PIE); from 1.26 the header has 0 and the
 * moduledata is the one source: runtime.firstmoduledata, else found. */
static int resolve_text_start(const struct go_image *gi, struct gopclntab *tab, char *err,
			      size_t errlen)
{
	uint64_t slot = tab->addr + HDR_PREFIX + PTR * W118_TEXTSTART, start, md;
	const char *where;

	start = hdr_word(tab, W118_TEXTSTART);
	if (start) {
		if (text_start_fits(gi, tab, start))
			return set_text(tab->text_start_from, "header"), 0;
	}
	if (gi->relative && !gi->relative(gi->ctx, slot, &start) && text_start_fits(gi, tab, start))
		return set_text(tab->text_start_from, "relocation"), 0;
	if (start)
		return fail(err, errlen, "pclntab: textStart 0x%llx does not fit the text",
			    (unsigned long long)start);
	if (!go_symbol(gi, "runtime.firstmoduledata", &md)) {
		if (!moduledata_valid(gi, tab, md, &start) || !text_start_fits(gi, tab, start))
			return fail(err, errlen, "runtime.firstmoduledata at 0x%llx is not this "
				    "pclntab's moduledata", (unsigned long long)md);
		return set_text(tab->text_start_from, "runtime.firstmoduledata"), 0;
	}
	if (scan_moduledata(gi, tab, &start, &where, err, errlen))
		return -EINVAL;
	if (!text_start_fits(gi, tab, start))
		return fail(err, errlen, "moduledata's text 0x%llx does not fit the pclntab",
			    (unsigned long long)start);
	set_text(tab->text_start_from, "moduledata in %s", where);
	return 0;
}

int gopclntab_open_at(const struct go_image *gi, uint64_t addr, uint64_t len,
		      struct gopclntab *tab, char *err, size_t errlen)
{
	int ret;

	memset(tab, 0, sizeof(*tab));
	tab->addr = addr;
	tab->len = len;
	tab->data = go_bytes(gi, addr, len);
	if (!tab->data)
		return fail(err, errlen, "pclntab at 0x%llx not in the file", (unsigned long long)addr);
	if ((ret = check_prefix(tab, err, errlen)))
		return ret;
	tab->magic = go_le32(tab->data);
	if ((ret = read_layout(tab, err, errlen)) || (ret = check_sorted(tab, err, errlen)))
		return ret;
	if (tab->magic == GO_PCLN_118 || tab->magic == GO_PCLN_120)
		ret = resolve_text_start(gi, tab, err, errlen);
	if (ret || (ret = check_entries(gi, tab, err, errlen)))
		return ret;
	return check_records(tab, err, errlen);
}

/* A header prefix at p (len bytes follow): worth a full open. */
static bool looks_like_header(const uint8_t *p, uint64_t len)
{
	return len >= HDR_PREFIX && known_magic(go_le32(p)) && !p[4] && !p[5] && p[6] == 1 &&
	       p[7] == PTR;
}

/* No section, no symbols: the one valid table in a read-only data section. */
static int scan_for_table(const struct go_image *gi, struct gopclntab *tab, char *err,
			  size_t errlen)
{
	struct gopclntab candidate;
	unsigned found = 0;
	char why[160] = "no pclntab header in any data section";

	for (size_t i = 0; i < gi->nregions; i++) {
		const struct go_region *r = &gi->regions[i];
		uint64_t first = (r->addr + 7) & ~7ULL;

		if (!r->bytes || r->exec)
			continue;
		for (uint64_t a = first; a - r->addr < r->size; a += 8) {
			uint64_t left = r->size - (a - r->addr);

			if (!looks_like_header(r->bytes + (a - r->addr), left) ||
			    gopclntab_open_at(gi, a, left, &candidate, why, sizeof(why)))
				continue;
			if (found++)
				return fail(err, errlen, "two valid pclntabs (0x%llx, 0x%llx)",
					    (unsigned long long)tab->addr, (unsigned long long)a);
			*tab = candidate;
			set_text(tab->found_by, "magic in %s", r->name);
		}
	}
	return found ? 0 : fail(err, errlen, "no .gopclntab, no runtime.pclntab: %s", why);
}

int gopclntab_open(const struct go_image *gi, struct gopclntab *tab, char *err, size_t errlen)
{
	/* a PIE up to Go 1.15 has it among the relocated read-only data */
	static const char *const names[] = { ".gopclntab", ".data.rel.ro.gopclntab" };
	uint64_t start, end;
	int ret;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct go_region *r = go_region_named(gi, names[i]);

		if (!r || !r->bytes)
			continue;
		ret = gopclntab_open_at(gi, r->addr, r->size, tab, err, errlen);
		set_text(tab->found_by, "%s", names[i]);
		return ret;
	}
	if (!go_symbol(gi, "runtime.pclntab", &start) && !go_symbol(gi, "runtime.epclntab", &end) &&
	    end > start) {
		ret = gopclntab_open_at(gi, start, end - start, tab, err, errlen);
		set_text(tab->found_by, "runtime.pclntab");
		return ret;
	}
	return scan_for_table(gi, tab, err, errlen);
}

int gopclntab_func(const struct gopclntab *tab, uint64_t i, struct go_func *fn)
{
	uint64_t name_off;

	if (i >= tab->nfunc || check_record(tab, i, &name_off))
		return -ERANGE;
	fn->name = (const char *)tab->data + name_off;
	fn->entry = pc_of(tab, i);
	fn->end = pc_of(tab, i + 1);
	return 0;
}

int gopclntab_foreach(const struct gopclntab *tab,
		      int (*fn)(const struct go_func *func, void *arg), void *arg)
{
	struct go_func f;
	int ret;

	for (uint64_t i = 0; i < tab->nfunc; i++)
		if (!gopclntab_func(tab, i, &f) && (ret = fn(&f, arg)))
			return ret;
	return 0;
}

int gopclntab_find(const struct gopclntab *tab, const char *name, struct go_func *fn)
{
	for (uint64_t i = 0; i < tab->nfunc; i++)
		if (!gopclntab_func(tab, i, fn) && !strcmp(fn->name, name))
			return 0;
	return -ENOENT;
}
