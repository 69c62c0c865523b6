/* The load check (`tlsprobe loadcheck`, `make test-load`): did a tracer,
 * under load, account for every byte of every call of a run whose ground
 * truth is a set of transcripts (fixtures/load), on the right connection?
 *
 * Calls are aligned per thread, in order: a thread's calls in the ground
 * truth and its data events in the trace (both in ts_ns order) are the same
 * sequence, less the calls the trace lost whole. A data event aligns with a
 * ground-truth call when it has the same direction, moved as many bytes (its
 * own, or its loss record's length when the loss record completes it) and
 * holds the call's first bytes; its fd and addresses are then compared with
 * the ground truth's. So an event on a reused fd that carries the old
 * connection's addresses is counted, whatever the addresses say.
 *
 * Bytes are balanced per connection end (process, laddr, raddr): what the
 * ground truth's calls moved = bytes of the aligned events + bytes their loss
 * records and the whole-call loss records with that end's addresses say were
 * lost. A whole-call loss record with no such end (fd or addresses unknown)
 * cannot be attributed: then the sums must close over the whole run. */
#ifndef TLSPROBE_LOADCHECK_H
#define TLSPROBE_LOADCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"

struct load_report {
	size_t addr_pairs;        /* address pairs of the ground truth's connections */
	size_t ends;              /* connection ends: (process, laddr, raddr); a 4-tuple
				   * that comes back in one process (the churn server's) is
				   * one end: its connections are balanced together */
	size_t processes;
	size_t calls;             /* ground-truth calls that moved bytes */
	uint64_t sent;            /* bytes of its writes */
	uint64_t moved;           /* bytes of all its calls: writes and reads, both ends */
	size_t events;            /* data events of the ground truth's processes */
	uint64_t captured;        /* bytes in those events */
	uint64_t lost;            /* bytes those processes' loss records report lost */
	uint64_t lost_unattributed; /* of which no connection end can be told */
	size_t calls_aligned;     /* ground-truth calls with their data event */
	size_t calls_missing;     /* without one (lost whole, or never seen) */
	size_t events_extra;      /* data events aligned with no call */
	uint64_t bytes_extra;
	size_t fd_mismatch;       /* aligned events on another fd than the call's */
	size_t addr_mismatch;     /* aligned events with other addresses than the call's */
	size_t ends_unbalanced;   /* ends where moved != captured + lost */
	size_t skips;             /* skip records about those processes: a failure */
	size_t late;              /* "attached late" records about them (bytes "may be missing":
				   * whether they are is for the balance to say) */
	char first_late[512];
	int pass;
	char problem[512];        /* the first problem found; "" on a pass */
};

/* Fills out. Returns 0, or -1 when out of memory. */
int loadcheck(const struct record_set *truth, const struct record_set *trace,
	      struct load_report *out);

#endif
