/* Running the OpenSSL fixture's bench scenarios (fixtures/openssl/bench.c)
 * on the host or in a Debian release's container, and reading what they
 * measured of themselves. */
#ifndef TLSPROBE_BENCH_FIXTURE_RUN_H
#define TLSPROBE_BENCH_FIXTURE_RUN_H
#include <stddef.h>

struct call_timing {
	double median_ns, p99_ns, mean_ns;
	long calls;
};

struct echo_result {
	struct call_timing write, read;  /* the client's timed calls */
	long client_calls;               /* every call of the client, warm-up included */
	double throughput;               /* bytes/s, both directions */
	long server_calls;               /* the server's reads + writes */
	char lib_version[64];
};

struct flood_result {
	long messages;
	double messages_per_s;
	long server_reads;
};

/* bench-SIZE with `iterations` round trips; results in outdir. 0, or -1
 * with the reason. */
int fixture_run_echo(const char *root, const char *fixture, const char *scenario,
		     long iterations, const char *outdir, struct echo_result *res,
		     char *err, size_t errlen);

/* flood: `messages` 64-byte writes paced to `rate` per second (0: unpaced). */
int fixture_run_flood(const char *root, const char *fixture, long rate, long messages,
		      const char *outdir, struct flood_result *res, char *err, size_t errlen);

/* Parsers of the fixture's JSON (tests/test_bench_parse.c). 0 or -1. */
int parse_echo_json(const char *client_json, const char *server_json, struct echo_result *res);
int parse_flood_json(const char *client_json, const char *server_json, struct flood_result *res);
#endif
