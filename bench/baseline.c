#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "baseline.h"

static double ratio_in(json_t *root, const char *fixture, long size)
{
	size_t i, j, k;
	json_t *f, *c, *s;

	json_array_foreach(json_object_get(root, "fixtures"), i, f) {
		if (strcmp(json_string_value(json_object_get(f, "fixture")) ?: "", fixture))
			continue;
		json_array_foreach(json_object_get(f, "configs"), j, c) {
			if (strcmp(json_string_value(json_object_get(c, "config")) ?: "", "reference"))
				continue;
			json_array_foreach(json_object_get(c, "sizes"), k, s) {
				json_t *ratio = json_object_get(json_object_get(s, "stream_write"),
								"ratio_to_floor");

				if (json_integer_value(json_object_get(s, "size")) == size &&
				    json_is_number(ratio))
					return json_number_value(ratio);
			}
		}
	}
	return NAN;
}

double baseline_ratio(const char *json_text, const char *fixture, long size)
{
	json_t *root = json_loads(json_text, 0, NULL);
	double ratio = root ? ratio_in(root, fixture, size) : NAN;

	json_decref(root);
	return ratio;
}

int baseline_compare(const struct bench_results *r, const char *path, double threshold_pct,
		     FILE *out)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	int compared = 0, regressed = 0;

	if (!root) {
		fprintf(out, "baseline %s: %s\n", path, jerr.text);
		return -1;
	}
	fprintf(out, "\n## Against the baseline %s (regression: ratio grown by more than %.0f%%)\n\n"
		     "| fixture | size | baseline ratio to floor | now | verdict |\n"
		     "|---|---:|---:|---:|---|\n", path, threshold_pct);
	for (int f = 0; f < r->nfixtures; f++) {
		for (int s = 0; s < r->nsizes; s++) {
			double then = ratio_in(root, r->fixtures[f], r->sizes[s]);
			double now = results_ratio_to_floor(r, f, s, CFG_REFERENCE, STREAM_WRITE);
			int worse;

			if (isnan(then))
				continue;
			compared++;
			/* what the baseline measured and this run could not is no pass */
			worse = isnan(now) || now > then * (1 + threshold_pct / 100);
			regressed |= worse;
			fprintf(out, "| %s | %ld | %.2f | %.2f | %s |\n", r->fixtures[f], r->sizes[s],
				then, now, isnan(now) ? "NOT MEASURED" : worse ? "REGRESSED" : "ok");
		}
	}
	json_decref(root);
	if (!compared) {
		fprintf(out, "nothing to compare: the baseline has no ratio for these fixtures and sizes\n");
		return -1;
	}
	return regressed;
}
