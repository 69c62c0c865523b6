#include <stdlib.h>
#include <string.h>
#include "reassembly.h"

static struct reasm_call *unlink_call(struct reasm *r, uint64_t call_id)
{
	for (struct reasm_call **p = &r->pending; *p; p = &(*p)->next) {
		struct reasm_call *call = *p;

		if (call->hdr.call_id == call_id) {
			*p = call->next;
			call->next = NULL;
			return call;
		}
	}
	return NULL;
}

static struct reasm_call *new_call(const struct call_header *hdr)
{
	struct reasm_call *call = calloc(1, sizeof(*call));

	if (!call)
		return NULL;
	call->owned = malloc(hdr->call_len);
	if (!call->owned) {
		free(call);
		return NULL;
	}
	call->hdr = *hdr;
	call->data = call->owned;
	return call;
}

static void keep_pending(struct reasm *r, struct reasm_call *call)
{
	call->next = r->pending;
	r->pending = call;
}

struct reasm_call *reasm_add(struct reasm *r, const struct call_header *hdr, const uint8_t *data)
{
	static struct reasm_call whole; /* the no-copy answer for one-chunk calls */
	struct reasm_call *call;

	if (hdr->offset == 0 && hdr->chunk_len == hdr->call_len) {
		memset(&whole, 0, sizeof(whole));
		whole.hdr = *hdr;
		whole.data = data;
		whole.have = hdr->call_len;
		return &whole;
	}
	call = unlink_call(r, hdr->call_id);
	if (!call && hdr->offset == 0)
		call = new_call(hdr);
	if (!call) {
		r->bad_chunks++;
		return NULL;
	}
	if (hdr->offset != call->have || hdr->chunk_len > call->hdr.call_len - call->have) {
		r->bad_chunks++;
		keep_pending(r, call); /* a LOSS record or exit flushes what we have */
		return NULL;
	}
	memcpy(call->owned + call->have, data, hdr->chunk_len);
	call->have += hdr->chunk_len;
	if (call->have == call->hdr.call_len)
		return call;
	keep_pending(r, call);
	return NULL;
}

struct reasm_call *reasm_take(struct reasm *r, uint64_t call_id)
{
	return unlink_call(r, call_id);
}

struct reasm_call *reasm_take_any(struct reasm *r)
{
	return r->pending ? unlink_call(r, r->pending->hdr.call_id) : NULL;
}

void reasm_release(struct reasm_call *call)
{
	if (!call || !call->owned)
		return;
	free(call->owned);
	free(call);
}
