// SPDX-License-Identifier: GPL-2.0
/* The generic call programs: an entry probe and a return probe at any site
 * of the site table (bpf/events.h) whose session, buffer and byte count the
 * table describes: OpenSSL's and GnuTLS's functions use these as they are.
 * A stack whose sites need more at entry has its own entry program that
 * ends in call_begin (nss.bpf.c); every return ends in call_finish. The fd
 * comes from sockets.bpf.c (the syscall made inside the call). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "emit.bpf.h"

SEC("uprobe")
int tls_entry(struct pt_regs *ctx)
{
	struct thread_state *st = traced_thread();

	if (st)
		call_begin(st, ctx);
	return 0;
}

/* A uretprobe at an entry+return site; attached as a plain uprobe on each
 * return instruction of an entry+return-instructions site. */
SEC("uretprobe")
int tls_return(struct pt_regs *ctx)
{
	struct thread_state *st = call_returning(ctx);

	if (!st)
		return 0;
	call_finish(st, ctx);
	call_resume_outer(st, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
