/* The user-space consumer: ring-buffer records → calls → output records.
 * `trace` runs it on the tracer's ring buffer; `bench` times it. */
#ifndef TLSPROBE_CONSUMER_H
#define TLSPROBE_CONSUMER_H
#include <stddef.h>
#include <stdint.h>
#include "output.h"
#include "reassembly.h"

struct lib_registry;
struct targets;

/* A write whose socket was not known at its return (FD_PENDING), kept
 * until its session's socket is learned (EVENT_FD_BIND: its session's
 * first read after a socket read). */
struct held_call {
	struct call_header hdr;
	uint8_t *data;          /* hdr.call_len bytes captured (a loss: NULL) */
	uint64_t have;
	int loss;               /* a loss record: lost bytes in hdr.lost */
	struct held_call *next;
};

/* How long a held write waits for its socket; then it goes out with fd -1. */
#define HELD_CALL_MAX_NS (2ULL * 1000 * 1000 * 1000)

struct consumer {
	struct reasm reasm;
	struct held_call *held, **held_tail; /* in arrival order */
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

/* Releases the held writes that waited longer than HELD_CALL_MAX_NS (at
 * now_ns, CLOCK_MONOTONIC), with fd -1. */
void consumer_expire_held(struct consumer *c, uint64_t now_ns);

/* Calls still incomplete at exit lost their tail together with its loss
 * record: written as what they have, then loss (unless loss_tallied says
 * the thread's tally holds it). */
void consumer_flush(struct consumer *c);
#endif
