/* The user-space consumer: ring-buffer records → calls → output records.
 * `trace` runs it on the tracer's ring buffer; `bench` times it. */
#ifndef TLSPROBE_CONSUMER_H
#define TLSPROBE_CONSUMER_H
#include <stddef.h>
#include "output.h"
#include "reassembly.h"

struct lib_registry;
struct targets;

struct consumer {
	struct reasm reasm;
	struct output out;
	const struct lib_registry *reg; /* library names and versions for the records */
	struct targets *targets;        /* NULL: library loads are not followed */
	/* Whether BPF already counted a thread's losses whose records did not
	 * fit (and will report them itself); NULL: never. */
	int (*loss_tallied)(void *arg, const struct call_header *hdr);
	void *loss_arg;
};

/* libbpf's ring_buffer callback; ctx is the struct consumer. */
int consumer_handle(void *ctx, void *data, size_t size);

/* Calls still incomplete at exit lost their tail together with its loss
 * record: written as what they have, then loss (unless loss_tallied says
 * the thread's tally holds it). */
void consumer_flush(struct consumer *c);
#endif
