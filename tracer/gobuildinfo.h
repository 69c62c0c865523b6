/* Go binaries: is this one, and which Go built it (.go.buildinfo). */
#ifndef TLSPROBE_GOBUILDINFO_H
#define TLSPROBE_GOBUILDINFO_H
#include <stdbool.h>
#include <stddef.h>
#include "goimage.h"

struct go_version {
	char text[64];		/* as the binary says it: "go1.22.12", "go1.21rc2" */
	int major, minor, patch;	/* 1, 22, 12; a release candidate has patch 0 */
};

/* Cheap: whether the ELF file has one of the sections only Go's linker
 * writes (.go.buildinfo, .gopclntab, .note.go.buildid). */
bool go_is_binary(struct elf_image *img);

/* The Go version from .go.buildinfo (Go 1.13+: the 1.18+ inline strings, or
 * the older pointers to a string header), else from runtime.buildVersion.
 * Returns 0, or -ENOENT/-EINVAL with the reason in err. */
int go_buildinfo_version(const struct go_image *gi, struct go_version *v, char *err, size_t errlen);

/* Parses "goX.Y[.Z]" (a suffix after it, as in "go1.21rc2" or
 * "go1.25.0 X:nodwarf5", is allowed). Returns 0, or -EINVAL ("devel ..."). */
int go_version_parse(const char *text, struct go_version *v);

/* v is at least major.minor. */
bool go_version_at_least(const struct go_version *v, int major, int minor);

/* Whether Go passes arguments in registers: amd64 from 1.17 (arm64 and
 * others from 1.18, which the tracer does not run on). */
bool go_register_abi(const struct go_version *v);
#endif
