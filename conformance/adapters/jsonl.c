/* Any tracer that writes the event schema (README "Event schema") as JSON
 * lines on stdout: --tracer-cmd CMD. It is ready when it creates
 * $TLSPROBE_READY_FILE (or prints --tracer-ready-line). It claims every
 * check unless --claims says otherwise. */
#include <stdio.h>

#include "adapter.h"

static int jsonl_command(const struct adapter_run *run, char *cmd, size_t len, char *err,
			 size_t errlen)
{
	if (!run->tracer_cmd) {
		snprintf(err, errlen, "the jsonl adapter needs --tracer-cmd CMD");
		return -1;
	}
	if ((size_t)snprintf(cmd, len, "%s", run->tracer_cmd) >= len) {
		snprintf(err, errlen, "--tracer-cmd is too long");
		return -1;
	}
	return 0;
}

const struct adapter jsonl_adapter = {
	.name = "jsonl",
	.summary = "any tracer writing the event schema as JSON lines (--tracer-cmd CMD)",
	.claimed_checks = CLAIM_ALL,
	.command = jsonl_command,
};
