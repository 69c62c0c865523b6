/* The environment checks every BPF-loading command makes first: libbpf's
 * version, the capabilities, kernel BTF, lockdown, tracefs. They run before
 * the skeleton is opened, so a failure leaves nothing loaded or attached,
 * and each says in one line what is missing and what to do (instead of a
 * verifier log or a bare EPERM halfway through the attach). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "preflight.h"

#define TRACEFS "/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing" /* libbpf prefers it when it exists */
#define LOCKDOWN "/sys/kernel/security/lockdown"
#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* Older uapi headers lack the two capabilities of Linux 5.8. */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* What the tracer needs, found by running it with each one dropped
 * (capsh --drop, Linux 6.18): the kernel accepts CAP_SYS_ADMIN for CAP_BPF
 * and CAP_PERFMON (bpf_capable, perfmon_capable), but a uprobe perf event
 * (every return probe, and entry probes where uprobe_multi is not used)
 * wants CAP_SYS_ADMIN itself since Linux's 2025 fix "perf: Require
 * CAP_SYS_ADMIN for uprobes" (EACCES without it). Without CAP_SYS_PTRACE
 * other users' /proc/PID/root (containers, chroots) is refused, and without
 * CAP_DAC_READ_SEARCH a library in another user's private directory is
 * skipped: both would lose a target's plaintext, so they are required too. */
struct cap_need {
	int cap;
	int or_cap; /* another that the kernel accepts instead, or -1 */
	const char *name;
	const char *why;
	unsigned int only_for; /* 0: always; else the preflight_needs it serves */
};

static const struct cap_need cap_needs[] = {
	{ CAP_BPF, CAP_SYS_ADMIN, "CAP_BPF", "loading BPF programs", 0 },
	{ CAP_PERFMON, CAP_SYS_ADMIN, "CAP_PERFMON", "tracing programs", 0 },
	{ CAP_SYS_ADMIN, -1, "CAP_SYS_ADMIN", "uprobe perf events", 0 },
	{ CAP_SYS_PTRACE, -1, "CAP_SYS_PTRACE", "other users' /proc/PID/root",
	  PREFLIGHT_OTHERS_FILES },
	{ CAP_DAC_READ_SEARCH, CAP_DAC_OVERRIDE, "CAP_DAC_READ_SEARCH",
	  "other users' library files", PREFLIGHT_OTHERS_FILES },
};

/* libbpf 1.0 is what the symbol versions demand (bpf_program__set_autoattach:
 * the dynamic linker refuses anything older); 1.1 (Debian 12's) is the
 * oldest the BPF object — weak kfuncs, a linked object with __weak maps,
 * uprobe_multi programs loaded with an attach type libbpf does not know —
 * has been loaded and tested with. uprobe_multi links (libbpf 1.3) are made
 * without libbpf (uprobe_multi.c), so a newer libbpf is not required. */
static int check_libbpf(const char *who)
{
	unsigned int major = libbpf_major_version(), minor = libbpf_minor_version();

	if (major > PREFLIGHT_LIBBPF_MAJOR ||
	    (major == PREFLIGHT_LIBBPF_MAJOR && minor >= PREFLIGHT_LIBBPF_MINOR))
		return 0;
	fprintf(stderr, "%s: libbpf %u.%u is too old: it needs libbpf %d.%d or newer "
		"(Debian 12's libbpf1); install a newer libbpf\n", who, major, minor,
		PREFLIGHT_LIBBPF_MAJOR, PREFLIGHT_LIBBPF_MINOR);
	return -1;
}

static int effective_caps(uint64_t *caps)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	*caps = data[0].effective | (uint64_t)data[1].effective << 32;
	return 0;
}

static int has_cap(uint64_t caps, int cap)
{
	return cap >= 0 && (caps >> cap & 1);
}

