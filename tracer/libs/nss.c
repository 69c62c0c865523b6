/* NSS. The plaintext of an NSS connection passes NSPR's PR_Write, PR_Read,
 * PR_Send and PR_Recv (libnspr4.so) on the descriptor NSS's SSL layer tops;
 * each returns the byte count as PRInt32. The SSL layer's own functions
 * (ssl_Write …) are static in libssl3.so, which Debian ships without
 * .symtab: the sites are NSPR's exported functions, and the entry program
 * nss_entry (bpf/nss.bpf.c) starts a call only on an SSL-layered descriptor,
 * since the same functions serve plain sockets and files. */
#include <stdio.h>
#include <string.h>
#include "../elfsym.h"
#include "nss.h"

static const char *const lib_names[] = { "libnspr4.so", NULL };
static const char *const companions[] = { "libnss3.so", NULL };

static const struct {
	const char *name;
	enum data_dir dir;
} fns[] = {
	{ "PR_Write", DATA_OUT }, { "PR_Send", DATA_OUT },
	{ "PR_Read", DATA_IN },   { "PR_Recv", DATA_IN },
};

/* NSPR carries no NSS version: libnss3.so next to it does ("Version: NSS 3.87.1",
 * "Version: NSS 3.110": two numbers since 3.88). */
static int classify(struct tls_lib *lib, struct elf_image *img, char *err, size_t errlen)
{
	char nss_path[PATH_MAX];
	uint64_t vaddr, size;

	if (elf_image_func(img, "PR_Write", &vaddr, &size) ||
	    elf_image_func(img, "PR_Read", &vaddr, &size)) {
		snprintf(err, errlen, "%s: defines no PR_Write and PR_Read", lib->path);
		return -1;
	}
	sibling_path(lib->host_path, "libnspr4", "libnss3", nss_path, sizeof(nss_path));
	if (version_scan_file(nss_path, "NSS ", 1, lib->version, sizeof(lib->version)))
		lib->version[0] = '\0';
	return 0;
}

static int plan(struct tls_lib *lib, struct elf_image *img, enum plan_mode mode, char *err,
		size_t errlen)
{
	struct probe_plan *p = &lib->plan;

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		struct probe_site site;
		uint64_t vaddr, size;

		site_init_c(&site, fns[i].name, fns[i].dir, LEN_RET32, LOC_NONE);
		site.entry_prog = "nss_entry";
		if (elf_image_func(img, fns[i].name, &vaddr, &size) ||
		    plan_entry_site(img, vaddr, 1, &site))
			continue;
		snprintf(site.what, sizeof(site.what), "%s, exported; SSL-layered descriptors only",
			 fns[i].name);
		if (mode != PLAN_ENTRY && !p->why[fns[i].dir][0])
			snprintf(p->why[fns[i].dir], sizeof(p->why[0]), "%s begins with `%s` (%s); "
				 "the SSL layer's own functions are not exported", fns[i].name,
				 site.insn.text, x86_probe_class_name(site.cls));
		plan_add(p, &site);
	}
	if (mode == PLAN_ENTRY)
		for (int d = 0; d < 2; d++)
			snprintf(p->why[d], sizeof(p->why[d]), "as asked (--probes entry)");
	snprintf(p->coverage, sizeof(p->coverage), "captured only on descriptors topped by NSS's "
		 "SSL layer; not probed: PR_Writev, PR_TransmitFile, PR_SendFile");
	if (p->nsites)
		return 0;
	snprintf(err, errlen, "%s: defines none of PR_Write, PR_Send, PR_Read, PR_Recv", lib->path);
	return -1;
}

const struct tls_backend nss_backend = {
	.name = "nss",
	.lib_names = lib_names,
	.companions = companions,
	.classify = classify,
	.plan = plan,
};
