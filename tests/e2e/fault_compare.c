/* tests/e2e/fault.sh's judge: the reference tracer's capture of many
 * tlsfault runs against their transcripts, by the conformance comparator.
 * A call that never returned (longjmp'd, its thread ended) is in no
 * transcript: any byte the tracer reported for it is an extra byte, and
 * fails the bytes check.
 * Usage: fault_compare EVENTS TRANSCRIPT_DIR...
 * Prints one line per check; exits 1 when bytes, boundaries, fd, addresses
 * or loss is not PASS (process is printed, not judged: the signal storm's
 * process and the forked child's parent thread make no TLS call). */
#include <stdio.h>
#include <string.h>
#include "compare.h"

static const enum check_id judged[] = { CHECK_BYTES, CHECK_BOUNDARIES, CHECK_FD,
					CHECK_ADDRESSES, CHECK_LOSS };

static int is_judged(enum check_id id)
{
	for (size_t i = 0; i < sizeof(judged) / sizeof(judged[0]); i++)
		if (judged[i] == id)
			return 1;
	return 0;
}

static int load(struct record_set *oracle, struct record_set *trace, int argc, char **argv)
{
	char err[512];

	if (record_set_load_file(trace, argv[1], err, sizeof(err))) {
		fprintf(stderr, "fault_compare: %s\n", err);
		return -1;
	}
	for (int i = 2; i < argc; i++)
		if (record_set_load_dir(oracle, argv[i], err, sizeof(err))) {
			fprintf(stderr, "fault_compare: %s\n", err);
			return -1;
		}
	return 0;
}

int main(int argc, char **argv)
{
	struct record_set oracle = {}, trace = {};
	struct check_result res[N_CHECKS];
	int failed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: fault_compare EVENTS TRANSCRIPT_DIR...\n");
		return 2;
	}
	if (load(&oracle, &trace, argc, argv))
		return 1;
	compare_records(&oracle, &trace, res);
	for (int id = 0; id < N_CHECKS; id++) {
		int bad = is_judged(id) && res[id].verdict != VERDICT_PASS;

		printf("%s %s: %s%s%s\n", bad ? "FAIL" : "    ", check_name(id),
		       verdict_name(res[id].verdict), res[id].detail[0] ? ": " : "", res[id].detail);
		failed |= bad;
	}
	printf("%zu transcript records, %zu trace records\n", oracle.n, trace.n);
	record_set_free(&oracle);
	record_set_free(&trace);
	return failed;
}
