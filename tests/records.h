/* Building record sets in the comparator's and loadcheck's tests
 * (tests/test_compare.c, tests/test_loadcheck.c): include after cmocka.h and
 * compare.h (record_set_push). */
#ifndef TLSPROBE_TESTS_RECORDS_H
#define TLSPROBE_TESTS_RECORDS_H

/* A new empty record at the end of set. */
static struct record *push(struct record_set *set)
{
	static const struct record empty;

	assert_int_equal(record_set_push(set, &empty), 0);
	return &set->v[set->n - 1];
}
#endif
