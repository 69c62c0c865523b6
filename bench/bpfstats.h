/* BPF program run time from the kernel's statistics (bpf_enable_stats):
 * what a tracer's programs cost, whoever wrote them — the programs loaded
 * after a snapshot are the tracer's. Statistics cost a little per program
 * run, so the bench turns them on only for a separate accounting pass. */
#ifndef TLSPROBE_BENCH_BPFSTATS_H
#define TLSPROBE_BENCH_BPFSTATS_H
#include <linux/types.h>

#define PROG_IDS_MAX 1024

struct prog_ids {
	__u32 id[PROG_IDS_MAX];
	int n;
};

/* Turns the statistics on while the returned fd is open; -errno. */
int bpfstats_enable(void);
/* The ids of every loaded program. */
void bpfstats_snapshot(struct prog_ids *ids);
/* Run time and run count summed over the programs loaded since `before`. */
void bpfstats_since(const struct prog_ids *before, __u64 *run_ns, __u64 *runs);
#endif
