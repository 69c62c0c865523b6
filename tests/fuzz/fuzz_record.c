/* libFuzzer target for the event/transcript reader: JSON lines as the
 * tracer, the fixtures' transcripts and third-party adapters write them.
 * The input is a file of lines. It is loaded the way `tlsprobe conform`
 * loads a capture and a transcript (record_set_load_file, record_parse_json
 * under it), checked the way `tlsprobe validate` checks one
 * (validate_stream), and the records loaded are compared with themselves
 * and with themselves less the first (compare_records), which walks every
 * field the reader filled. Built by `make fuzz` (build/fuzz/); seeds: the
 * captures and transcripts under build/conform (tests/fuzz/seeds.sh). */
#define _GNU_SOURCE /* memfd_create, fmemopen */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "compare.h"
#include "validate.h"

/* The loader reads a path: the input goes into one memory file, rewritten
 * for each run. */
static int input_fd = -1;
static char input_path[64];
static FILE *sink;

static int put_input(const uint8_t *data, size_t size)
{
	if (input_fd < 0) {
		input_fd = memfd_create("fuzz_record", MFD_CLOEXEC);
		if (input_fd < 0)
			abort(); /* the target cannot run: no memfd */
		snprintf(input_path, sizeof(input_path), "/proc/self/fd/%d", input_fd);
		sink = fopen("/dev/null", "w");
		if (!sink)
			abort();
	}
	if (ftruncate(input_fd, 0) || (size && pwrite(input_fd, data, size, 0) != (ssize_t)size))
		abort();
	return 0;
}

static void compare(const struct record_set *set)
{
	struct compare_opts split = { .split_calls = 1 };
	struct check_result out[N_CHECKS];

	compare_records(set, set, out);
	if (set->n) {
		struct record_set less_first = { .v = set->v + 1, .n = set->n - 1,
						 .cap = set->n - 1 };

		compare_records(set, &less_first, out);
		compare_records_opts(&less_first, set, &split, out);
	}
}

static void validate(const uint8_t *data, size_t size)
{
	FILE *in = size ? fmemopen((void *)data, size, "r") : NULL;
	struct validate_counts counts;

	if (!in)
		return;
	validate_stream(in, "fuzz", sink, &counts);
	fclose(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record_set set = { 0 };
	char err[512];

	put_input(data, size);
	if (!record_set_load_file(&set, input_path, err, sizeof(err)))
		compare(&set);
	record_set_free(&set);
	validate(data, size);
	return 0;
}
