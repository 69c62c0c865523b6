// SPDX-License-Identifier: GPL-2.0
/* Reading fixture manifests (format in manifest.h). Every bad line is an
 * error naming the file and line: a manifest that is silently half read
 * would drop rows or scenarios from the matrix without anyone noticing. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"

/* The stack the matrix started with: first in rows and scenario order. */
#define REFERENCE_STACK "openssl"
#define LINE_MAX_LEN 1024
#define WORDS_MAX (MANIFEST_LIST_MAX + 2)

struct parse {
	const char *path;
	int line;
	char *err;
	size_t errlen;
	int seen_stack, seen_comm, seen_build, seen_dockerfile;	/* line numbers, 0: not yet */
	int default_line;
	int fresh_lines[MANIFEST_LIST_MAX];	/* the line of each fresh scenario */
	int without_lines[MANIFEST_WITHOUT_MAX];
	char defaults[MANIFEST_VARIANTS_MAX][MANIFEST_NAME_MAX];
	int ndefaults;
};

static int fail(struct parse *p, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (p->line)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->path, p->line, why);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->path, why);
	return -1;
}

/* Stack, variant and suite names end up in paths and image tags. */
static int is_tag_name(const char *s)
{
	if (!*s || strlen(s) >= MANIFEST_NAME_MAX || !(islower((unsigned char)*s) || isdigit((unsigned char)*s)))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

/* Scenario names are directory names and fixture arguments. */
static int is_scenario_name(const char *s)
{
	if (!*s || strlen(s) >= MANIFEST_NAME_MAX || !isalnum((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

static int split_words(char *line, char **words, int max)
{
	int n = 0;

	for (char *w = strtok(line, " \t"); w; w = strtok(NULL, " \t")) {
		if (n == max)
			return -1;
		words[n++] = w;
	}
	return n;
}

/* Single-valued keys may appear once. */
static int once(struct parse *p, int *seen, const char *key)
{
	if (*seen)
		return fail(p, "'%s' given twice (first on line %d)", key, *seen);
	*seen = p->line;
	return 0;
}

static int one_value(struct parse *p, int nwords, const char *key)
{
	return nwords == 2 ? 0 : fail(p, "'%s' takes one value, got %d", key, nwords - 1);
}

static int add_names(struct parse *p, char list[][MANIFEST_NAME_MAX], int *n, char **words,
		     int nwords, const char *key)
{
	if (nwords < 2)
		return fail(p, "'%s' lists no scenario", key);
	for (int i = 1; i < nwords; i++) {
		if (!is_scenario_name(words[i]))
			return fail(p, "bad scenario name '%s'", words[i]);
		for (int j = 0; j < *n; j++)
			if (!strcmp(list[j], words[i]))
				return fail(p, "scenario '%s' listed twice", words[i]);
		if (*n == MANIFEST_LIST_MAX)
			return fail(p, "more than %d %s", MANIFEST_LIST_MAX, key);
		snprintf(list[(*n)++], MANIFEST_NAME_MAX, "%s", words[i]);
	}
	return 0;
}

/* variant NAME host|SUITE TEXT: the text is the rest of the line. */
static int add_variant(struct parse *p, struct manifest *m, char **words, int nwords,
		       const char *rest)
{
	struct manifest_variant *v;

	if (nwords < 3)
		return fail(p, "'variant' needs a name and 'host' or a Debian suite");
	if (!is_tag_name(words[1]) || !is_tag_name(words[2]))
		return fail(p, "bad variant name or suite '%s %s' (lower case, digits, . _ -)",
			    words[1], words[2]);
	if (manifest_variant(m, words[1]))
		return fail(p, "variant '%s' given twice", words[1]);
	if (m->nvariants == MANIFEST_VARIANTS_MAX)
		return fail(p, "more than %d variants", MANIFEST_VARIANTS_MAX);
	v = &m->variants[m->nvariants++];
	snprintf(v->name, sizeof(v->name), "%s", words[1]);
	snprintf(v->suite, sizeof(v->suite), "%s", words[2]);
	snprintf(v->description, sizeof(v->description), "%s", rest ? rest : "");
	return 0;
}

static int add_defaults(struct parse *p, char **words, int nwords)
{
	if (nwords < 2)
		return fail(p, "'default' names no variant");
	if (p->default_line)
		return fail(p, "'default' given twice (first on line %d)", p->default_line);
	p->default_line = p->line;
	for (int i = 1; i < nwords; i++) {
		if (p->ndefaults == MANIFEST_VARIANTS_MAX)
			return fail(p, "more than %d default variants", MANIFEST_VARIANTS_MAX);
		snprintf(p->defaults[p->ndefaults++], MANIFEST_NAME_MAX, "%s", words[i]);
	}
	return 0;
}

/* Where the free text of a variant line starts: after its third word. */
static const char *text_after_words(const char *line, int skip)
{
	const char *s = line;

	for (int i = 0; i < skip; i++) {
		s += strspn(s, " \t");
		s += strcspn(s, " \t");
	}
	s += strspn(s, " \t");
	return *s ? s : NULL;
}

/* without SCENARIO PATTERN… -- REASON (the reason is the rest of the line). */
static int add_without(struct parse *p, struct manifest *m, char **words, int nwords,
		       const char *line)
{
	const char *dashes = strstr(line, " -- ");
	struct manifest_without *w;
	int i;

	if (nwords < 3 || !dashes || !dashes[4])
		return fail(p, "'without' needs a scenario, variant patterns, then -- and the reason");
	if (m->nwithout == MANIFEST_WITHOUT_MAX)
		return fail(p, "more than %d 'without' lines", MANIFEST_WITHOUT_MAX);
	if (!is_scenario_name(words[1]))
		return fail(p, "bad scenario name '%s'", words[1]);
	w = &m->without[m->nwithout++];
	snprintf(w->scenario, sizeof(w->scenario), "%s", words[1]);
	for (i = 2; i < nwords && strcmp(words[i], "--"); i++) {
		if (w->npatterns == MANIFEST_VARIANTS_MAX)
			return fail(p, "more than %d variant patterns", MANIFEST_VARIANTS_MAX);
		snprintf(w->patterns[w->npatterns++], MANIFEST_NAME_MAX, "%s", words[i]);
	}
	if (!w->npatterns)
		return fail(p, "'without %s' names no variant", w->scenario);
	snprintf(w->reason, sizeof(w->reason), "%s", dashes + 4);
	p->without_lines[m->nwithout - 1] = p->line;
	return 0;
}

static int parse_line(struct parse *p, struct manifest *m, char *line)
{
	char copy[LINE_MAX_LEN], *words[WORDS_MAX];
	int n;

	line[strcspn(line, "#\n")] = '\0';
	for (size_t len = strlen(line); len && isspace((unsigned char)line[len - 1]); len--)
		line[len - 1] = '\0';
	snprintf(copy, sizeof(copy), "%s", line);
	n = split_words(line, words, WORDS_MAX);
	if (n < 0 && strncmp(copy, "variant", 7))
		return fail(p, "too many words (at most %d)", WORDS_MAX);
	if (n < 0)	/* a variant's description may be long */
		n = WORDS_MAX;
	if (n == 0)
		return 0;
	if (!strcmp(words[0], "stack")) {
		if (once(p, &p->seen_stack, "stack") || one_value(p, n, "stack"))
			return -1;
		if (!is_tag_name(words[1]))
			return fail(p, "bad stack name '%s' (lower case, digits, . _ -)", words[1]);
		snprintf(m->stack, sizeof(m->stack), "%s", words[1]);
	} else if (!strcmp(words[0], "comm")) {
		if (once(p, &p->seen_comm, "comm") || one_value(p, n, "comm"))
			return -1;
		if (strlen(words[1]) >= MANIFEST_COMM_MAX)
			return fail(p, "comm '%s' is longer than the kernel's %d bytes", words[1],
				    MANIFEST_COMM_MAX - 1);
		snprintf(m->comm, sizeof(m->comm), "%s", words[1]);
	} else if (!strcmp(words[0], "build")) {
		if (once(p, &p->seen_build, "build") || one_value(p, n, "build"))
			return -1;
		if (strcmp(words[1], "host") && strcmp(words[1], "container"))
			return fail(p, "build is 'host' or 'container', not '%s'", words[1]);
		m->build_host = !strcmp(words[1], "host");
	} else if (!strcmp(words[0], "dockerfile")) {
		if (once(p, &p->seen_dockerfile, "dockerfile") || one_value(p, n, "dockerfile"))
			return -1;
		if (words[1][0] == '/' || strstr(words[1], ".."))
			return fail(p, "the dockerfile is a path inside the checkout, not '%s'", words[1]);
		snprintf(m->dockerfile, sizeof(m->dockerfile), "%s", words[1]);
	} else if (!strcmp(words[0], "scenarios")) {
		return add_names(p, m->scenarios, &m->nscenarios, words, n, "scenarios");
	} else if (!strcmp(words[0], "bench")) {
		return add_names(p, m->bench, &m->nbench, words, n, "bench");
	} else if (!strcmp(words[0], "fresh")) {
		int first = m->nfresh;

		if (add_names(p, m->fresh, &m->nfresh, words, n, "fresh"))
			return -1;
		for (int i = first; i < m->nfresh; i++)
			p->fresh_lines[i] = p->line;
	} else if (!strcmp(words[0], "variant")) {
		return add_variant(p, m, words, n, text_after_words(copy, 3));
	} else if (!strcmp(words[0], "default")) {
		return add_defaults(p, words, n);
	} else if (!strcmp(words[0], "without")) {
		return add_without(p, m, words, n, copy);
	} else if (!strcmp(words[0], "split-calls")) {
		const char *why = strstr(copy, " -- ");

		if (m->split_calls[0])
			return fail(p, "more than one 'split-calls' line");
		if (n < 3 || strcmp(words[1], "--") || !why || !why[4])
			return fail(p, "'split-calls' needs -- and the reason");
		snprintf(m->split_calls, sizeof(m->split_calls), "%s", why + 4);
	} else {
		return fail(p, "unknown key '%s' (stack, comm, build, dockerfile, scenarios, bench, "
			    "fresh, variant, default, without, split-calls)", words[0]);
	}
	return 0;
}

/* The directory a manifest is in must be its stack's: the fixture's
 * sources and build/fixtures/<stack> are found by that name. */
static int check_directory(struct parse *p, const struct manifest *m)
{
	char dir[PATH_MAX];
	const char *base;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", p->path);
	slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
	if (strcmp(base, m->stack))
		return fail(p, "stack '%s' is in a directory named '%s'", m->stack, base);
	return 0;
}

static int check_complete(struct parse *p, struct manifest *m)
{
	p->line = 0;
	if (!p->seen_stack || !p->seen_comm || !p->seen_build)
		return fail(p, "no '%s' line", !p->seen_stack ? "stack" : !p->seen_comm ? "comm" : "build");
	if (!m->nscenarios)
		return fail(p, "no 'scenarios' line");
	if (!m->nvariants)
		return fail(p, "no 'variant' line");
	for (int i = 0; i < m->nvariants; i++) {
		const struct manifest_variant *v = &m->variants[i];

		if (manifest_variant_is_host(v) && !m->build_host)
			return fail(p, "variant '%s' runs on the host but the stack has 'build container'",
				    v->name);
		if (!manifest_variant_is_host(v) && !m->dockerfile[0])
			return fail(p, "variant '%s' runs in a container but there is no 'dockerfile'",
				    v->name);
	}
	for (int i = 0; i < m->nwithout; i++) {
		p->line = p->without_lines[i];
		if (!manifest_supports(m, m->without[i].scenario))
			return fail(p, "'without' scenario '%s' is not in 'scenarios'",
				    m->without[i].scenario);
	}
	/* A fresh scenario that is not run would be a promise nobody checks. */
	for (int i = 0; i < m->nfresh; i++) {
		p->line = p->fresh_lines[i];
		if (!manifest_supports(m, m->fresh[i]))
			return fail(p, "fresh scenario '%s' is not in 'scenarios'", m->fresh[i]);
	}
	p->line = p->default_line;
	for (int i = 0; i < p->ndefaults; i++) {
		const struct manifest_variant *v = manifest_variant(m, p->defaults[i]);

		if (!v)
			return fail(p, "default variant '%s' is not a variant of %s", p->defaults[i],
				    m->stack);
		for (int j = 0; j < m->ndefaults; j++)
			if (m->defaults[j] == v - m->variants)
				return fail(p, "default variant '%s' named twice", v->name);
		m->defaults[m->ndefaults++] = v - m->variants;
	}
	p->line = 0;
	return check_directory(p, m);
}

int manifest_load_file(const char *path, struct manifest *m, char *err, size_t errlen)
{
	struct parse p = { .path = path, .err = err, .errlen = errlen };
	char line[LINE_MAX_LEN];
	FILE *f = fopen(path, "r");
	int ret = 0;

	memset(m, 0, sizeof(*m));
	snprintf(m->path, sizeof(m->path), "%s", path);
	if (!f)
		return fail(&p, "cannot read: %s", strerror(errno));
	while (!ret && fgets(line, sizeof(line), f)) {
		p.line++;
		if (!strchr(line, '\n') && !feof(f))
			ret = fail(&p, "line longer than %d bytes", LINE_MAX_LEN - 2);
		else
			ret = parse_line(&p, m, line);
	}
	fclose(f);
	return ret ? -1 : check_complete(&p, m);
}

static int by_stack(const void *a, const void *b)
{
	const struct manifest *x = a, *y = b;
	int xref = !strcmp(x->stack, REFERENCE_STACK), yref = !strcmp(y->stack, REFERENCE_STACK);

	return xref != yref ? yref - xref : strcmp(x->stack, y->stack);
}

static int append_manifest(struct manifest_set *set, const char *path, char *err, size_t errlen)
{
	struct manifest *v = realloc(set->v, (set->n + 1) * sizeof(*v));

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	set->v = v;
	return manifest_load_file(path, &set->v[set->n], err, errlen) ? -1 : (set->n++, 0);
}

int manifest_load_all(const char *root, struct manifest_set *set, char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *e;
	DIR *d;
	int ret = 0;

	memset(set, 0, sizeof(*set));
	snprintf(dir, sizeof(dir), "%s/fixtures", root);
	d = opendir(dir);
	if (!d) {
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	while (!ret && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/manifest", dir, e->d_name);
		if (access(path, F_OK))
			continue;	/* fixtures/ca, for one, is no stack */
		ret = append_manifest(set, path, err, errlen);
	}
	closedir(d);
	if (!ret && !set->n) {
		snprintf(err, errlen, "no fixtures/*/manifest under %s", root);
		ret = -1;
	}
	if (ret) {
		manifest_set_free(set);
		return -1;
	}
	qsort(set->v, set->n, sizeof(set->v[0]), by_stack);
	return 0;
}

void manifest_set_free(struct manifest_set *set)
{
	free(set->v);
	memset(set, 0, sizeof(*set));
}

const struct manifest *manifest_stack(const struct manifest_set *set, const char *stack)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].stack, stack))
			return &set->v[i];
	return NULL;
}

const struct manifest_variant *manifest_variant(const struct manifest *m, const char *variant)
{
	for (int i = 0; i < m->nvariants; i++)
		if (!strcmp(m->variants[i].name, variant))
			return &m->variants[i];
	return NULL;
}

static int listed(const char list[][MANIFEST_NAME_MAX], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return 1;
	return 0;
}

int manifest_supports(const struct manifest *m, const char *scenario)
{
	return listed(m->scenarios, m->nscenarios, scenario);
}

int manifest_row_supports(const struct manifest *m, const struct manifest_variant *v,
			  const char *scenario, const char **why)
{
	if (why)
		*why = NULL;
	if (!manifest_supports(m, scenario))
		return 0;
	for (int i = 0; i < m->nwithout; i++) {
		if (strcmp(m->without[i].scenario, scenario))
			continue;
		for (int j = 0; j < m->without[i].npatterns; j++)
			if (!fnmatch(m->without[i].patterns[j], v->name, 0)) {
				if (why)
					*why = m->without[i].reason;
				return 0;
			}
	}
	return 1;
}

int manifest_supports_bench(const struct manifest *m, const char *scenario)
{
	return listed(m->bench, m->nbench, scenario);
}

int manifest_fresh(const struct manifest *m, const struct manifest_variant *v, const char *scenario)
{
	return !manifest_variant_is_host(v) && listed(m->fresh, m->nfresh, scenario);
}

int manifest_variant_is_host(const struct manifest_variant *v)
{
	return !strcmp(v->suite, "host");
}

void manifest_image(const struct manifest *m, const struct manifest_variant *v, char *out, size_t len)
{
	snprintf(out, len, "tlsprobe/fixture-%s:%s", m->stack, v->name);
}

static void make_row(const struct manifest *m, const struct manifest_variant *v, struct fixture_row *row)
{
	row->m = m;
	row->v = v;
	snprintf(row->name, sizeof(row->name), "%s@%s", m->stack, v->name);
}

int fixture_row_find(const struct manifest_set *set, const char *name, struct fixture_row *row)
{
	char stack[MANIFEST_NAME_MAX];
	const char *at = strchr(name, '@');
	const struct manifest *m;
	const struct manifest_variant *v;

	if (!at || at - name >= MANIFEST_NAME_MAX)
		return -1;
	snprintf(stack, sizeof(stack), "%.*s", (int)(at - name), name);
	m = manifest_stack(set, stack);
	v = m ? manifest_variant(m, at + 1) : NULL;
	if (!v)
		return -1;
	make_row(m, v, row);
	return 0;
}

/* Adds a row unless it is there already. 0, or -1 when rows is full. */
static int add_row(struct fixture_row *rows, int *n, int max, const struct manifest *m,
		   const struct manifest_variant *v)
{
	for (int i = 0; i < *n; i++)
		if (rows[i].v == v)
			return 0;
	if (*n == max)
		return -1;
	make_row(m, v, &rows[(*n)++]);
	return 0;
}

static int add_stack(struct fixture_row *rows, int *n, int max, const struct manifest *m,
		     int defaults_only)
{
	int count = defaults_only ? m->ndefaults : m->nvariants;

	for (int i = 0; i < count; i++)
		if (add_row(rows, n, max, m, &m->variants[defaults_only ? m->defaults[i] : i]))
			return -1;
	return 0;
}

/* "all, default, openssl, openssl@host, ..." for an error message. */
static void valid_names(const struct manifest_set *set, char *out, size_t len)
{
	size_t used = snprintf(out, len, "all, default");

	for (size_t i = 0; i < set->n && used < len; i++) {
		const struct manifest *m = &set->v[i];

		used += snprintf(out + used, len - used, ", %s", m->stack);
		for (int j = 0; j < m->nvariants && used < len; j++)
			used += snprintf(out + used, len - used, ", %s@%s", m->stack,
					 m->variants[j].name);
	}
}

static int add_item(const struct manifest_set *set, const char *item, struct fixture_row *rows,
		    int *n, int max)
{
	struct fixture_row row;
	const struct manifest *m;

	if (!strcmp(item, "all") || !strcmp(item, "default")) {
		for (size_t i = 0; i < set->n; i++)
			if (add_stack(rows, n, max, &set->v[i], !strcmp(item, "default")))
				return -1;
		return 0;
	}
	if ((m = manifest_stack(set, item)))
		return add_stack(rows, n, max, m, 0);
	if (!fixture_row_find(set, item, &row))
		return add_row(rows, n, max, row.m, row.v);
	return 1;
}

int fixture_rows_select(const struct manifest_set *set, const char *list, struct fixture_row *rows,
			int max, char *err, size_t errlen)
{
	char *copy = strdup(list), *save = NULL;
	int n = 0, ret = 0;

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (char *item = strtok_r(copy, ",", &save); item && !ret; item = strtok_r(NULL, ",", &save)) {
		ret = add_item(set, item, rows, &n, max);
		if (ret > 0) {
			char names[1024];

			valid_names(set, names, sizeof(names));
			snprintf(err, errlen, "no fixture '%s' (valid: %s)", item, names);
		} else if (ret < 0) {
			snprintf(err, errlen, "more than %d fixture rows", max);
		}
	}
	free(copy);
	if (!ret && !n) {
		snprintf(err, errlen, "no fixture row chosen");
		ret = -1;
	}
	return ret ? -1 : n;
}
