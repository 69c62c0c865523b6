/* The collateral cost of a tracer: what it adds to the syscalls of a process
 * it does not trace (a syscall hook runs for every process, and turns on the
 * syscall-tracing slow path for all of them). */
#ifndef TLSPROBE_BENCH_COLLATERAL_H
#define TLSPROBE_BENCH_COLLATERAL_H

struct collateral {
	double write_ns;   /* write(2) of 64 bytes to /dev/null */
	double getppid_ns; /* a syscall no hook looks at */
};

/* Measured in this process (never a tracer's target): the median over
 * `repeats` batches of n calls. 0 or -1. */
int collateral_measure(long n, int repeats, struct collateral *out);
#endif
