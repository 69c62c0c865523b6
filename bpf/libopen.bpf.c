// SPDX-License-Identifier: GPL-2.0
/* New processes: when a target opens a file whose name starts like a TLS
 * library of one of the backends (lib_names, set by user space from the
 * backend table: "libssl.so", "libgnutls.so", "libnspr4.so" …), tell user
 * space, which attaches to that library (once per file) before the process
 * gets to its first TLS call. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "calls.bpf.h"

const volatile char lib_names[LIB_NAMES_MAX][LIB_NAME_LEN] = {};
const volatile __u32 nlib_names = 0;

/* The event is built here (per CPU) and sent only when the name matches. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lib_open_event);
} open_events SEC(".maps");

struct base_ctx {
	int len;
	int base;
};

/* bpf_loop callback: where the file name starts (after the last '/'). A
 * plain loop would make the verifier walk every position of the last slash. */
static long note_slash(__u32 i, struct base_ctx *c)
{
	__u32 zero = 0;
	struct lib_open_event *ev = bpf_map_lookup_elem(&open_events, &zero);

	if (!ev || i >= (__u32)c->len)
		return 1;
	if (ev->path[i & (LIB_PATH_MAX - 1)] == '/')
		c->base = i + 1;
	return 0;
}

static __always_inline int starts_with(const char *path, __u32 base, __u32 name)
{
	for (int j = 0; j < LIB_NAME_LEN; j++) {
		char c = lib_names[name & (LIB_NAMES_MAX - 1)][j];

		if (!c)
			return j > 0;
		if (path[(base + j) & (LIB_PATH_MAX - 1)] != c)
			return 0;
	}
	return 1;
}

static __always_inline int is_tls_lib(const char *path, int len)
{
	struct base_ctx c = { .len = len };

	bpf_loop(LIB_PATH_MAX, note_slash, &c, 0);
	for (__u32 n = 0; n < LIB_NAMES_MAX && n < nlib_names; n++)
		if (starts_with(path, c.base, n))
			return 1;
	return 0;
}

SEC("tp/syscalls/sys_enter_openat")
int sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct lib_open_event *ev;
	struct trace_stats *st;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	long len;

	if (!is_target(tgid))
		return 0;
	ev = bpf_map_lookup_elem(&open_events, &zero);
	if (!ev)
		return 0;
	len = bpf_probe_read_user_str(ev->path, sizeof(ev->path), (void *)ctx->args[1]);
	if (len <= 0 || !is_tls_lib(ev->path, len - 1))
		return 0;
	watch_early_io(thread_state_peek(), tgid);
	ev->kind = EVENT_LIB_OPEN;
	ev->pid = tgid;
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev), BPF_RB_FORCE_WAKEUP)) {
		st = stats_slot();
		if (st)
			st->lost_lib_opens++;
	}
	return 0;
}

/* Both events wake user space at once (BPF_RB_FORCE_WAKEUP): data records
 * do not wake it (wakeup_flags), so the consumer lags the ring and an
 * adaptive wake-up (flags 0) never comes; the event then waits for the next
 * 20 ms drain, and a short-lived process (an exec'd client: ~10 ms here) is
 * gone before its maps are read, which is reported as "attached late"
 * although its stacks were attached long before (make test-load, churn). */

/* A target that execs may have its TLS stack linked into the executable
 * (static OpenSSL, BoringSSL in Envoy-like binaries): user space looks at
 * the new executable at once. Targets by comm are told by the new comm,
 * which the kernel sets before this tracepoint. */
SEC("tp/sched/sched_process_exec")
int sched_process_exec(void *ctx)
{
	struct { __u32 kind, pid; } ev = { EVENT_EXEC, bpf_get_current_pid_tgid() >> 32 };
	struct thread_state *ts;
	struct trace_stats *st;

	if (!is_target(ev.pid))
		return 0;
	ts = bpf_task_storage_get(&threads, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (ts)
		watch_new_thread(ts, 1);
	watch_early_io(ts, ev.pid);
	if (bpf_ringbuf_output(&events, &ev, sizeof(ev), BPF_RB_FORCE_WAKEUP)) {
		st = stats_slot();
		if (st)
			st->lost_lib_opens++;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
