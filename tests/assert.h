/* Assertions the cmocka tests share (cmocka.h first: it needs stdarg.h,
 * stddef.h, setjmp.h and stdint.h before it). */
#ifndef TLSPROBE_TESTS_ASSERT_H
#define TLSPROBE_TESTS_ASSERT_H
#include <string.h>

/* Fails unless hay contains needle, printing both. */
#define assert_contains(hay, needle) check_contains((hay), (needle), __FILE__, __LINE__)

static inline void check_contains(const char *hay, const char *needle, const char *file, int line)
{
	if (hay && needle && strstr(hay, needle))
		return;
	print_error("expected to find \"%s\" in \"%s\"\n", needle ? needle : "(null)",
		    hay ? hay : "(null)");
	_fail(file, line);
}
#endif
