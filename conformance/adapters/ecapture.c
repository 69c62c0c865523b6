// SPDX-License-Identifier: GPL-2.0
/* The eCapture adapter: eCapture's text-mode stdout → event JSON lines.
 *
 * What eCapture v2.5.1 prints (facts from its source at 5ccbc23 and from the
 * runs recorded in ../shared/peers/ecapture; no code of it is used here):
 *
 * - Every line, log or event, goes through zerolog's console writer:
 *   `TIME LVL MESSAGE FIELDS\n`, TIME RFC 3339 (`2026-11-21T13:38:17Z`), LVL
 *   `INF`, `WRN` …; with colours (the default) TIME, LVL and each field name
 *   are wrapped in ANSI SGR sequences, the message is not. FIELDS are
 *   ` key=value` pairs, sorted; every probe's lines carry ` probe=NAME`
 *   (`OpenSSL`, `GnuTLS`).
 * - An event (the OpenSSL and GnuTLS probes) is one log message of several
 *   lines: `[DATE TIME.mmm] PID:n TID:n Comm:x FD:n READ|WRITE (N bytes):\n`
 *   then the payload; with --hex `(N bytes, hex):` and a dump. Before logging
 *   it, eCapture appends "\n" unless the message ends with one already, so the
 *   payload's last line is followed by the fields on a line of their own:
 *   ` probe=OpenSSL`. N is the length the kernel side captured (at most
 *   16 KiB per call: a longer SSL_write is cut there, silently, and N says
 *   16384).
 * - Text mode: the payload is Go's string(bytes), JSON-encoded by zerolog
 *   (each byte that is not valid UTF-8 becomes U+FFFD) and decoded again, then
 *   control characters are escaped on stdout: \a \b \f \r \v by name, other
 *   bytes below 0x20 and 0x7f as \xhh; \n and \t stay as they are; a
 *   backslash is not escaped. So U+FFFD cannot be given back (which byte was
 *   it? or was it the three bytes EF BF BD?), and a literal backslash
 *   followed by `r` prints as a CR does: the header's N says which reading
 *   holds. Decoding every escape gives the shortest reading. When that length
 *   is N + 1 with the newline eCapture appended, it is the only reading of
 *   length N. When it is N and the payload ends in a newline, one other
 *   reading has that length too — one named escape was a literal backslash
 *   and letter, and eCapture appended the newline — we take the escapes as
 *   escapes, as eCapture means them. Otherwise only the bytes before the
 *   first escape or U+FFFD are certain, and only those are written (counted
 *   in stats->irreversible).
 * - --hex (OpenSSL): a dump of 32 bytes per line, `%04X` offset, the bytes in
 *   upper-case hex in groups of 8 (one space between groups, two between
 *   halves), 4 spaces, the 32 bytes as ASCII ('.' for the rest); the last line
 *   is padded (one space per missing byte). Exact. GnuTLS's --hex is one line
 *   of lower-case hex.
 * - Times. OpenSSL text mode prints the kernel's CLOCK_MONOTONIC time plus
 *   (CLOCK_REALTIME - CLOCK_MONOTONIC) as eCapture saw it when printing: wall
 *   clock, in its local zone, to the millisecond. We take the same offset
 *   when converting, so ts_ns is CLOCK_MONOTONIC to about a millisecond when
 *   the output is converted on the machine (and boot) it came from, as conform
 *   does; a saved file from elsewhere keeps its order only. --hex prints
 *   time.Unix(ktime_ns, 0): the nanoseconds read as seconds (hence years like
 *   27199), which gives CLOCK_MONOTONIC back to the nanosecond. GnuTLS prints
 *   time.Unix(0, ktime_ns) (1970 + uptime) to the millisecond. Dates are read
 *   in the converter's local zone, at today's offset from UTC (exact when
 *   eCapture ran in the same zone without daylight saving; UTC here). Where a
 *   time has only millisecond precision, events are kept in output order: each
 *   gets at least the previous one's ts_ns + 1, since the comparator orders a
 *   stream's calls by ts_ns. A header whose time cannot be read gets that too.
 * - Text mode has no addresses (eCapture's tuples come from connect/accept
 *   kprobes, and only in other modes), no loss records (a full perf buffer is
 *   one warning with a count, whose events are unknown: summed in
 *   stats->lost_samples, nothing written), no namespace ids (pid and tid are
 *   the host's; written as nspid/nstid too). FD is the one eCapture read from
 *   the SSL's BIO: 0 when the application uses a BIO of its own (curl); kept as
 *   printed, the comparator judges it.
 *
 * The event's end is its fields line (` key=value …`) followed by a log
 * line or the end of the file; a payload that itself holds such a pair of
 * lines would end its event early. An event cut by the end of the file is
 * written as far as it was printed (stats->short_events). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* getline, tm_gmtoff */
