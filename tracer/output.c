#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
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

void output_fill_record(struct record *rec, const struct call_header *hdr,
			const struct tls_lib *lib)
{
	const struct sock_addrs *a = &hdr->addrs;

	memset(rec, 0, sizeof(*rec));
	rec->type = hdr->kind == EVENT_LOSS ? RECORD_LOSS : RECORD_DATA;
	rec->ts_ns = hdr->ts_ns;
	rec->pid = hdr->pid;
	rec->tid = hdr->tid;
	rec->nspid = hdr->nspid;
	rec->nstid = hdr->nstid;
	memcpy(rec->comm, hdr->comm, sizeof(rec->comm) - 1);
	if (lib) {
		snprintf(rec->lib, sizeof(rec->lib), "%.255s", lib->path);
		snprintf(rec->lib_version, sizeof(rec->lib_version), "%s", lib->version);
	}
	snprintf(rec->func, sizeof(rec->func), "%s", tls_func_name(hdr->func));
	rec->dir = hdr->dir == DATA_IN ? DIR_IN : DIR_OUT;
	rec->fd = hdr->fd;
	format_sockaddr(a->family, a->laddr, a->lport, rec->laddr, sizeof(rec->laddr));
	format_sockaddr(a->family, a->raddr, a->rport, rec->raddr, sizeof(rec->raddr));
	rec->len = hdr->call_len;
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
		 const struct tls_lib *lib, const uint8_t *data, uint64_t len)
{
	struct record rec;

	output_fill_record(&rec, hdr, lib);
	rec.type = RECORD_DATA;
	rec.len = len;
	rec.data = (uint8_t *)data;
	if (out->format == OUTPUT_JSON) {
		record_write_json(out->f, &rec);
		return;
	}
	text_header(out->f, &rec);
	text_bytes(out->f, data, len);
}

void output_loss(struct output *out, const struct call_header *hdr,
		 const struct tls_lib *lib, uint64_t delivered, uint64_t lost)
{
	struct record rec;

	output_fill_record(&rec, hdr, lib);
	rec.type = RECORD_LOSS;
	rec.offset = delivered;
	rec.lost = lost;
	if (out->format == OUTPUT_JSON) {
		record_write_json(out->f, &rec);
		return;
	}
	fprintf(out->f, "LOSS: %s pid %d tid %d %s fd %d: %llu of %llu bytes lost (ring buffer full)\n",
		rec.comm, rec.pid, rec.tid, rec.func, rec.fd, (unsigned long long)lost,
		(unsigned long long)rec.len);
}
