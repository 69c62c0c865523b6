/* tlsprobe plan: where `trace` would put its probes in a TLS library, and
 * what its BPF programs read there, without tracing anything. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "libs/backend.h"

static const char *stack_names(void)
{
	static char names[128];
	size_t used = 0;

	for (const struct tls_backend *const *b = tls_backends; *b; b++)
		used += snprintf(names + used, sizeof(names) - used, "%s%s", used ? ", " : "",
				 (*b)->name);
	return names;
}

static const struct tls_backend *find_backend(const char *name)
{
	for (const struct tls_backend *const *b = tls_backends; *b; b++)
		if (!strcmp((*b)->name, name))
			return *b;
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tlsprobe plan [--probes auto|entry] [--stack NAME] LIBRARY...\n"
		"\n"
		"Prints the probe plan of each TLS library file: for each probe its address,\n"
		"the instruction it sits on and whether the kernel emulates it or single-steps\n"
		"it (a second trap), and which values the BPF programs take from which\n"
		"registers. auto (the default, as `trace` does) probes internal functions that\n"
		"every exported read or write function reaches (OpenSSL: SSL_read/SSL_write,\n"
		"their _ex variants and BIO_f_ssl) where the planner can prove them from the\n"
		"code and the version; otherwise the exported entry points, with the reason.\n"
		"Needs no privilege.\n"
		"\n"
		"  --probes auto|entry  as for `tlsprobe trace`\n"
		"  --stack NAME         the stack the file holds (default: told by its name):\n"
		"                       %s\n"
		"  -h, --help           this text\n"
		"\n"
		"Example: tlsprobe plan /usr/lib/x86_64-linux-gnu/libssl.so.3\n", stack_names());
}

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "probes", required_argument, NULL, 'P' },
		{ "stack", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const struct tls_backend *backend = NULL;
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
		case 'S':
			backend = find_backend(optarg);
			if (!backend) {
				fprintf(stderr, "tlsprobe plan: unknown stack '%s' (one of %s)\n", optarg,
					stack_names());
				return 2;
			}
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
		lib->backend = backend;
		if (backend_plan_lib(lib, mode, err, sizeof(err))) {
			fprintf(stderr, "tlsprobe plan: %s\n", err);
			failed = 1;
		} else {
			plan_print(stdout, lib->path, lib->version, &lib->plan);
		}
		free(lib);
	}
	return failed;
}
