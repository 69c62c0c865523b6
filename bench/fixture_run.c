#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "checkout.h"
#include "child.h"
#include "fixture_run.h"

#define FIXTURE_TIMEOUT_MS 600000
#define IMAGE_PREFIX "tlsprobe/fixture-openssl:"

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

/* run.sh SCENARIO OUTDIR CADIR on the host, or the same in the release's
 * image; env holds "NAME=value" settings. */
static int run_scenario(const char *root, const char *fixture, const char *scenario,
			char *const env[], const char *outdir, char *err, size_t errlen)
{
	char run_sh[PATH_MAX], ca[PATH_MAX], log[PATH_MAX + 16], image[128];
	char out_mount[PATH_MAX + 8], ca_mount[PATH_MAX + 8];
	char *argv[32];
	int n = 0, status;

	snprintf(ca, sizeof(ca), "%.4000s/build/ca", root);
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
	if (fixture_is_host(fixture)) {
		snprintf(run_sh, sizeof(run_sh), "%.4000s/build/fixtures/openssl/run.sh", root);
		argv[n++] = "env";
		for (int i = 0; env[i]; i++)
			argv[n++] = env[i];
		argv[n++] = "TLSFIX_SETTLE=0"; /* the tracers attach to the host's libssl first */
		argv[n++] = run_sh;
		argv[n++] = (char *)scenario;
		argv[n++] = (char *)outdir;
		argv[n++] = ca;
	} else {
		snprintf(image, sizeof(image), IMAGE_PREFIX "%.60s", fixture);
		snprintf(out_mount, sizeof(out_mount), "%.4000s:/out", outdir);
		snprintf(ca_mount, sizeof(ca_mount), "%.4000s:/ca:ro", ca);
		argv[n++] = (char *)checkout_docker();
		argv[n++] = "run";
		argv[n++] = "--rm";
		argv[n++] = "--network";
		argv[n++] = "none";
		for (int i = 0; env[i]; i++) {
			argv[n++] = "-e";
			argv[n++] = env[i];
		}
		argv[n++] = "-v";
		argv[n++] = out_mount;
		argv[n++] = "-v";
		argv[n++] = ca_mount;
		argv[n++] = image;
		argv[n++] = "/opt/tlsfix/run.sh";
		argv[n++] = (char *)scenario;
		argv[n++] = "/out";
		argv[n++] = "/ca";
	}
	argv[n] = NULL;
	status = spawn_run(argv, log, FIXTURE_TIMEOUT_MS);
	if (status) {
		snprintf(err, errlen, "%s %s failed (%s; see %s)", fixture, scenario,
			 status < 0 ? "timeout" : "non-zero exit", log);
		return -1;
	}
	return 0;
}

/* The client's and the server's results of the run just done, parsed. */
static int read_results(const char *outdir, void *res,
			int (*parse)(const char *client, const char *server, void *res))
{
	char *client = slurp(outdir, "bench-client.json");
	char *server = slurp(outdir, "bench-server.json");
	int ret = client && server ? parse(client, server, res) : -1;

	free(client);
	free(server);
	return ret;
}

static int parse_echo(const char *client, const char *server, void *res)
{
	return parse_echo_json(client, server, res);
}

static int parse_stream(const char *client, const char *server, void *res)
{
	return parse_stream_json(client, server, res);
}

int fixture_run_echo(const char *root, const char *fixture, const char *scenario,
		     long iterations, const char *outdir, struct echo_result *res,
		     char *err, size_t errlen)
{
	char iter[64], *env[] = { iter, NULL };

	snprintf(iter, sizeof(iter), "TLSFIX_ITERATIONS=%ld", iterations);
	if (run_scenario(root, fixture, scenario, env, outdir, err, errlen))
		return -1;
	if (!read_results(outdir, res, parse_echo))
		return 0;
	snprintf(err, errlen, "%s %s: no readable results in %s", fixture, scenario, outdir);
	return -1;
}

int fixture_run_stream(const char *root, const char *fixture, const char *scenario,
		       long messages, long rate, int untraced_reader, const char *outdir,
		       struct stream_result *res, char *err, size_t errlen)
{
	char rate_env[64], count_env[64], reader[] = "TLSFIX_READER_COMM=tlsfix-reader";
	char *env[] = { rate_env, count_env, untraced_reader ? reader : NULL, NULL };

	snprintf(rate_env, sizeof(rate_env), "TLSFIX_RATE=%ld", rate);
	snprintf(count_env, sizeof(count_env), "TLSFIX_MESSAGES=%ld", messages);
	if (run_scenario(root, fixture, scenario, env, outdir, err, errlen))
		return -1;
	if (!read_results(outdir, res, parse_stream))
		return 0;
	snprintf(err, errlen, "%s %s: no readable results in %s", fixture, scenario, outdir);
	return -1;
}
