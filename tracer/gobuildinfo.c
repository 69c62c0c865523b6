#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "elfsym.h"
#include "gobuildinfo.h"

/* The header the Go linker writes at the start of .go.buildinfo. */
static const char BUILDINFO_MAGIC[] = "\xff Go buildinf:";
#define BUILDINFO_MAGIC_LEN 14
#define BUILDINFO_HDR_LEN 32
#define FLAG_BIG_ENDIAN 0x1
#define FLAG_INLINE_STRINGS 0x2	/* Go 1.18+: the strings follow the header */
#define VERSION_MAX 63

bool go_is_binary(struct elf_image *img)
{
	static const char *const go_only[] = { ".go.buildinfo", ".gopclntab", ".note.go.buildid" };
	const uint8_t *bytes;
	size_t len;

	for (size_t i = 0; i < sizeof(go_only) / sizeof(go_only[0]); i++)
		if (!elf_image_section(img, go_only[i], &bytes, &len))
			return true;
	return false;
}

static int parse_number(const char **p, int *out)
{
	char *end;
	long n;

	if (**p < '0' || **p > '9')
		return -EINVAL;
	n = strtol(*p, &end, 10);
	if (n > 1000)
		return -EINVAL;
	*out = (int)n;
	*p = end;
	return 0;
}

int go_version_parse(const char *text, struct go_version *v)
{
	const char *p = text;

	memset(v, 0, sizeof(*v));
	snprintf(v->text, sizeof(v->text), "%s", text);
	if (strncmp(p, "go", 2))
		return -EINVAL;
	p += 2;
	if (parse_number(&p, &v->major) || *p++ != '.' || parse_number(&p, &v->minor))
		return -EINVAL;
	/* "go1.22.12"; "go1.21rc2" and "go1.20" have no patch number */
	if (*p == '.') {
		p++;
		if (parse_number(&p, &v->patch))
			return -EINVAL;
	}
	return 0;
}

bool go_version_at_least(const struct go_version *v, int major, int minor)
{
	return v->major > major || (v->major == major && v->minor >= minor);
}

bool go_register_abi(const struct go_version *v)
{
	return go_version_at_least(v, 1, 17);
}

/* Go's unsigned varint (encoding/binary.Uvarint), at most 10 bytes. */
static int read_uvarint(const uint8_t *p, size_t avail, uint64_t *value, size_t *used)
{
	uint64_t x = 0;

	for (size_t i = 0; i < avail && i < 10; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*value = x;
			*used = i + 1;
			return 0;
		}
	}
	return -EINVAL;
}

static int store_version(const uint8_t *bytes, uint64_t len, struct go_version *v, char *err,
			 size_t errlen)
{
	char text[VERSION_MAX + 1];

	if (!len || len > VERSION_MAX || memchr(bytes, '\0', len)) {
		snprintf(err, errlen, "Go version string of %llu bytes", (unsigned long long)len);
		return -EINVAL;
	}
	memcpy(text, bytes, len);
	text[len] = '\0';
	if (go_version_parse(text, v)) {
		snprintf(err, errlen, "unknown Go version \"%s\"", text);
		return -EINVAL;
	}
	return 0;
}

/* Go 1.18+: a varint length and the version, right after the header. */
static int inline_version(const struct go_region *r, struct go_version *v, char *err, size_t errlen)
{
	uint64_t len;
	size_t used;
	size_t avail = r->size - BUILDINFO_HDR_LEN;
	const uint8_t *p = r->bytes + BUILDINFO_HDR_LEN;

	if (read_uvarint(p, avail, &len, &used) || len > avail - used) {
		snprintf(err, errlen, ".go.buildinfo: version length out of bounds");
		return -EINVAL;
	}
	return store_version(p + used, len, v, err, errlen);
}

/* A Go string header (data pointer, length) at addr: the bytes it names. */
static int string_at(const struct go_image *gi, uint64_t addr, const uint8_t **bytes,
		     uint64_t *len)
{
	uint64_t data;
	const uint8_t *hdr = go_bytes(gi, addr, 16);

	if (!hdr || go_read_ptr(gi, addr, &data))
		return -ENOENT;
	*len = go_le64(hdr + 8);
	if (*len > VERSION_MAX || !(*bytes = go_bytes(gi, data, *len)))
		return -ENOENT;
	return 0;
}

/* Go 1.13-1.17: a pointer to runtime.buildVersion's string header. */
static int pointer_version(const struct go_image *gi, const struct go_region *r,
			   struct go_version *v, char *err, size_t errlen)
{
	uint64_t str, len;
	const uint8_t *bytes;

	if (r->bytes[14] != 8 || (r->bytes[15] & FLAG_BIG_ENDIAN)) {
		snprintf(err, errlen, ".go.buildinfo: %u-byte %s pointers (x86-64 only)",
			 r->bytes[14], r->bytes[15] & FLAG_BIG_ENDIAN ? "big-endian" : "little-endian");
		return -EINVAL;
	}
	if (go_read_ptr(gi, r->addr + 16, &str) || string_at(gi, str, &bytes, &len)) {
		snprintf(err, errlen, ".go.buildinfo: version pointer out of bounds");
		return -EINVAL;
	}
	return store_version(bytes, len, v, err, errlen);
}

/* Before Go 1.13 (no .go.buildinfo): the runtime's own variable. */
static int symbol_version(const struct go_image *gi, struct go_version *v, char *err,
			  size_t errlen)
{
	uint64_t addr, len;
	const uint8_t *bytes;

	if (go_symbol(gi, "runtime.buildVersion", &addr)) {
		snprintf(err, errlen, "no .go.buildinfo and no runtime.buildVersion symbol");
		return -ENOENT;
	}
	if (string_at(gi, addr, &bytes, &len)) {
		snprintf(err, errlen, "runtime.buildVersion out of bounds");
		return -EINVAL;
	}
	return store_version(bytes, len, v, err, errlen);
}

int go_buildinfo_version(const struct go_image *gi, struct go_version *v, char *err, size_t errlen)
{
	const struct go_region *r = go_region_named(gi, ".go.buildinfo");

	memset(v, 0, sizeof(*v));
	if (!r || !r->bytes)
		return symbol_version(gi, v, err, errlen);
	if (r->size < BUILDINFO_HDR_LEN || memcmp(r->bytes, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN)) {
		snprintf(err, errlen, ".go.buildinfo without its magic");
		return -EINVAL;
	}
	if (r->bytes[15] & FLAG_INLINE_STRINGS)
		return inline_version(r, v, err, errlen);
	return pointer_version(gi, r, v, err, errlen);
}
