#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include "output.h"

void format_sockaddr(uint16_t family, const uint8_t *addr, uint16_t port, char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN] = "";

	if (family != AF_INET && family != AF_INET6) {
		out[0] = '\0';
		return;
	}
	inet_ntop(family, addr, ip, sizeof(ip));
	snprintf(out, outlen, family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
}

/* A thread's calls mostly share one socket: the last addresses formatted,
 * and their text (inet_ntop and printf cost more than the rest of a record). */
static void cached_sockaddrs(const struct sock_addrs *a, char *laddr, char *raddr, size_t len)
{
	static __thread struct sock_addrs last;
	static __thread char last_l[64], last_r[64];
	static __thread int valid;

	if (!valid || memcmp(&last, a, sizeof(last))) {
		format_sockaddr(a->family, a->laddr, a->lport, last_l, sizeof(last_l));
		format_sockaddr(a->family, a->raddr, a->rport, last_r, sizeof(last_r));
		last = *a;
		valid = 1;
	}
	memcpy(laddr, last_l, len < sizeof(last_l) ? len : sizeof(last_l));
	memcpy(raddr, last_r, len < sizeof(last_r) ? len : sizeof(last_r));
}

/* strncpy that always terminates (the record's fields are fixed arrays). */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void output_fill_record(struct record *rec, const struct call_header *hdr,
			const struct tls_lib *lib, const struct probe_site *site)
{
	memset(rec, 0, offsetof(struct record, lib));
	rec->type = hdr->kind == EVENT_LOSS ? RECORD_LOSS : RECORD_DATA;
	rec->ts_ns = hdr->ts_ns;
	rec->pid = hdr->pid;
	rec->tid = hdr->tid;
	rec->nspid = hdr->nspid;
	rec->nstid = hdr->nstid;
	memcpy(rec->comm, hdr->comm, sizeof(rec->comm) - 1);
	copy_str(rec->stack, sizeof(rec->stack), lib ? lib->backend->name : "");
	copy_str(rec->lib, sizeof(rec->lib), lib ? lib->path : "");
	copy_str(rec->lib_version, sizeof(rec->lib_version), lib ? lib->version : "");
	snprintf(rec->func, sizeof(rec->func), "%s", site ? site->func : "?");
	rec->dir = hdr->dir == DATA_IN ? DIR_IN : DIR_OUT;
	rec->fd = hdr->fd;
	cached_sockaddrs(&hdr->addrs, rec->laddr, rec->raddr, sizeof(rec->laddr));
	rec->len = hdr->call_len;
	rec->offset = rec->lost = rec->calls = 0;
	rec->reason[0] = '\0';
	rec->data = NULL;
}

static int mostly_printable(const uint8_t *data, uint64_t len)
{
	uint64_t printable = 0;

	for (uint64_t i = 0; i < len; i++)
		printable += isprint(data[i]) || data[i] == '\r' || data[i] == '\n' || data[i] == '\t';
	return printable * 10 >= len * 9;
}

static void text_bytes(FILE *f, const uint8_t *data, uint64_t len)
{
	if (mostly_printable(data, len)) {
		for (uint64_t i = 0; i < len; i++) {
			if (isprint(data[i]) || data[i] == '\n')
				fputc(data[i], f);
			else if (data[i] == '\r')
				fputs("\\r", f);
			else
				fprintf(f, "\\x%02x", data[i]);
		}
		fputc('\n', f);
		return;
	}
	for (uint64_t i = 0; i < len; i += 16) {
		fprintf(f, "  %08llx ", (unsigned long long)i);
		for (uint64_t j = i; j < i + 16 && j < len; j++)
			fprintf(f, " %02x", data[j]);
		fputc('\n', f);
	}
}

static void text_header(FILE *f, const struct record *rec)
{
	fprintf(f, "%llu.%09llu %s pid %d tid %d %s %s fd %d %s -> %s %llu bytes (%s)\n",
		(unsigned long long)(rec->ts_ns / 1000000000ULL),
		(unsigned long long)(rec->ts_ns % 1000000000ULL), rec->comm, rec->pid,
		rec->tid, rec->func, record_dir_name(rec->dir), rec->fd,
		rec->laddr[0] ? rec->laddr : "?", rec->raddr[0] ? rec->raddr : "?",
		(unsigned long long)rec->len, rec->lib_version[0] ? rec->lib_version : rec->lib);
}