#endif
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare.h"
#include "record.h"
#include "ecapture.h"
#include "hex.h"

/* A stripped header, log or fields line longer than this is none of them. */
#define SHORT_LINE 4096

/* ---- lines ---- */

struct line {
	char *s;
	size_t cap;
	size_t len;   /* without the newline */
	bool newline; /* it ended with one (the last line of a cut file may not) */
};

/* The current line and one line of lookahead: an event ends at its fields
 * line only when a log line (or the end) follows. */
struct reader {
	FILE *f;
	struct line cur, next;
	bool have_next;
};

static bool read_line(FILE *f, struct line *l)
{
	ssize_t n = getline(&l->s, &l->cap, f);

	if (n < 0)
		return false;
	l->newline = n > 0 && l->s[n - 1] == '\n';
	l->len = (size_t)n - l->newline;
	return true;
}

static bool reader_get(struct reader *r)
{
	if (r->have_next) {
		struct line t = r->cur;

		r->cur = r->next;
		r->next = t;
		r->have_next = false;
		return true;
	}
	return read_line(r->f, &r->cur);
}

static const struct line *reader_peek(struct reader *r)
{
	if (!r->have_next)
		r->have_next = read_line(r->f, &r->next);
	return r->have_next ? &r->next : NULL;
}

/* Copies s without its ANSI CSI sequences (ESC [ params final) to out (cap
 * bytes, NUL-terminated). Returns the length, or -1 when it does not fit. */
static long strip_ansi(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		if (s[i] == '\033' && i + 1 < n && s[i + 1] == '[') {
			i += 2;
			while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';' || s[i] == '?'))
				i++;
			if (i < n)
				i++;	/* the final byte */
			continue;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = s[i++];
	}
	out[o] = '\0';
	return (long)o;
}

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The message of a stripped log line `2026-11-21T13:38:17Z INF message`
 * (a zone may also be +hh:mm), or NULL when s is not one. */
static const char *log_message(const char *s, size_t n, char *level, size_t levellen)
{
	size_t p = 19;

	if (n < 24 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2) || s[10] != 'T' || !digits(s + 11, 2) || s[13] != ':' ||
	    !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return NULL;
	if (s[p] == 'Z')
		p++;
	else if ((s[p] == '+' || s[p] == '-') && n >= p + 6 && digits(s + p + 1, 2) &&
		 s[p + 3] == ':' && digits(s + p + 4, 2))
		p += 6;
	else
		return NULL;
	if (n < p + 4 || s[p] != ' ')
		return NULL;
	for (int i = 1; i <= 3; i++)
		if (!isupper((unsigned char)s[p + i]) && s[p + i] != '?')
			return NULL;
	if (n > p + 4 && s[p + 4] != ' ')
		return NULL;
	if (level && levellen > 3) {
		memcpy(level, s + p + 1, 3);
		level[3] = '\0';
	}
	return s + (n > p + 4 ? p + 5 : p + 4);
}

static bool is_log_line(const struct line *l)
{
	char buf[128];
	long n;

	/* The prefix is all that matters: a payload line may be megabytes. */
	n = strip_ansi(l->s, l->len < 96 ? l->len : 96, buf, sizeof(buf));
	return n >= 0 && log_message(buf, (size_t)n, NULL, 0);
}

/* Is the stripped line s a fields line, ` key=value …`? */
static bool is_fields_line(const char *s, size_t n)
{
	size_t i = 1;

	if (n < 3 || s[0] != ' ' || !(isalpha((unsigned char)s[1]) || s[1] == '_'))
		return false;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'))
		i++;
	return i < n && s[i] == '=';
}

/* The value of field key (`key=` preceded by a space) in a stripped line,
 * unquoted, into out. Returns false when absent. */
