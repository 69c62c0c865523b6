#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "bpfstats.h"

int bpfstats_enable(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}

void bpfstats_snapshot(struct prog_ids *ids)
{
	__u32 id = 0;

	ids->n = 0;
	while (ids->n < PROG_IDS_MAX && !bpf_prog_get_next_id(id, &id))
		ids->id[ids->n++] = id;
}

static int known(const struct prog_ids *ids, __u32 id)
{
	for (int i = 0; i < ids->n; i++)
		if (ids->id[i] == id)
			return 1;
	return 0;
}

void bpfstats_since(const struct prog_ids *before, __u64 *run_ns, __u64 *runs)
{
	__u32 id = 0;

	*run_ns = *runs = 0;
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (known(before, id) || (fd = bpf_prog_get_fd_by_id(id)) < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			*run_ns += info.run_time_ns;
			*runs += info.run_cnt;
		}
		close(fd);
	}
}
