#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "../elfsym.h"
#include "openssl.h"

static const char *const func_names[FUNC_COUNT] = {
	[FUNC_SSL_WRITE] = "SSL_write",
	[FUNC_SSL_READ] = "SSL_read",
	[FUNC_SSL_WRITE_EX] = "SSL_write_ex",
	[FUNC_SSL_READ_EX] = "SSL_read_ex",
};

const char *tls_func_name(enum tls_func func)
{
	return func < FUNC_COUNT ? func_names[func] : "?";
}

int openssl_is_libssl(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "libssl.so", 9);
}

/* Length of "X.Y.Z[letters]" at s, or 0 if s holds no such version. */
static size_t version_token_len(const char *s, size_t avail)
{
	size_t i = 0;
	int dots = 0;

	while (i < avail && (isdigit((unsigned char)s[i]) || s[i] == '.')) {
		dots += s[i] == '.';
		i++;
	}
	if (dots < 2 || !isdigit((unsigned char)s[0]))
		return 0;
	while (i < avail && islower((unsigned char)s[i]))
		i++;
	return i;
}

int openssl_version_scan(const uint8_t *buf, size_t len, char *out, size_t outlen)
{
	static const char prefix[] = "OpenSSL ";
	const size_t plen = sizeof(prefix) - 1;
	const char *text = (const char *)buf;
	int found = 0;

	for (size_t i = 0; i + plen < len; i++) {
		size_t vlen;
		int dated;

		if (memcmp(text + i, prefix, plen))
			continue;
		vlen = version_token_len(text + i + plen, len - i - plen);
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

static int scan_rodata(const char *path, char *out, size_t outlen)
{
	struct elf_image *img = elf_image_open(path);
	const uint8_t *rodata;
	size_t len;
	int ret = -1;

	if (!img)
		return -1;
	if (!elf_image_section(img, ".rodata", &rodata, &len))
		ret = openssl_version_scan(rodata, len, out, outlen);
	elf_image_close(img);
	return ret;
}

/* libssl.so.3 carries no version string; its libcrypto (same directory, same
 * suffix) does. */
static void detect_version(struct tls_lib *lib)
{
	char crypto_path[PATH_MAX];
	const char *base = strrchr(lib->host_path, '/');

	if (!scan_rodata(lib->host_path, lib->version, sizeof(lib->version)) || !base)
		return;
	snprintf(crypto_path, sizeof(crypto_path), "%.*s/libcrypto%s",
		 (int)(base - lib->host_path), lib->host_path, base + strlen("/libssl"));
	if (scan_rodata(crypto_path, lib->version, sizeof(lib->version)))
		lib->version[0] = '\0';
}

int openssl_plan(struct tls_lib *lib, char *err, size_t errlen)
{
	struct elf_image *img = elf_image_open(lib->host_path);
	int found = 0;

	if (!img) {
		snprintf(err, errlen, "%s: %s", lib->path,
			 errno == ENOEXEC ? "not an ELF file" : strerror(errno));
		return -1;
	}
	if (!elf_image_has_symbols(img)) {
		snprintf(err, errlen, "%s: no symbol table (stripped of .dynsym and .symtab)",
			 lib->path);
		elf_image_close(img);
		return -1;
	}
	for (int f = 0; f < FUNC_COUNT; f++) {
		lib->has_func[f] = !elf_image_func_offset(img, func_names[f], &lib->func_offset[f]);
		found += lib->has_func[f];
	}
	elf_image_close(img);
	if (!found) {
		snprintf(err, errlen, "%s: defines none of SSL_write, SSL_read, SSL_write_ex, SSL_read_ex",
			 lib->path);
		return -1;
	}
	detect_version(lib);
	return 0;
}
