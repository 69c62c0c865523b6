/* Who is traced (-p, --comm, --all) and finding their TLS libraries: at start
 * by scanning /proc, later when BPF reports that a target opened a TLS library. */
#ifndef TLSPROBE_TARGETS_H
#define TLSPROBE_TARGETS_H
#include <stdint.h>
#include "attach.h"
#include "../bpf/events.h"

#define TARGET_PIDS_MAX 64
#define PENDING_MAX 256

struct targets {
	int pids[TARGET_PIDS_MAX];
	int npids;
	char comms[TARGET_COMMS_MAX][TASK_COMM_LEN];
	int ncomms;
	int all;
	/* processes that opened a TLS library and have not mapped it yet */
	struct {
		int pid;
		uint64_t deadline_ns;
		int maps_read; /* its maps were read since its last exec or TLS open */
	} pending[PENDING_MAX];
	int npending;
	/* Called when a pending process is done with (what it maps is
	 * attached, it is gone, or its window passed). maps_read: 0 when it
	 * went before its maps could be read after its last exec or TLS open,
	 * so its files were never looked at. */
	void (*settled)(void *arg, int pid, int maps_read);
	void *settled_arg;
};

struct tlsprobe_bpf;

/* Writes the target set into the BPF maps. Returns 0 or -errno. */
int targets_configure_bpf(const struct targets *t, struct tlsprobe_bpf *skel);

/* Attaches to the libraries of the processes traced now. Returns -1 (with the
 * reason printed) when a -p pid does not exist. */
int targets_initial_scan(const struct targets *t, struct lib_registry *reg);

/* A target opened a TLS library, or exec'd: its files are looked at, now
 * and again every few ms for a while (a library opened is mapped next). */
void targets_note_lib_open(struct targets *t, int pid);
/* pid's comm and its id in its own pid namespace (the last of NSpid). 0, or
 * -1 when the process is gone. */
int targets_process_ids(int pid, char *comm, size_t len, int *nspid);

/* Rescans pending processes. Returns how long (ms) until it wants to be called
 * again, or -1 when nothing is pending. */
int targets_poll_pending(struct targets *t, struct lib_registry *reg);
#endif
