/* Putting chunked calls back together: interleaved calls, single-chunk calls
 * without copies, chunks out of order, and calls cut short by loss. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "reassembly.h"

static struct call_header chunk_hdr(uint64_t call_id, uint64_t call_len, uint64_t offset,
				    uint32_t chunk_len)
{
	struct call_header h = { .kind = EVENT_DATA, .call_id = call_id, .call_len = call_len,
				 .offset = offset, .chunk_len = chunk_len };
	return h;
}

static uint8_t *pattern(size_t len, uint8_t seed)
{
	uint8_t *p = malloc(len);

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed);
	return p;
}

static void single_chunk_is_not_copied(void **state)
{
	struct reasm r = {};
	uint8_t data[5] = "hello";
	struct call_header h = chunk_hdr(1, 5, 0, 5);
	struct reasm_call *call = reasm_add(&r, &h, data);
	(void)state;

	assert_non_null(call);
	assert_ptr_equal(call->data, data);
	assert_int_equal(call->have, 5);
	reasm_release(call);
	assert_null(r.pending);
}

static void interleaved_calls_complete_separately(void **state)
{
	struct reasm r = {};
	const size_t len_a = 2 * CHUNK_MAX + 7, len_b = CHUNK_MAX + 1;
	uint8_t *a = pattern(len_a, 1), *b = pattern(len_b, 2);
	struct call_header h;
	struct reasm_call *call;
	(void)state;

	h = chunk_hdr(10, len_a, 0, CHUNK_MAX);
	assert_null(reasm_add(&r, &h, a));
	h = chunk_hdr(11, len_b, 0, CHUNK_MAX);
	assert_null(reasm_add(&r, &h, b));
	h = chunk_hdr(10, len_a, CHUNK_MAX, CHUNK_MAX);
	assert_null(reasm_add(&r, &h, a + CHUNK_MAX));
	h = chunk_hdr(11, len_b, CHUNK_MAX, 1);
	call = reasm_add(&r, &h, b + CHUNK_MAX);
	assert_non_null(call);
	assert_int_equal(call->hdr.call_id, 11);
	assert_int_equal(call->have, len_b);
	assert_memory_equal(call->data, b, len_b);
	reasm_release(call);
	h = chunk_hdr(10, len_a, 2 * CHUNK_MAX, 7);
	call = reasm_add(&r, &h, a + 2 * CHUNK_MAX);
	assert_non_null(call);
	assert_int_equal(call->have, len_a);
	assert_memory_equal(call->data, a, len_a);
	reasm_release(call);
	assert_null(r.pending);
	assert_int_equal(r.bad_chunks, 0);
	free(a);
	free(b);
}

static void gap_is_counted_and_prefix_kept(void **state)
{
	struct reasm r = {};
	const size_t len = 3 * CHUNK_MAX;
	uint8_t *a = pattern(len, 3);
	struct call_header h;
	struct reasm_call *call;
	(void)state;

	h = chunk_hdr(20, len, 0, CHUNK_MAX);
	assert_null(reasm_add(&r, &h, a));
	h = chunk_hdr(20, len, 2 * CHUNK_MAX, CHUNK_MAX); /* the middle chunk never came */
	assert_null(reasm_add(&r, &h, a + 2 * CHUNK_MAX));
	assert_int_equal(r.bad_chunks, 1);
	call = reasm_take(&r, 20);
	assert_non_null(call);
	assert_int_equal(call->have, CHUNK_MAX);
	assert_memory_equal(call->data, a, CHUNK_MAX);
	reasm_release(call);
	assert_null(reasm_take(&r, 20));
	free(a);
}

static void orphan_chunk_is_counted(void **state)
{
	struct reasm r = {};
	uint8_t data[8] = {};
	struct call_header h = chunk_hdr(30, 2 * CHUNK_MAX, CHUNK_MAX, 8);
	(void)state;

	assert_null(reasm_add(&r, &h, data));
	assert_int_equal(r.bad_chunks, 1);
	assert_null(r.pending);
}

static void drains_pending_at_exit(void **state)
{
	struct reasm r = {};
	uint8_t *a = pattern(CHUNK_MAX, 4);
	struct call_header h1 = chunk_hdr(40, 2 * CHUNK_MAX, 0, CHUNK_MAX);
	struct call_header h2 = chunk_hdr(41, 2 * CHUNK_MAX, 0, CHUNK_MAX);
	struct reasm_call *call;
	int drained = 0;
	(void)state;

	reasm_add(&r, &h1, a);
	reasm_add(&r, &h2, a);
	while ((call = reasm_take_any(&r))) {
		assert_int_equal(call->have, CHUNK_MAX);
		reasm_release(call);
		drained++;
	}
	assert_int_equal(drained, 2);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(single_chunk_is_not_copied),
		cmocka_unit_test(interleaved_calls_complete_separately),
		cmocka_unit_test(gap_is_counted_and_prefix_kept),
		cmocka_unit_test(orphan_chunk_is_counted),
		cmocka_unit_test(drains_pending_at_exit),
	};
	return cmocka_run_group_tests_name("reassembly", tests, NULL, NULL);
}
