// SPDX-License-Identifier: GPL-2.0
/* The comparator. First the oracle's records are grouped into connections
 * and each trace record is assigned to one of them, or to one of its own
 * (see assign()); then both sides are cut into streams (one connection, one
 * direction, in call order), and each check walks the oracle's streams and
 * looks up the trace's stream with the same key.
 *
 * A stream knows its calls by position: call i moved bytes [start, start+len)
 * of the stream. In the trace, a call that lost bytes still occupies its full
 * length (the loss record says how long it was), so one lost chunk does not
 * shift every later call and fd/address/thread alignment survives loss. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* getline, scandir, strnlen */
#endif
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "redact.h"

#define COMM_LEN sizeof(((struct record *)0)->comm)
#define ADDR_LEN sizeof(((struct record *)0)->laddr)
#define NADDR 80	/* a normalized address: "[v6 address]:port" */

/* ---- loading ---- */

int record_set_push(struct record_set *set, const struct record *rec)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 64;
		struct record *v = realloc(set->v, cap * sizeof(*v));

		if (!v)
			return -1;
		set->v = v;
		set->cap = cap;
	}
	set->v[set->n++] = *rec;
	return 0;
}

static void set_truncate(struct record_set *set, size_t n)
{
	while (set->n > n)
		record_free(&set->v[--set->n]);
}

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

int record_set_load_file(struct record_set *set, const char *path, char *err, size_t errlen)
{
	size_t n_before = set->n, lineno = 0, linecap = 0;
	char *line = NULL, why[256] = "";
	struct record rec;
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	errno = 0;
	while (getline(&line, &linecap, f) >= 0) {
		lineno++;
		if (is_blank(line))
			continue;
		if (record_parse_json(line, &rec, why, sizeof(why)))
			break;
		if (record_set_push(set, &rec)) {
			record_free(&rec);
			snprintf(why, sizeof(why), "out of memory");
			break;
		}
	}
	if (!why[0] && ferror(f))
		snprintf(why, sizeof(why), "read error: %s", strerror(errno ? errno : EIO));
	free(line);
	fclose(f);
	if (!why[0])
		return 0;
	snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
	set_truncate(set, n_before);
	return -1;
}

static int is_jsonl(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 6 && !strcmp(de->d_name + n - 6, ".jsonl");
}

int record_set_load_dir(struct record_set *set, const char *dir, char *err, size_t errlen)
{
	size_t n_before = set->n;
	struct dirent **names;
	char path[4096];
	int n, ret = 0;

	n = scandir(dir, &names, is_jsonl, alphasort);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (!ret && record_set_load_file(set, path, err, errlen))
			ret = -1;
		free(names[i]);
	}
	free(names);
	if (ret)
		set_truncate(set, n_before);
	return ret;
}

