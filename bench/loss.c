#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture_run.h"
#include "loss.h"
#include "record.h"

#define STREAM_MSG_SIZE 64 /* stream-64 */
#define WARMUP_MESSAGES 100
#define LINE_MAX_BYTES (1 << 20)

int loss_count_events(const char *path, long long *captured, long long *lost)
{
	FILE *f = fopen(path, "r");
	char *line = malloc(LINE_MAX_BYTES), err[256];
	int ret = 0;

	*captured = *lost = 0;
	if (!f || !line) {
		free(line);
		if (f)
			fclose(f);
		return -1;
	}
	while (fgets(line, LINE_MAX_BYTES, f)) {
		struct record rec;

		if (line[0] == '\n')
			continue;
		if (record_parse_json(line, &rec, err, sizeof(err))) {
			ret = -1;
			break;
		}
		if (!strcmp(rec.comm, "tlsfix")) {
			if (rec.type == RECORD_DATA)
				*captured += (long long)rec.len;
			else
				*lost += (long long)rec.lost;
		}
		record_free(&rec);
	}
	free(line);
	fclose(f);
	return ret;
}

int loss_run(const struct bench_env *env, const struct fixture_row *fixture, long rate, long messages,
	     int ringbuf_mb, int pause, const char *workdir, struct loss_point *pt)
{
	char events[PATH_MAX], log[PATH_MAX], outdir[PATH_MAX], rb[16];
	char *extra[] = { "--ringbuf-mb", rb, NULL };
	struct tracer_proc tp;
	struct stream_result stream, warmup = {};
	int ret;

	memset(pt, 0, sizeof(*pt));
	pt->rate_asked = rate;
	snprintf(rb, sizeof(rb), "%d", ringbuf_mb);
	snprintf(events, sizeof(events), "%.3900s/loss-%ld%s.jsonl", workdir, rate, pause ? "-paused" : "");
	snprintf(log, sizeof(log), "%.3900s/loss-%ld%s.log", workdir, rate, pause ? "-paused" : "");
	snprintf(outdir, sizeof(outdir), "%.3900s/loss-fixture", workdir);
	if (config_start(config_get(CFG_REFERENCE), env, events, log, extra, &tp, pt->error,
			 sizeof(pt->error)))
		return -1;
	/* A stopped consumer follows no new process: a short stream first gets
	 * the fixture's libssl attached (for containers, their layer file, which
	 * then covers every later container by itself). */
	ret = pause ? fixture_run_stream(env->root, fixture, "stream-64", WARMUP_MESSAGES, 0, 0,
					 outdir, &warmup, pt->error, sizeof(pt->error)) : 0;
	if (pause && !ret)
		kill(tp.pid, SIGSTOP);
	/* The fixture paces messages; rate counts events (a write and a read each). */
	if (!ret)
		ret = fixture_run_stream(env->root, fixture, "stream-64", messages, rate / 2, 0,
					 outdir, &stream, pt->error, sizeof(pt->error));
	if (pause)
		kill(tp.pid, SIGCONT);
	if (config_stop(&tp, NULL) && !ret) {
		snprintf(pt->error, sizeof(pt->error), "the tracer failed (see %.200s)", log);
		ret = -1;
	}
	if (ret)
		return -1;
	if (loss_count_events(events, &pt->captured_bytes, &pt->lost_bytes)) {
		snprintf(pt->error, sizeof(pt->error), "cannot read %.200s", events);
		return -1;
	}
	pt->events_per_s = 2 * stream.messages_per_s;
	/* The client wrote them all, and the server read them all before the
	 * close_notify that ended its run. */
	pt->expected_bytes = 2LL * (stream.messages + warmup.messages) * STREAM_MSG_SIZE;
	pt->silent_bytes = pt->expected_bytes - pt->captured_bytes - pt->lost_bytes;
	remove(events);
	return 0;
}