static int check_caps(const char *who, unsigned int needs)
{
	char missing[512] = "";
	size_t len = 0;
	uint64_t caps;

	if (effective_caps(&caps)) {
		fprintf(stderr, "%s: cannot read this process's capabilities: %s\n", who,
			strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(cap_needs) / sizeof(cap_needs[0]); i++) {
		const struct cap_need *n = &cap_needs[i];

		if ((n->only_for && !(needs & n->only_for)) || has_cap(caps, n->cap) ||
		    has_cap(caps, n->or_cap))
			continue;
		len += snprintf(missing + len, sizeof(missing) - len, "%s%s (%s)",
				len ? ", " : "", n->name, n->why);
		if (len >= sizeof(missing))
			break;
	}
	if (!missing[0])
		return 0;
	fprintf(stderr, "%s: needs root (or these capabilities); missing %s: run it as root with "
		"all capabilities (sudo), or grant the missing ones\n", who, missing);
	return -1;
}

/* CO-RE relocates every kernel struct access against the running kernel's
 * BTF. libbpf also looks in /boot and /lib/modules: ask it, quietly. */
static int check_btf(const char *who)
{
	libbpf_print_fn_t old_print;
	struct btf *vmlinux;
	int err;

	if (!access(VMLINUX_BTF, R_OK))
		return 0;
	old_print = libbpf_set_print(NULL);
	vmlinux = btf__load_vmlinux_btf();
	err = vmlinux ? 0 : errno;
	libbpf_set_print(old_print);
	btf__free(vmlinux);
	if (!err)
		return 0;
	fprintf(stderr, "%s: the kernel has no BTF (" VMLINUX_BTF " is missing): the BPF programs "
		"are CO-RE and need it; use a kernel built with CONFIG_DEBUG_INFO_BTF=y\n", who);
	return -1;
}

/* Lockdown "confidentiality" takes bpf_probe_read_kernel away from BPF
 * (LOCKDOWN_BPF_READ_KERNEL): every CO-RE read of the task, its files and
 * sockets (the fd, the addresses, the pid namespace) goes through it, so the
 * programs do not load. "integrity" forbids bpf_probe_write_user, kprobes
 * and raw kernel memory access, none of which the tracer uses: it runs. An
 * unreadable file (securityfs not mounted, no lockdown LSM) is no lockdown. */
static int check_lockdown(const char *who)
{
	char line[128] = "";
	FILE *f = fopen(LOCKDOWN, "re");

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	if (!strstr(line, "[confidentiality]"))
		return 0;
	fprintf(stderr, "%s: the kernel is locked down (confidentiality): BPF may not read kernel "
		"memory, which the tracer needs for fds and addresses; boot with lockdown=integrity "
		"or none\n", who);
	return -1;
}

/* libbpf finds a tracepoint's id in tracefs; this kernel boots without it
 * mounted, so it is mounted here (where libbpf looks when debugfs has no
 * tracing directory). */
static int check_tracefs(const char *who)
{
	if (!access(TRACEFS "/events/syscalls", F_OK) ||
	    !access(DEBUGFS_TRACING "/events/syscalls", F_OK))
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY) {
		fprintf(stderr, "%s: tracefs is mounted at neither " TRACEFS " nor " DEBUGFS_TRACING
			" and mounting it failed (%s): the syscall tracepoints need it; "
			"mount -t tracefs nodev " TRACEFS "\n", who, strerror(errno));
		return -1;
	}
	if (access(TRACEFS "/events/syscalls", F_OK)) {
		fprintf(stderr, "%s: " TRACEFS "/events/syscalls is missing: this kernel has no "
			"syscall tracepoints (CONFIG_FTRACE_SYSCALLS)\n", who);
		return -1;
	}
	return 0;
}

int preflight_check(const char *who, unsigned int needs)
{
	if (check_libbpf(who) || check_caps(who, needs) || check_btf(who) ||
	    check_lockdown(who))
		return -1;
	return (needs & PREFLIGHT_TRACEFS) ? check_tracefs(who) : 0;
}
