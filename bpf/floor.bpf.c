// SPDX-License-Identifier: GPL-2.0
/* The floor: programs that only return, attached by `trace --mode floor` at
 * the same sites as the capturing ones. What a tracer costs beyond the
 * uprobes themselves is measured against these (tlsprobe bench). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("uprobe")
int floor_entry(void *ctx)
{
	return 0;
}

SEC("uretprobe")
int floor_return(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
