/* tlsprobe: does a tracer see the plaintext of TLS traffic — every byte, on
 * the right connection? One binary, one subcommand per file. */
#include <stdio.h>
#include <string.h>
#include "cmd.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "trace", cmd_trace, "capture TLS plaintext of processes (the reference tracer)" },
	{ "conform", cmd_conform, "run a tracer against the fixture matrix and score it" },
	{ "plan", cmd_plan, "print where the tracer probes a TLS library, and why" },
	{ "bench", cmd_bench, "measure what tracers cost per TLS call, against the floor" },
	{ "validate", cmd_validate, "check JSON-lines events or transcripts against the schema" },
	{ "convert", cmd_convert, "convert a third-party tracer's saved output to events" },
	{ "report", cmd_report, "write scorecards (conform --json) as one HTML page and Markdown" },
	{ "loadcheck", cmd_loadcheck, "check a capture under load (make test-load) against its ground truth" },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: tlsprobe COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'tlsprobe COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "tlsprobe: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
