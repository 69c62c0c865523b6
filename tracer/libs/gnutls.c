/* GnuTLS. Every write function takes (session, data, size, …) and returns
 * the bytes sent as ssize_t; so does every read function.
 *   gnutls_record_send(s, d, n) = gnutls_record_send2(s, d, n, 0, 0) (3.6.3+:
 *   a tail call through the PLT), so a probe on send2 sees both; send2 starts
 *   with a push (emulated) where send starts with its tail call setup.
 *   gnutls_record_recv and _recv_seq tail-call an internal function that
 *   also reads handshake records (it takes the record type): no site the
 *   site table can filter yet, so reads stay on the exported entry points. */
#include <stdio.h>
#include <string.h>
#include "../elfsym.h"
#include "gnutls.h"

static const char *const lib_names[] = { "libgnutls.so", NULL };
static const char *const companions[] = { NULL };
static const char *const write_fns[] = { "gnutls_record_send", "gnutls_record_send2",
					 "gnutls_record_send_range", NULL };
static const char *const read_fns[] = { "gnutls_record_recv", "gnutls_record_recv_seq", NULL };

static int classify(struct tls_lib *lib, struct elf_image *img, char *err, size_t errlen)
{
	uint64_t vaddr, size;

	if (elf_image_func(img, "gnutls_record_send", &vaddr, &size) &&
	    elf_image_func(img, "gnutls_record_recv", &vaddr, &size)) {
		snprintf(err, errlen, "%s: defines neither gnutls_record_send nor "
			 "gnutls_record_recv", lib->path);
		return -1;
	}
	/* "Enabled GnuTLS 3.7.9 logging...": the library's own banner. */
	if (version_scan_file(lib->host_path, "GnuTLS ", 2, lib->version, sizeof(lib->version)))
		lib->version[0] = '\0';
	return 0;
}

/* An exported function's entry site; -1 when it is not defined here. */
static int entry_site(struct elf_image *img, const char *name, enum data_dir dir,
		      struct probe_site *site)
{
	uint64_t vaddr, size;

	site_init_c(site, name, dir, LEN_RET64, LOC_NONE);
	if (elf_image_func(img, name, &vaddr, &size) || plan_entry_site(img, vaddr, 1, site))
		return -1;
	snprintf(site->what, sizeof(site->what), "%s, exported", name);
	return 0;
}

static void plan_entries(struct elf_image *img, const char *const *names, enum data_dir dir,
			 const char *skip, struct probe_plan *plan)
{
	struct probe_site site;

	for (const char *const *n = names; *n; n++)
		if ((!skip || strcmp(*n, skip)) && !entry_site(img, *n, dir, &site))
			plan_add(plan, &site);
}

/* Whether gnutls_record_send is proved to reach gnutls_record_send2 (its
 * tail call through the PLT): then a probe on send2 sees both, and a probe
 * on send as well would only add a second trap to every write. */
static int send_reaches_send2(struct elf_image *img)
{
	struct reach reached = {};
	uint64_t vaddr, size, send2, send2_size;

	return !elf_image_func(img, "gnutls_record_send2", &send2, &send2_size) &&
	       !elf_image_func(img, "gnutls_record_send", &vaddr, &size) &&
	       !plan_reach(img, vaddr, size, 0, &reached) && reach_has(&reached, send2);
}

/* Writes on gnutls_record_send2 when send is proved to reach it and it
 * starts on an emulated instruction; 0, or -1 with the reason. */
static int plan_send2(struct elf_image *img, int via_send2, struct probe_plan *plan, char *why,
		      size_t whylen)
{
	struct probe_site site;

	if (!via_send2 || entry_site(img, "gnutls_record_send2", DATA_OUT, &site)) {
		snprintf(why, whylen, "gnutls_record_send is not proved to reach gnutls_record_send2");
		return -1;
	}
	if (site.cls != PROBE_EMULATED) {
		snprintf(why, whylen, "gnutls_record_send2 begins with `%s`, which the kernel "
			 "single-steps", site.insn.text);
		return -1;
	}
	snprintf(site.what, sizeof(site.what), "gnutls_record_send2, which gnutls_record_send "
		 "tail-calls");
	plan->planned[DATA_OUT] = 1;
	plan_add(plan, &site);
	/* the other exported write functions that do not go through it */
	plan_entries(img, write_fns + 2, DATA_OUT, NULL, plan);
	return 0;
}

static void explain_reads(struct elf_image *img, struct probe_plan *plan)
{
	struct probe_site site;

	if (entry_site(img, "gnutls_record_recv", DATA_IN, &site))
		snprintf(plan->why[DATA_IN], sizeof(plan->why[DATA_IN]), "no gnutls_record_recv");
	else
		snprintf(plan->why[DATA_IN], sizeof(plan->why[DATA_IN]), "gnutls_record_recv "
			 "begins with `%s` (%s); the internal function it tail-calls also reads "
			 "handshake records, which no site rule tells apart yet", site.insn.text,
			 x86_probe_class_name(site.cls));
}

static int plan(struct tls_lib *lib, struct elf_image *img, enum plan_mode mode, char *err,
		size_t errlen)
{
	struct probe_plan *p = &lib->plan;
	int via_send2 = send_reaches_send2(img);

	if (mode == PLAN_ENTRY) {
		snprintf(p->why[DATA_OUT], sizeof(p->why[DATA_OUT]), "as asked (--probes entry)");
		snprintf(p->why[DATA_IN], sizeof(p->why[DATA_IN]), "as asked (--probes entry)");
	}
	if (mode == PLAN_ENTRY ||
	    plan_send2(img, via_send2, p, p->why[DATA_OUT], sizeof(p->why[DATA_OUT])))
		plan_entries(img, write_fns, DATA_OUT, via_send2 ? "gnutls_record_send" : NULL, p);
	if (mode != PLAN_ENTRY)
		explain_reads(img, p);
	plan_entries(img, read_fns, DATA_IN, NULL, p);
	snprintf(p->coverage, sizeof(p->coverage), "not probed: gnutls_record_send_early_data, "
		 "gnutls_record_recv_early_data (0-RTT), gnutls_record_send_file, "
		 "gnutls_record_recv_packet");
	if (p->nsites)
		return 0;
	snprintf(err, errlen, "%s: defines none of %s, %s", lib->path, write_fns[0], read_fns[0]);
	return -1;
}

const struct tls_backend gnutls_backend = {
	.name = "gnutls",
	.lib_names = lib_names,
	.companions = companions,
	.classify = classify,
	.plan = plan,
};
