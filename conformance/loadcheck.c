// SPDX-License-Identifier: GPL-2.0
/* The load check: see loadcheck.h. Both sides are sorted by thread, then
 * time; each thread's calls are walked in step with its events. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadcheck.h"

#define COMM_LEN sizeof(((struct record *)0)->comm)
#define LATE_PREFIX "attached late"

/* A connection end of the ground truth, and what the trace accounted for. */
struct end {
	const struct record *first; /* its first call: process and addresses */
	uint64_t moved, captured, lost;
};

/* A trace call: a data event, with the loss record that completes it. */
struct tcall {
	const struct record *rec;
	uint64_t len;  /* bytes the call moved */
	uint64_t lost; /* of which its loss record says were lost */
};

struct check {
	const struct record_set *truth, *trace;
	const struct record **calls; /* ground truth, by thread and time */
	size_t ncalls;
	struct tcall *events;        /* trace, by thread and time */
	size_t nevents;
	struct end *ends;            /* sorted by process, then addresses */
	size_t nends;
	struct load_report *out;
};

__attribute__((format(printf, 2, 3)))
static void problem(struct load_report *out, const char *fmt, ...)
{
	va_list ap;

	if (out->problem[0])
		return;
	va_start(ap, fmt);
	vsnprintf(out->problem, sizeof(out->problem), fmt, ap);
	va_end(ap);
}

static int cmp_num(long long a, long long b)
{
	return (a > b) - (a < b);
}

static int process_cmp(const struct record *a, const struct record *b)
{
	return a->nspid != b->nspid ? cmp_num(a->nspid, b->nspid)
				    : strncmp(a->comm, b->comm, COMM_LEN);
}

static int thread_cmp(const struct record *a, const struct record *b)
{
	int c = process_cmp(a, b);

	return c ? c : cmp_num(a->nstid, b->nstid);
}

/* By thread, then time; ties in load order (records live in one array). */
static int call_order(const struct record *a, const struct record *b)
{
	int c = thread_cmp(a, b);

	if (c)
		return c;
	if (a->ts_ns != b->ts_ns)
		return a->ts_ns < b->ts_ns ? -1 : 1;
	return (a > b) - (a < b);
}

static int call_ptr_order(const void *pa, const void *pb)
{
	return call_order(*(const struct record *const *)pa, *(const struct record *const *)pb);
}

static int tcall_order(const void *pa, const void *pb)
{
	return call_order(((const struct tcall *)pa)->rec, ((const struct tcall *)pb)->rec);
}

static int end_key_cmp(const struct record *a, const struct record *b)
{
	int c = process_cmp(a, b);

	if (c)
		return c;
	c = strcmp(a->laddr, b->laddr);
	return c ? c : strcmp(a->raddr, b->raddr);
}

static int end_order(const void *pa, const void *pb)
{
	return end_key_cmp(((const struct end *)pa)->first, ((const struct end *)pb)->first);
}

/* The ground-truth end with rec's process and addresses, or NULL. */
static struct end *find_end(const struct check *ck, const struct record *rec)
{
	struct end key = { .first = rec };

	return bsearch(&key, ck->ends, ck->nends, sizeof(key), end_order);
}

static int process_ptr_cmp(const void *pa, const void *pb)
{
	return process_cmp(*(const struct record *const *)pa, *(const struct record *const *)pb);
}

/* Is rec's process one of the ground truth's? (Its calls are sorted by thread.) */
static bool in_truth(const struct check *ck, const struct record *rec)
{
	return bsearch(&rec, ck->calls, ck->ncalls, sizeof(*ck->calls), process_ptr_cmp);
}

/* ---- the ground truth ---- */

static int load_truth(struct check *ck)
{
	const struct record_set *t = ck->truth;
	struct load_report *out = ck->out;

	ck->calls = malloc((t->n + 1) * sizeof(*ck->calls));
	ck->ends = malloc((t->n + 1) * sizeof(*ck->ends));
	if (!ck->calls || !ck->ends)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].type == RECORD_DATA && t->v[i].len)
			ck->calls[ck->ncalls++] = &t->v[i];
	qsort(ck->calls, ck->ncalls, sizeof(*ck->calls), call_ptr_order);
	for (size_t i = 0; i < ck->ncalls; i++) {
		const struct record *rec = ck->calls[i];

		out->calls++;
		out->moved += rec->len;
		out->sent += rec->dir == DIR_OUT ? rec->len : 0;
		out->processes += !i || process_cmp(rec, ck->calls[i - 1]);
		ck->ends[ck->nends++] = (struct end){ .first = rec };
	}
	qsort(ck->ends, ck->nends, sizeof(*ck->ends), end_order);
	return 0;
}

/* One end per (process, addresses), with the bytes its calls moved. */
static void merge_ends(struct check *ck)
{
	size_t kept = 0;

	for (size_t i = 0; i < ck->nends; i++) {
		if (!kept || end_order(&ck->ends[kept - 1], &ck->ends[i]))
			ck->ends[kept++] = ck->ends[i];
	}
	ck->nends = kept;
	for (size_t i = 0; i < ck->ncalls; i++)
		find_end(ck, ck->calls[i])->moved += ck->calls[i]->len;
	ck->out->ends = ck->nends;
}

