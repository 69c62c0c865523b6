/* What of `tlsprobe trace` others use too (tests/bpf_harness.h). */
#ifndef TLSPROBE_TRACE_H
#define TLSPROBE_TRACE_H

struct bpf_program;
struct tlsprobe_bpf;

/* The fd syscall hook this kernel can run: fd_syscall needs bpf_rdonly_cast
 * (6.2), older kernels get fd_syscall_core; TLSPROBE_FD_WALK=core picks the
 * latter anyway (tests run it on new kernels). The other is not loaded. */
struct bpf_program *trace_pick_fd_program(struct tlsprobe_bpf *skel);
/* Prepares the programs for uprobe_multi links where the kernel has them
 * (else they are not loaded); whether it does. */
int trace_pick_multi_programs(struct tlsprobe_bpf *skel);
#endif