static bool field_value(const char *s, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key), o = 0;
	const char *p = s;

	while ((p = strstr(p, key))) {
		if (p > s && p[-1] == ' ' && p[klen] == '=')
			break;
		p += klen;
	}
	if (!p || !cap)
		return false;
	p += klen + 1;
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			if (o + 1 < cap)
				out[o++] = *p;
		}
	} else {
		for (; *p && *p != ' '; p++)
			if (o + 1 < cap)
				out[o++] = *p;
	}
	out[o] = '\0';
	return true;
}

/* ---- the event header ---- */

struct header {
	int64_t secs;     /* the printed date and time as seconds (UTC reading) */
	int ms;
	bool time_ok;
	int pid, tid, fd;
	char comm[16];
	enum record_dir dir;
	uint64_t n;
	bool hex;
};

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (any year eCapture's
 * --hex prints). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* `[2026-11-21 13:38:17.263]` (the year may have more digits). Returns the
 * characters read, 0 when it is not one. */
static size_t parse_time(const char *s, struct header *h)
{
	const char *p = s + 1;
	int64_t year = 0;
	int nd = 0, mon, day, hh, mm, ss;

	if (*s != '[')
		return 0;
	while (isdigit((unsigned char)*p) && nd < 12) {
		year = year * 10 + (*p++ - '0');
		nd++;
	}
	if (nd < 4 || p[0] != '-' || !digits(p + 1, 2) || p[3] != '-' || !digits(p + 4, 2) ||
	    p[6] != ' ' || !digits(p + 7, 2) || p[9] != ':' || !digits(p + 10, 2) ||
	    p[12] != ':' || !digits(p + 13, 2) || p[15] != '.' || !digits(p + 16, 3) ||
	    p[19] != ']')
		return 0;
	mon = atoi(p + 1);
	day = atoi(p + 4);
	hh = atoi(p + 7);
	mm = atoi(p + 10);
	ss = atoi(p + 13);
	h->ms = atoi(p + 16);
	h->time_ok = mon >= 1 && mon <= 12 && day >= 1 && day <= 31 && hh < 24 && mm < 60 &&
		     ss < 61;
	h->secs = days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss;
	return (size_t)(p + 20 - s);
}

/* A decimal int at *p (a leading '-' allowed), advancing *p. */
static bool parse_num(const char **p, long long *v)
{
	char *end;

	if (!isdigit((unsigned char)**p) && **p != '-')
		return false;
	errno = 0;
	*v = strtoll(*p, &end, 10);
	if (errno || end == *p)
		return false;
	*p = end;
	return true;
}

static bool expect(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n))
		return false;
	*p += n;
	return true;
}

/* An event header message: `[time] PID:n TID:n Comm:x FD:n DIR (N bytes[, hex]):`.
 * The time is optional to the rest (an unreadable one is replaced). */
static bool parse_header(const char *m, size_t len, struct header *h)
{
	const char *p = m, *end = m + len, *fd, *paren, *dir;
	long long v;
	size_t t;

	memset(h, 0, sizeof(*h));
	if (len < 2 || end[-1] != ':' || end[-2] != ')')
		return false;
	t = parse_time(p, h);
	if (!t) {
		const char *close = memchr(p, ']', len);

		if (*p != '[' || !close)
			return false;
		t = (size_t)(close + 1 - p);
	}
	p += t;
	if (!expect(&p, " PID:") || !parse_num(&p, &v) || v < 0 || v > INT_MAX)
		return false;
	h->pid = (int)v;
	if (!expect(&p, " TID:") || !parse_num(&p, &v) || v < 0 || v > INT_MAX)
		return false;
	h->tid = (int)v;
	if (!expect(&p, " Comm:"))
		return false;
	/* From the right: " (N bytes…):", the direction, " FD:n". */
	for (paren = end - 2; paren > p && !(paren[0] == '(' && paren[-1] == ' '); paren--)
		;
	if (paren <= p)
		return false;
	{
		const char *q = paren + 1;

		if (!parse_num(&q, &v) || v < 0)
			return false;
		h->n = (uint64_t)v;
		if (!strncmp(q, " bytes, hex):", 13) && q + 13 == end)
			h->hex = true;
		else if (strncmp(q, " bytes):", 8) || q + 8 != end)
			return false;
	}
	dir = paren - 1;	/* the space before '(' */
	if (dir - p >= 5 && !strncmp(dir - 5, " READ", 5)) {
		h->dir = DIR_IN;
		dir -= 5;
	} else if (dir - p >= 6 && !strncmp(dir - 6, " WRITE", 6)) {
		h->dir = DIR_OUT;
		dir -= 6;
	} else {
		return false;
	}
	for (fd = dir - 4; fd >= p && strncmp(fd, " FD:", 4); fd--)
		;
	if (fd < p)
		return false;
	{
		const char *q = fd + 4;

		if (!parse_num(&q, &v) || q != dir)
			return false;
		/* FD is a u32: -1 prints as 4294967295. */
		if (v > INT_MAX && v <= UINT32_MAX)
			v = (int32_t)(uint32_t)v;
		if (v < INT_MIN || v > INT_MAX)
			return false;
		h->fd = (int)v;
	}
	t = (size_t)(fd - p);
	if (t >= sizeof(h->comm))
		t = sizeof(h->comm) - 1;
	memcpy(h->comm, p, t);
	h->comm[t] = '\0';
	return true;
}

