/* Rust binaries: what rustc leaves in them that a backend of a Rust TLS
 * stack reads (libs/rustls.c): the compiler's mark, function paths under
 * either symbol mangling, and the crates' versions. */
#ifndef TLSPROBE_RUSTSYM_H
#define TLSPROBE_RUSTSYM_H
#include <stddef.h>
#include <stdint.h>

struct elf_image;

/* Whether img was built by rustc: its .comment says "rustc version". */
int rust_is_binary(struct elf_image *img);

/* The path of a Rust symbol, legacy (_ZN…17h<hash>E) or v0 (_R…) mangled,
 * without the hash or the crates' disambiguators:
 * "<rustls::conn::connection::Writer as std::io::Write>::write". 0, or -1
 * when name is no Rust symbol (or does not demangle; a C symbol). */
int rust_demangle_path(const char *name, char *out, size_t outlen);

/* The version of crate (for "rustls": "0.23.35") as the panic locations in
 * img's .rodata spell it: the source path of the crate from the registry,
 * ".../rustls-0.23.35/src/...". The highest one when several versions are
 * linked in. 0, or -1 when no path names it. */
int rust_crate_version(struct elf_image *img, const char *crate, char *out, size_t outlen);
/* The same over len bytes (the .rodata; the fuzz target's seam). */
int rust_crate_version_in(const uint8_t *bytes, size_t len, const char *crate, char *out,
			  size_t outlen);
#endif
