/* Whole-process timings through hyperfine: a host fixture's bench-64 run
 * (two processes starting, handshaking, N round trips, exiting) under a
 * tracer, from hyperfine's JSON export. */
#ifndef TLSPROBE_BENCH_WHOLE_H
#define TLSPROBE_BENCH_WHOLE_H
#include "configs.h"
#include "manifest.h"

struct whole_result {
	double mean_s, stddev_s;
	int runs;
};

/* hyperfine --runs runs of the host row fixture; its JSON export goes to
 * json_path. 0 or -1 (err). */
int whole_run(const struct bench_env *env, const struct fixture_row *fixture, long iterations,
	      int runs, const char *workdir,
	      const char *json_path, struct whole_result *res, char *err, size_t errlen);

/* Reads mean and stddev of the first result of a hyperfine JSON export. */
int whole_parse(const char *json_path, struct whole_result *res);
#endif
