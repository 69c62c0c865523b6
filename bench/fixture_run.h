/* Running a fixture row's bench scenarios (fixtures/<stack>/bench.c) on the
 * host or in its container, and reading what they measured of themselves. */
#ifndef TLSPROBE_BENCH_FIXTURE_RUN_H
#define TLSPROBE_BENCH_FIXTURE_RUN_H
#include <stddef.h>
#include "manifest.h"

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

struct stream_result {
	struct call_timing write;        /* the client's SSL_writes */
	double calibration_ns;           /* its speed meanwhile (a fixed loop, timed); 0: none */
	long messages;
	double messages_per_s;
	long client_calls, server_calls;
};

/* bench-SIZE with `iterations` round trips; results in outdir. 0, or -1
 * with the reason. */
int fixture_run_echo(const char *root, const struct fixture_row *fixture, const char *scenario,
		     long iterations, const char *outdir, struct echo_result *res,
		     char *err, size_t errlen);

/* stream-SIZE: `messages` writes back to back, or paced to `rate` per
 * second (0: unpaced); with untraced_reader the reader is not named tlsfix
 * (no tracer of tlsfix probes it). */
int fixture_run_stream(const char *root, const struct fixture_row *fixture, const char *scenario,
		       long messages, long rate, int untraced_reader, const char *outdir,
		       struct stream_result *res, char *err, size_t errlen);

/* Parsers of the fixture's JSON (tests/test_bench_parse.c). 0 or -1. */
int parse_echo_json(const char *client_json, const char *server_json, struct echo_result *res);
int parse_stream_json(const char *client_json, const char *server_json, struct stream_result *res);
#endif
