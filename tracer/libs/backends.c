#define _GNU_SOURCE /* memmem */
/* The backend table, and what every backend needs: opening the file,
 * version strings, sibling libraries. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "../elfsym.h"
#include "backend.h"
#include "boringssl.h"
#include "gnutls.h"
#include "go.h"
#include "nss.h"
#include "openssl.h"
#include "rustls.h"

const struct tls_backend *const tls_backends[] = {
	&boringssl_backend, /* before openssl: BoringSSL calls itself OpenSSL 1.1.1 */
	&openssl_backend,
	&gnutls_backend,
	&nss_backend,
	&go_backend,
	&rustls_backend,
	NULL,
};

static const char *file_name(const char *path)
{
	const char *base = strrchr(path, '/');

	return base ? base + 1 : path;
}

const struct tls_backend *backend_for_path(const char *path)
{
	const char *base = file_name(path);

	for (const struct tls_backend *const *b = tls_backends; *b; b++)
		for (const char *const *name = (*b)->lib_names; *name; name++)
			if (!strncmp(base, *name, strlen(*name)))
				return *b;
	return NULL;
}

/* The first backend of the table (or the one given) whose stack img holds. */
static int classify(struct tls_lib *lib, struct elf_image *img, char *err, size_t errlen)
{
	if (lib->backend)
		return lib->backend->classify(lib, img, err, errlen) ? 1 : 0;
	for (const struct tls_backend *const *b = tls_backends; *b; b++) {
		if (!(*b)->classify(lib, img, err, errlen)) {
			lib->backend = *b;
			if (errlen)
				err[0] = '\0'; /* what the backends before it said is no error */
			return 0;
		}
	}
	snprintf(err, errlen, "%s: holds no TLS stack this tracer knows", lib->path);
	return 1;
}

int backend_plan_lib(struct tls_lib *lib, enum plan_mode mode, char *err, size_t errlen)
{
	struct elf_image *img;
	int ret;

	img = elf_image_open(lib->host_path);
	if (!img) {
		snprintf(err, errlen, "%s: %s", lib->path,
			 errno == ENOEXEC ? "not an ELF file" : strerror(errno));
		return -1;
	}
	ret = classify(lib, img, err, errlen);
	if (!ret) {
		memset(&lib->plan, 0, sizeof(lib->plan));
		ret = lib->backend->plan(lib, img, mode, err, errlen) ? -1 : 0;
	}
	elf_image_close(img);
	return ret;
}

/* Length of "X.Y.Z[letters]" (at least min_dots dots) at s, or 0 if s holds
 * no such version. */
static size_t version_token_len(const char *s, size_t avail, int min_dots)
{
	size_t i = 0;
	int dots = 0;

	while (i < avail && (isdigit((unsigned char)s[i]) || s[i] == '.')) {
		dots += s[i] == '.';
		i++;
	}
	if (dots < min_dots || !isdigit((unsigned char)s[0]))
		return 0;
	while (i < avail && islower((unsigned char)s[i]))
		i++;
	return i;
}

int version_scan(const uint8_t *blob, size_t len, const char *prefix, int min_dots, char *out,
		 size_t outlen)
{
	const size_t plen = strlen(prefix);
	const char *text = (const char *)blob;
	int found = 0;

	for (size_t i = 0; i + plen < len; i++) {
		size_t vlen;
		int dated;

		if (memcmp(text + i, prefix, plen))
			continue;
		vlen = version_token_len(text + i + plen, len - i - plen, min_dots);
		if (!vlen)
			continue;
		/* "OpenSSL 3.0.19 27 Jan 2026": a space (or two) then the date. */
		dated = i + plen + vlen + 2 < len && text[i + plen + vlen] == ' ' &&
			(isdigit((unsigned char)text[i + plen + vlen + 1]) ||
			 isdigit((unsigned char)text[i + plen + vlen + 2]));
		if (!found || dated)
			snprintf(out, outlen, "%.*s", (int)(plen + vlen), text + i);
		found = 1;
		if (dated)
			return 0;
	}
	return found ? 0 : -1;
}

int rodata_has_bytes(struct elf_image *img, const void *bytes, size_t len)
{
	const uint8_t *rodata;
	size_t n;

	return !elf_image_section(img, ".rodata", &rodata, &n) &&
	       memmem(rodata, n, bytes, len) != NULL;
}

int version_scan_file(const char *path, const char *prefix, int min_dots, char *out,
		      size_t outlen)
{
	struct elf_image *img = elf_image_open(path);
	const uint8_t *rodata;
	size_t len;
	int ret = -1;

	if (!img)
		return -1;
	if (!elf_image_section(img, ".rodata", &rodata, &len))
		ret = version_scan(rodata, len, prefix, min_dots, out, outlen);
	elf_image_close(img);
	return ret;
}

void sibling_path(const char *path, const char *own_prefix, const char *sibling_prefix,
		  char *out, size_t outlen)
{
	const char *base = file_name(path);
	size_t own = strlen(own_prefix);

	snprintf(out, outlen, "%.*s%s%s", (int)(base - path), path, sibling_prefix,
		 strncmp(base, own_prefix, own) ? "" : base + own);
}
