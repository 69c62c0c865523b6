#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "harness.h"
#include "whole.h"

int whole_parse(const char *json_path, struct whole_result *res)
{
	json_t *root = json_load_file(json_path, 0, NULL);
	json_t *first = json_array_get(json_object_get(root, "results"), 0);
	int ok = json_is_object(first);

	if (ok) {
		res->mean_s = json_number_value(json_object_get(first, "mean"));
		res->stddev_s = json_number_value(json_object_get(first, "stddev"));
		res->runs = (int)json_array_size(json_object_get(first, "times"));
	}
	json_decref(root);
	return ok ? 0 : -1;
}

int whole_run(const struct bench_env *env, const struct fixture_row *fixture, long iterations,
	      int runs, const char *workdir, const char *json_path, struct whole_result *res,
	      char *err, size_t errlen)
{
	char command[4 * PATH_MAX], nruns[16], log[PATH_MAX], run_sh[PATH_MAX];
	char *argv[] = { "hyperfine", "--runs", nruns, "--warmup", "1", "--shell=none",
			 "--style", "basic", "--export-json", (char *)json_path, command, NULL };

	snprintf(nruns, sizeof(nruns), "%d", runs);
	snprintf(log, sizeof(log), "%.3900s/hyperfine.log", workdir);
	harness_host_run_sh(env->root, fixture->m, run_sh, sizeof(run_sh));
	snprintf(command, sizeof(command),
		 "env TLSFIX_ITERATIONS=%ld TLSFIX_SETTLE=0 %.3000s bench-64 %.2000s/whole-fixture "
		 "%.2000s/build/ca", iterations, run_sh, workdir, env->root);
	if (spawn_run(argv, log, 600000) || whole_parse(json_path, res)) {
		snprintf(err, errlen, "hyperfine failed (see %s)", log);
		return -1;
	}
	return 0;
}
