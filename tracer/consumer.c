#include "attach.h"
#include "consumer.h"
#include "targets.h"

static void emit_call(struct consumer *c, const struct reasm_call *call)
{
	const struct probe_site *site;
	const struct tls_lib *lib = registry_site(c->reg, call->hdr.site, &site);

	output_data(&c->out, &call->hdr, lib, site, call->data, call->have);
}

static void emit_loss(struct consumer *c, const struct call_header *hdr, uint64_t delivered,
		      uint64_t lost)
{
	const struct probe_site *site;
	const struct tls_lib *lib = registry_site(c->reg, hdr->site, &site);

	output_loss(&c->out, hdr, lib, site, delivered, lost, 1);
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
		emit_loss(c, hdr, hdr->offset, hdr->lost);
		break;
	case EVENT_LIB_OPEN:
	case EVENT_EXEC:
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
			emit_loss(c, &call->hdr, call->have, call->hdr.call_len - call->have);
		reasm_release(call);
	}
}
