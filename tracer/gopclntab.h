/* Go's function table (.gopclntab): the name, entry and end of every
 * function, for every layout since Go 1.2, with or without .symtab. Nothing
 * here is a guess: the table is validated as a whole when it is opened (every
 * entry sorted, inside the text, matching its own function record, every name
 * terminated inside the table), and a table or text start that cannot be
 * proved is an error, never a plausible address. x86-64 only. */
#ifndef TLSPROBE_GOPCLNTAB_H
#define TLSPROBE_GOPCLNTAB_H
#include <stddef.h>
#include <stdint.h>
#include "goimage.h"

/* The header's magic, one per layout. */
enum go_pcln_magic {
	GO_PCLN_12 = 0xfffffffb,	/* Go 1.2-1.15: absolute entries, one name table */
	GO_PCLN_116 = 0xfffffffa,	/* 1.16-1.17: tables at offsets from the header */
	GO_PCLN_118 = 0xfffffff0,	/* 1.18-1.19: 32-bit entries from textStart */
	GO_PCLN_120 = 0xfffffff1,	/* 1.20+ (1.26+: textStart left 0) */
};

struct gopclntab {
	enum go_pcln_magic magic;
	uint64_t addr;			/* where the header is */
	const uint8_t *data;		/* the table, len bytes from the header on */
	uint64_t len;
	uint64_t nfunc;
	uint64_t text_start;		/* what 1.18+ entries are offsets from; 0 before */
	char text_start_from[64];	/* "header", "relocation", "runtime.firstmoduledata",
					 * "moduledata in SECTION"; "" before 1.18 */
	char found_by[64];		/* the section's name, "runtime.pclntab", "magic in SECTION" */
	uint64_t functab_off;		/* offset of the function table in data */
	uint64_t funcdata_off;		/* what a function's record offset is from */
	uint64_t funcnames_off;		/* what a name offset is from */
	unsigned field;			/* bytes per function table field: 8, or 4 (1.18+) */
};

struct go_func {
	const char *name;	/* NUL-terminated inside the table */
	uint64_t entry, end;	/* end: the next function's entry, or the table's end */
};

/* Finds and validates the table: the .gopclntab section (.data.rel.ro.gopclntab
 * in a Go 1.15 PIE), else the span
 * runtime.pclntab..runtime.epclntab, else the one place in a read-only
 * section where a valid header starts. Returns 0, or a negative errno with
 * the reason in err. tab points into gi's bytes. */
int gopclntab_open(const struct go_image *gi, struct gopclntab *tab, char *err, size_t errlen);

/* The same on a table at addr, len bytes long (tests, the fuzz target). */
int gopclntab_open_at(const struct go_image *gi, uint64_t addr, uint64_t len,
		      struct gopclntab *tab, char *err, size_t errlen);

/* Function i (0 .. nfunc-1), in address order. Returns 0, or -ERANGE. */
int gopclntab_func(const struct gopclntab *tab, uint64_t i, struct go_func *fn);

/* The function named exactly name. Returns 0, or -ENOENT. */
int gopclntab_find(const struct gopclntab *tab, const char *name, struct go_func *fn);

/* Calls fn for each function until it returns non-zero; returns that. */
int gopclntab_foreach(const struct gopclntab *tab,
		      int (*fn)(const struct go_func *func, void *arg), void *arg);
#endif
