// SPDX-License-Identifier: GPL-2.0
/* New processes: when a target opens a file whose name contains "libssl", tell
 * user space, which attaches to that library (once per file) before the
 * process gets to its first TLS call. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "calls.bpf.h"

static const char needle[] = "libssl";

static __always_inline int contains_needle(const char *path, int len)
{
	for (int i = 0; i < LIB_PATH_MAX - (int)sizeof(needle) + 1; i++) {
		int j;

		if (i + (int)sizeof(needle) - 1 > len)
			return 0;
		for (j = 0; j < (int)sizeof(needle) - 1; j++)
			if (path[(i + j) & (LIB_PATH_MAX - 1)] != needle[j])
				break;
		if (j == sizeof(needle) - 1)
			return 1;
	}
	return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct lib_open_event *ev;
	struct trace_stats *st;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	long len;

	if (!is_target(tgid))
		return 0;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		st = stats_slot();
		if (st)
			st->lost_lib_opens++;
		return 0;
	}
	len = bpf_probe_read_user_str(ev->path, sizeof(ev->path), (void *)ctx->args[1]);
	if (len <= 0 || !contains_needle(ev->path, len)) {
		bpf_ringbuf_discard(ev, 0);
		return 0;
	}
	ev->kind = EVENT_LIB_OPEN;
	ev->pid = tgid;
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
