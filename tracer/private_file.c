// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "private_file.h"

/* Why an existing file at path may not take our output, or NULL. Checked
 * on the opened file (fstat), not on the name: nothing can be swapped in
 * between. A character device or a FIFO of ours (/dev/null, a pipe to a
 * reader) holds nothing at rest: allowed, as it is. */
static const char *refusal(const struct stat *st, char *why, size_t whylen)
{
	bool regular = S_ISREG(st->st_mode);

	if (!regular && !S_ISCHR(st->st_mode) && !S_ISFIFO(st->st_mode))
		snprintf(why, whylen, "not a regular file: refused");
	else if (st->st_uid != geteuid())
		snprintf(why, whylen, "owned by uid %u, not by this user (uid %u): refused, "
			 "left as it was", (unsigned)st->st_uid, (unsigned)geteuid());
	else if (regular && st->st_nlink != 1)
		snprintf(why, whylen, "has %lu hard links (another name may be someone else's): "
			 "refused, left as it was", (unsigned long)st->st_nlink);
	else
		return NULL;
	return why;
}

static int fail_closed(int fd, int err)
{
	close(fd);
	errno = err;
	return -1;
}

/* Without O_TRUNC: a file that is refused must not lose its contents. A
 * symlink is refused by O_NOFOLLOW (ELOOP), so a link planted at path
 * cannot point the plaintext anywhere; O_NONBLOCK keeps a FIFO there from
 * blocking the open. */
int private_file_create(const char *path, char *why, size_t whylen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	struct stat st;

	if (whylen)
		why[0] = '\0';
	if (fd < 0) {
		if (errno == ELOOP && whylen)
			snprintf(why, whylen, "a symbolic link: refused (the output holds "
				 "plaintext), its target left as it was");
		return -1;
	}
	if (fstat(fd, &st))
		return fail_closed(fd, errno);
	if (refusal(&st, why, whylen))
		return fail_closed(fd, EEXIST);
	/* An existing file of ours: emptied, and private even if it was not. */
	if (S_ISREG(st.st_mode) && (ftruncate(fd, 0) || fchmod(fd, 0600)))
		return fail_closed(fd, errno);
	if (fcntl(fd, F_SETFL, 0))
		return fail_closed(fd, errno);
	return fd;
}
