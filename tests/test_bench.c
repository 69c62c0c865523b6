/* The bench's pure parts: statistics, reading the fixture's own results and
 * hyperfine's export, the baseline's ratios, and counting captured and lost
 * bytes in an events file — each fed inputs whose right answer is known. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "baseline.h"
#include "fixture_run.h"
#include "loss.h"
#include "results.h"
#include "stats.h"
#include "whole.h"

static void medians_and_percentiles(void **state)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 }, many[100];
	(void)state;

	assert_float_equal(stats_median(odd, 3), 3, 0);
	assert_float_equal(stats_median(even, 4), 2.5, 0);
	assert_true(isnan(stats_median(odd, 0)));
	for (int i = 0; i < 100; i++)
		many[i] = 100 - i; /* 100 .. 1 */
	assert_float_equal(stats_percentile(many, 100, 99), 99, 0);
	assert_float_equal(stats_percentile(many, 100, 50), 50, 0);
	assert_float_equal(stats_percentile(many, 100, 100), 100, 0);
}

static void added_cost_and_ratio(void **state)
{
	(void)state;
	assert_float_equal(stats_added(25000, 23000), 2000, 0);
	assert_float_equal(stats_ratio(2300, 2000), 1.15, 1e-9);
	/* a floor that measured nothing (noise) gives no ratio, not infinity */
	assert_true(isnan(stats_ratio(2300, 0)));
	assert_true(isnan(stats_ratio(2300, -50)));
	/* nor does a tracer that seems to make calls faster */
	assert_true(isnan(stats_ratio(-40, 1000)));
}

static void reads_the_fixture_results(void **state)
{
	static const char client[] =
		"{\"scenario\":\"bench-64\",\"size\":64,\"iterations\":2000,"
		"\"lib_version\":\"OpenSSL 3.0.19 27 Jan 2026\","
		"\"write\":{\"calls\":2000,\"median_ns\":22804,\"p99_ns\":52689,\"mean_ns\":22931},"
		"\"read\":{\"calls\":2010,\"median_ns\":81832,\"p99_ns\":156483,\"mean_ns\":81063},"
		"\"calls_total\":4110,\"elapsed_ns\":521170558,\"throughput_bytes_per_s\":1228005}";
	static const char server[] = "{\"reads\":2050,\"writes\":2050}";
	struct echo_result res;
	(void)state;

	assert_int_equal(parse_echo_json(client, server, &res), 0);
	assert_float_equal(res.write.median_ns, 22804, 0);
	assert_float_equal(res.read.p99_ns, 156483, 0);
	assert_int_equal(res.read.calls, 2010);
	assert_int_equal(res.client_calls, 4110);
	assert_int_equal(res.server_calls, 4100);
	assert_string_equal(res.lib_version, "OpenSSL 3.0.19 27 Jan 2026");
	/* a truncated or foreign file is no result */
	assert_int_equal(parse_echo_json("{\"write\":{\"calls\":1", server, &res), -1);
	assert_int_equal(parse_echo_json("{\"scenario\":\"x\"}", server, &res), -1);
}

static void reads_stream_results(void **state)
{
	struct stream_result res;
	(void)state;

	assert_int_equal(parse_stream_json(
		"{\"scenario\":\"stream-64\",\"messages\":100000,\"messages_per_s\":51652.5,"
		"\"write\":{\"calls\":100000,\"median_ns\":2274,\"p99_ns\":5288,\"mean_ns\":2489},"
		"\"calibration\":{\"calls\":3125,\"median_ns\":862,\"p99_ns\":1212,\"mean_ns\":880},"
		"\"calls_total\":100000}", "{\"reads\":99990,\"writes\":0}", &res), 0);
	assert_int_equal(res.messages, 100000);
	assert_float_equal(res.messages_per_s, 51652.5, 1e-9);
	assert_float_equal(res.write.median_ns, 2274, 0);
	assert_float_equal(res.calibration_ns, 862, 0);
	assert_int_equal(res.client_calls, 100000);
	assert_int_equal(res.server_calls, 99990);
	assert_int_equal(parse_stream_json("{\"messages\":1}", "{\"reads\":1}", &res), -1);
}

static const char baseline_json[] =
	"{\"fixtures\":[{\"fixture\":\"openssl@host\",\"configs\":["
	"{\"config\":\"floor\",\"sizes\":[{\"size\":64,"
	"\"stream_write\":{\"ratio_to_floor\":null}}]},"
	"{\"config\":\"reference\",\"sizes\":[{\"size\":64,"
	"\"stream_write\":{\"ratio_to_floor\":1.31},\"echo_write\":{\"ratio_to_floor\":1.02}},"
	"{\"size\":1024,\"stream_write\":{\"ratio_to_floor\":null}}]}]}]}";