static int addr_pair_order(const void *pa, const void *pb)
{
	const char *const *a = pa, *const *b = pb;
	int c = strcmp(a[0], b[0]);

	return c ? c : strcmp(a[1], b[1]);
}

/* Address pairs, whichever end states them. */
static int count_addr_pairs(struct check *ck)
{
	const char **pairs = malloc((2 * ck->nends + 1) * sizeof(*pairs));
	size_t n = 0;

	if (!pairs)
		return -1;
	for (size_t i = 0; i < ck->nends; i++) {
		const char *l = ck->ends[i].first->laddr, *r = ck->ends[i].first->raddr;
		bool swap = strcmp(l, r) > 0;

		pairs[2 * n] = swap ? r : l;
		pairs[2 * n + 1] = swap ? l : r;
		n++;
	}
	qsort(pairs, n, 2 * sizeof(*pairs), addr_pair_order);
	for (size_t i = 0; i < n; i++)
		ck->out->addr_pairs += !i || addr_pair_order(&pairs[2 * i], &pairs[2 * i - 2]);
	free(pairs);
	return 0;
}

/* ---- the trace ---- */

static bool is_notice(const struct record *rec)
{
	return rec->type == RECORD_SKIP ||
	       (rec->type == RECORD_LOSS && !strncmp(rec->reason, LATE_PREFIX, strlen(LATE_PREFIX)));
}

/* A notice says bytes of a process may be missing, not how many: it is
 * counted and shown, and the balance judges whether bytes are missing. A
 * skip (the process's stack cannot be traced) fails the run. */
static void note_notice(struct load_report *out, const struct record *rec)
{
	if (rec->type == RECORD_SKIP) {
		out->skips++;
		problem(out, "pid %d (%.*s): skip record: %.300s", rec->nspid, (int)COMM_LEN,
			rec->comm, rec->reason);
		return;
	}
	if (!out->late++)
		snprintf(out->first_late, sizeof(out->first_late), "pid %d (%.*s): %.400s",
			 rec->nspid, (int)COMM_LEN, rec->comm, rec->reason);
}

/* Does loss record i complete the data event just before it (the bytes the
 * call delivered before the loss)? */
static bool completes(const struct record_set *tr, size_t i)
{
	const struct record *loss = &tr->v[i], *data = i ? &tr->v[i - 1] : NULL;

	return loss->offset && data && data->type == RECORD_DATA && data->len == loss->offset &&
	       !thread_cmp(data, loss) && data->dir == loss->dir;
}

/* A loss record standing for whole calls: to its end, by its addresses, or
 * to no end when the trace could not tell them. */
static void whole_call_loss(struct check *ck, const struct record *loss)
{
	struct end *e = find_end(ck, loss);

	ck->out->lost += loss->lost;
	if (e) {
		e->lost += loss->lost;
		return;
	}
	ck->out->lost_unattributed += loss->lost;
}

static int load_trace(struct check *ck)
{
	const struct record_set *tr = ck->trace;
	struct load_report *out = ck->out;

	ck->events = malloc((tr->n + 1) * sizeof(*ck->events));
	if (!ck->events)
		return -1;
	for (size_t i = 0; i < tr->n; i++) {
		const struct record *rec = &tr->v[i];

		if (!in_truth(ck, rec))
			continue;	/* other traffic on the machine */
		if (is_notice(rec)) {
			note_notice(out, rec);
		} else if (rec->type == RECORD_DATA && rec->len) {
			ck->events[ck->nevents++] = (struct tcall){ rec, rec->len, 0 };
			out->events++;
			out->captured += rec->len;
		} else if (rec->type == RECORD_LOSS && completes(tr, i) && ck->nevents &&
			   ck->events[ck->nevents - 1].rec == rec - 1) {
			ck->events[ck->nevents - 1].len = rec->len;
			ck->events[ck->nevents - 1].lost = rec->lost;
			out->lost += rec->lost;
		} else if (rec->type == RECORD_LOSS) {
			whole_call_loss(ck, rec);
		}
	}
	qsort(ck->events, ck->nevents, sizeof(*ck->events), tcall_order);
	return 0;
}

/* ---- alignment ---- */

static bool aligns(const struct record *call, const struct tcall *ev)
{
	return ev->rec->dir == call->dir && ev->len == call->len &&
	       ev->rec->len <= call->len && !memcmp(ev->rec->data, call->data, ev->rec->len);
}

