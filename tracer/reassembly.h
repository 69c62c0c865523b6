/* Putting a call's chunks back together. BPF sends a call's plaintext as
 * chunks of at most CHUNK_MAX bytes, in order; chunks of calls on other CPUs
 * may come in between. */
#ifndef TLSPROBE_REASSEMBLY_H
#define TLSPROBE_REASSEMBLY_H
#include <stdint.h>
#include <linux/types.h>
#include "../bpf/events.h"

struct reasm_call {
	struct call_header hdr;  /* of the first chunk */
	const uint8_t *data;     /* hdr.call_len bytes when complete; `have` so far */
	uint64_t have;
	uint8_t *owned;          /* NULL when data points into the caller's chunk */
	struct reasm_call *next;
};

struct reasm {
	struct reasm_call *pending;  /* calls still waiting for chunks */
	uint64_t bad_chunks;         /* out of order or inconsistent: dropped, counted */
};

/* Adds one DATA chunk. Returns the call when this chunk completes it (pass it
 * to reasm_release when done), or NULL. A single-chunk call is returned
 * without a copy: its data points into `data`. */
struct reasm_call *reasm_add(struct reasm *r, const struct call_header *hdr, const uint8_t *data);

/* Removes and returns the pending (partial) call with this id, or NULL: used
 * when a LOSS record says no more chunks will come. */
struct reasm_call *reasm_take(struct reasm *r, uint64_t call_id);

/* Removes and returns any pending call (for draining at exit), or NULL. */
struct reasm_call *reasm_take_any(struct reasm *r);

void reasm_release(struct reasm_call *call);
#endif