void record_set_free(struct record_set *set)
{
	set_truncate(set, 0);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/* ---- addresses ---- */

/* Addresses are compared as addresses, not strings: "[::ffff:127.0.0.1]:443"
 * (a dual-stack socket) is "127.0.0.1:443", and "[0:0::1]:0443" is "[::1]:443".
 * Anything that does not parse is compared as written. */
static void normalize_addr(const char *addr, char *out, size_t outlen)
{
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	char in[ADDR_LEN + 1], text[INET6_ADDRSTRLEN];
	char *host = in, *port;
	unsigned char a[16];
	int family = AF_INET;

	snprintf(in, sizeof(in), "%.*s", (int)strnlen(addr, ADDR_LEN), addr);
	snprintf(out, outlen, "%s", in);
	port = strrchr(in, ':');
	if (!port || !port[1] || strspn(port + 1, "0123456789") != strlen(port + 1))
		return;
	*port++ = '\0';
	if (host[0] == '[') {
		if (port - host < 3 || port[-2] != ']')
			return;
		port[-2] = '\0';
		host++;
		family = AF_INET6;
	}
	if (inet_pton(family, host, a) != 1)
		return;
	if (family == AF_INET6 && !memcmp(a, v4mapped, sizeof(v4mapped)))
		snprintf(out, outlen, "%s:%lu", inet_ntop(AF_INET, a + 12, text, sizeof(text)),
			 strtoul(port, NULL, 10));
	else if (family == AF_INET6)
		snprintf(out, outlen, "[%s]:%lu", inet_ntop(AF_INET6, a, text, sizeof(text)),
			 strtoul(port, NULL, 10));
	else
		snprintf(out, outlen, "%s:%lu", host, strtoul(port, NULL, 10));
}

static bool has_addr(const struct record *rec)
{
	return rec->laddr[0] || rec->raddr[0];
}

/* ---- connections ---- */

/* Kernel comm is a fixed array that need not be NUL-terminated. */
static int comm_cmp(const char *a, const char *b)
{
	return strncmp(a, b, COMM_LEN);
}

static int int_cmp(long long a, long long b)
{
	return (a > b) - (a < b);
}

struct process_key {
	int nspid;
	char comm[COMM_LEN];
};

static struct process_key process_of(const struct record *rec)
{
	struct process_key proc = { rec->nspid, "" };

	memcpy(proc.comm, rec->comm, COMM_LEN);
	return proc;
}

static int process_cmp(const struct process_key *a, const struct process_key *b)
{
	if (a->nspid != b->nspid)
		return int_cmp(a->nspid, b->nspid);
	return comm_cmp(a->comm, b->comm);
}

/* What tells a connection apart within its process: an oracle connection's
 * addresses, or its fd when the fixture gave none. A trace record that
 * belongs to no oracle connection forms one of its own, known the same way
 * or, lacking both, by its thread. */
enum conn_by { BY_ADDR, BY_FD, BY_TID };

struct conn {
	struct process_key proc;
	enum conn_by by;
	char laddr[NADDR], raddr[NADDR]; /* BY_ADDR: normalized */
	int id;                          /* BY_FD: the fd; BY_TID: the ns tid */
	uint64_t first_ts, last_ts;      /* its first and last call */
};

/* "This oracle connection used this fd (or thread)": what a trace record is
 * assigned by when its addresses match none. */
struct use {
	struct process_key proc;
	int id;
	size_t conn;
};

struct conns {
	struct conn *v;
	size_t n, n_oracle;     /* v[0..n_oracle) are the oracle's, sorted */
	struct use *fds, *tids; /* sorted by (proc, id, conn) */
	size_t nfds, ntids;
};

/* A record of one side, with the connection it belongs to. */
struct placed {
	const struct record *rec;
	size_t conn;
};

static int conn_cmp(const struct conn *a, const struct conn *b)
{
	int c = process_cmp(&a->proc, &b->proc);

	if (c)
		return c;
	if (a->by != b->by)
		return int_cmp(a->by, b->by);
	if (a->by != BY_ADDR)
		return int_cmp(a->id, b->id);
	c = strcmp(a->laddr, b->laddr);
	return c ? c : strcmp(a->raddr, b->raddr);
}

/* The connection rec would form by itself: by its addresses, else its fd,
 * else (a trace record without either) its thread. */
static struct conn conn_of(const struct record *rec, bool by_thread)
{
	struct conn c = { .proc = process_of(rec), .first_ts = rec->ts_ns, .last_ts = rec->ts_ns };

	if (has_addr(rec)) {
		c.by = BY_ADDR;
		normalize_addr(rec->laddr, c.laddr, sizeof(c.laddr));
		normalize_addr(rec->raddr, c.raddr, sizeof(c.raddr));
	} else if (rec->fd != -1 || !by_thread) {
		c.by = BY_FD;
		c.id = rec->fd;
	} else {
		c.by = BY_TID;
		c.id = rec->nstid;
	}
	return c;
}

/* "pid 100 conn 127.0.0.1:51234->127.0.0.1:4433 out", "pid 100 fd 5 in" */
static void stream_name(char *buf, size_t len, const struct conn *c, enum record_dir dir)
{
	const char *d = record_dir_name(dir);

	if (c->by == BY_ADDR)
		snprintf(buf, len, "pid %d conn %s->%s %s", c->proc.nspid,
			 c->laddr[0] ? c->laddr : "?", c->raddr[0] ? c->raddr : "?", d);
	else
		snprintf(buf, len, "pid %d %s %d %s", c->proc.nspid,
			 c->by == BY_FD ? "fd" : "tid", c->id, d);
}

/* A record waiting for its connection, with the connection it would form. */
struct pending {
	struct conn key;
	size_t placed;  /* index into the side's placed records */
};

static int pending_order(const void *pa, const void *pb)
{
	const struct pending *a = pa, *b = pb;
	int c = conn_cmp(&a->key, &b->key);

	return c ? c : int_cmp(a->placed, b->placed);
}

/* Makes a connection of each run of equal keys in p[0..n), spanning its
 * records' times, and points those records at it. Returns 0 or -1 (ENOMEM). */
static int add_conns(struct conns *cs, struct pending *p, size_t n, struct placed *placed)
{
	size_t runs = 0;
	struct conn *v, *c = NULL;

	qsort(p, n, sizeof(*p), pending_order);
	for (size_t i = 0; i < n; i++)
		runs += !i || conn_cmp(&p[i].key, &p[i - 1].key);
	v = realloc(cs->v, (cs->n + runs + 1) * sizeof(*v));
	if (!v)
		return -1;
	cs->v = v;
	for (size_t i = 0; i < n; i++) {
		if (!i || conn_cmp(&p[i].key, &p[i - 1].key)) {
			c = &cs->v[cs->n++];
			*c = p[i].key;
		}
		if (p[i].key.first_ts < c->first_ts)
			c->first_ts = p[i].key.first_ts;
		if (p[i].key.last_ts > c->last_ts)
			c->last_ts = p[i].key.last_ts;
		placed[p[i].placed].conn = cs->n - 1;
	}
	return 0;
}

static int use_order(const void *pa, const void *pb)
{
	const struct use *a = pa, *b = pb;
	int c = process_cmp(&a->proc, &b->proc);

	if (c)
		return c;
	return a->id != b->id ? int_cmp(a->id, b->id) : int_cmp(a->conn, b->conn);
}

static size_t sort_unique_uses(struct use *u, size_t n)
{
	size_t kept = 0;

	qsort(u, n, sizeof(*u), use_order);
	for (size_t i = 0; i < n; i++)
		if (!kept || use_order(&u[kept - 1], &u[i]))
			u[kept++] = u[i];
	return kept;
}

/* Notes which fds and which threads each oracle connection used. A record
 * whose thread is unknown (-1: its runtime moves connections between
 * threads) says nothing about threads. Returns 0 or -1 (ENOMEM). */
static int index_uses(struct conns *cs, const struct placed *placed, size_t n)
{
	cs->fds = malloc((n + 1) * sizeof(*cs->fds));
	cs->tids = malloc((n + 1) * sizeof(*cs->tids));
	if (!cs->fds || !cs->tids)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct record *rec = placed[i].rec;
		struct process_key proc = process_of(rec);

		if (rec->fd != -1)
			cs->fds[cs->nfds++] = (struct use){ proc, rec->fd, placed[i].conn };
		if (rec->nstid >= 0)
			cs->tids[cs->ntids++] = (struct use){ proc, rec->nstid, placed[i].conn };
	}
	cs->nfds = sort_unique_uses(cs->fds, cs->nfds);
	cs->ntids = sort_unique_uses(cs->tids, cs->ntids);
	return 0;
}

/* How far ts lies from a connection's calls: 0 within their span. */
static uint64_t distance(const struct conn *c, uint64_t ts)
{
	if (ts < c->first_ts)
		return c->first_ts - ts;
	return ts > c->last_ts ? ts - c->last_ts : 0;
}

/* Of the oracle connections of proc that used id (an fd, or a thread: both
 * can serve one connection after another), the one whose calls span ts or
 * lie nearest to it. SIZE_MAX if none used id. */
