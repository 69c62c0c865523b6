// SPDX-License-Identifier: GPL-2.0
/* tlsprobe loadcheck: a capture under load against its ground truth
 * (loadcheck.h), and the conformance comparator's checks on the same two
 * sets. What `make test-load` runs after each load run. */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "compare.h"
#include "loadcheck.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: tlsprobe loadcheck --truth DIR [--name NAME] EVENTS.jsonl\n"
		"Compares a capture (tlsprobe trace -o) with the transcripts in DIR (fixtures/load's\n"
		"tlsload): every call's bytes captured or reported lost, per connection, and each\n"
		"data event's fd and addresses. Exit status 0 when all is accounted for, 1 if not,\n"
		"2 on bad usage or input.\n");
}

static void print_report(const char *name, const struct load_report *r)
{
	printf("%s: %zu processes, %zu calls, %zu connection ends (process, addresses) on %zu "
	       "address pairs\n", name, r->processes, r->calls, r->ends, r->addr_pairs);
	printf("  sent %" PRIu64 " bytes; moved %" PRIu64 " (writes + reads, both ends)\n",
	       r->sent, r->moved);
	printf("  captured %" PRIu64 " bytes in %zu data events; lost %" PRIu64
	       " (%" PRIu64 " not attributable to a connection); %zu extra events (%" PRIu64
	       " bytes)\n", r->captured, r->events, r->lost, r->lost_unattributed,
	       r->events_extra, r->bytes_extra);
	printf("  calls aligned %zu, missing %zu; fd mismatches %zu, address mismatches %zu; "
	       "unbalanced ends %zu; skip records %zu\n", r->calls_aligned, r->calls_missing,
	       r->fd_mismatch, r->addr_mismatch, r->ends_unbalanced, r->skips);
	if (r->late)
		printf("  \"attached late\" records: %zu processes, e.g. %s\n", r->late, r->first_late);
	if (r->lost_unattributed && r->pass)
		printf("  loss not attributable to a connection: the sums close over the run\n");
	if (r->problem[0])
		printf("  first problem: %s\n", r->problem);
}

/* With loss reported, the comparator's stream checks see loss records in
 * place of calls (a record summing a thread's lost calls at exit, without
 * addresses, lands at the end of one stream): its bytes, boundaries and
 * addresses checks then fail whatever the tracer did, and the alignment
 * above (each data event's bytes, length, fd and addresses) judges instead. */
static bool judged_under_loss(enum check_id c)
{
	return c != CHECK_BYTES && c != CHECK_BOUNDARIES && c != CHECK_ADDRESSES;
}

/* The comparator's verdicts: all of them judged when nothing was lost. */
static int print_compare(const struct record_set *truth, const struct record_set *trace,
			 const struct load_report *r)
{
	struct check_result res[N_CHECKS];
	int ok = 1;

	compare_records(truth, trace, res);
	printf("  comparator:");
	for (int c = 0; c < N_CHECKS; c++) {
		printf(" %s %s", check_name(c), verdict_name(res[c].verdict));
		if (res[c].verdict != VERDICT_PASS && (!r->lost || judged_under_loss(c)))
			ok = 0;
	}
	printf("\n");
	if (r->lost)
		printf("  (loss reported: the comparator's bytes, boundaries and addresses are shown, "
		       "not judged; the alignment above judges each data event)\n");
	for (int c = 0; c < N_CHECKS; c++)
		if (res[c].verdict != VERDICT_PASS)
			printf("    %s: %s\n", check_name(c), res[c].detail);
	return ok;
}

int cmd_loadcheck(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "truth", 1, 0, 't' }, { "name", 1, 0, 'n' }, { "help", 0, 0, 'h' }, { 0 },
	};
	const char *truth_dir = NULL, *name = "load";
	struct record_set truth = { 0 }, trace = { 0 };
	struct load_report r;
	char err[1024];
	int opt, ret = 2;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 't')
			truth_dir = optarg;
		else if (opt == 'n')
			name = optarg;
		else {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!truth_dir || optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	if (record_set_load_dir(&truth, truth_dir, err, sizeof(err)) ||
	    record_set_load_file(&trace, argv[optind], err, sizeof(err))) {
		fprintf(stderr, "tlsprobe loadcheck: %s\n", err);
		goto out;
	}
	if (loadcheck(&truth, &trace, &r) < 0) {
		fprintf(stderr, "tlsprobe loadcheck: out of memory\n");
		goto out;
	}
	print_report(name, &r);
	ret = print_compare(&truth, &trace, &r) && r.pass ? 0 : 1;
	printf("  %s\n", ret ? "FAIL" : "PASS");
out:
	record_set_free(&truth);
	record_set_free(&trace);
	return ret;
}