/* ---- payloads ---- */

struct buf {
	uint8_t *v;
	size_t n, cap;
};

static int buf_add(struct buf *b, const void *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *v;

		while (cap < b->n + n + 1)
			cap *= 2;
		v = realloc(b->v, cap);
		if (!v)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	memcpy(b->v + b->n, s, n);
	b->n += n;
	return 0;
}

struct text_info {
	size_t doubt;  /* decoded offset of the first escape or U+FFFD; SIZE_MAX: none */
	bool fffd;     /* a U+FFFD was printed */
};

/* Undoes text mode's escapes: body (n bytes) → out (at least n bytes).
 * Returns the decoded length; U+FFFD is copied as printed (the caller never
 * writes it). */
static size_t decode_text(const uint8_t *b, size_t n, uint8_t *out, struct text_info *ti)
{
	static const char named[] = "abfrv";
	static const uint8_t named_val[] = { '\a', '\b', '\f', '\r', '\v' };
	size_t o = 0;

	ti->doubt = SIZE_MAX;
	ti->fffd = false;
	for (size_t i = 0; i < n;) {
		const char *k;

		if (b[i] == '\\' && i + 1 < n && b[i + 1] && (k = strchr(named, b[i + 1]))) {
			if (ti->doubt == SIZE_MAX)
				ti->doubt = o;
			out[o++] = named_val[k - named];
			i += 2;
		} else if (b[i] == '\\' && i + 3 < n && b[i + 1] == 'x' && hex_digit(b[i + 2]) >= 0 &&
			   hex_digit(b[i + 3]) >= 0) {
			if (ti->doubt == SIZE_MAX)
				ti->doubt = o;
			out[o++] = (uint8_t)(hex_digit(b[i + 2]) << 4 | hex_digit(b[i + 3]));
			i += 4;
		} else if (b[i] == 0xef && i + 2 < n && b[i + 1] == 0xbf && b[i + 2] == 0xbd) {
			if (ti->doubt == SIZE_MAX)
				ti->doubt = o;
			ti->fffd = true;
			memcpy(out + o, b + i, 3);
			o += 3;
			i += 3;
		} else {
			out[o++] = b[i++];
		}
	}
	return o;
}

/* One line of --hex's dump (len bytes; complete: it ended with a newline)
 * appended to out. Returns 0, or -1 when it is not a dump line at the offset
 * expected; *partial when it held fewer than 32 bytes (the last line). A line
 * cut by the end of the file gives the bytes whose two digits were printed. */
static int dump_line(const char *s, size_t len, bool complete, struct buf *out, bool *partial)
{
	const char *p = s, *end = s + len;
	uint8_t bytes[32];
	size_t off = 0, nd = 0;
	int n = 0;

	while (p < end && hex_digit(*p) >= 0) {
		off = off * 16 + (size_t)hex_digit(*p++);
		if (++nd > 8)
			return -1;
	}
	if (nd < 4 || off != out->n)
		return -1;
	*partial = false;
	for (int i = 0; i < 32; i++) {
		const char *sep = i % 16 == 0 ? "  " : i % 8 == 0 ? " " : "";
		size_t sl = strlen(sep);

		if ((size_t)(end - p) < sl || memcmp(p, sep, sl)) {
			if (!complete)
				goto cut;
			return -1;
		}
		p += sl;
		if (end - p >= 2 && hex_digit(p[0]) >= 0 && hex_digit(p[1]) >= 0) {
			if (*partial)
				return -1;
			bytes[n++] = (uint8_t)(hex_digit(p[0]) << 4 | hex_digit(p[1]));
			p += 2;
		} else if (p < end && *p == ' ') {
			*partial = true;	/* padding for a missing byte */
			p++;
		} else if (!complete) {
			goto cut;
		} else {
			return -1;
		}
	}
	/* Four spaces, then the bytes as ASCII: they must agree. */
	if (complete) {
		if ((size_t)(end - p) != 4 + 32 || memcmp(p, "    ", 4))
			return -1;
		p += 4;
		for (int i = 0; i < n; i++) {
			char want = bytes[i] >= 32 && bytes[i] <= 126 ? (char)bytes[i] : '.';

			if (p[i] != want)
				return -1;
		}
	}
	return buf_add(out, bytes, (size_t)n);
cut:
	*partial = true;
	return buf_add(out, bytes, (size_t)n);
}