static void baseline_ratios(void **state)
{
	(void)state;
	assert_float_equal(baseline_ratio(baseline_json, "openssl@host", 64), 1.31, 1e-9);
	assert_true(isnan(baseline_ratio(baseline_json, "openssl@host", 1024)));  /* not measured */
	assert_true(isnan(baseline_ratio(baseline_json, "openssl@trixie", 64)));
	assert_true(isnan(baseline_ratio("not json", "openssl@host", 64)));
}

static char *temp_file(const char *text);

/* Results with one fixture and one size whose reference adds 2000 ns to
 * SSL_write against a floor adding 1000: a ratio of 2.0. */
static struct bench_results *two_x_floor(void)
{
	static const enum config_id ids[] = { CFG_NONE, CFG_FLOOR, CFG_REFERENCE };
	static const double stream_ns[] = { 2000, 3000, 4000 };
	struct bench_results *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->fixtures[0] = "openssl@host";
	r->nfixtures = 1;
	r->sizes[0] = 64;
	r->nsizes = 1;
	for (int i = 0; i < 3; i++) {
		r->configs[r->nconfigs++] = config_get(ids[i]);
		r->cells[0][0][ids[i]].median_ns[STREAM_WRITE][0] = stream_ns[i];
		r->cells[0][0][ids[i]].nrounds = 1;
	}
	return r;
}

static int gate(const struct bench_results *r, const char *baseline_text)
{
	char *path = temp_file(baseline_text);
	FILE *devnull = fopen("/dev/null", "w");
	int ret = baseline_compare(r, path, 25, devnull);

	fclose(devnull);
	unlink(path);
	return ret;
}

static void regression_gate(void **state)
{
	struct bench_results *r = two_x_floor();
	(void)state;

	assert_float_equal(results_ratio_to_floor(r, 0, 0, CFG_REFERENCE, STREAM_WRITE), 2.0, 1e-9);
	/* 2.0 against 1.5: grown by a third, past 25% */
	assert_int_equal(gate(r, "{\"fixtures\":[{\"fixture\":\"openssl@host\",\"configs\":[{\"config\":"
				 "\"reference\",\"sizes\":[{\"size\":64,\"stream_write\":"
				 "{\"ratio_to_floor\":1.5}}]}]}]}"), 1);
	/* 2.0 against 1.8: within 25% */
	assert_int_equal(gate(r, "{\"fixtures\":[{\"fixture\":\"openssl@host\",\"configs\":[{\"config\":"
				 "\"reference\",\"sizes\":[{\"size\":64,\"stream_write\":"
				 "{\"ratio_to_floor\":1.8}}]}]}]}"), 0);
	/* the baseline measured a size this run could not: not a pass */
	r->cells[0][0][CFG_REFERENCE].median_ns[STREAM_WRITE][0] = 1900; /* faster than untraced */
	assert_int_equal(gate(r, "{\"fixtures\":[{\"fixture\":\"openssl@host\",\"configs\":[{\"config\":"
				 "\"reference\",\"sizes\":[{\"size\":64,\"stream_write\":"
				 "{\"ratio_to_floor\":1.8}}]}]}]}"), 1);
	/* nothing in common: not a pass */
	assert_int_equal(gate(r, "{\"fixtures\":[{\"fixture\":\"openssl@trixie\",\"configs\":[]}]}"), -1);
	assert_int_equal(gate(r, "not json"), -1);
	free(r);
}

