/* How many ring-buffer records per second the tracer's consumer turns into
 * JSON lines (tracer/consumer.c, writing to /dev/null). */
#ifndef TLSPROBE_BENCH_CONSUMER_RATE_H
#define TLSPROBE_BENCH_CONSUMER_RATE_H

/* Drains `total` records of `len` payload bytes in batches; the records per
 * second of draining time in *rate. 0, or -1 with the reason. */
int consumer_rate(long total, unsigned int len, double *rate, char *err, size_t errlen);
#endif
