#define _GNU_SOURCE /* memmem */
/* Rust binaries (rustsym.h). Demangling is libiberty's (binutils' and
 * GCC's own), which reads both manglings. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libiberty/demangle.h>
#include "elfsym.h"
#include "rustsym.h"

int rust_is_binary(struct elf_image *img)
{
	static const char mark[] = "rustc version";
	const uint8_t *bytes;
	size_t len;

	return !elf_image_section(img, ".comment", &bytes, &len) &&
	       memmem(bytes, len, mark, sizeof(mark) - 1) != NULL;
}

/* A legacy symbol's demangled path ends in "::h" and 16 hex digits, which
 * libiberty leaves out unless asked (DMGL_VERBOSE); v0 names print no crate
 * disambiguators either. What is left is cut here should a version keep it. */
static void strip_hash(char *path)
{
	size_t n = strlen(path);

	if (n > 19 && !strncmp(path + n - 19, "::h", 3)) {
		for (size_t i = n - 16; i < n; i++)
			if (!isxdigit((unsigned char)path[i]))
				return;
		path[n - 19] = '\0';
	}
}

int rust_demangle_path(const char *name, char *out, size_t outlen)
{
	char *path;

	if (strncmp(name, "_ZN", 3) && strncmp(name, "_R", 2))
		return -1;
	path = rust_demangle(name, DMGL_PARAMS);
	if (!path)
		return -1;
	strip_hash(path);
	snprintf(out, outlen, "%s", path);
	free(path);
	return 0;
}

/* "0.23.35" at p (digits and dots, three numbers), followed by '/'. */
static size_t version_at(const uint8_t *p, const uint8_t *end)
{
	size_t n = 0;
	int dots = 0;

	while (p + n < end && (isdigit(p[n]) || p[n] == '.')) {
		dots += p[n] == '.';
		n++;
	}
	return dots == 2 && n >= 5 && p + n < end && p[n] == '/' && isdigit(p[n - 1]) ? n : 0;
}

/* Orders "0.23.9" < "0.23.35". */
static int version_cmp(const char *a, const char *b)
{
	for (;;) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a != '.' || *b != '.')
			return 0;
		a++;
		b++;
	}
}

int rust_crate_version(struct elf_image *img, const char *crate, char *out, size_t outlen)
{
	const uint8_t *bytes;
	size_t len;

	if (elf_image_section(img, ".rodata", &bytes, &len))
		return -1;
	return rust_crate_version_in(bytes, len, crate, out, outlen);
}

int rust_crate_version_in(const uint8_t *bytes, size_t len, const char *crate, char *out,
			  size_t outlen)
{
	char needle[64], best[32] = "";
	const uint8_t *p, *end;
	size_t nlen;

	nlen = (size_t)snprintf(needle, sizeof(needle), "/%s-", crate);
	end = bytes + len;
	for (p = bytes; (p = memmem(p, (size_t)(end - p), needle, nlen)); p += nlen) {
		size_t vlen = version_at(p + nlen, end);
		char v[32];

		if (!vlen || vlen >= sizeof(v))
			continue;
		memcpy(v, p + nlen, vlen);
		v[vlen] = '\0';
		if (!best[0] || version_cmp(v, best) > 0)
			snprintf(best, sizeof(best), "%s", v);
	}
	if (!best[0])
		return -1;
	snprintf(out, outlen, "%s", best);
	return 0;
}
