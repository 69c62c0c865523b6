#include "attach.h"
#include "consumer.h"
#include "targets.h"

static void emit_call(struct consumer *c, const struct reasm_call *call)
{
	output_data(&c->out, &call->hdr, registry_lib(c->reg, call->hdr.lib_id), call->data,
		    call->have);
}

int consumer_handle(void *ctx, void *data, size_t size)
{
	struct consumer *c = ctx;
	const struct call_header *hdr = data;
	struct reasm_call *call;

	if (size < sizeof(__u32))
		return 0;
	switch (hdr->kind) {
	case EVENT_DATA:
		if (size < sizeof(*hdr) + hdr->chunk_len)
			return 0;
		call = reasm_add(&c->reasm, hdr, (const uint8_t *)data + sizeof(*hdr));
		if (call)
			emit_call(c, call);
		reasm_release(call);
		break;
	case EVENT_LOSS:
		if (size < sizeof(*hdr))
			return 0;
		/* The bytes before the loss, then the loss itself. */
		call = reasm_take(&c->reasm, hdr->call_id);
		if (call && call->have)
			emit_call(c, call);
		reasm_release(call);
		output_loss(&c->out, hdr, registry_lib(c->reg, hdr->lib_id), hdr->offset, hdr->lost, 1);
		break;
	case EVENT_LIB_OPEN:
		if (c->targets)
			targets_note_lib_open(c->targets, ((const struct lib_open_event *)data)->pid);
		break;
	}
	return 0;
}

void consumer_flush(struct consumer *c)
{
	struct reasm_call *call;

	while ((call = reasm_take_any(&c->reasm))) {
		if (call->have)
			emit_call(c, call);
		if (!c->loss_tallied || !c->loss_tallied(c->loss_arg, &call->hdr))
			output_loss(&c->out, &call->hdr, registry_lib(c->reg, call->hdr.lib_id),
				    call->have, call->hdr.call_len - call->have, 1);
		reasm_release(call);
	}
}