static void compare_identity(struct check *ck, const struct record *call, const struct tcall *ev)
{
	const struct record *got = ev->rec;

	if (got->fd != call->fd) {
		ck->out->fd_mismatch++;
		problem(ck->out, "pid %d tid %d %s call of %" PRIu64 " bytes on %s->%s: fd %d, "
			"expected %d", call->nspid, call->nstid, record_dir_name(call->dir),
			call->len, call->laddr, call->raddr, got->fd, call->fd);
	}
	if (strcmp(got->laddr, call->laddr) || strcmp(got->raddr, call->raddr)) {
		ck->out->addr_mismatch++;
		problem(ck->out, "pid %d tid %d %s call of %" PRIu64 " bytes on fd %d: addresses "
			"%s->%s, expected %s->%s", call->nspid, call->nstid,
			record_dir_name(call->dir), call->len, call->fd, got->laddr[0] ? got->laddr : "?",
			got->raddr[0] ? got->raddr : "?", call->laddr, call->raddr);
	}
}

static void extra_event(struct check *ck, const struct tcall *ev)
{
	const struct record *rec = ev->rec;

	ck->out->events_extra++;
	ck->out->bytes_extra += rec->len;
	problem(ck->out, "pid %d tid %d: a %s event of %" PRIu64 " bytes on fd %d (%s->%s) "
		"matches no call of the ground truth", rec->nspid, rec->nstid,
		record_dir_name(rec->dir), ev->len, rec->fd, rec->laddr, rec->raddr);
}

/* Walks one thread's calls [c, c_end) with its events [e, e_end). An event
 * that does not align with the next call: that call is missing (lost whole,
 * which the balance checks) when a later call of the thread aligns with the
 * event; else the event is extra. */
static void align_thread(struct check *ck, size_t c, size_t c_end, size_t e, size_t e_end)
{
	while (c < c_end && e < e_end) {
		const struct record *call = ck->calls[c];
		const struct tcall *ev = &ck->events[e];

		if (aligns(call, ev)) {
			struct end *end = find_end(ck, call);

			compare_identity(ck, call, ev);
			end->captured += ev->rec->len;
			end->lost += ev->lost;
			ck->out->calls_aligned++;
			c++, e++;
			continue;
		}
		size_t later = c + 1;

		while (later < c_end && !aligns(ck->calls[later], ev))
			later++;
		if (later == c_end) {
			extra_event(ck, ev);
			e++;
			continue;
		}
		ck->out->calls_missing += later - c;
		c = later;
	}
	ck->out->calls_missing += c_end - c;
	for (; e < e_end; e++)
		extra_event(ck, &ck->events[e]);
}

static void align(struct check *ck)
{
	size_t c = 0, e = 0;

	while (c < ck->ncalls || e < ck->nevents) {
		int order = c == ck->ncalls ? 1 : e == ck->nevents ? -1
			    : thread_cmp(ck->calls[c], ck->events[e].rec);
		const struct record *thread = order <= 0 ? ck->calls[c] : ck->events[e].rec;
		size_t c_end = c, e_end = e;

		while (c_end < ck->ncalls && !thread_cmp(ck->calls[c_end], thread))
			c_end++;
		while (e_end < ck->nevents && !thread_cmp(ck->events[e_end].rec, thread))
			e_end++;
		align_thread(ck, c, c_end, e, e_end);
		c = c_end;
		e = e_end;
	}
}

/* ---- the balance ---- */

static void balance(struct check *ck)
{
	struct load_report *out = ck->out;

	for (size_t i = 0; i < ck->nends; i++) {
		const struct end *e = &ck->ends[i];

		if (e->moved == e->captured + e->lost)
			continue;
		out->ends_unbalanced++;
		if (!out->lost_unattributed)
			problem(out, "pid %d %s->%s: moved %" PRIu64 " bytes, captured %" PRIu64
				" + lost %" PRIu64, e->first->nspid, e->first->laddr, e->first->raddr,
				e->moved, e->captured, e->lost);
	}
}

static void conclude(struct load_report *out)
{
	uint64_t accounted = out->captured - out->bytes_extra + out->lost;

	if (!out->calls)
		problem(out, "the ground truth has no call");
	if (out->lost_unattributed && accounted != out->moved)
		problem(out, "moved %" PRIu64 " bytes, captured %" PRIu64 " + lost %" PRIu64
			" (%" PRIu64 " of it not attributable to a connection)", out->moved,
			out->captured - out->bytes_extra, out->lost, out->lost_unattributed);
	out->pass = out->calls && !out->fd_mismatch && !out->addr_mismatch && !out->events_extra &&
		    !out->skips && accounted == out->moved &&
		    (out->lost_unattributed || !out->ends_unbalanced);
	if (!out->pass)
		problem(out, "sums do not close");	/* only if nothing more precise was said */
}

int loadcheck(const struct record_set *truth, const struct record_set *trace,
	      struct load_report *out)
{
	struct check ck = { .truth = truth, .trace = trace, .out = out };
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (load_truth(&ck) < 0)
		goto done;
	merge_ends(&ck);
	if (count_addr_pairs(&ck) < 0 || load_trace(&ck) < 0)
		goto done;
	align(&ck);
	balance(&ck);
	conclude(out);
	ret = 0;
done:
	free(ck.calls);
	free(ck.events);
	free(ck.ends);
	return ret;
}