/* GnuTLS's --hex: one line of lower-case hex digits. */
static bool plain_hex_line(const char *s, size_t len)
{
	if (len % 2)
		return false;
	for (size_t i = 0; i < len; i++)
		if (hex_digit(s[i]) < 0)
			return false;
	return true;
}

/* Decodes a --hex body into out. Returns false when a line was not a dump
 * line (out holds the bytes before it). */
static bool decode_hex(const uint8_t *body, size_t n, struct buf *out)
{
	const char *s = (const char *)body, *end;
	bool partial = false;

	if (!n)
		return true;	/* an empty body may have no storage: NULL + 0 is undefined */
	end = s + n;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (partial)
			return false;	/* a line after the padded last one */
		if (plain_hex_line(s, len)) {
			for (size_t i = 0; i < len; i += 2) {
				uint8_t b = (uint8_t)(hex_digit(s[i]) << 4 | hex_digit(s[i + 1]));

				if (buf_add(out, &b, 1))
					return false;
			}
		} else if (dump_line(s, len, nl != NULL, out, &partial)) {
			return false;
		}
		s += len + (nl != NULL);
	}
	return true;
}

/* ---- conversion ---- */

struct conv {
	FILE *out;
	struct ecapture_stats *st;
	int64_t gmtoff;             /* the local zone's offset from UTC now, seconds */
	int64_t boot_ns;            /* CLOCK_REALTIME - CLOCK_MONOTONIC now */
	uint64_t last_ts;
	bool boringssl;             /* the OpenSSL probe said is_boringssl=true */
	char lib[256], lib_version[64];
	char probe[32];             /* the last probe= seen, for a cut event */
};

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ts_ns of an event (see the comment at the top). */
static uint64_t event_ts(struct conv *c, const struct header *h, bool gnutls)
{
	bool exact = h->hex && !gnutls;
	int64_t ts = -1;

	if (h->time_ok && exact) {
		ts = h->secs - c->gmtoff;	/* the nanoseconds, printed as seconds */
	} else if (h->time_ok && h->secs - c->gmtoff < INT64_MAX / 1000000000 - 1 &&
		   h->secs - c->gmtoff > -(INT64_MAX / 1000000000 - 1)) {
		ts = (h->secs - c->gmtoff) * 1000000000 + (int64_t)h->ms * 1000000;
		if (!gnutls)
			ts = ts > c->boot_ns ? ts - c->boot_ns : 0;	/* wall clock → monotonic */
	}
	if (ts < 0 || (!exact && (uint64_t)ts <= c->last_ts))
		ts = (int64_t)c->last_ts + 1;
	c->last_ts = (uint64_t)ts;
	return (uint64_t)ts;
}

static const char *stack_of(const struct conv *c, const char *probe, bool *gnutls)
{
	*gnutls = !strcmp(probe, "GnuTLS");
	if (*gnutls)
		return "gnutls";
	return c->boringssl ? "boringssl" : "openssl";
}

