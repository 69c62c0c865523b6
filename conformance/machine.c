#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "machine.h"

void machine_file_value(const char *path, const char *key, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512];

	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		char *v = line + strlen(key);

		if (strncmp(line, key, strlen(key)))
			continue;
		v += strspn(v, " \t:=\"");
		v[strcspn(v, "\"\n")] = '\0';
		snprintf(out, len, "%s", v);
		break;
	}
	if (f)
		fclose(f);
}

void machine_facts_read(struct machine_facts *m)
{
	struct utsname u;

	memset(m, 0, sizeof(*m));
	if (!uname(&u)) {
		snprintf(m->arch, sizeof(m->arch), "%.63s", u.machine);
		snprintf(m->kernel_release, sizeof(m->kernel_release), "%.127s", u.release);
		snprintf(m->kernel_version, sizeof(m->kernel_version), "%.159s", u.version);
	}
	machine_file_value("/proc/cpuinfo", "model name", m->cpu, sizeof(m->cpu));
	machine_file_value("/etc/os-release", "PRETTY_NAME", m->os, sizeof(m->os));
	m->ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
}
