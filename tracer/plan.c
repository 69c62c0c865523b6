/* tlsprobe plan: where `trace` would put its probes in a TLS library, and
 * what its BPF programs read there, without tracing anything. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "libs/openssl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tlsprobe plan [--probes auto|entry] LIBRARY...\n"
		"\n"
		"Prints the probe plan of each libssl file: for each probe its address, the\n"
		"instruction it sits on and whether the kernel emulates it or single-steps it\n"
		"(a second trap), and which values the BPF programs take from which registers.\n"
		"auto (the default, as `trace` does) probes the internal read and write\n"
		"functions that SSL_read/SSL_write, their _ex variants and BIO_f_ssl all reach,\n"
		"when the planner can prove them from the code and the version; otherwise the\n"
		"exported entry points, with the reason. Needs no privilege.\n"
		"\n"
		"  --probes auto|entry  as for `tlsprobe trace`\n"
		"  -h, --help           this text\n"
		"\n"
		"Example: tlsprobe plan /usr/lib/x86_64-linux-gnu/libssl.so.3\n");
}

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "probes", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum plan_mode mode = PLAN_AUTO;
	int c, failed = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (strcmp(optarg, "auto") && strcmp(optarg, "entry")) {
				fprintf(stderr, "tlsprobe plan: --probes is auto or entry\n");
				return 2;
			}
			mode = strcmp(optarg, "entry") ? PLAN_AUTO : PLAN_ENTRY;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "tlsprobe plan: name at least one library file\n");
		usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		struct tls_lib *lib = calloc(1, sizeof(*lib));
		char err[PATH_MAX + 128];

		if (!lib)
			return 1;
		snprintf(lib->path, sizeof(lib->path), "%s", argv[i]);
		snprintf(lib->host_path, sizeof(lib->host_path), "%s", argv[i]);
		if (openssl_plan(lib, mode, err, sizeof(err))) {
			fprintf(stderr, "tlsprobe plan: %s\n", err);
			failed = 1;
		} else {
			plan_print(stdout, lib->path, lib->version, &lib->plan);
		}
		free(lib);
	}
	return failed;
}
