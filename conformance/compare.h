/* The comparator: does a tracer's view of a fixture's TLS traffic match the
 * transcript the fixture wrote (the oracle)?
 *
 * Both sides are sets of struct record. Only trace records whose (nspid,
 * comm) belong to a process of the oracle take part; the rest is other
 * traffic on the machine. Streams are keyed by connection, not by thread: in
 * Go or tokio one connection moves between threads.
 *
 * The oracle's connections: its records grouped by (nspid, comm, laddr,
 * raddr) where the addresses are given, else by (nspid, comm, fd). A trace
 * record belongs to the oracle connection of its process that has
 *   1. the same laddr and raddr (compared as addresses: "[::ffff:127.0.0.1]:443"
 *      is "127.0.0.1:443"); else
 *   2. used its fd (not -1), and when several did over time, the one whose
 *      calls (first to last ts_ns) span the record's ts_ns or lie nearest it;
 *   3. else used its thread (ns tid), chosen by time the same way;
 *   4. else it forms a connection of its own, whose bytes the transcript
 *      does not have.
 * So a wrong address fails the addresses check rather than bytes, and a
 * tracer that reports neither fd nor addresses (bpftrace) is still scored.
 *
 * Each (process, connection, dir) is a stream with a well-defined order:
 * records sorted by ts_ns, ties kept in load order. The thread is an
 * attribute of each call, checked under "process" where the fixture knows it
 * (an ns tid of -1: its runtime moves connections between threads). Each
 * check looks at one property and is reported on its own, so one bug shows
 * up as one red cell. Failures name the stream: "pid 100 conn
 * 127.0.0.1:51234->127.0.0.1:4433 out", or "pid 100 fd 5 out" for a
 * connection known by its fd alone ("pid 100 tid 7 out": by its thread). */
#ifndef TLSPROBE_COMPARE_H
#define TLSPROBE_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

enum check_id {
	CHECK_BYTES,      /* per stream, the plaintext is byte-identical */
	CHECK_BOUNDARIES, /* per stream, the same call lengths in the same order */
	CHECK_FD,         /* each call has the fixture's fd */
	CHECK_ADDRESSES,  /* each call has the fixture's laddr/raddr */
	CHECK_PROCESS,    /* every fixture thread seen, each call on the fixture's
			   * thread (where known), with consistent host ids */
	CHECK_LOSS,       /* bytes missing from the trace are reported as loss */
	N_CHECKS
};

/* NOT_CLAIMED: a third-party tracer's adapter does not claim the check (or
 * the stack): not judged, shown apart from FAIL. */
enum verdict { VERDICT_PASS, VERDICT_FAIL, VERDICT_SKIP, VERDICT_NA, VERDICT_NOT_CLAIMED };

/* What a check found, as facts a report can show beside its detail string.
 * Each group is valid when its has_ flag is set; all zero when not known. */
#define FACT_CONTEXT 16	/* bytes of context each side of a differing offset */

struct check_facts {
	/* bytes: the first difference (the one the detail names), in the
	 * stream of the detail; an offset past the end of one side has no byte
	 * of that side (has_expected_byte / has_captured_byte 0). */
	int has_offset;
	uint64_t offset;
	int has_expected_byte, has_captured_byte;
	uint8_t expected_byte, captured_byte;
	/* Up to FACT_CONTEXT bytes each side of offset, of each side's stream:
	 * context_start is the stream offset of both contexts' first byte. */
	uint64_t context_start;
	uint8_t expected_context[2 * FACT_CONTEXT + 1], captured_context[2 * FACT_CONTEXT + 1];
	uint8_t n_expected_context, n_captured_context;
	/* bytes and loss: the cell's totals over the fixture's processes:
	 * bytes the transcript moved, bytes the trace captured, bytes its loss
	 * records report lost. */
	int has_totals;
	uint64_t bytes_expected, bytes_captured, bytes_lost;
	/* fd: the first call on a wrong fd. */
	int has_fd;
	int fd_expected, fd_seen;
};

struct check_result {
	enum verdict verdict;
	char detail[512];  /* "" on PASS; why, on FAIL and SKIP */
	struct check_facts facts;
};

struct record_set {
	struct record *v;
	size_t n, cap;
};

/* Appends the records of a JSON-lines file (blank lines are skipped). Returns
 * 0, or -1 with "file:line: reason" in err; on error the set is as before. */
int record_set_load_file(struct record_set *set, const char *path, char *err, size_t errlen);
/* Appends every *.jsonl file in dir, in name order. Returns 0 or -1 (err). */
int record_set_load_dir(struct record_set *set, const char *dir, char *err, size_t errlen);
/* Appends a copy of rec (which the set then owns). Returns 0 or -1 (ENOMEM). */
int record_set_push(struct record_set *set, const struct record *rec);
void record_set_free(struct record_set *set);

/* Fills out[check] for every check. Call indexes in details count from 0,
 * within the stream; "pid"/"tid" in details are the namespace ids the
 * fixture knows. */
void compare_records(const struct record_set *oracle, const struct record_set *trace,
		     struct check_result out[N_CHECKS]);

struct compare_opts {
	/* The probed calls may split the fixture's (a stack whose API loops
	 * over the function probed: tokio-rustls over rustls's sink): the
	 * boundaries check passes when each fixture call is the sum of
	 * consecutive trace calls. */
	int split_calls;
};

void compare_records_opts(const struct record_set *oracle, const struct record_set *trace,
			  const struct compare_opts *opts, struct check_result out[N_CHECKS]);

/* "bytes", "boundaries", "fd", "addresses", "process", "loss" */
const char *check_name(enum check_id id);
/* "PASS", "FAIL", "SKIP", "N/A", "NOT CLAIMED" */
const char *verdict_name(enum verdict verdict);

#endif
