/* bench uprobes' pure parts: the measured class of a probe, the rounds kept
 * at full speed, the decoder's and the measurement's agreement, and the
 * rows every report must have — fed figures whose right answer is known. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "uprobe_matrix.h"

static const struct up_row *row_named(const char *name)
{
	for (int i = 0; i < up_nrows; i++)
		if (!strcmp(up_rows[i].name, name))
			return &up_rows[i];
	fail_msg("no row %s", name);
	return NULL;
}

static void measured_class(void **state)
{
	(void)state;
	/* threshold 2000 ns: a probe at 1800 is emulated, at 12 us single-stepped */
	assert_string_equal(up_measured_class(1800, 2000, "cc1f440000"), "emulated");
	assert_string_equal(up_measured_class(12000, 2000, "cc"), "single-stepped");
	/* a nop5 the kernel rewrote into a call to its trampoline */
	assert_string_equal(up_measured_class(600, 2000, "e812345678"), "optimized");
	/* noise (a difference of medians at or below zero) tells nothing */
	assert_null(up_measured_class(-5, 2000, "cc"));
	assert_null(up_measured_class(800, NAN, "cc"));
}

static void single_step_threshold(void **state)
{
	/* two clusters: emulated 500-1700, single-stepped 38-52 us (as measured
	 * here on a noisy smoke run): split in their gap */
	double two[] = { 4444, 513, 1741, 52511, 42120, 38613, 812, 1654, 1187, 42421 };
	double one[] = { 700, 900, 800, 1200 }, none[] = { -3, 0 };
	double t;
	(void)state;

	t = up_single_step_threshold(two, 10, 4444);
	assert_true(t > 4444 && t < 38613);
	/* one cluster: 2.5x the nop's */
	assert_float_equal(up_single_step_threshold(one, 4, 700), 1750, 1e-9);
	assert_true(isnan(up_single_step_threshold(none, 2, NAN)));
}

static void set_round(struct up_figures *f, int k, double none, double probed, double calib)
{
	f->none_ns[k] = none;
	f->probed_ns[k] = probed;
	f->none_calib[k] = f->probed_calib[k] = calib;
	f->nrounds = k + 1;
}

static void full_speed_rounds(void **state)
{
	const struct up_row *nop = row_named("nop");
	struct up_figures f = {};
	(void)state;

	set_round(&f, 0, 3, 903, 1000);
	set_round(&f, 1, 3, 5003, 1500); /* a slow round: left out */
	set_round(&f, 2, 5, 1005, 1100);
	assert_float_equal(up_fastest_calibration(&f, 1), 1000, 0);
	up_summarize(nop, &f, 1000, NAN);
	assert_int_equal(f.rounds_used, 2);
	assert_float_equal(f.none_med, 4, 1e-9);
	assert_float_equal(f.probed_med, 954, 1e-9);
	assert_float_equal(f.added, 950, 1e-9);

	/* no round at full speed: all of them, rather than nothing */
	up_summarize(nop, &f, 10, NAN);
	assert_int_equal(f.rounds_used, 3);
}

static void decoder_and_measurement(void **state)
{
	const struct up_row *sub = row_named("sub $0x18,%rsp"), *nop5 = row_named(
								     "nop5 (nopl 0x0(%rax,%rax,1))");
	const struct up_row *call = row_named("call rel32");
	struct up_figures f = {};
	(void)state;

	set_round(&f, 0, 3, 14003, 1000);
	f.decoded = "single-stepped";
	up_summarize(sub, &f, 1000, 2250);
	assert_string_equal(f.measured, "single-stepped");
	assert_int_equal(f.agree, 1);

	/* a kernel that emulates what the decoder's rule single-steps: said */
	f.probed_ns[0] = 1003;
	up_summarize(sub, &f, 1000, 2250);
	assert_string_equal(f.measured, "emulated");
	assert_int_equal(f.agree, 0);

	/* an optimized nop5: the kernel's own doing, not a disagreement with
	 * an "emulated" decoder */
	snprintf(f.site_bytes, sizeof(f.site_bytes), "e8aabbccdd");
	f.decoded = "emulated";
	f.probed_ns[0] = 603;
	up_summarize(nop5, &f, 1000, 2250);
	assert_string_equal(f.measured, "optimized");
	assert_int_equal(f.agree, 1);

	/* a call's own e8 is not the kernel's rewrite */
	up_summarize(call, &f, 1000, 2250);
	assert_string_equal(f.measured, "emulated");

	/* a row that could not be measured has no figures */
	snprintf(f.error, sizeof(f.error), "cannot attach");
	up_summarize(sub, &f, 1000, 2250);
	assert_true(isnan(f.added));
	assert_null(f.measured);
}

/* The matrix: every instruction, both return shapes, every amount
 * of work, both kinds of collateral, both scalings. */
static void rows_complete(void **state)
{
	static const char *const want[] = {
		"nop", "nop5 (nopl 0x0(%rax,%rax,1))", "push %rbp", "endbr64", "sub $0x18,%rsp",
		"mov %rdi,%rax", "call rel32", "jmp rel8", "jne rel8", "ret",
		"uretprobe alone (function entry: nop)", "uprobe + uretprobe (nop)",
		"empty", "read the pid (bpf_get_current_pid_tgid)", "read 64 B of user memory",
		"read 1 KiB of user memory", "read 16 KiB of user memory",
		"ring-buffer record of 64 B (reserve, copy, submit)", "ring-buffer record of 1 KiB",
		"ring-buffer record of 16 KiB", "1 probe on the file",
		"10 probes on the file (9 under one uprobe_multi link)",
		"100 probes on the file (99 under one link)",
		"1000 probes on the file (999 under one link)",
		"1 other process maps the file", "10 other processes map the file",
		"100 other processes map the file",
		"syscall hook (tp/syscalls/sys_enter_write, filtered): write(2) of 64 B to /dev/null",
		"any syscall tracepoint on (tp/syscalls/sys_enter_openat, empty): getppid(2)",
	};
	int others = 0, syscalls = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		row_named(want[i]);
	for (int i = 0; i < up_nrows; i++) {
		others += up_rows[i].group == UPG_OTHERS;
		syscalls += up_rows[i].syscall != NULL;
		/* each row probes something, or is a syscall row with its hook */
		assert_true(up_rows[i].syscall || (up_rows[i].site && up_rows[i].expect_bytes &&
						   (up_rows[i].entry_prog || up_rows[i].return_prog)));
		assert_true(!up_rows[i].syscall || up_rows[i].entry_prog);
	}
	assert_int_equal(others, 7);
	assert_int_equal(syscalls, 6);
	assert_string_equal(row_named("nop")->selftest, "trig-uprobe-nop");
	assert_string_equal(up_rows[0].name, "nop"); /* the yardstick is first */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(measured_class),
		cmocka_unit_test(single_step_threshold),
		cmocka_unit_test(full_speed_rounds),
		cmocka_unit_test(decoder_and_measurement),
		cmocka_unit_test(rows_complete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
