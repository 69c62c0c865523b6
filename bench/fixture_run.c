#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fixture_run.h"
#include "harness.h"

#define FIXTURE_TIMEOUT_MS 600000

static void timing_from(json_t *obj, struct call_timing *t)
{
	t->median_ns = json_number_value(json_object_get(obj, "median_ns"));
	t->p99_ns = json_number_value(json_object_get(obj, "p99_ns"));
	t->mean_ns = json_number_value(json_object_get(obj, "mean_ns"));
	t->calls = (long)json_integer_value(json_object_get(obj, "calls"));
}

static long server_calls(const char *server_json)
{
	json_t *s = json_loads(server_json, 0, NULL);
	long calls;

	if (!s)
		return -1;
	calls = (long)(json_integer_value(json_object_get(s, "reads")) +
		       json_integer_value(json_object_get(s, "writes")));
	json_decref(s);
	return calls;
}

int parse_echo_json(const char *client_json, const char *server_json, struct echo_result *res)
{
	json_t *c = json_loads(client_json, 0, NULL);
	json_t *w, *r;

	memset(res, 0, sizeof(*res));
	if (!c)
		return -1;
	w = json_object_get(c, "write");
	r = json_object_get(c, "read");
	if (!json_is_object(w) || !json_is_object(r)) {
		json_decref(c);
		return -1;
	}
	timing_from(w, &res->write);
	timing_from(r, &res->read);
	res->throughput = json_number_value(json_object_get(c, "throughput_bytes_per_s"));
	res->client_calls = (long)json_integer_value(json_object_get(c, "calls_total"));
	snprintf(res->lib_version, sizeof(res->lib_version), "%.63s",
		 json_string_value(json_object_get(c, "lib_version")) ?: "");
	json_decref(c);
	res->server_calls = server_calls(server_json);
	return res->write.calls > 0 && res->client_calls > 0 && res->server_calls >= 0 ? 0 : -1;
}

int parse_stream_json(const char *client_json, const char *server_json, struct stream_result *res)
{
	json_t *c = json_loads(client_json, 0, NULL), *w = json_object_get(c, "write");
	int ok = c && json_is_object(w);

	memset(res, 0, sizeof(*res));
	if (ok) {
		timing_from(w, &res->write);
		res->messages = (long)json_integer_value(json_object_get(c, "messages"));
		res->messages_per_s = json_number_value(json_object_get(c, "messages_per_s"));
		res->client_calls = (long)json_integer_value(json_object_get(c, "calls_total"));
		res->server_calls = server_calls(server_json);
		res->calibration_ns = json_number_value(
			json_object_get(json_object_get(c, "calibration"), "median_ns"));
		ok = res->messages > 0 && res->write.calls > 0 && res->server_calls >= 0;
	}
	json_decref(c);
	return ok ? 0 : -1;
}

static char *slurp(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	FILE *f;
	char *buf;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = len >= 0 ? calloc(1, (size_t)len + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* A bench scenario through harness_run_fixture, then its results: the
 * client's and the server's JSON, parsed by parse into res. env: the
 * scenario's settings; on the host the tracers attach to the host's libssl
 * first, so the fixture need not wait for them (TLSFIX_SETTLE=0). */
static int run_scenario(const char *root, const struct fixture_row *fixture, const char *scenario,
			char *const env[], const char *outdir, void *res,
			int (*parse)(const char *client, const char *server, void *res),
			char *err, size_t errlen)
{
	static char no_settle[] = "TLSFIX_SETTLE=0";
	char log[PATH_MAX + 16], *client, *server, *settings[8];
	int n = 0, status;

	snprintf(log, sizeof(log), "%.4000s/fixture.log", outdir);
	if (mkdir(outdir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", outdir, strerror(errno));
		return -1;
	}
	/* A failed run must not leave the last run's results to be read. */
	for (const char *const *name = (const char *const[]){ "bench-client.json",
							      "bench-server.json", NULL };
	     *name; name++) {
		char path[PATH_MAX + 32];

		snprintf(path, sizeof(path), "%.4000s/%s", outdir, *name);
		unlink(path);
	}
	for (; env[n] && n < 6; n++)
		settings[n] = env[n];
	if (manifest_variant_is_host(fixture->v))
		settings[n++] = no_settle;
	settings[n] = NULL;
	status = harness_run_fixture(root, fixture, scenario, outdir, settings, log,
				     FIXTURE_TIMEOUT_MS);
	if (status) {
		snprintf(err, errlen, "%s %s failed (%s; see %s)", fixture->name, scenario,
			 status < 0 ? "timeout" : "non-zero exit", log);
		return -1;
	}
	client = slurp(outdir, "bench-client.json");
	server = slurp(outdir, "bench-server.json");
	status = client && server ? parse(client, server, res) : -1;
	free(client);
	free(server);
	if (status)
		snprintf(err, errlen, "%s %s: no readable results in %s", fixture->name, scenario, outdir);
	return status;
}

static int parse_echo(const char *client, const char *server, void *res)
{
	return parse_echo_json(client, server, res);
}

static int parse_stream(const char *client, const char *server, void *res)
{
	return parse_stream_json(client, server, res);
}

int fixture_run_echo(const char *root, const struct fixture_row *fixture, const char *scenario,
		     long iterations, const char *outdir, struct echo_result *res,
		     char *err, size_t errlen)
{
	char iter[64], *env[] = { iter, NULL };

	snprintf(iter, sizeof(iter), "TLSFIX_ITERATIONS=%ld", iterations);
	return run_scenario(root, fixture, scenario, env, outdir, res, parse_echo, err, errlen);
}

int fixture_run_stream(const char *root, const struct fixture_row *fixture, const char *scenario,
		       long messages, long rate, int untraced_reader, const char *outdir,
		       struct stream_result *res, char *err, size_t errlen)
{
	char rate_env[64], count_env[64], reader[] = "TLSFIX_READER_COMM=tlsfix-reader";
	char *env[] = { rate_env, count_env, untraced_reader ? reader : NULL, NULL };

	snprintf(rate_env, sizeof(rate_env), "TLSFIX_RATE=%ld", rate);
	snprintf(count_env, sizeof(count_env), "TLSFIX_MESSAGES=%ld", messages);
	return run_scenario(root, fixture, scenario, env, outdir, res, parse_stream, err, errlen);
}
