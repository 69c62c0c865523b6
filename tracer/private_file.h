/* Files the tracer writes plaintext to (trace -o, --pcapng): ours alone. */
#ifndef TLSPROBE_PRIVATE_FILE_H
#define TLSPROBE_PRIVATE_FILE_H
#include <stddef.h>

/* Opens path for writing, created mode 0600, and returns the fd (a regular
 * file: emptied, mode 0600; blocking). A character device or FIFO of ours
 * (/dev/null) is written as it is. Refused, and left exactly as it was: a
 * symbolic link, anything else that is not a regular file, a regular file
 * with other hard links, anything owned by another user than the
 * effective one. -1 then, with errno set and the reason in why (whylen
 * bytes, "" for the open's own errno). */
int private_file_create(const char *path, char *why, size_t whylen);
#endif
