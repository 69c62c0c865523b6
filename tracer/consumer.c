#include "attach.h"
#include "consumer.h"
#include "targets.h"

#include <stdlib.h>
#include <string.h>

static void write_call(struct consumer *c, const struct call_header *hdr, const uint8_t *data,
		       uint64_t have)
{
	const struct probe_site *site;
	const struct tls_lib *lib = registry_site(c->reg, hdr->site, &site);

	output_data(&c->out, hdr, lib, site, data, have);
}

static void write_loss(struct consumer *c, const struct call_header *hdr, uint64_t delivered,
		       uint64_t lost)
{
	const struct probe_site *site;
	const struct tls_lib *lib = registry_site(c->reg, hdr->site, &site);

	output_loss(&c->out, hdr, lib, site, delivered, lost, 1);
}

/* Keeps a write that waits for its socket. Out of memory: it goes out now,
 * with fd -1, rather than not at all. */
static void hold(struct consumer *c, const struct call_header *hdr, const uint8_t *data,
		 uint64_t have, int loss)
{
	struct held_call *h = calloc(1, sizeof(*h));

	if (h && have && !(h->data = malloc(have))) {
		free(h);
		h = NULL;
	}
	if (!h) {
		struct call_header now = *hdr;

		now.fd = -1;
		if (loss)
			write_loss(c, &now, now.offset, now.lost);
		else
			write_call(c, &now, data, have);
		return;
	}
	h->hdr = *hdr;
	if (have)
		memcpy(h->data, data, have);
	h->have = have;
	h->loss = loss;
	if (!c->held_tail)
		c->held_tail = &c->held;
	*c->held_tail = h;
	c->held_tail = &h->next;
}

static void emit_call(struct consumer *c, const struct reasm_call *call)
{
	if (call->hdr.fd == FD_PENDING)
		hold(c, &call->hdr, call->data, call->have, 0);
	else
		write_call(c, &call->hdr, call->data, call->have);
}

static void emit_loss(struct consumer *c, const struct call_header *hdr, uint64_t delivered,
		      uint64_t lost)
{
	struct call_header h = *hdr;

	if (hdr->fd != FD_PENDING) {
		write_loss(c, hdr, delivered, lost);
		return;
	}
	h.offset = delivered;
	h.lost = lost;
	hold(c, &h, NULL, 0, 1);
}

/* Writes out the held calls that match (the session's; all when pid is 0;
 * those older than older_than_ns when set), with the socket now known (fd
 * -1: it stays unknown). */
static void release_held(struct consumer *c, uint32_t pid, uint64_t session, int32_t fd,
			 const struct sock_addrs *addrs, uint64_t older_than_ns)
{
	struct held_call **link = &c->held, *h;

	c->held_tail = NULL;
	while ((h = *link)) {
		int match = older_than_ns ? h->hdr.ts_ns < older_than_ns
					  : !pid || (h->hdr.pid == pid && h->hdr.session == session);

		if (!match) {
			link = &h->next;
			continue;
		}
		*link = h->next;
		h->hdr.fd = fd;
		memset(&h->hdr.addrs, 0, sizeof(h->hdr.addrs));
		if (fd >= 0 && addrs)
			h->hdr.addrs = *addrs;
		if (h->loss)
			write_loss(c, &h->hdr, h->hdr.offset, h->hdr.lost);
		else
			write_call(c, &h->hdr, h->data, h->have);
		free(h->data);
		free(h);
	}
	for (c->held_tail = &c->held; *c->held_tail; c->held_tail = &(*c->held_tail)->next)
		;
}

void consumer_expire_held(struct consumer *c, uint64_t now_ns)
{
	if (c->held && now_ns > HELD_CALL_MAX_NS)
		release_held(c, 0, 0, -1, NULL, now_ns - HELD_CALL_MAX_NS);
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
	case EVENT_FD_BIND: {
		const struct fd_bind_event *bind = data;

		if (size >= sizeof(*bind))
			release_held(c, bind->pid, bind->session, bind->fd, &bind->addrs, 0);
		break;
	}
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

	release_held(c, 0, 0, -1, NULL, 0);
	while ((call = reasm_take_any(&c->reasm))) {
		if (call->have)
			emit_call(c, call);
		if (!c->loss_tallied || !c->loss_tallied(c->loss_arg, &call->hdr))
			emit_loss(c, &call->hdr, call->have, call->hdr.call_len - call->have);
		reasm_release(call);
	}
	release_held(c, 0, 0, -1, NULL, 0);
}
