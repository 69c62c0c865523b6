/* Loss: the reference tracer under a paced stream of 64-byte writes
 * (stream-64) at rising event rates; every plaintext byte the fixture moved
 * must be in the events or in a loss record. Also a forced-loss run (a small
 * ring buffer, the consumer stopped) to show that lost bytes are counted
 * exactly. */
#ifndef TLSPROBE_BENCH_LOSS_H
#define TLSPROBE_BENCH_LOSS_H
#include "configs.h"
#include "manifest.h"

struct loss_point {
	long rate_asked;            /* events/s (0: as fast as the machine goes) */
	double events_per_s;        /* reached: client writes + server reads per s */
	long long expected_bytes;   /* what the fixture moved (client out + server in) */
	long long captured_bytes;   /* in data records */
	long long lost_bytes;       /* in loss records */
	long long silent_bytes;     /* expected - captured - lost: must be 0 */
	char error[256];
};

/* One stream of `messages` at `rate` events/s through `fixture`, traced
 * with a ring buffer of ringbuf_mb MiB; pause: stop the tracer's consumer
 * (SIGSTOP) for the stream. 0, or -1 with pt->error. */
int loss_run(const struct bench_env *env, const struct fixture_row *fixture, long rate, long messages,
	     int ringbuf_mb, int pause, const char *workdir, struct loss_point *pt);

/* Sums the data and loss bytes of processes named tlsfix in an events file
 * (tests/test_bench_parse.c). 0 or -1. */
int loss_count_events(const char *path, long long *captured, long long *lost);
#endif
