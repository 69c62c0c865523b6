#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "targets.h"
#include "tlsprobe.skel.h"

/* How long a process that opened a TLS library gets to map it. */
#define PENDING_WINDOW_NS (2ULL * 1000 * 1000 * 1000)
#define PENDING_RESCAN_MS 2

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int targets_configure_bpf(const struct targets *t, struct tlsprobe_bpf *skel)
{
	int pids_fd = bpf_map__fd(skel->maps.target_pids);
	int comms_fd = bpf_map__fd(skel->maps.target_comms);
	__u8 yes = 1;
	__u32 all = 0;

	if (t->all && bpf_map_update_elem(pids_fd, &all, &yes, BPF_ANY))
		return -errno;
	for (int i = 0; i < t->npids; i++)
		if (bpf_map_update_elem(pids_fd, &t->pids[i], &yes, BPF_ANY))
			return -errno;
	for (int i = 0; i < t->ncomms; i++) {
		char key[TASK_COMM_LEN] = {};

		strncpy(key, t->comms[i], sizeof(key) - 1);
		if (bpf_map_update_elem(comms_fd, key, &yes, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int read_comm(int pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(comm, len, f))
		comm[0] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
	return 0;
}

int targets_process_ids(int pid, char *comm, size_t len, int *nspid)
{
	char path[64], line[256];
	FILE *f;

	*nspid = pid;
	if (read_comm(pid, comm, len))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *last;

		if (strncmp(line, "NSpid:", 6))
			continue;
		line[strcspn(line, "\n")] = '\0';
		last = strrchr(line, '\t');
		if (last)
			*nspid = atoi(last + 1);
		break;
	}
	if (f)
		fclose(f);
	return 0;
}

static int comm_is_target(const struct targets *t, int pid)
{
	char comm[64];

	if (read_comm(pid, comm, sizeof(comm)))
		return 0;
	for (int i = 0; i < t->ncomms; i++)
		if (!strncmp(comm, t->comms[i], TASK_COMM_LEN - 1))
			return 1;
	return 0;
}

static void scan_all_processes(const struct targets *t, struct lib_registry *reg)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;

	if (!proc)
		return;
	while ((d = readdir(proc))) {
		int pid = atoi(d->d_name);

		if (pid > 0 && (t->all || comm_is_target(t, pid)))
			registry_scan_pid(reg, pid); /* a process gone meanwhile is fine */
	}
	closedir(proc);
}

int targets_initial_scan(const struct targets *t, struct lib_registry *reg)
{
	for (int i = 0; i < t->npids; i++) {
		int mapped = registry_scan_pid(reg, t->pids[i]);

		if (mapped == -ENOENT || mapped == -ESRCH) {
			fprintf(stderr, "tlsprobe: no process with pid %d\n", t->pids[i]);
			return -1;
		}
		if (mapped < 0) {
			fprintf(stderr, "tlsprobe: cannot read /proc/%d/maps: %s\n", t->pids[i],
				strerror(-mapped));
			return -1;
		}
		if (mapped == 0)
			fprintf(stderr, "tlsprobe: pid %d maps no TLS library yet; waiting for it to load one\n",
				t->pids[i]);
	}
	if (t->all || t->ncomms) {
		registry_attach_system_libs(reg);
		scan_all_processes(t, reg);
	}
	return 0;
}

void targets_note_lib_open(struct targets *t, int pid)
{
	for (int i = 0; i < t->npending; i++)
		if (t->pending[i].pid == pid) {
			t->pending[i].maps_read = 0; /* what it opened now is not seen yet */
			return;
		}
	if (t->npending == PENDING_MAX) {
		fprintf(stderr, "tlsprobe: too many processes loading TLS libraries at once; pid %d not followed\n",
			pid);
		return;
	}
	t->pending[t->npending].pid = pid;
	t->pending[t->npending].deadline_ns = now_ns() + PENDING_WINDOW_NS;
	t->pending[t->npending].maps_read = 0;
	t->npending++;
}

int targets_poll_pending(struct targets *t, struct lib_registry *reg)
{
	uint64_t now = now_ns();

	for (int i = 0; i < t->npending;) {
		int mapped = registry_scan_pid(reg, t->pending[i].pid);

		if (mapped >= 0)
			t->pending[i].maps_read = 1;
		if (mapped != 0 || now > t->pending[i].deadline_ns) {
			int pid = t->pending[i].pid, maps_read = t->pending[i].maps_read;

			t->pending[i] = t->pending[--t->npending]; /* done, gone or given up */
			if (t->settled)
				t->settled(t->settled_arg, pid, maps_read);
		} else {
			i++;
		}
	}
	return t->npending ? PENDING_RESCAN_MS : -1;
}
