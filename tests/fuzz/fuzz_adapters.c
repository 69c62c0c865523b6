/* libFuzzer entry point for what the vendor-evaluation code reads from
 * other tools, built and run by `make fuzz` (build/fuzz/fuzz_adapters).
 * The input's first byte picks the reader: eCapture's text output,
 * bpftrace's, or a scorecard JSON for tlsprobe report (HTML and Markdown). */
#define _GNU_SOURCE /* fmemopen */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "adapters/bpftrace.h"
#include "adapters/ecapture.h"
#include "report.h"

static void convert(int (*fn)(FILE *, FILE *, char *, size_t), const uint8_t *data, size_t size)
{
	FILE *raw = fmemopen((void *)data, size, "r"), *sink = fopen("/dev/null", "w");
	char err[256];

	if (raw && sink)
		fn(raw, sink, err, sizeof(err));
	if (raw)
		fclose(raw);
	if (sink)
		fclose(sink);
}

static void report(const uint8_t *data, size_t size)
{
	json_t *root = json_loadb((const char *)data, size, 0, NULL);
	struct report_input in = { .path = "fuzz", .scorecard = root };
	struct report_set rs = { .v = &in, .n = 1 };
	FILE *sink = fopen("/dev/null", "w");
	char err[256];

	if (root && sink && !report_check_scorecard(root, "fuzz", err, sizeof(err))) {
		html_report_write(&rs, sink);
		md_report_write(&rs, sink);
	}
	if (sink)
		fclose(sink);
	json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0: convert(ecapture_adapter.convert, data + 1, size - 1); break;
	case 1: convert(bpftrace_convert, data + 1, size - 1); break;
	case 2: report(data + 1, size - 1); break;
	}
	return 0;
}
