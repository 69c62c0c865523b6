// SPDX-License-Identifier: GPL-2.0
/* The expected-results file and judging cells against it (expect.h). */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

#define LINE_MAX_LEN 1024

static const char *const names[] = {
	[EXPECT_PASS] = "PASS", [EXPECT_XFAIL] = "XFAIL", [EXPECT_NA] = "N/A", [EXPECT_SKIP] = "SKIP",
	[EXPECT_NOT_CLAIMED] = "NOT-CLAIMED",
};

const char *expected_name(enum expected verdict)
{
	return verdict <= EXPECT_NOT_CLAIMED ? names[verdict] : "?";
}

static int parse_verdict(const char *word, enum expected *out)
{
	for (int i = 0; i <= EXPECT_NOT_CLAIMED; i++) {
		if (!strcmp(word, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

/* A CHECK that is no pattern must name a check: a typo would match nothing. */
static int check_known(const char *check)
{
	if (strpbrk(check, "*?["))
		return 1;
	for (int c = 0; c < N_CHECKS; c++)
		if (!strcmp(check, check_name(c)))
			return 1;
	return 0;
}

/* Copies the next whitespace-separated word of *s into out. */
static int next_word(const char **s, char *out, size_t len)
{
	size_t n;

	*s += strspn(*s, " \t");
	n = strcspn(*s, " \t");
	if (!n)
		return -1;
	if (n >= len)
		return -2;
	snprintf(out, len, "%.*s", (int)n, *s);
	*s += n;
	return 0;
}

int expect_parse_line(const char *text, struct expect_rule *rule, char *err, size_t errlen)
{
	char line[LINE_MAX_LEN], verdict[16];
	const char *s = line;
	size_t len;
	int got;

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(text, "#\n"), text);
	for (len = strlen(line); len && isspace((unsigned char)line[len - 1]); len--)
		line[len - 1] = '\0';
	if (!line[strspn(line, " \t")])
		return 1;
	memset(rule, 0, sizeof(*rule));
	if ((got = next_word(&s, rule->row, sizeof(rule->row))) ||
	    (got = next_word(&s, rule->scenario, sizeof(rule->scenario))) ||
	    (got = next_word(&s, rule->check, sizeof(rule->check))) ||
	    (got = next_word(&s, verdict, sizeof(verdict)))) {
		snprintf(err, errlen, got == -1 ? "want ROW SCENARIO CHECK VERDICT [reason]"
						: "a field is too long");
		return -1;
	}
	if (parse_verdict(verdict, &rule->verdict)) {
		snprintf(err, errlen, "verdict '%s' is none of PASS, XFAIL, N/A, SKIP, NOT-CLAIMED",
			 verdict);
		return -1;
	}
	if (!check_known(rule->check)) {
		snprintf(err, errlen, "no check '%s' (bytes, boundaries, fd, addresses, process, loss)",
			 rule->check);
		return -1;
	}
	s += strspn(s, " \t");
	snprintf(rule->reason, sizeof(rule->reason), "%s", s);
	if (!rule->reason[0] && (rule->verdict == EXPECT_XFAIL || rule->verdict == EXPECT_SKIP)) {
		snprintf(err, errlen, "%s needs a reason", verdict);
		return -1;
	}
	return 0;
}

int expect_load(const char *path, struct expect_file *ef, char *err, size_t errlen)
{
	char line[LINE_MAX_LEN], why[256];
	FILE *f = fopen(path, "r");
	int lineno = 0;

	memset(ef, 0, sizeof(*ef));
	snprintf(ef->path, sizeof(ef->path), "%s", path);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct expect_rule rule, *v;
		int got;

		lineno++;
		got = expect_parse_line(line, &rule, why, sizeof(why));
		if (got > 0)
			continue;
		v = got ? NULL : realloc(ef->v, (ef->n + 1) * sizeof(*v));
		if (!v) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, got ? why : "out of memory");
			fclose(f);
			expect_free(ef);
			return -1;
		}
		rule.line = lineno;
		ef->v = v;
		ef->v[ef->n++] = rule;
	}
	fclose(f);
	return 0;
}

void expect_free(struct expect_file *ef)
{
	free(ef->v);
	ef->v = NULL;
	ef->n = 0;
}

const struct expect_rule *expect_lookup(const struct expect_file *ef, const char *row,
					const char *scenario, const char *check)
{
	for (size_t i = ef->n; i-- > 0;) {
		const struct expect_rule *r = &ef->v[i];

		if (!fnmatch(r->row, row, 0) && !fnmatch(r->scenario, scenario, 0) &&
		    !fnmatch(r->check, check, 0))
			return r;
	}
	return NULL;
}

/* Does verdict got fulfil the expectation? (XFAIL: the check failed.) */
static int fulfils(enum expected want, enum verdict got)
{
	switch (want) {
	case EXPECT_PASS: return got == VERDICT_PASS;
	case EXPECT_XFAIL: return got == VERDICT_FAIL;
	case EXPECT_NA: return got == VERDICT_NA;
	case EXPECT_SKIP: return got == VERDICT_SKIP;
	case EXPECT_NOT_CLAIMED: return got == VERDICT_NOT_CLAIMED;
	}
	return 0;
}

void expect_judge(const struct expect_file *ef, const struct expect_rule *rule, enum verdict got,
		  const char *detail, const char *error, struct cell_expect *out)
{
	const char *got_name = error && error[0] ? "ERROR" : verdict_name(got);
	/* a PASS has no reason, whatever its detail holds */
	const char *why = error && error[0] ? error : got == VERDICT_PASS ? NULL : detail;

	memset(out, 0, sizeof(*out));
	out->set = 1;
	if (!rule) {
		snprintf(out->difference, sizeof(out->difference), "no line of %s matches it (got %s)",
			 ef->path, got_name);
		return;
	}
	out->verdict = rule->verdict;
	snprintf(out->reason, sizeof(out->reason), "%s", rule->reason);
	if (!(error && error[0]) && fulfils(rule->verdict, got)) {
		out->as_expected = 1;
		return;
	}
	if (!(error && error[0]) && rule->verdict == EXPECT_XFAIL && got == VERDICT_PASS)
		snprintf(out->difference, sizeof(out->difference),
			 "XPASS: remove it from the file (%s:%d)", ef->path, rule->line);
	else if (why && why[0])
		snprintf(out->difference, sizeof(out->difference), "expected %s, got %s (%.400s)",
			 expected_name(rule->verdict), got_name, why);
	else
		snprintf(out->difference, sizeof(out->difference), "expected %s, got %s",
			 expected_name(rule->verdict), got_name);
}
