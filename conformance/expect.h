/* Expected results (conform --expect FILE): what each cell of the matrix
 * should be, so that a known failure is listed with its reason instead of
 * turning the run red, and anything else that changes is one clear line.
 *
 * The file has lines `ROW SCENARIO CHECK VERDICT [reason...]`: ROW, SCENARIO
 * and CHECK are fnmatch(3) patterns (openssl@*, size-*, *), VERDICT is PASS,
 * XFAIL (a failure that is expected; reason required), N/A, SKIP (reason
 * required) or NOT-CLAIMED (a tracer's adapter does not claim it); `#` starts a comment. The last line that matches a cell wins,
 * so a file starts with `* * * PASS` and lists the exceptions after it. */
#ifndef TLSPROBE_EXPECT_H
#define TLSPROBE_EXPECT_H
#include <stddef.h>

#include "compare.h"

/* NOT_CLAIMED: a third-party tracer's adapter does not claim the cell (the
 * file's word is NOT-CLAIMED, one token). */
enum expected { EXPECT_PASS, EXPECT_XFAIL, EXPECT_NA, EXPECT_SKIP, EXPECT_NOT_CLAIMED };

struct expect_rule {
	char row[64], scenario[64], check[32];	/* patterns */
	enum expected verdict;
	char reason[256];
	int line;
};

struct expect_file {
	char path[256];
	struct expect_rule *v;
	size_t n;
};

/* What a cell turned out to be against its expectation. */
struct cell_expect {
	int set;		/* 0: no --expect */
	enum expected verdict;
	char reason[256];	/* the file's reason, for XFAIL and SKIP */
	int as_expected;
	char difference[512];	/* when not as expected: "expected PASS, got SKIP (...)" */
};

/* Reads the file. 0, or -1 with "path:line: reason" in err. */
int expect_load(const char *path, struct expect_file *ef, char *err, size_t errlen);
/* One line (no newline needed); comments and blank lines leave *rule unset
 * and return 1. 0 when *rule was filled, -1 with the reason in err. */
int expect_parse_line(const char *line, struct expect_rule *rule, char *err, size_t errlen);
void expect_free(struct expect_file *ef);

/* The last rule that matches the cell, or NULL. */
const struct expect_rule *expect_lookup(const struct expect_file *ef, const char *row,
					const char *scenario, const char *check);

/* Judges one cell: got is its verdict (ignored when error, the reason the
 * row could not run, is non-empty), detail the check's reason. */
void expect_judge(const struct expect_file *ef, const struct expect_rule *rule, enum verdict got,
		  const char *detail, const char *error, struct cell_expect *out);

/* "PASS", "XFAIL", "N/A", "SKIP", "NOT-CLAIMED" */
const char *expected_name(enum expected verdict);
#endif
