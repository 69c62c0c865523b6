/* libFuzzer target for what the tracer reads of Rust binaries: symbol names
 * (rust_demangle_path, libiberty's demangler under it: both manglings) and
 * the crates' versions in the panic locations of .rodata
 * (rust_crate_version_in, what rust_crate_version runs on the section).
 * The input is a symbol name (up to its first NUL) and, whole, the .rodata.
 * Built by `make fuzz` (build/fuzz/); seeds: the symbols and .rodata strings
 * of real Rust binaries (tests/fuzz/seeds.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rustsym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = malloc(size + 1), path[512], version[32];

	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	rust_demangle_path(name, path, sizeof(path));
	free(name);
	rust_crate_version_in(data, size, "rustls", version, sizeof(version));
	rust_crate_version_in(data, size, "tokio-rustls", version, sizeof(version));
	return 0;
}
