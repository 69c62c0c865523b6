/* The adapter table, and what conform asks of any adapter. */
#include <stdio.h>
#include <string.h>

#include "adapter.h"
#include "ecapture.h"

const struct adapter *const adapter_table[] = {
	&reference_adapter,
	&jsonl_adapter,
	&bpftrace_adapter,
	&ecapture_adapter,
	NULL,
};

/* tlsprobe trace itself: conform starts it with every chosen stack's
 * process name (command NULL), and it claims every check on every stack. */
const struct adapter reference_adapter = {
	.name = "reference",
	.summary = "tlsprobe trace, the reference tracer (the default)",
	.claimed_checks = CLAIM_ALL,
};

const struct adapter *adapter_find(const char *name)
{
	for (const struct adapter *const *a = adapter_table; *a; a++)
		if (!strcmp((*a)->name, name))
			return *a;
	return NULL;
}

void adapter_names(char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (const struct adapter *const *a = adapter_table; *a && used < len; a++)
		used += snprintf(out + used, len - used, "%s%s", a == adapter_table ? "" : ", ",
				 (*a)->name);
}

int adapter_shell_quote(const char *s, char *out, size_t len)
{
	size_t o = strnlen(out, len);

#define PUT(ch) do { if (o + 1 >= len) return -1; out[o++] = (ch); } while (0)
	PUT('\'');
	for (; *s; s++) {
		if (*s == '\'') {
			PUT('\'');
			PUT('\\');
			PUT('\'');
		}
		PUT(*s);
	}
	PUT('\'');
#undef PUT
	out[o] = '\0';
	return 0;
}

int adapter_claims_stack(const struct adapter *a, const char *stack)
{
	if (!a->claimed_stacks)
		return 1;
	for (const char *const *s = a->claimed_stacks; *s; s++)
		if (!strcmp(*s, stack))
			return 1;
	return 0;
}

int adapter_claims_check(const struct adapter *a, enum check_id check)
{
	return (a->claimed_checks & CLAIM(check)) != 0;
}

int adapter_parse_checks(const char *list, unsigned int *mask, char *err, size_t errlen)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	*mask = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int found = -1;

		for (int c = 0; c < N_CHECKS && found < 0; c++)
			if (!strcmp(tok, check_name(c)))
				found = c;
		if (found < 0) {
			snprintf(err, errlen, "'%s' is no check (bytes, boundaries, fd, addresses, "
				 "process, loss)", tok);
			return -1;
		}
		*mask |= CLAIM(found);
	}
	return 0;
}
