// SPDX-License-Identifier: GPL-2.0
/* NSS: the plaintext goes through NSPR's PR_Write/PR_Read/PR_Send/PR_Recv on
 * a descriptor that NSS's SSL layer tops (SSL_ImportFD). The same functions
 * serve plain sockets, files and pipes in the same process, which are not
 * TLS traffic: a call starts only on a descriptor that is the SSL layer.
 * From NSPR's public prio.h (the same since NSPR 4.0):
 *   struct PRFileDesc { const PRIOMethods *methods; PRFilePrivate *secret;
 *                       PRFileDesc *lower, *higher; void (*dtor)(PRFileDesc *);
 *                       PRDescIdentity identity; };
 *   a plain NSPR descriptor has identity PR_NSPR_IO_LAYER (0); a layer's
 *   methods table starts with its PRDescType, PR_DESC_LAYERED (4).
 * From NSS's sslimpl.h: the SSL layer's secret is its sslSocket, whose first
 * member points back to the layer's PRFileDesc (ssl_PushIOLayer sets
 * layer->secret = ns, and ns->fd = layer). No other layer's private data
 * starts with a pointer to its own descriptor. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "calls.bpf.h"

#define PR_NSPR_IO_LAYER 0
#define PR_DESC_LAYERED 4

struct pr_file_desc {
	__u64 methods, secret, lower, higher, dtor;
	__s32 identity;
};

static __always_inline int is_ssl_layer(__u64 fd)
{
	struct pr_file_desc desc;
	__u64 back = 0;
	__s32 type = 0;

	if (bpf_probe_read_user(&desc, sizeof(desc), (void *)fd) ||
	    desc.identity == PR_NSPR_IO_LAYER || !desc.methods || !desc.secret)
		return 0;
	if (bpf_probe_read_user(&type, sizeof(type), (void *)desc.methods) ||
	    type != PR_DESC_LAYERED)
		return 0;
	return !bpf_probe_read_user(&back, sizeof(back), (void *)desc.secret) && back == fd;
}

SEC("uprobe")
int nss_entry(struct pt_regs *ctx)
{
	struct thread_state *st = traced_thread();

	if (!st)
		return 0;
	if (is_ssl_layer(PT_REGS_PARM1(ctx)))
		call_begin(st, ctx);
	else
		call_not_begun(st, ctx);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
