/* Container image layers on this host: their TLS libraries and executables
 * are attached before any container of the image runs, so that a container
 * is traced from its first byte, not from the moment the tracer sees it
 * open its library. Docker (overlay2) keeps each committed layer's metadata
 * in image/overlay2/layerdb/sha256/<chain id>/, whose cache-id names the
 * layer's files (overlay2/<cache-id>/diff); an entry appears there only
 * once the layer is complete, so a layer is looked at exactly when it
 * can be. */
#ifndef TLSPROBE_LAYERS_H
#define TLSPROBE_LAYERS_H
#include <stddef.h>
#include <stdint.h>

struct lib_registry;

struct layer_watch {
	char root[256];        /* Docker's data root (/var/lib/docker) */
	char (*seen)[72];      /* chain ids looked at */
	size_t nseen, cap;
	uint64_t next_ns;      /* when to look for new layers again */
	unsigned int files;    /* files looked at, so far */
};

/* Looks at the layers not seen yet (all of them, the first time) and
 * attaches to the TLS stacks in their files: libraries by name, any
 * executable of 1 MiB or more (a stack linked in) by content. Returns how
 * many new layers it looked at. */
int layers_scan_new(struct layer_watch *w, struct lib_registry *reg);

/* layers_scan_new, at most every LAYERS_RESCAN_MS (now_ns: CLOCK_MONOTONIC). */
#define LAYERS_RESCAN_MS 200
void layers_poll(struct layer_watch *w, struct lib_registry *reg, uint64_t now_ns);

void layers_free(struct layer_watch *w);
#endif
