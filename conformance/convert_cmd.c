// SPDX-License-Identifier: GPL-2.0
/* tlsprobe convert: a third-party tracer's saved output → event JSON lines,
 * through its adapter (conformance/adapters/), as conform converts it after
 * a run. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "adapters/adapter.h"


static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tlsprobe convert --from TRACER RAW [-o EVENTS]\n"
		"\n"
		"Converts RAW, what TRACER printed (saved from its stdout), to event JSON\n"
		"lines (the schema `tlsprobe validate` checks) on EVENTS or stdout. What the\n"
		"output could not give back is said on stderr. RAW - is standard input.\n"
		"\n"
		"  -f, --from TRACER   the tracer that wrote RAW:\n");
	for (const struct adapter *const *a = adapter_table; *a; a++)
		if ((*a)->convert)
			fprintf(f, "                        %-9s %s\n", (*a)->name, (*a)->summary);
	fprintf(f,
		"  -o, --output EVENTS write there (created or truncated) instead of stdout\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 converted, 1 conversion failed, 2 a file cannot be opened (or usage).\n"
		"\n"
		"Example: ecapture tls -b 1 --hex > raw.txt; tlsprobe convert --from ecapture raw.txt -o events.jsonl\n");
}

int cmd_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const struct adapter *a = NULL;
	const char *from = NULL, *output = NULL, *path;
	FILE *raw, *out;
	char err[512] = "";
	int c, ret;

	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!from || optind != argc - 1) {
		fprintf(stderr, "tlsprobe convert: name the tracer (--from) and one RAW file\n");
		usage(stderr);
		return 2;
	}
	a = adapter_find(from);
	if (!a || !a->convert) {
		fprintf(stderr, "tlsprobe convert: no adapter for '%s'\n", from);
		usage(stderr);
		return 2;
	}
	path = argv[optind];
	raw = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!raw) {
		fprintf(stderr, "tlsprobe convert: %s: %s\n", path, strerror(errno));
		return 2;
	}
	out = output ? fopen(output, "w") : stdout;
	if (!out) {
		fprintf(stderr, "tlsprobe convert: %s: %s\n", output, strerror(errno));
		if (raw != stdin)
			fclose(raw);
		return 2;
	}
	ret = a->convert(raw, out, err, sizeof(err));
	if (raw != stdin)
		fclose(raw);
	if (fflush(out) && !ret) {
		snprintf(err, sizeof(err), "writing %s: %s", output ? output : "stdout",
			 strerror(errno));
		ret = -1;
	}
	if (out != stdout && fclose(out) && !ret) {
		snprintf(err, sizeof(err), "writing %s: %s", output, strerror(errno));
		ret = -1;
	}
	if (ret) {
		fprintf(stderr, "tlsprobe convert: %s: %s\n", path, err);
		return 1;
	}
	return 0;
}
