// SPDX-License-Identifier: GPL-2.0
/* tlsprobe report: scorecards (conform --json) in, one self-contained HTML
 * page and a Markdown text out (report.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "report.h"

#define DEFAULT_HTML "report.html"
#define DEFAULT_MD "report.md"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tlsprobe report [OPTIONS] RESULTS.json...\n"
		"\n"
		"Writes the scorecards of one or more conform runs (tlsprobe conform --json), side\n"
		"by side, as one self-contained HTML page (no network, no external resource) and\n"
		"as GitHub-flavoured Markdown: per tracer the counts, the matrix of stacks x\n"
		"scenarios x checks (click a cell for its details: the first differing offset\n"
		"with both bytes and a hex context, bytes expected / captured / reported lost,\n"
		"fd expected and seen, the tracer's stderr), the bench's cost per call (--bench)\n"
		"and the environment (machine, kernel, library and tracer versions).\n"
		"\n"
		"  --html FILE       the HTML page (default " DEFAULT_HTML " when neither --html\n"
		"                    nor --markdown is given; - for stdout)\n"
		"  --markdown FILE   the Markdown (default " DEFAULT_MD ", as above; - for stdout)\n"
		"  --bench FILE      add the cost section from the bench's JSON\n"
		"                    (tlsprobe bench: build/bench/bench.json)\n"
		"  -h, --help        this text\n"
		"\n"
		"Exits 2 on a usage error or a file that is not a scorecard (named, with the\n"
		"reason), 1 when a report cannot be written.\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "html", required_argument, NULL, 'H' }, { "markdown", required_argument, NULL, 'm' },
		{ "bench", required_argument, NULL, 'b' }, { "help", no_argument, NULL, 'h' },
		{},
	};
	const char *html = NULL, *markdown = NULL;
	struct report_set rs = { 0 };
	char err[1024];
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': html = optarg; break;
		case 'm': markdown = optarg; break;
		case 'b': rs.bench_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "tlsprobe report: no RESULTS.json given (see --help)\n");
		return 2;
	}
	if (html && markdown && !strcmp(html, "-") && !strcmp(markdown, "-")) {
		fprintf(stderr, "tlsprobe report: --html and --markdown cannot both be stdout\n");
		return 2;
	}
	if (!html && !markdown) {
		html = DEFAULT_HTML;
		markdown = DEFAULT_MD;
	}
	rs.v = calloc(argc - optind, sizeof(*rs.v));
	if (!rs.v) {
		fprintf(stderr, "tlsprobe report: out of memory\n");
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		struct report_input *in = &rs.v[rs.n];

		in->path = argv[i];
		in->scorecard = report_load_scorecard(argv[i], err, sizeof(err));
		if (!in->scorecard) {
			fprintf(stderr, "tlsprobe report: %s\n", err);
			ret = 2;
			goto out;
		}
		rs.n++;
	}
	if (rs.bench_path && !(rs.bench = report_load_bench(rs.bench_path, err, sizeof(err)))) {
		fprintf(stderr, "tlsprobe report: --bench: %s\n", err);
		ret = 2;
		goto out;
	}
	if (report_write_files(&rs, html, markdown, err, sizeof(err))) {
		fprintf(stderr, "tlsprobe report: cannot write %s\n", err);
		ret = 1;
		goto out;
	}
	if (html && strcmp(html, "-"))
		fprintf(stderr, "tlsprobe report: wrote %s\n", html);
	if (markdown && strcmp(markdown, "-"))
		fprintf(stderr, "tlsprobe report: wrote %s\n", markdown);
out:
	for (size_t i = 0; i < rs.n; i++)
		json_decref(rs.v[i].scorecard);
	json_decref(rs.bench);
	free(rs.v);
	return ret;
}
