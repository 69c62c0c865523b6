/* Where rustls's received-plaintext queue keeps its fields, read from the
 * code of Reader::consume (libs/rustls_queue.c). */
#ifndef TLSPROBE_LIBS_RUSTLS_QUEUE_H
#define TLSPROBE_LIBS_RUSTLS_QUEUE_H
#include <stddef.h>
#include "../x86insn.h"

struct elf_image;

/* Offsets in the queue (ChunkVecBuffer) and in one chunk (Vec<u8>). */
struct rustls_queue_layout {
	long head, cap, elems;   /* the VecDeque: front index, capacity, chunk array */
	long prefix;             /* bytes of the front chunk taken already */
	long elem_size, elem_ptr, front_len; /* a chunk: size, byte pointer, length */
	char proof[200];
};

/* Reads the layout from fn, the code run at consume(queue in rdi, amt in
 * rsi). 0, or -1 with what was missing in why. */
int rustls_queue_prove(struct elf_image *img, const struct x86_func *fn,
		       struct rustls_queue_layout *q, char *why, size_t whylen);
#endif