static int write_event(struct conv *c, const struct header *h, const struct buf *body,
		       bool complete, char *err, size_t errlen)
{
	struct record rec;
	struct buf hex = { 0 };
	uint8_t *text = NULL;
	const uint8_t *data;
	uint64_t len;
	bool gnutls;
	int ret;

	memset(&rec, 0, sizeof(rec));
	c->st->events++;
	if (h->hex) {
		c->st->hex_events++;
		if (!decode_hex(body->v, body->n, &hex) || hex.n < h->n)
			c->st->short_events++;
		data = hex.v;
		len = hex.n;
	} else {
		struct text_info ti;
		size_t n;

		text = malloc(body->n + 1);
		if (!text) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		n = decode_text(body->v, body->n, text, &ti);
		data = text;
		if (!ti.fffd && (n == h->n || (n == h->n + 1 && text[n - 1] == '\n'))) {
			len = h->n;	/* the one reading */
		} else if (!ti.fffd && !complete) {
			/* Cut by the end of the file: as printed. */
			len = n > h->n && text[n - 1] == '\n' ? n - 1 : n;
			if (len > h->n)
				len = h->n;
			c->st->short_events++;
		} else {
			/* Only what comes before the first doubtful byte is certain. */
			len = ti.doubt < n ? ti.doubt : n;
			if (len > h->n)
				len = h->n;
			if (ti.doubt < n)
				c->st->irreversible++;
			else
				c->st->short_events++;
		}
	}
	rec.type = RECORD_DATA;
	rec.pid = rec.nspid = h->pid;
	rec.tid = rec.nstid = h->tid;
	rec.fd = h->fd;
	rec.dir = h->dir;
	snprintf(rec.comm, sizeof(rec.comm), "%s", h->comm);
	snprintf(rec.stack, sizeof(rec.stack), "%s", stack_of(c, c->probe, &gnutls));
	rec.ts_ns = event_ts(c, h, gnutls);
	if (gnutls) {
		snprintf(rec.func, sizeof(rec.func), "%s",
			 h->dir == DIR_OUT ? "gnutls_record_send" : "gnutls_record_recv");
	} else {
		snprintf(rec.func, sizeof(rec.func), "%s", h->dir == DIR_OUT ? "SSL_write" : "SSL_read");
		snprintf(rec.lib, sizeof(rec.lib), "%s", c->lib);
		snprintf(rec.lib_version, sizeof(rec.lib_version), "%s", c->lib_version);
	}
	rec.len = len;
	rec.data = len ? (uint8_t *)data : NULL;
	ret = record_write_json(c->out, &rec);
	if (ret)
		snprintf(err, errlen, "writing events: %s", strerror(-ret));
	else
		c->st->bytes += len;
	free(hex.v);
	free(text);
	return ret ? -1 : 0;
}

/* A log line that is not an event: what the probe said about itself, and
 * the samples it lost. */
static void log_line(struct conv *c, const char *msg)
{
	char v[256];

	if (field_value(msg, "is_boringssl", v, sizeof(v)))
		c->boringssl = !strcmp(v, "true");
	field_value(msg, "openssl_path", c->lib, sizeof(c->lib));
	field_value(msg, "ssl_version", c->lib_version, sizeof(c->lib_version));
	if (strstr(msg, "samples lost") && field_value(msg, "lost_samples", v, sizeof(v)))
		c->st->lost_samples += strtoull(v, NULL, 10);
}

int ecapture_convert(FILE *raw, FILE *events, struct ecapture_stats *stats, char *err,
		     size_t errlen)
{
	struct reader r = { .f = raw };
	struct conv c = { .out = events, .st = stats };
	struct buf body = { 0 };
	struct header h;
	char *strip = malloc(SHORT_LINE);
	bool in_event = false;
	time_t now = time(NULL);
	struct tm tm;
	int ret = 0;

	memset(stats, 0, sizeof(*stats));
	if (!strip) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	localtime_r(&now, &tm);
	c.gmtoff = tm.tm_gmtoff;
	c.boot_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	snprintf(c.probe, sizeof(c.probe), "OpenSSL");

	while (!ret && reader_get(&r)) {
		const struct line *l = &r.cur, *next;
		long sn = -1;
		const char *msg;

		if (in_event) {
			/* The fields line that ends it, if a log line (or nothing) follows. */
			if (l->len < SHORT_LINE)
				sn = strip_ansi(l->s, l->len, strip, SHORT_LINE);
			if (sn > 0 && is_fields_line(strip, (size_t)sn) &&
			    (!(next = reader_peek(&r)) || is_log_line(next))) {
				field_value(strip, "probe", c.probe, sizeof(c.probe));
				ret = write_event(&c, &h, &body, true, err, errlen);
				in_event = false;
				continue;
			}
			if (buf_add(&body, l->s, l->len) || (l->newline && buf_add(&body, "\n", 1))) {
				snprintf(err, errlen, "out of memory");
				ret = -1;
			}
			continue;
		}
		if (l->len >= SHORT_LINE)
			continue;
		sn = strip_ansi(l->s, l->len, strip, SHORT_LINE);
		if (sn < 0 || !(msg = log_message(strip, (size_t)sn, NULL, 0)))
			continue;	/* not a log line: nothing we know */
		if (parse_header(msg, strlen(msg), &h)) {
			in_event = true;
			body.n = 0;
			continue;
		}
		log_line(&c, msg);
	}
	if (!ret && in_event)
		ret = write_event(&c, &h, &body, false, err, errlen);
	if (!ret && ferror(raw)) {
		snprintf(err, errlen, "reading: %s", strerror(errno ? errno : EIO));
		ret = -1;
	}
	free(body.v);
	free(strip);
	free(r.cur.s);
	free(r.next.s);
	return ret;
}

