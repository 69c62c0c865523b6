/* Go's crypto/tls in Go executables: (*Conn).Write and (*Conn).Read, by
 * symbol or from the function table, either argument ABI (libs/go.c). */
#ifndef TLSPROBE_LIBS_GO_H
#define TLSPROBE_LIBS_GO_H
#include <stdint.h>
#include "backend.h"

extern const struct tls_backend go_backend;

/* The offsets the fd's chain takes in a Go release (go.c's table). */
struct go_layout_view {
	uint16_t tls_conn_conn, tcpconn_fd, netfd_sysfd, itab_fun, g_stack;
};

/* The layout of Go major.minor, or NULL when the table has none. */
const struct go_layout_view *go_layout_for(int major, int minor, struct go_layout_view *out);
#endif
