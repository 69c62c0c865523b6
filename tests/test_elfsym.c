#define _GNU_SOURCE /* memmem */
/* ELF symbol lookup on small shared objects the test builds itself: an
 * exported function (.dynsym), a hidden one (.symtab only), the same object
 * stripped, one with an empty section, and a file that is no ELF. Offsets
 * are checked against the bytes the dynamic loader maps for the same
 * function. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "elfsym.h"
#include "scratch.h"

static char dir[] = "/tmp/tlsprobe-elfsym-XXXXXX";
static char lib_path[128], stripped_path[128], empty_path[128], text_path[128];

static const char lib_source[] =
	"__attribute__((visibility(\"hidden\"))) int hidden_fn(int x) { return x * 7 + 3; }\n"
	"int exported_fn(int x) { return hidden_fn(x) ^ 0x5a5a; }\n"
	"int (*hidden_fn_ptr)(int) = hidden_fn;\n"
	"const char banner[] = \"OpenSSL 9.8.7z  1 Jan 2030\";\n";

static int build_fixtures(void **state)
{
	char cmd[1024], src[128];

	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	snprintf(src, sizeof(src), "%s/lib.c", dir);
	snprintf(lib_path, sizeof(lib_path), "%s/libtiny.so", dir);
	snprintf(stripped_path, sizeof(stripped_path), "%s/libtiny-stripped.so", dir);
	snprintf(empty_path, sizeof(empty_path), "%s/libtiny-empty.so", dir);
	snprintf(text_path, sizeof(text_path), "%s/not-elf.txt", dir);
	if (scratch_write(src, lib_source) || scratch_write(text_path, "hello\n"))
		return -1;
	snprintf(cmd, sizeof(cmd), "cc -shared -fPIC -O1 -o %s %s && strip -o %s %s && "
		 "objcopy --add-section .empty=/dev/null %s %s",
		 lib_path, src, stripped_path, lib_path, lib_path, empty_path);
	return system(cmd) ? -1 : 0;
}

/* The bytes at `offset` in the file are the function's code as loaded. */
static void assert_offset_holds(const char *path, uint64_t offset, const void *loaded)
{
	uint8_t from_file[16];
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fseek(f, (long)offset, SEEK_SET), 0);
	assert_int_equal(fread(from_file, 1, sizeof(from_file), f), sizeof(from_file));
	fclose(f);
	assert_memory_equal(from_file, loaded, sizeof(from_file));
}

static void finds_exported_function(void **state)
{
	struct elf_image *img = elf_image_open(lib_path);
	void *handle = dlopen(lib_path, RTLD_NOW);
	uint64_t offset;
	(void)state;

	assert_non_null(img);
	assert_non_null(handle);
	assert_int_equal(elf_image_func_offset(img, "exported_fn", &offset), 0);
	assert_offset_holds(lib_path, offset, dlsym(handle, "exported_fn"));
	elf_image_close(img);
	dlclose(handle);
}

static void finds_hidden_function_in_symtab(void **state)
{
	struct elf_image *img = elf_image_open(lib_path);
	void *handle = dlopen(lib_path, RTLD_NOW);
	uint64_t offset;
	(void)state;

	assert_non_null(img);
	assert_int_equal(elf_image_func_offset(img, "hidden_fn", &offset), 0);
	assert_offset_holds(lib_path, offset, *(void **)dlsym(handle, "hidden_fn_ptr"));
	elf_image_close(img);
	dlclose(handle);
}

static void stripped_keeps_only_dynsym(void **state)
{
	struct elf_image *img = elf_image_open(stripped_path);
	uint64_t offset;
	(void)state;

	assert_non_null(img);
	assert_true(elf_image_has_symbols(img));
	assert_int_equal(elf_image_func_offset(img, "exported_fn", &offset), 0);
	assert_int_equal(elf_image_func_offset(img, "hidden_fn", &offset), -ENOENT);
	assert_int_equal(elf_image_func_offset(img, "banner", &offset), -ENOENT); /* not a function */
	assert_int_equal(elf_image_func_offset(img, "no_such_fn", &offset), -ENOENT);
	elf_image_close(img);
}

static void reads_rodata(void **state)
{
	struct elf_image *img = elf_image_open(lib_path);
	const uint8_t *bytes;
	size_t len;
	(void)state;

	assert_int_equal(elf_image_section(img, ".rodata", &bytes, &len), 0);
	assert_non_null(memmem(bytes, len, "OpenSSL 9.8.7z", 14));
	assert_int_equal(elf_image_section(img, ".no_such_section", &bytes, &len), -ENOENT);
	elf_image_close(img);
}

/* Callers scan [bytes, bytes + len): an empty section must still give
 * bytes to add 0 to (libelf gives none; found by tests/fuzz/fuzz_elf.c). */
static void empty_section_has_bytes(void **state)
{
	struct elf_image *img = elf_image_open(empty_path);
	const uint8_t *bytes = NULL;
	size_t len = 1;
	(void)state;

	assert_non_null(img);
	assert_int_equal(elf_image_section(img, ".empty", &bytes, &len), 0);
	assert_non_null(bytes);
	assert_int_equal(len, 0);
	elf_image_close(img);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	if (f && !fseek(f, 0, SEEK_END) && (size = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc((size_t)size)) && fread(buf, 1, (size_t)size, f) == (size_t)size)
		*len = (size_t)size;
	if (f)
		fclose(f);
	return buf;
}

/* From memory the same as from the file, and the caller's buffer is not
 * needed once open (the image keeps a copy). */
static void opens_from_memory(void **state)
{
	struct elf_image *file = elf_image_open(lib_path), *mem;
	uint64_t file_vaddr, file_size, vaddr, size;
	size_t len = 0;
	uint8_t *buf = read_file(lib_path, &len);
	(void)state;

	assert_non_null(file);
	assert_non_null(buf);
	mem = elf_image_open_mem(buf, len);
	assert_non_null(mem);
	memset(buf, 0, len);
	free(buf);
	assert_int_equal(elf_image_func(file, "hidden_fn", &file_vaddr, &file_size), 0);
	assert_int_equal(elf_image_func(mem, "hidden_fn", &vaddr, &size), 0);
	assert_int_equal(vaddr, file_vaddr);
	assert_int_equal(size, file_size);
	assert_string_equal(elf_image_func_name_at(mem, vaddr), "hidden_fn");
	elf_image_close(mem);
	elf_image_close(file);
	assert_null(elf_image_open_mem("hello\n", 6));
	assert_int_equal(errno, ENOEXEC);
	assert_null(elf_image_open_mem("", 0));
}

static void rejects_non_elf_and_missing(void **state)
{
	(void)state;

	assert_null(elf_image_open(text_path));
	assert_int_equal(errno, ENOEXEC);
	assert_null(elf_image_open("/nonexistent/libssl.so.3"));
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_exported_function),
		cmocka_unit_test(finds_hidden_function_in_symtab),
		cmocka_unit_test(stripped_keeps_only_dynsym),
		cmocka_unit_test(reads_rodata),
		cmocka_unit_test(empty_section_has_bytes),
		cmocka_unit_test(opens_from_memory),
		cmocka_unit_test(rejects_non_elf_and_missing),
	};
	return cmocka_run_group_tests_name("elfsym", tests, build_fixtures, scratch_remove);
}