void output_data(struct output *out, const struct call_header *hdr,
		 const struct tls_lib *lib, const struct probe_site *site, const uint8_t *data,
		 uint64_t len)
{
	struct record rec;

	output_fill_record(&rec, hdr, lib, site);
	rec.type = RECORD_DATA;
	rec.len = len;
	rec.data = (uint8_t *)data;
	if (out->pcapng)
		pcapng_data(out->pcapng, &rec, &hdr->addrs, data, len);
	if (out->format == OUTPUT_JSON) {
		record_write_json(out->f, &rec);
		return;
	}
	text_header(out->f, &rec);
	text_bytes(out->f, data, len);
}

void output_loss(struct output *out, const struct call_header *hdr,
		 const struct tls_lib *lib, const struct probe_site *site, uint64_t delivered,
		 uint64_t lost, uint64_t calls)
{
	struct record rec;

	output_fill_record(&rec, hdr, lib, site);
	rec.type = RECORD_LOSS;
	rec.offset = delivered;
	rec.lost = lost;
	rec.calls = calls;
	if (out->pcapng)
		pcapng_loss(out->pcapng, &rec, &hdr->addrs);
	if (out->format == OUTPUT_JSON) {
		record_write_json(out->f, &rec);
		return;
	}
	fprintf(out->f, "LOSS: %s pid %d tid %d %s fd %d: %llu of %llu bytes lost in %llu call%s "
		"(not delivered: ring buffer full, or the memory unreadable)\n", rec.comm, rec.pid,
		rec.tid, rec.func, rec.fd, (unsigned long long)lost, (unsigned long long)rec.len,
		(unsigned long long)calls, calls == 1 ? "" : "s");
}

static uint64_t monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000000000ULL + now.tv_nsec;
}

void output_skip(struct output *out, int pid, int nspid, const char *comm,
		 const struct tls_lib *lib)
{
	struct call_header hdr = { .kind = EVENT_DATA, .pid = pid, .tid = pid, .nspid = nspid,
				   .nstid = nspid, .fd = -1 };
	struct record rec;

	hdr.ts_ns = monotonic_ns();
	snprintf(hdr.comm, sizeof(hdr.comm), "%s", comm);
	output_fill_record(&rec, &hdr, lib, NULL);
	rec.type = RECORD_SKIP;
	rec.func[0] = '\0';
	snprintf(rec.reason, sizeof(rec.reason), "%s", lib->reason);
	if (out->format == OUTPUT_JSON) {
		record_write_json(out->f, &rec);
		return;
	}
	fprintf(out->f, "SKIP: %s pid %d: %s\n", rec.comm, rec.pid, rec.reason);
}

void output_attached_late(struct output *out, int pid, int nspid, const char *comm,
			  const struct tls_lib *lib, uint64_t since_ns, uint64_t socket_calls)
{
	struct call_header hdr = { .kind = EVENT_LOSS, .pid = pid, .tid = pid, .nspid = nspid,
				   .nstid = nspid, .fd = -1 };
	struct record rec;

	hdr.ts_ns = lib ? lib->attached_ns : monotonic_ns();
	snprintf(hdr.comm, sizeof(hdr.comm), "%s", comm);
	output_fill_record(&rec, &hdr, lib, NULL);
	rec.type = RECORD_LOSS;
	rec.func[0] = '\0';
	if (!lib) /* the schema wants a stack: which one it had was never looked at */
		snprintf(rec.stack, sizeof(rec.stack), "unknown");
	if (lib)
		snprintf(rec.reason, sizeof(rec.reason), LATE_REASON ": %llu socket reads/writes "
			 "from %llu ns on, before %.120s was probed at %llu ns (ts_ns); its plaintext "
			 "before then may be missing", (unsigned long long)socket_calls,
			 (unsigned long long)since_ns, lib->path, (unsigned long long)lib->attached_ns);
	else
		snprintf(rec.reason, sizeof(rec.reason), LATE_REASON ": %llu socket reads/writes "
			 "from %llu ns on, by a process that exited before its maps could be read: "
			 "whatever TLS files it mapped were never looked at, and its plaintext until it "
			 "exited (ts_ns) may be missing", (unsigned long long)socket_calls,
			 (unsigned long long)since_ns);
	if (out->format == OUTPUT_JSON) {
		record_write_json(out->f, &rec);
		return;
	}
	fprintf(out->f, "LOSS: %s pid %d: %s\n", rec.comm, rec.pid, rec.reason);
}
