/* What the scorecard, the bench and bench uprobes say about the machine they
 * ran on: read in one place so the three reports name it the same way. */
#ifndef TLSPROBE_MACHINE_H
#define TLSPROBE_MACHINE_H
#include <stddef.h>

struct machine_facts {
	char arch[64];            /* uname -m */
	char kernel_release[128]; /* uname -r */
	char kernel_version[160]; /* uname -v: the build */
	char cpu[128];            /* /proc/cpuinfo's model name, "" if none */
	char os[128];             /* /etc/os-release's PRETTY_NAME, "" if none */
	int ncpus;                /* online */
};

void machine_facts_read(struct machine_facts *m);

/* The value of the first line of path that starts with key (after the key
 * and any of " \t:=\""), without quotes or newline; "" if there is none. */
void machine_file_value(const char *path, const char *key, char *out, size_t len);
#endif
