/* Fixture manifests: what each TLS stack's fixture is and where it runs,
 * read from fixtures/<stack>/manifest so that conform, bench and
 * scripts/images.sh need no list of stacks of their own.
 *
 * A manifest is line-based; `#` starts a comment; the first word is the key:
 *   stack      openssl                  the fixture (its directory's name; rows are fixture@variant)
 *   comm       tlsfix                   command name of its processes (tracer --comm)
 *   build      host|container           host: `make -C fixtures/<stack>` builds it here too
 *   dockerfile docker/openssl.Dockerfile built per container variant, --build-arg SUITE
 *   scenarios  basic size-1 ...         conformance scenarios (others are N/A)
 *   bench      stream-64 ...            bench scenarios
 *   fresh      quick ...                of its scenarios, those that a container
 *                                       variant runs from a fresh image (harness.h)
 *   variant    NAME host|SUITE TEXT     one line per variant
 *   default    NAME ...                 the variants of the default matrix
 *   without    SCENARIO PATTERN… -- WHY variants (fnmatch) not running a scenario (N/A)
 *   split-calls -- WHY                  the probed calls may split the application's
 *                                       (each of its calls is whole trace calls: the
 *                                       boundaries check takes that as equal)
 * A fixture row is stack@variant (openssl@host, gnutls@trixie). */
#ifndef TLSPROBE_MANIFEST_H
#define TLSPROBE_MANIFEST_H
#include <limits.h>
#include <stddef.h>

#define MANIFEST_NAME_MAX 32
#define MANIFEST_COMM_MAX 16	/* the kernel's TASK_COMM_LEN */
#define MANIFEST_LIST_MAX 32
#define MANIFEST_VARIANTS_MAX 24
#define FIXTURE_ROW_NAME_MAX (2 * MANIFEST_NAME_MAX)

struct manifest_variant {
	char name[MANIFEST_NAME_MAX];
	char suite[MANIFEST_NAME_MAX];	/* "host", or the Debian suite of its image */
	char description[128];
};

/* without SCENARIO PATTERN… -- REASON: variants (fnmatch patterns of their
 * names) that do not run a scenario of the `scenarios` line. */
#define MANIFEST_WITHOUT_MAX 8
struct manifest_without {
	char scenario[MANIFEST_NAME_MAX];
	char patterns[MANIFEST_VARIANTS_MAX][MANIFEST_NAME_MAX];
	int npatterns;
	char reason[160];
};

struct manifest {
	char path[PATH_MAX];		/* the file it was read from */
	char stack[MANIFEST_NAME_MAX];
	char comm[MANIFEST_COMM_MAX];
	int build_host;
	char dockerfile[256];		/* relative to the checkout; "" if none */
	char scenarios[MANIFEST_LIST_MAX][MANIFEST_NAME_MAX];
	int nscenarios;
	char bench[MANIFEST_LIST_MAX][MANIFEST_NAME_MAX];
	int nbench;
	char fresh[MANIFEST_LIST_MAX][MANIFEST_NAME_MAX];	/* each one of scenarios */
	int nfresh;
	struct manifest_variant variants[MANIFEST_VARIANTS_MAX];
	int nvariants;
	int defaults[MANIFEST_VARIANTS_MAX];	/* indexes into variants, in the default line's order */
	int ndefaults;
	struct manifest_without without[MANIFEST_WITHOUT_MAX];
	int nwithout;
	char split_calls[160];	/* split-calls: why, "" when a call must be one trace call */
};

struct manifest_set {
	struct manifest *v;
	size_t n;
};

/* One fixture row: a stack's variant. */
struct fixture_row {
	const struct manifest *m;
	const struct manifest_variant *v;
	char name[FIXTURE_ROW_NAME_MAX];	/* stack@variant */
};

/* Reads one manifest. 0, or -1 with "path:line: reason" in err. */
int manifest_load_file(const char *path, struct manifest *m, char *err, size_t errlen);

/* Every root/fixtures/<stack>/manifest. The reference stack (openssl) comes
 * first, then the others by name: rows and the scenario order start as they
 * did before any other stack existed. 0, or -1 with the reason in err. */
int manifest_load_all(const char *root, struct manifest_set *set, char *err, size_t errlen);
void manifest_set_free(struct manifest_set *set);

const struct manifest *manifest_stack(const struct manifest_set *set, const char *stack);
const struct manifest_variant *manifest_variant(const struct manifest *m, const char *variant);
int manifest_supports(const struct manifest *m, const char *scenario);
int manifest_supports_bench(const struct manifest *m, const char *scenario);
/* Whether the row runs the scenario: the manifest lists it and no `without`
 * line leaves the variant out (then *why, when given, says why; else NULL). */
int manifest_row_supports(const struct manifest *m, const struct manifest_variant *v,
			  const char *scenario, const char **why);
/* Whether the row runs the scenario from a fresh image: a container
 * variant and a scenario of the `fresh` line (a host variant ignores it). */
int manifest_fresh(const struct manifest *m, const struct manifest_variant *v, const char *scenario);
/* A host variant runs build/fixtures/<stack>/run.sh; the others an image. */
int manifest_variant_is_host(const struct manifest_variant *v);
/* tlsprobe/fixture-<stack>:<variant> */
void manifest_image(const struct manifest *m, const struct manifest_variant *v, char *out, size_t len);

/* "stack@variant" → row. 0, or -1 when there is no such row. */
int fixture_row_find(const struct manifest_set *set, const char *name, struct fixture_row *row);

/* A --fixtures list, comma-separated: `all` (every variant of every stack),
 * `default` (each manifest's default variants), a stack name (all its
 * variants) or stack@variant. Rows in the order asked, each once. Returns
 * the number of rows, or -1 with the reason (and the valid names) in err. */
int fixture_rows_select(const struct manifest_set *set, const char *list, struct fixture_row *rows,
			int max, char *err, size_t errlen);
#endif