static char *temp_file(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/tlsprobe-test-bench-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Rounds whose calibration loop ran > 15% slower than the fastest of that
 * size (any configuration) are left out of the stream medians — of every
 * configuration, as long as each has a round at full speed; the echo
 * measures keep all rounds. */
static void fill_rounds(struct cell *c, const double *ns, const double *cal, int n)
{
	for (int i = 0; i < n; i++) {
		c->median_ns[STREAM_WRITE][i] = ns[i];
		c->median_ns[ECHO_WRITE][i] = ns[i];
		c->calibration_ns[i] = cal[i];
	}
	c->nrounds = n;
}

static void leaves_out_slowed_rounds(void **state)
{
	struct bench_results *r = two_x_floor();
	struct cell *none = &r->cells[0][0][CFG_NONE], *floor = &r->cells[0][0][CFG_FLOOR];
	struct cell *ref = &r->cells[0][0][CFG_REFERENCE];

	(void)state;
	fill_rounds(none, (double[]){ 2000, 3000, 2100 }, (double[]){ 1100, 2100, 1240 }, 3);
	fill_rounds(floor, (double[]){ 4500, 3000, 3100 }, (double[]){ 2000, 1105, 1150 }, 3);
	fill_rounds(ref, (double[]){ 9000, 5000, 8000 }, (double[]){ 2000, 1200, 1900 }, 3);
	results_select_rounds(r);
	/* fastest 1100: up to 1265 counts */
	assert_false(r->all_rounds[0][0]);
	assert_int_equal(none->nfull_speed, 2);
	assert_float_equal(cell_median(none, STREAM_WRITE), 2050, 1e-9);
	assert_float_equal(cell_median(floor, STREAM_WRITE), 3050, 1e-9);
	assert_float_equal(cell_median(ref, STREAM_WRITE), 5000, 1e-9);
	assert_float_equal(results_added(r, 0, 0, CFG_FLOOR, STREAM_WRITE), 1000, 1e-9);
	assert_float_equal(cell_median(none, ECHO_WRITE), 2100, 1e-9); /* all rounds */

	/* the reference never at full speed: every configuration takes all rounds */
	ref->calibration_ns[1] = 1900;
	results_select_rounds(r);
	assert_true(r->all_rounds[0][0]);
	assert_int_equal(ref->nfull_speed, 0);
	assert_float_equal(cell_median(none, STREAM_WRITE), 2100, 1e-9);
	assert_float_equal(cell_median(ref, STREAM_WRITE), 8000, 1e-9);
	free(r);
}

static void counts_captured_and_lost_bytes(void **state)
{
	/* 3 + 2 captured bytes of tlsfix, a loss of 7 (of a 10-byte call) and a
	 * per-thread sum of 20; curl's bytes do not count. */
	static const char events[] =
		"{\"type\":\"data\",\"ts_ns\":1,\"pid\":9,\"tid\":9,\"nspid\":9,\"nstid\":9,\"comm\":\"tlsfix\","
		"\"lib\":\"\",\"lib_version\":\"\",\"func\":\"SSL_write\",\"dir\":\"out\",\"fd\":3,"
		"\"laddr\":\"\",\"raddr\":\"\",\"len\":3,\"data\":\"YWJj\"}\n"
		"{\"type\":\"data\",\"ts_ns\":2,\"pid\":9,\"tid\":9,\"nspid\":9,\"nstid\":9,\"comm\":\"curl\","
		"\"lib\":\"\",\"lib_version\":\"\",\"func\":\"SSL_write\",\"dir\":\"out\",\"fd\":3,"
		"\"laddr\":\"\",\"raddr\":\"\",\"len\":3,\"data\":\"YWJj\"}\n"
		"{\"type\":\"data\",\"ts_ns\":3,\"pid\":9,\"tid\":9,\"nspid\":9,\"nstid\":9,\"comm\":\"tlsfix\","
		"\"lib\":\"\",\"lib_version\":\"\",\"func\":\"SSL_write\",\"dir\":\"out\",\"fd\":3,"
		"\"laddr\":\"\",\"raddr\":\"\",\"len\":2,\"data\":\"YWI=\"}\n"
		"\n"
		"{\"type\":\"loss\",\"ts_ns\":4,\"pid\":9,\"tid\":9,\"nspid\":9,\"nstid\":9,\"comm\":\"tlsfix\","
		"\"lib\":\"\",\"lib_version\":\"\",\"func\":\"SSL_write\",\"dir\":\"out\",\"fd\":3,"
		"\"laddr\":\"\",\"raddr\":\"\",\"len\":10,\"offset\":3,\"lost\":7}\n"
		"{\"type\":\"loss\",\"ts_ns\":5,\"pid\":9,\"tid\":9,\"nspid\":9,\"nstid\":9,\"comm\":\"tlsfix\","
		"\"lib\":\"\",\"lib_version\":\"\",\"func\":\"SSL_write\",\"dir\":\"out\",\"fd\":-1,"
		"\"laddr\":\"\",\"raddr\":\"\",\"len\":20,\"offset\":0,\"lost\":20,\"calls\":4}\n";
	char *path = temp_file(events);
	long long captured, lost;
	(void)state;

	assert_int_equal(loss_count_events(path, &captured, &lost), 0);
	assert_int_equal(captured, 5);
	assert_int_equal(lost, 27);
	unlink(path);
	path = temp_file("{\"type\":\"data\",\"len\":\n");
	assert_int_equal(loss_count_events(path, &captured, &lost), -1);
	unlink(path);
}

static void reads_hyperfine_export(void **state)
{
	char *path = temp_file("{\"results\":[{\"command\":\"x\",\"mean\":0.131,\"stddev\":0.002,"
			       "\"times\":[0.13,0.132,0.131]}]}");
	struct whole_result res;
	(void)state;

	assert_int_equal(whole_parse(path, &res), 0);
	assert_float_equal(res.mean_s, 0.131, 1e-12);
	assert_float_equal(res.stddev_s, 0.002, 1e-12);
	assert_int_equal(res.runs, 3);
	unlink(path);
	path = temp_file("{\"results\":[]}");
	assert_int_equal(whole_parse(path, &res), -1);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(medians_and_percentiles),
		cmocka_unit_test(added_cost_and_ratio),
		cmocka_unit_test(reads_the_fixture_results),
		cmocka_unit_test(reads_stream_results),
		cmocka_unit_test(baseline_ratios),
		cmocka_unit_test(regression_gate),
		cmocka_unit_test(leaves_out_slowed_rounds),
		cmocka_unit_test(counts_captured_and_lost_bytes),
		cmocka_unit_test(reads_hyperfine_export),
	};
	return cmocka_run_group_tests_name("bench", tests, NULL, NULL);
}
