/* /proc/PID/maps line parsing, and a real read of our own maps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "attach.h"
#include "procmaps.h"

static void parses_file_mapping(void **state)
{
	struct map_entry e;
	(void)state;

	assert_int_equal(procmaps_parse_line("7f1c2a400000-7f1c2a45e000 r-xp 0001f000 fd:01 1835019"
					     "                    /usr/lib/x86_64-linux-gnu/libssl.so.3\n", &e), 0);
	assert_int_equal(e.start, 0x7f1c2a400000ULL);
	assert_int_equal(e.end, 0x7f1c2a45e000ULL);
	assert_string_equal(e.perms, "r-xp");
	assert_int_equal(e.offset, 0x1f000);
	assert_int_equal(e.dev_major, 0xfd);
	assert_int_equal(e.dev_minor, 1);
	assert_int_equal(e.inode, 1835019);
	assert_string_equal(e.path, "/usr/lib/x86_64-linux-gnu/libssl.so.3");
}

static void parses_anonymous_and_special(void **state)
{
	struct map_entry e;
	(void)state;

	assert_int_equal(procmaps_parse_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0\n", &e), 0);
	assert_string_equal(e.path, "");
	assert_int_equal(e.inode, 0);
	assert_int_equal(procmaps_parse_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0   [stack]\n", &e), 0);
	assert_string_equal(e.path, "[stack]");
}

static void keeps_spaces_and_deleted_marker(void **state)
{
	struct map_entry e;
	(void)state;

	assert_int_equal(procmaps_parse_line("1000-2000 r--p 00000000 08:02 42 /tmp/a b/lib ssl.so (deleted)\n", &e), 0);
	assert_string_equal(e.path, "/tmp/a b/lib ssl.so (deleted)");
}

static void rejects_malformed(void **state)
{
	struct map_entry e;
	(void)state;

	assert_int_equal(procmaps_parse_line("", &e), -1);
	assert_int_equal(procmaps_parse_line("garbage\n", &e), -1);
	assert_int_equal(procmaps_parse_line("1000-2000 r--p 00000000\n", &e), -1);
}

static void parses_docker_overlay_mount(void **state)
{
	struct mount_entry m;
	(void)state;

	assert_int_equal(procmaps_parse_mountinfo_line(
		"80 54 0:39 / / rw,relatime master:2 - overlay overlay rw,"
		"lowerdir=/var/lib/docker/overlay2/l/AXAZ:/var/lib/docker/overlay2/l/TXH6,"
		"upperdir=/var/lib/docker/overlay2/e5ea/diff,workdir=/var/lib/docker/overlay2/e5ea/work,"
		"nouserxattr\n", &m), 0);
	assert_int_equal(m.dev_major, 0);
	assert_int_equal(m.dev_minor, 39);
	assert_string_equal(m.root, "/");
	assert_string_equal(m.mount_point, "/");
	assert_string_equal(m.fstype, "overlay");
	assert_string_equal(m.upper, "/var/lib/docker/overlay2/e5ea/diff");
	assert_string_equal(m.lower, "/var/lib/docker/overlay2/l/AXAZ:/var/lib/docker/overlay2/l/TXH6");
}

static void parses_other_mounts_and_escapes(void **state)
{
	struct mount_entry m;
	(void)state;

	/* no optional fields; a space in the mount point (\040) */
	assert_int_equal(procmaps_parse_mountinfo_line(
		"36 25 254:1 /srv /mnt/my\\040data rw,noatime - ext4 /dev/vda1 rw\n", &m), 0);
	assert_int_equal(m.dev_major, 254);
	assert_int_equal(m.dev_minor, 1);
	assert_string_equal(m.root, "/srv");
	assert_string_equal(m.mount_point, "/mnt/my data");
	assert_string_equal(m.fstype, "ext4");
	assert_string_equal(m.upper, "");
	assert_string_equal(m.lower, "");
	/* the 6.8 syntax: one lowerdir+ per layer */
	assert_int_equal(procmaps_parse_mountinfo_line(
		"90 54 0:50 / /c rw - overlay overlay rw,lowerdir+=/l/a,lowerdir+=/l/b,upperdir=/u\n",
		&m), 0);
	assert_string_equal(m.lower, "/l/a:/l/b");
	assert_string_equal(m.upper, "/u");
	assert_int_equal(procmaps_parse_mountinfo_line("garbage\n", &m), -1);
	assert_int_equal(procmaps_parse_mountinfo_line("36 25 254:1 / / rw\n", &m), -1); /* no " - " */
}

static int count_libc(const struct map_entry *e, void *arg)
{
	if (strstr(e->path, "libc.so") || strstr(e->path, "libc-"))
		(*(int *)arg)++;
	return 0;
}

static void reads_own_maps(void **state)
{
	int libc_maps = 0;
	(void)state;

	assert_int_equal(procmaps_for_each(getpid(), count_libc, &libc_maps), 0);
	assert_true(libc_maps > 0);
	assert_true(procmaps_for_each(999999999, count_libc, &libc_maps) < 0);
}

static void host_path_goes_through_proc_root(void **state)
{
	char out[128];
	(void)state;

	procmaps_host_path(42, "/usr/lib/libssl.so.3", out, sizeof(out));
	assert_string_equal(out, "/proc/42/root/usr/lib/libssl.so.3");
}

/* An exited process not yet reaped still has /proc/PID/maps, empty: the
 * scan says it is gone (its files can no longer be looked at), not "maps no
 * TLS library", so that its socket I/O before is reported. */
static void zombie_counts_as_gone(void **state)
{
	static struct lib_registry reg;
	siginfo_t info;
	pid_t child = fork();
	(void)state;

	if (child == 0)
		_exit(0);
	assert_true(child > 0);
	assert_int_equal(waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);
	assert_int_equal(registry_scan_pid(&reg, child), -ESRCH);
	assert_null(registry_latest_attached(&reg, child));
	waitpid(child, NULL, 0);
	assert_int_equal(registry_scan_pid(&reg, child), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_file_mapping),
		cmocka_unit_test(parses_anonymous_and_special),
		cmocka_unit_test(keeps_spaces_and_deleted_marker),
		cmocka_unit_test(rejects_malformed),
		cmocka_unit_test(parses_docker_overlay_mount),
		cmocka_unit_test(parses_other_mounts_and_escapes),
		cmocka_unit_test(reads_own_maps),
		cmocka_unit_test(host_path_goes_through_proc_root),
		cmocka_unit_test(zombie_counts_as_gone),
	};
	return cmocka_run_group_tests_name("procmaps", tests, NULL, NULL);
}