static size_t conn_by_use(const struct conns *cs, const struct use *uses, size_t nuses,
			  const struct process_key *proc, int id, uint64_t ts)
{
	struct use key = { *proc, id, 0 };
	size_t lo = 0, hi = nuses, best = SIZE_MAX;
	uint64_t best_dist = 0;

	while (lo < hi) {	/* the first use of (proc, id) */
		size_t mid = lo + (hi - lo) / 2;

		if (use_order(&uses[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nuses && uses[lo].id == id && !process_cmp(&uses[lo].proc, proc); lo++) {
		uint64_t d = distance(&cs->v[uses[lo].conn], ts);

		if (best == SIZE_MAX || d < best_dist) {
			best = uses[lo].conn;
			best_dist = d;
		}
	}
	return best;
}

/* The first oracle connection not ordered before key by cmp. */
static size_t oracle_lower_bound(const struct conns *cs, const struct conn *key,
				 int (*cmp)(const struct conn *, const struct conn *))
{
	size_t lo = 0, hi = cs->n_oracle;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(&cs->v[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int conn_process_cmp(const struct conn *a, const struct conn *b)
{
	return process_cmp(&a->proc, &b->proc);
}

/* Does the oracle have a process with this record's (nspid, comm)? */
static bool in_oracle(const struct conns *cs, const struct record *rec)
{
	struct conn key = { .proc = process_of(rec) };
	size_t i = oracle_lower_bound(cs, &key, conn_process_cmp);

	return i < cs->n_oracle && !conn_process_cmp(&cs->v[i], &key);
}

/* The oracle connection a trace record belongs to: the one with its
 * addresses; else the one that used its fd at about that time; else the one
 * its thread served then. So a wrong address is the addresses check's
 * business, not missing bytes, and a tracer that knows neither fd nor
 * addresses (bpftrace) is still scored. SIZE_MAX: none. */
static size_t assign(const struct conns *cs, const struct record *rec)
{
	struct conn key = conn_of(rec, true);
	size_t conn = SIZE_MAX;

	if (key.by == BY_ADDR) {
		size_t i = oracle_lower_bound(cs, &key, conn_cmp);

		if (i < cs->n_oracle && !conn_cmp(&cs->v[i], &key))
			conn = i;
	}
	if (conn == SIZE_MAX && rec->fd != -1)
		conn = conn_by_use(cs, cs->fds, cs->nfds, &key.proc, rec->fd, rec->ts_ns);
	if (conn == SIZE_MAX && rec->nstid >= 0)
		conn = conn_by_use(cs, cs->tids, cs->ntids, &key.proc, rec->nstid, rec->ts_ns);
	return conn;
}

struct side {
	struct placed *v;
	size_t n;
};

/* The oracle's connections: its data records that moved bytes, grouped (a
 * fixture loses nothing, and an empty call must not demand a trace event
 * that tracers may not emit). Returns 0 or -1 (ENOMEM). */
static int oracle_conns(struct conns *cs, struct side *o, const struct record_set *oracle)
{
	struct pending *p = malloc((oracle->n + 1) * sizeof(*p));
	int ret = -1;

	o->v = malloc((oracle->n + 1) * sizeof(*o->v));
	if (!p || !o->v)
		goto out;
	for (size_t i = 0; i < oracle->n; i++) {
		const struct record *rec = &oracle->v[i];

		if (rec->type != RECORD_DATA || !rec->len)
			continue;
		p[o->n] = (struct pending){ conn_of(rec, false), o->n };
		o->v[o->n++] = (struct placed){ rec, SIZE_MAX };
	}
	if (add_conns(cs, p, o->n, o->v))
		goto out;
	cs->n_oracle = cs->n;
	ret = index_uses(cs, o->v, o->n);
out:
	free(p);
	return ret;
}

/* The trace's records of the oracle's processes (the rest is other traffic
 * on the machine), each assigned to an oracle connection or to one of its
 * own. Returns 0 or -1 (ENOMEM). */
static int trace_conns(struct conns *cs, struct side *t, const struct record_set *trace)
{
	struct pending *p = malloc((trace->n + 1) * sizeof(*p));
	size_t np = 0;
	int ret = -1;

	t->v = malloc((trace->n + 1) * sizeof(*t->v));
	if (!p || !t->v)
		goto out;
	for (size_t i = 0; i < trace->n; i++) {
		const struct record *rec = &trace->v[i];
		size_t conn;

		if (!in_oracle(cs, rec))
			continue;
		conn = assign(cs, rec);
		if (conn == SIZE_MAX)
			p[np++] = (struct pending){ conn_of(rec, true), t->n };
		t->v[t->n++] = (struct placed){ rec, conn };
	}
	ret = add_conns(cs, p, np, t->v);
out:
	free(p);
	return ret;
}

static void conns_free(struct conns *cs)
{
	free(cs->v);
	free(cs->fds);
	free(cs->tids);
	memset(cs, 0, sizeof(*cs));
}

/* ---- streams ---- */

struct stream_key {
	size_t conn;
	enum record_dir dir;
};

struct call {
	const struct record *rec; /* the data record; a loss record if none */
	uint64_t start;           /* offset of the call's first byte in the stream */
	uint64_t len;             /* bytes the call moved, captured or lost */
};

struct stream {
	struct stream_key key;
	char name[2 * NADDR + 64];  /* for failures: stream_name() */
	const struct record **recs; /* all of the stream's records, in call order */
	size_t nrecs;
	struct call *calls;         /* calls that moved at least one byte */
	size_t ncalls;
	uint8_t *bytes;             /* captured plaintext, concatenated (redacted
				     * records add nothing: see redacted) */
	uint64_t nbytes;            /* bytes captured, redacted ones included */
	bool redacted;              /* a record carries hashes, not bytes: the bytes
				     * check hashes the transcript's instead */
	uint64_t lost;              /* sum of the loss records' "lost" */
};

struct streams {
	struct stream *v;
	size_t n;
	const struct record **recs;      /* backing array for every stream's recs */
	const struct record **by_thread; /* the same records by (process, ns tid, time) */
	size_t nrecs;
};

static int key_cmp(const struct stream_key *a, const struct stream_key *b)
{
	return a->conn != b->conn ? int_cmp(a->conn, b->conn) : int_cmp(a->dir, b->dir);
}

static struct stream_key key_of(const struct placed *p)
{
	return (struct stream_key){ p->conn, p->rec->dir };
}

/* Orders records by stream, then call order. All records of a side live in
 * one array, so comparing their addresses keeps equal timestamps in load
 * order. */
static int placed_order(const void *pa, const void *pb)
{
	const struct placed *a = pa, *b = pb;
	struct stream_key ka = key_of(a), kb = key_of(b);
	int c = key_cmp(&ka, &kb);

	if (c)
		return c;
	if (a->rec->ts_ns != b->rec->ts_ns)
		return a->rec->ts_ns < b->rec->ts_ns ? -1 : 1;
	return (a->rec > b->rec) - (a->rec < b->rec);
}

/* Orders records by process, then ns tid (threads being contiguous). */
static int thread_cmp(const struct record *a, const struct record *b)
{
	struct process_key pa = process_of(a), pb = process_of(b);
	int c = process_cmp(&pa, &pb);

	return c ? c : int_cmp(a->nstid, b->nstid);
}

static int thread_order(const void *pa, const void *pb)
{
	const struct record *a = *(const struct record *const *)pa;
	const struct record *b = *(const struct record *const *)pb;
	int c = thread_cmp(a, b);

	if (c)
		return c;
	if (a->ts_ns != b->ts_ns)
		return a->ts_ns < b->ts_ns ? -1 : 1;
	return (a > b) - (a < b);
}

/* A loss record with offset > 0 completes the data record just before it
 * (the bytes the call delivered); one without starts a call of its own. */
static bool loss_completes(const struct stream *s, const struct record *loss)
{
	const struct call *last = s->ncalls ? &s->calls[s->ncalls - 1] : NULL;

	return loss->offset && last && last->rec->type == RECORD_DATA &&
	       last->len == loss->offset && s->recs[s->nrecs - 1] == last->rec;
}

static void add_call(struct stream *s, const struct record *rec, uint64_t *pos)
{
	uint64_t len = rec->len;

	if (rec->type == RECORD_LOSS) {
		s->lost += rec->lost;
		if (loss_completes(s, rec)) {
			s->calls[s->ncalls - 1].len = rec->len;
			*pos += rec->len - rec->offset;
			return;
		}
	} else if (rec->redacted) {
		s->redacted = true;
		s->nbytes += len;
	} else if (len) {
		memcpy(s->bytes + s->nbytes, rec->data, len);
		s->nbytes += len;
	}
	/* A call that moved nothing carries no plaintext and tracers differ on
	 * whether they report it at all. */
	if (!len)
		return;
	s->calls[s->ncalls++] = (struct call){ rec, *pos, len };
	*pos += len;
}

/* Fills s from recs[0..n), which share key. Returns 0 or -1 (ENOMEM). */
static int build_stream(struct stream *s, struct stream_key key, const struct conns *cs,
			const struct record **recs, size_t n)
{
	uint64_t pos = 0, total = 0;

	s->key = key;
	stream_name(s->name, sizeof(s->name), &cs->v[key.conn], key.dir);
	s->recs = recs;
	for (size_t i = 0; i < n; i++)
		if (recs[i]->type == RECORD_DATA)
			total += recs[i]->len;
	s->calls = calloc(n, sizeof(*s->calls));
	s->bytes = malloc(total ? total : 1);
	if (!s->calls || !s->bytes)
		return -1;
	for (s->nrecs = 0; s->nrecs < n; s->nrecs++)
		add_call(s, recs[s->nrecs], &pos);
	return 0;
}

static void streams_free(struct streams *ss)
{
	for (size_t i = 0; i < ss->n; i++) {
		free(ss->v[i].calls);
		free(ss->v[i].bytes);
	}
	free(ss->v);
	free(ss->recs);
	free(ss->by_thread);
	memset(ss, 0, sizeof(*ss));
}

static const struct stream *find_stream(const struct streams *ss, const struct stream_key *key)
{
	size_t lo = 0, hi = ss->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(&ss->v[mid].key, key);

		if (!c)
			return &ss->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Cuts a side's placed records into streams, sorted by key. Returns 0 or -1
 * (ENOMEM). */
static int build_streams(struct streams *ss, struct side *side, const struct conns *cs)
{
	size_t n = side->n, start = 0;

	memset(ss, 0, sizeof(*ss));
	ss->recs = malloc((n ? n : 1) * sizeof(*ss->recs));
	ss->by_thread = malloc((n ? n : 1) * sizeof(*ss->by_thread));
	ss->v = calloc(n ? n : 1, sizeof(*ss->v));
	if (!ss->recs || !ss->by_thread || !ss->v)
		return -1;
	qsort(side->v, n, sizeof(*side->v), placed_order);
	for (size_t i = 0; i < n; i++)
		ss->recs[i] = ss->by_thread[i] = side->v[i].rec;
	ss->nrecs = n;
	qsort(ss->by_thread, n, sizeof(*ss->by_thread), thread_order);
	for (size_t i = 1; i <= n; i++) {
		struct stream_key a = key_of(&side->v[start]), b;

		if (i < n) {
			b = key_of(&side->v[i]);
			if (!key_cmp(&a, &b))
				continue;
		}
		if (build_stream(&ss->v[ss->n++], a, cs, ss->recs + start, i - start))
			return -1;
		start = i;
	}
	return 0;
}

/* The call covering byte pos of the stream, or NULL. */
static const struct call *call_at(const struct stream *s, uint64_t pos)
{
	size_t lo = 0, hi = s->ncalls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct call *c = &s->calls[mid];

		if (pos < c->start)
			hi = mid;
		else if (pos >= c->start + c->len)
			lo = mid + 1;
		else
			return c;
	}
	return NULL;
}

static int fd_at(const struct stream *s, uint64_t pos)
{
	const struct call *c = call_at(s, pos);

	if (!c && s->ncalls)	/* past the end: the stream's last call */
		c = &s->calls[s->ncalls - 1];
	return c ? c->rec->fd : -1;
}

/* ---- results ---- */

/* Collects a check's failures: the first one is the detail, the others are
 * counted, so the cell says what to look at first and how much is wrong. */
struct failures {
	size_t count;
	char first[440];  /* leaves room in detail for the count */
	struct check_facts *facts;  /* NULL, or where the first failure's facts go */
};

__attribute__((format(printf, 2, 3)))
static void failed(struct failures *f, const char *fmt, ...)
{
	va_list ap;

	if (f->count++)
		return;
	va_start(ap, fmt);
	vsnprintf(f->first, sizeof(f->first), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4)))
static void set_result(struct check_result *r, enum verdict verdict, const char *fmt, ...)
{
	va_list ap;

	r->verdict = verdict;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static void conclude(struct check_result *r, const struct failures *f, const char *what)
{
	if (!f->count)
		set_result(r, VERDICT_PASS, "%s", "");
	else if (f->count == 1)
		set_result(r, VERDICT_FAIL, "%s", f->first);
	else
		set_result(r, VERDICT_FAIL, "%s (and %zu more %s)", f->first,
			   f->count - 1, what);
}

/* Failures start with the stream's name: "pid 100 fd 5 out: ..." */
#define STREAM_FMT "%s"
#define STREAM_ARGS(s) (s)->name


/* ---- checks ---- */

/* The first difference's facts (before failed() counts it): the byte at
 * offset of each side that has one, and the bytes around it. */
static void note_difference(struct failures *f, const struct stream *os,
			    const struct stream *ts, uint64_t offset)
{
	struct check_facts *x = f->facts;
	uint64_t start = offset > FACT_CONTEXT ? offset - FACT_CONTEXT : 0;
	uint64_t end = offset + FACT_CONTEXT + 1;

	if (f->count || !x)
		return;
	x->has_offset = 1;
	x->offset = offset;
	x->context_start = start;
	x->has_expected_byte = os && offset < os->nbytes;
	x->has_captured_byte = ts && offset < ts->nbytes;
	if (x->has_expected_byte)
		x->expected_byte = os->bytes[offset];
	if (x->has_captured_byte)
		x->captured_byte = ts->bytes[offset];
	if (os && start < os->nbytes) {
		x->n_expected_context = (os->nbytes < end ? os->nbytes : end) - start;
		memcpy(x->expected_context, os->bytes + start, x->n_expected_context);
	}
	if (ts && start < ts->nbytes) {
		x->n_captured_context = (ts->nbytes < end ? ts->nbytes : end) - start;
		memcpy(x->captured_context, ts->bytes + start, x->n_captured_context);
	}
}

/* Bytes the transcript moved, the trace captured and its loss records
 * report lost, over every stream of the fixture's processes. */
static void note_totals(struct check_facts *x, const struct streams *o, const struct streams *t)
{
	x->has_totals = 1;
	for (size_t i = 0; i < o->n; i++)
		x->bytes_expected += o->v[i].nbytes;
	for (size_t i = 0; i < t->n; i++) {
		x->bytes_captured += t->v[i].nbytes;
		x->bytes_lost += t->v[i].lost;
	}
}

/* ---- bytes of a redacted trace: hashes ---- */

/* The first chunk of rec (redacted, with chunk hashes) whose hash differs
 * from that of the same bytes of expected; -1 when none does or it cannot
 * tell. */
static int64_t first_differing_chunk(const struct record *rec, const uint8_t *expected)
{
	uint8_t want[RECORD_HASH_LEN];

	for (uint64_t i = 0; rec->chunk_sha256 && i < rec->nchunks; i++) {
		uint64_t start = i * RECORD_HASH_CHUNK, left = rec->len - start;
		uint64_t n = left < RECORD_HASH_CHUNK ? left : RECORD_HASH_CHUNK;

		if (redact_sha256(expected + start, n, want))
			return -1;
		if (memcmp(want, rec->chunk_sha256[i], RECORD_HASH_LEN))
			return (int64_t)i;
	}
	return -1;
}

/* "; first in bytes A..B of the call (chunk K)" when the chunks tell, else "". */
static void describe_chunk(const struct record *rec, const uint8_t *expected, char *buf,
			   size_t len)
{
	int64_t k = first_differing_chunk(rec, expected);
	uint64_t start = (uint64_t)k * RECORD_HASH_CHUNK, end;

	buf[0] = '\0';
	if (k < 0)
		return;
	end = start + RECORD_HASH_CHUNK < rec->len ? start + RECORD_HASH_CHUNK : rec->len;
	snprintf(buf, len, "; first in bytes %" PRIu64 "..%" PRIu64 " of the call (chunk %" PRId64
		 ")", start, end - 1, k);
}

/* Does the call's record hold what the transcript has at [start, start +
 * rec->len)? A redacted record by its hash, a plain one (a trace may mix
 * them) by its bytes. -1: hashing failed. */
static int call_matches(const struct record *rec, const uint8_t *expected)
{
	uint8_t want[RECORD_HASH_LEN];

	if (!rec->redacted)
		return !memcmp(rec->data, expected, rec->len);
	if (redact_sha256(expected, rec->len, want))
		return -1;
	return !memcmp(want, rec->sha256, RECORD_HASH_LEN);
}

/* One redacted call: 0 when it matches, else one failure naming it (index
 * in the trace's stream, offset, length; the stream says connection and
 * direction). */
static int check_call_hash(const struct stream *os, const struct stream *ts, size_t idx,
			   struct failures *f)
{
	const struct call *c = &ts->calls[idx];
	const struct record *rec = c->rec;
	const uint8_t *expected;
	char where[96];
	int match;

	if (c->start + rec->len > os->nbytes) {
		failed(f, STREAM_FMT ": call %zu (offset %" PRIu64 ", %" PRIu64 " bytes): past the "
		       "transcript's %" PRIu64 " bytes (fd %d)", STREAM_ARGS(os), idx, c->start,
		       rec->len, os->nbytes, rec->fd);
		return -1;
	}
	expected = os->bytes + c->start;
	match = call_matches(rec, expected);
	if (match == 1)
		return 0;
	if (match < 0) {
		failed(f, STREAM_FMT ": call %zu (offset %" PRIu64 ", %" PRIu64 " bytes): the "
		       "transcript's bytes could not be hashed", STREAM_ARGS(os), idx, c->start,
		       rec->len);
		return -1;
	}
	describe_chunk(rec, expected, where, sizeof(where));
	failed(f, STREAM_FMT ": call %zu (offset %" PRIu64 ", %" PRIu64 " bytes, fd %d): %s "
	       "differs from the transcript's bytes%s", STREAM_ARGS(os), idx, c->start, rec->len,
	       rec->fd, rec->redacted ? "SHA-256" : "its data", where);
	return -1;
}

/* A redacted trace stream: each data record against the transcript's bytes
 * at the call's position (which counts lost bytes, so a loss shifts no
 * later call), then whether it has them all. A call that lost its tail is
 * judged on the bytes it delivered (its data record's hash covers those);
 * the tail is missing, which fails bytes, and loss judges whether it was
 * reported. */
static void check_stream_hashes(const struct stream *os, const struct stream *ts,
				struct failures *f)
{
	uint64_t end = 0;

	for (size_t i = 0; i < ts->ncalls; i++) {
		const struct call *c = &ts->calls[i];

		if (c->start + c->len > end)
			end = c->start + c->len;
		if (c->rec->type == RECORD_DATA && check_call_hash(os, ts, i, f))
			return;
	}
	if (ts->nbytes < os->nbytes) {
		failed(f, STREAM_FMT ": trace has %" PRIu64 " of %" PRIu64 " bytes (fd %d)",
		       STREAM_ARGS(os), ts->nbytes, os->nbytes, fd_at(os, ts->nbytes));
	} else if (end > os->nbytes) {
		failed(f, STREAM_FMT ": trace has %" PRIu64 " bytes, expected %" PRIu64 " (fd %d)",
		       STREAM_ARGS(os), end, os->nbytes, fd_at(ts, os->nbytes));
	}
}

static void check_stream_bytes(const struct stream *os, const struct stream *ts,
			       struct failures *f)
{
	uint64_t common, i;

	if (!ts) {
		note_difference(f, os, NULL, 0);
		failed(f, STREAM_FMT ": missing from the trace (%" PRIu64 " bytes expected, fd %d)",
		       STREAM_ARGS(os), os->nbytes, fd_at(os, 0));
		return;
	}
	if (ts->redacted) {
		check_stream_hashes(os, ts, f);
		return;
	}
	common = os->nbytes < ts->nbytes ? os->nbytes : ts->nbytes;
	if (memcmp(os->bytes, ts->bytes, common)) {
		for (i = 0; os->bytes[i] == ts->bytes[i]; i++)
			;
		note_difference(f, os, ts, i);
		failed(f, STREAM_FMT ": offset %" PRIu64 ": expected 0x%02x, got 0x%02x (fd %d)",
		       STREAM_ARGS(os), i, os->bytes[i], ts->bytes[i], fd_at(os, i));
	} else if (ts->nbytes < os->nbytes) {
		note_difference(f, os, ts, ts->nbytes);
		failed(f, STREAM_FMT ": trace has %" PRIu64 " of %" PRIu64 " bytes (fd %d)",
		       STREAM_ARGS(os), ts->nbytes, os->nbytes, fd_at(os, ts->nbytes));
	} else if (ts->nbytes > os->nbytes) {
		note_difference(f, os, ts, os->nbytes);
		failed(f, STREAM_FMT ": trace has %" PRIu64 " bytes, expected %" PRIu64 " (fd %d)",
		       STREAM_ARGS(os), ts->nbytes, os->nbytes, fd_at(ts, os->nbytes));
	}
}

static bool any_redacted(const struct streams *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		if (ss->v[i].redacted)
			return true;
	return false;
}

/* A redacted trace's failures name the call and its offset, and the facts
 * say no more than the totals: the trace has no byte to show, and the
 * transcript's stay out so that a redacted run's scorecard holds no
 * plaintext. */
static void check_bytes(const struct streams *o, const struct streams *t,
			struct check_result *r)
{
	struct failures f = { .facts = any_redacted(t) ? NULL : &r->facts };

	note_totals(&r->facts, o, t);
	for (size_t i = 0; i < o->n; i++) {
		if (o->v[i].redacted) {
			set_result(r, VERDICT_FAIL, STREAM_FMT ": the transcript is redacted: it "
				   "has no bytes to judge the trace by", STREAM_ARGS(&o->v[i]));
			return;
		}
	}
	for (size_t i = 0; i < o->n; i++)
		check_stream_bytes(&o->v[i], find_stream(t, &o->v[i].key), &f);
	for (size_t i = 0; i < t->n; i++) {
		const struct stream *ts = &t->v[i];

		if (ts->nbytes && !find_stream(o, &ts->key)) {
			note_difference(&f, NULL, ts, 0);
			failed(&f, STREAM_FMT ": trace has %" PRIu64 " bytes not in the transcript (fd %d)",
			       STREAM_ARGS(ts), ts->nbytes, fd_at(ts, 0));
		}
	}
	conclude(r, &f, "streams differ");
}

/* split_calls: each fixture call is the sum of one or more consecutive
 * trace calls. */
static void check_stream_split(const struct stream *os, const struct stream *ts,
			       struct failures *f)
{
	size_t ntrace = ts ? ts->ncalls : 0, j = 0;

	for (size_t i = 0; i < os->ncalls; i++) {
		uint64_t sum = 0;
		size_t first = j;

		while (j < ntrace && sum < os->calls[i].len)
			sum += ts->calls[j++].len;
		if (sum != os->calls[i].len) {
			failed(f, STREAM_FMT ": call %zu: expected %" PRIu64 " bytes, trace calls "
			       "%zu..%zu (of %zu) hold %" PRIu64, STREAM_ARGS(os), i,
			       os->calls[i].len, first, j ? j - 1 : 0, ntrace, sum);
			return;
		}
	}
	if (j != ntrace)
		failed(f, STREAM_FMT ": trace has %zu calls after the transcript's last",
		       STREAM_ARGS(os), ntrace - j);
}

static void check_stream_boundaries(const struct stream *os, const struct stream *ts,
				    struct failures *f)
{
	size_t ntrace = ts ? ts->ncalls : 0;

	for (size_t i = 0; i < os->ncalls && i < ntrace; i++) {
		if (os->calls[i].len != ts->calls[i].len) {
			failed(f, STREAM_FMT ": call %zu: expected %" PRIu64 " bytes, got %" PRIu64,
			       STREAM_ARGS(os), i, os->calls[i].len, ts->calls[i].len);
			return;
		}
	}
	if (ntrace != os->ncalls)
		failed(f, STREAM_FMT ": trace has %zu calls, expected %zu",
		       STREAM_ARGS(os), ntrace, os->ncalls);
}

static void check_boundaries(const struct streams *o, const struct streams *t, int split,
			     struct check_result *r)
{
	struct failures f = { 0 };

	for (size_t i = 0; i < o->n; i++)
		(split ? check_stream_split : check_stream_boundaries)(
			&o->v[i], find_stream(t, &o->v[i].key), &f);
	for (size_t i = 0; i < t->n; i++) {
		const struct stream *ts = &t->v[i];

		if (ts->ncalls && !find_stream(o, &ts->key))
			failed(&f, STREAM_FMT ": trace has %zu calls not in the transcript",
			       STREAM_ARGS(ts), ts->ncalls);
	}
	conclude(r, &f, "streams differ");
}

/* Compares one per-call attribute of the oracle's calls with the trace call
 * covering each one's first byte. Returns how many calls could be aligned. */
typedef void (*call_cmp_fn)(const struct stream *os, size_t call_idx,
			    const struct record *want, const struct record *got,
			    struct failures *f);

static size_t compare_aligned(const struct streams *o, const struct streams *t,
			      call_cmp_fn cmp, struct failures *f)
{
	size_t aligned = 0;

	for (size_t i = 0; i < o->n; i++) {
		const struct stream *os = &o->v[i];
		const struct stream *ts = find_stream(t, &os->key);

		for (size_t j = 0; ts && j < os->ncalls; j++) {
			const struct call *tc = call_at(ts, os->calls[j].start);

			/* Bytes the trace does not have are the bytes check's
			 * business; here only what can be aligned counts. */
			if (!tc)
				continue;
			aligned++;
			cmp(os, j, os->calls[j].rec, tc->rec, f);
		}
	}
	return aligned;
}

/* Does any record in the streams satisfy has? */
static bool any_record(const struct streams *ss, bool (*has)(const struct record *))
{
	for (size_t i = 0; i < ss->n; i++)
		for (size_t j = 0; j < ss->v[i].nrecs; j++)
			if (has(ss->v[i].recs[j]))
				return true;
	return false;
}

static bool has_fd(const struct record *rec)
{
	return rec->fd != -1;
}

static void cmp_fd(const struct stream *os, size_t idx, const struct record *want,
		   const struct record *got, struct failures *f)
{
	if (want->fd != -1 && want->fd != got->fd) {
		if (!f->count && f->facts) {
			f->facts->has_fd = 1;
			f->facts->fd_expected = want->fd;
			f->facts->fd_seen = got->fd;
		}
		failed(f, STREAM_FMT ": call %zu: expected fd %d, got %d",
		       STREAM_ARGS(os), idx, want->fd, got->fd);
	}
}

static void check_fd(const struct streams *o, const struct streams *t, struct check_result *r)
{
	struct failures f = { .facts = &r->facts };

	if (!any_record(o, has_fd)) {
		set_result(r, VERDICT_SKIP, "fixture reports no fd");
		return;
	}
	if (!any_record(t, has_fd)) {
		set_result(r, VERDICT_SKIP, "trace reports no fd (all -1)");
		return;
	}
	if (!compare_aligned(o, t, cmp_fd, &f)) {
		set_result(r, VERDICT_SKIP, "no trace call aligns with a fixture call");
		return;
	}
	conclude(r, &f, "calls differ");
}

static void cmp_one_addr(const struct stream *os, size_t idx, const char *name,
			 const char *want, const char *got, struct failures *f)
{
	char w[NADDR], g[NADDR];

	if (!want[0])
		return;
	normalize_addr(want, w, sizeof(w));
	normalize_addr(got, g, sizeof(g));
	if (strcmp(w, g))
		failed(f, STREAM_FMT ": call %zu: expected %s \"%s\", got \"%s\"",
		       STREAM_ARGS(os), idx, name, w, g);
}

static void cmp_addr(const struct stream *os, size_t idx, const struct record *want,
		     const struct record *got, struct failures *f)
{
	struct failures mine = { 0 };

	/* One failure per call, even if both addresses are wrong. */
	cmp_one_addr(os, idx, "laddr", want->laddr, got->laddr, &mine);
	cmp_one_addr(os, idx, "raddr", want->raddr, got->raddr, &mine);
	if (mine.count)
		failed(f, "%s", mine.first);
}

static void check_addresses(const struct streams *o, const struct streams *t,
			    struct check_result *r)
{
	struct failures f = { 0 };

	if (!any_record(o, has_addr)) {
		set_result(r, VERDICT_SKIP, "fixture reports no addresses");
		return;
	}
	if (!any_record(t, has_addr)) {
		set_result(r, VERDICT_SKIP, "trace reports no addresses");
		return;
	}
	if (!compare_aligned(o, t, cmp_addr, &f)) {
		set_result(r, VERDICT_SKIP, "no trace call aligns with a fixture call");
		return;
	}
	conclude(r, &f, "calls differ");
}

/* A fixture thread the trace does not have. The usual reason is a comm the
 * tracer got wrong, so name the comm the trace reports for those ids, if any
 * (it may also be an unrelated process with the same ids in another pid
 * namespace: hence "with comm", not "as"). */
static void explain_missing_thread(const struct record *want, const struct record_set *trace,
				   struct failures *f)
{
	for (size_t i = 0; i < trace->n; i++) {
		const struct record *rec = &trace->v[i];

		if (rec->nspid == want->nspid && rec->nstid == want->nstid) {
			failed(f, "pid %d tid %d (%.*s): no trace events; trace has pid %d tid %d with comm \"%.*s\"",
			       want->nspid, want->nstid, (int)COMM_LEN, want->comm, rec->nspid,
			       rec->nstid, (int)COMM_LEN, rec->comm);
			return;
		}
	}
	failed(f, "pid %d tid %d (%.*s): no trace events", want->nspid, want->nstid,
	       (int)COMM_LEN, want->comm);
}

static int thread_ptr_cmp(const void *pa, const void *pb)
{
	return thread_cmp(*(const struct record *const *)pa, *(const struct record *const *)pb);
}

static bool has_thread(const struct streams *ss, const struct record *want)
{
	return bsearch(&want, ss->by_thread, ss->nrecs, sizeof(*ss->by_thread), thread_ptr_cmp);
}

/* Every thread the fixture knows it used (ns tid >= 0) has trace events. */
static void check_threads_seen(const struct streams *o, const struct streams *t,
			       const struct record_set *trace, struct failures *f)
{
	for (size_t i = 0; i < o->nrecs; i++) {
		const struct record *rec = o->by_thread[i];

		if (rec->nstid < 0 || (i && !thread_cmp(rec, o->by_thread[i - 1])))
			continue;
		if (!has_thread(t, rec))
			explain_missing_thread(rec, trace, f);
	}
}

/* The thread is a property of each call: where the fixture knows it, the
 * trace's call must have been made on it. */
static void cmp_tid(const struct stream *os, size_t idx, const struct record *want,
		    const struct record *got, struct failures *f)
{
	if (want->nstid >= 0 && want->nstid != got->nstid)
		failed(f, STREAM_FMT ": call %zu: expected tid %d, got %d",
		       STREAM_ARGS(os), idx, want->nstid, got->nstid);
}

/* Host ids: non-zero, one host tid per ns thread, one host pid per ns process.
 * The records are sorted by process, then thread, so each group is contiguous
 * and its first record is the reference. One failure per thread. */
static void check_host_ids(const struct streams *t, struct failures *f)
{
	const struct record *proc_ref = NULL, *thread_ref = NULL;
	bool reported = false;

	for (size_t i = 0; i < t->nrecs; i++) {
		const struct record *rec = t->by_thread[i], *prev = i ? t->by_thread[i - 1] : NULL;
		struct process_key p = process_of(rec), q = prev ? process_of(prev) : p;

		if (!prev || process_cmp(&p, &q))
			proc_ref = rec;
		if (!prev || thread_cmp(rec, prev)) {
			thread_ref = rec;
			reported = false;
		}
		if (reported)
			continue;
		if (!rec->pid || !rec->tid) {
			failed(f, "pid %d tid %d: trace reports host pid %d tid %d",
			       rec->nspid, rec->nstid, rec->pid, rec->tid);
			reported = true;
		} else if (rec->tid != thread_ref->tid || rec->pid != proc_ref->pid) {
			failed(f, "pid %d tid %d: trace reports host pid/tid %d/%d and %d/%d",
			       rec->nspid, rec->nstid, proc_ref->pid, thread_ref->tid,
			       rec->pid, rec->tid);
			reported = true;
		}
	}
}

static void check_process(const struct streams *o, const struct streams *t,
			  const struct record_set *trace, struct check_result *r)
{
	struct failures f = { 0 };

	check_threads_seen(o, t, trace, &f);
	compare_aligned(o, t, cmp_tid, &f);
	check_host_ids(t, &f);
	conclude(r, &f, "problems");
}

/* What a trace says of processes rather than of calls: that it cannot
 * trace a stack a process uses (skip records), or that it began tracing a
 * process late ("attached late" loss records, stamped with the moment its
 * probes were in place). */
#define LATE_PREFIX "attached late"

struct notices {
	const struct record **v;
	size_t n;
};

static int is_notice(const struct record *r)
{
	return r->type == RECORD_SKIP ||
	       (r->type == RECORD_LOSS && !strncmp(r->reason, LATE_PREFIX, strlen(LATE_PREFIX)));
}

/* The notice of that type about the process that made rec, or NULL. */
static const struct record *notice_for(const struct notices *ns, const struct record *rec,
				       enum record_type type)
{
	struct process_key proc = process_of(rec);

	for (size_t i = 0; i < ns->n; i++) {
		struct process_key np = process_of(ns->v[i]);

		if (ns->v[i]->type == type && !process_cmp(&np, &proc))
			return ns->v[i];
	}
	return NULL;
}

/* The bytes of a stream's calls made before ts_ns. */
static uint64_t bytes_before(const struct stream *os, uint64_t ts_ns)
{
	uint64_t n = 0;

	for (size_t i = 0; i < os->ncalls; i++)
		if (os->calls[i].rec->ts_ns < ts_ns)
			n += os->calls[i].len;
	return n;
}

/* Bytes missing from a stream count as reported when a loss record says
 * so, or when they are at most those of the oracle's calls made before the
 * moment the trace says it attached to the process ("attached late"), less
 * what the trace has of that time. */
static void check_loss(const struct streams *o, const struct streams *t,
		       const struct notices *ns, struct check_result *r)
{
	struct failures f = { 0 };

	note_totals(&r->facts, o, t);
	for (size_t i = 0; i < o->n; i++) {
		const struct stream *os = &o->v[i];
		const struct stream *ts = find_stream(t, &os->key);
		uint64_t captured = ts ? ts->nbytes : 0, reported = ts ? ts->lost : 0;
		uint64_t missing = os->nbytes > captured ? os->nbytes - captured : 0;
		const struct record *late = os->nrecs ? notice_for(ns, os->recs[0], RECORD_LOSS)
						      : NULL;

		if (late) {
			uint64_t before = bytes_before(os, late->ts_ns);
			uint64_t seen = ts ? bytes_before(ts, late->ts_ns) : 0;

			reported += before > seen ? before - seen : 0;
		}
		if (missing > reported)
			failed(&f, STREAM_FMT ": silent loss: %" PRIu64 " bytes (%" PRIu64
			       " missing, %" PRIu64 " reported lost)",
			       STREAM_ARGS(os), missing - reported, missing, reported);
	}
	conclude(r, &f, "streams");
}

/* A fixture process the tracer says it cannot trace: the cells that do
 * not pass are not judged (SKIP, with the tracer's reason). */
/* ncalls: the trace's calls. With none at all, a check that passed had
 * nothing to look at (a thread check of a fixture whose runtime moves its
 * calls between threads): skipped too, not a PASS. */
static void skip_untraceable(const struct record_set *oracle, const struct notices *ns,
			     size_t ncalls, struct check_result out[N_CHECKS])
{
	const struct record *skip = NULL;

	for (size_t i = 0; i < oracle->n && !skip; i++)
		skip = notice_for(ns, &oracle->v[i], RECORD_SKIP);
	if (!skip)
		return;
	for (int c = 0; c < N_CHECKS; c++)
		if (out[c].verdict == VERDICT_FAIL || (!ncalls && out[c].verdict == VERDICT_PASS))
			set_result(&out[c], VERDICT_SKIP, "the tracer cannot trace %s pid %d: %.400s",
				   skip->comm, skip->nspid, skip->reason);
}

/* The trace's calls (what is compared) apart from its notices. */
static int split_notices(const struct record_set *trace, struct record_set *calls,
			 struct notices *ns)
{
	calls->v = malloc((trace->n + 1) * sizeof(*calls->v));
	ns->v = malloc((trace->n + 1) * sizeof(*ns->v));
	calls->n = ns->n = 0;
	calls->cap = trace->n;
	if (!calls->v || !ns->v)
		return -1;
	for (size_t i = 0; i < trace->n; i++) {
		if (is_notice(&trace->v[i]))
			ns->v[ns->n++] = &trace->v[i];
		else
			calls->v[calls->n++] = trace->v[i]; /* shallow: data stays the trace's */
	}
	return 0;
}

static void set_all(struct check_result out[N_CHECKS], enum verdict verdict, const char *why)
{
	for (int i = 0; i < N_CHECKS; i++)
		set_result(&out[i], verdict, "%s", why);
}

void compare_records(const struct record_set *oracle, const struct record_set *all_trace,
		     struct check_result out[N_CHECKS])
{
	static const struct compare_opts whole_calls = { 0 };

	compare_records_opts(oracle, all_trace, &whole_calls, out);
}

void compare_records_opts(const struct record_set *oracle, const struct record_set *all_trace,
			  const struct compare_opts *opts, struct check_result out[N_CHECKS])
{
	struct record_set calls = { 0 }, *trace = &calls;
	struct notices ns = { 0 };
	struct streams o = { 0 }, t = { 0 };
	struct side os = { 0 }, ts = { 0 };
	struct conns cs = { 0 };

	for (int c = 0; c < N_CHECKS; c++)
		memset(&out[c].facts, 0, sizeof(out[c].facts));
	if (!oracle->n) {
		set_all(out, VERDICT_SKIP, "fixture wrote no transcript");
		return;
	}
	if (split_notices(all_trace, &calls, &ns) || oracle_conns(&cs, &os, oracle) ||
	    trace_conns(&cs, &ts, trace) || build_streams(&o, &os, &cs) || build_streams(&t, &ts, &cs)) {
		set_all(out, VERDICT_FAIL, "comparator ran out of memory");
		goto out;
	}
	check_bytes(&o, &t, &out[CHECK_BYTES]);
	check_boundaries(&o, &t, opts->split_calls, &out[CHECK_BOUNDARIES]);
	check_fd(&o, &t, &out[CHECK_FD]);
	check_addresses(&o, &t, &out[CHECK_ADDRESSES]);
	check_process(&o, &t, trace, &out[CHECK_PROCESS]);
	check_loss(&o, &t, &ns, &out[CHECK_LOSS]);
	skip_untraceable(oracle, &ns, trace->n, out);
out:
	streams_free(&o);
	streams_free(&t);
	free(os.v);
	free(ts.v);
	conns_free(&cs);
	free(calls.v);
	free(ns.v);
}

const char *check_name(enum check_id id)
{
	static const char *const names[N_CHECKS] = {
		[CHECK_BYTES] = "bytes",
		[CHECK_BOUNDARIES] = "boundaries",
		[CHECK_FD] = "fd",
		[CHECK_ADDRESSES] = "addresses",
		[CHECK_PROCESS] = "process",
		[CHECK_LOSS] = "loss",
	};

	return (unsigned)id < N_CHECKS ? names[id] : "?";
}

const char *verdict_name(enum verdict verdict)
{
	switch (verdict) {
	case VERDICT_PASS: return "PASS";
	case VERDICT_FAIL: return "FAIL";
	case VERDICT_SKIP: return "SKIP";
	case VERDICT_NA: return "N/A";
	case VERDICT_NOT_CLAIMED: return "NOT CLAIMED";
	}
	return "?";
}