void ecapture_report(const struct ecapture_stats *st, FILE *out)
{
	if (st->irreversible)
		fprintf(out, "ecapture: %zu event%s had bytes eCapture's text mode cannot give back "
			"(U+FFFD, or escapes its length does not confirm): written up to the first "
			"of them; use --hex\n", st->irreversible, st->irreversible == 1 ? "" : "s");
	if (st->short_events)
		fprintf(out, "ecapture: %zu event%s printed fewer bytes than their header says "
			"(output cut or malformed): written as printed\n", st->short_events,
			st->short_events == 1 ? "" : "s");
	if (st->lost_samples)
		fprintf(out, "ecapture: eCapture reported %" PRIu64 " lost sample%s (perf buffer "
			"full); it does not say whose, so no loss record was written\n",
			st->lost_samples, st->lost_samples == 1 ? "" : "s");
}

/* Single-quoted for sh -c. */
int ecapture_command(const char *tracer_bin, const char *comm, char *cmd, size_t len)
{
	size_t o;

	(void)comm;	/* eCapture has --pid and --uid, no process-name filter */
	if (!len)
		return -1;
	cmd[0] = '\0';
	if (adapter_shell_quote(tracer_bin, cmd, len))
		return -1;
	o = strlen(cmd);
	if ((size_t)snprintf(cmd + o, len - o, " tls -b 1 --hex") >= len - o)
		return -1;
	return 0;
}

static int convert(FILE *raw, FILE *events, char *err, size_t errlen)
{
	struct ecapture_stats st;
	int ret = ecapture_convert(raw, events, &st, err, errlen);

	if (!ret)
		ecapture_report(&st, stderr);
	return ret;
}

/* What eCapture's `tls` module says it captures: OpenSSL 1.0.x–3.x, and
 * BoringSSL (`--ssl_version="boringssl …"`, Android). Its other modules —
 * `gnutls`, `nspr` (NSS), `gotls` (Go) — are separate commands this adapter
 * does not run. Checks, in text mode: the bytes and their per-call
 * boundaries, the process (pid, tid, comm) and the fd it prints; not
 * addresses (none in text mode), not loss (it reports none per call). */
/* The adapter runs `ecapture tls` (OpenSSL and BoringSSL, custom BIOs
 * included); GnuTLS, NSS and Go are other eCapture commands it does not
 * start. */
static const char *const ecapture_stacks[] = { "openssl", "custom-bio", "boringssl", NULL };

static int adapter_command(const struct adapter_run *run, char *cmd, size_t len, char *err,
			   size_t errlen)
{
	if (!run->tracer_bin) {
		snprintf(err, errlen, "the ecapture adapter needs --tracer-bin PATH (your eCapture "
			 "binary: it is packaged nowhere CI installs from)");
		return -1;
	}
	if (ecapture_command(run->tracer_bin, run->comm, cmd, len)) {
		snprintf(err, errlen, "--tracer-bin is too long");
		return -1;
	}
	return 0;
}

const struct adapter ecapture_adapter = {
	.name = "ecapture",
	.summary = "eCapture (gojue/ecapture) text mode with --hex: `BIN tls -b 1 --hex`",
	.ready_line = ECAPTURE_READY_LINE,
	.version_arg = "-v",
	.claimed_checks = 1u << CHECK_BYTES | 1u << CHECK_BOUNDARIES | 1u << CHECK_PROCESS |
			  1u << CHECK_FD,
	.claimed_stacks = ecapture_stacks,
	.command = adapter_command,
	.convert = convert,
};
