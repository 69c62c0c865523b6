#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "consumer.h"
#include "consumer_rate.h"
#include "bench_consumer.skel.h"

#define BATCH 20000

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long fill(struct bench_consumer_bpf *skel, unsigned int count, unsigned int len)
{
	struct { __u32 count, len; } args = { count, len };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.fill), &opts))
		return -errno;
	return (long)opts.retval; /* records bpf_loop emitted */
}

int consumer_rate(long total, unsigned int len, double *rate, char *err, size_t errlen)
{
	struct lib_registry reg = {};
	struct consumer c = { .out.format = OUTPUT_JSON, .reg = &reg };
	struct bench_consumer_bpf *skel = bench_consumer_bpf__open_and_load();
	struct ring_buffer *rb = NULL;
	double busy = 0;
	long done = 0;
	int consumed;
	int ret = -1;

	c.out.f = fopen("/dev/null", "w");
	if (!skel || !c.out.f) {
		snprintf(err, errlen, "cannot load the ring-buffer filler: %s", strerror(errno));
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.records), consumer_handle, &c, NULL);
	while (rb && done < total) {
		long filled = fill(skel, BATCH, len);
		double t0;

		if (filled <= 0) {
			snprintf(err, errlen, "filling the ring buffer failed (%ld)", filled);
			goto out;
		}
		t0 = now_ns();
		consumed = ring_buffer__consume(rb);
		if (consumed != filled) {
			snprintf(err, errlen, "the consumer took %d of %ld records", consumed, filled);
			goto out;
		}
		busy += now_ns() - t0;
		done += filled;
	}
	*rate = busy > 0 ? done * 1e9 / busy : 0;
	ret = rb ? 0 : -1;
out:
	ring_buffer__free(rb);
	bench_consumer_bpf__destroy(skel);
	if (c.out.f)
		fclose(c.out.f);
	return ret;
}
