/* The binary `tlsprobe bench uprobes` puts its probes in (built as
 * build/uprobe-target, never installed). Each probe site is a function of
 * its own whose first instruction is the one measured; the bench finds them
 * by symbol and checks their bytes before it attaches (uprobes.c).
 *
 *   uprobe-target SITE MIN_MS   wait for a line on stdin, call SITE back to
 *                               back for at least MIN_MS ms, print one JSON line
 *   uprobe-target --idle        map this file and wait until stdin closes
 *
 * Every site takes a 16 KiB buffer in rdi (the programs that read user
 * memory read it) and returns with it untouched. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SITE_BUF_BYTES 16384
#define SCALE_STUBS 1000

/* One function per instruction; SITE(name, body). The body ends in ret. */
#define SITE(name, body)                                                                \
	__asm__(".text\n.p2align 4\n.globl " #name "\n.type " #name ",@function\n" #name \
		":\n" body "\n.size " #name ", .-" #name "\n")

SITE(site_nop, "nop\nret");
SITE(site_nop5, ".byte 0x0f, 0x1f, 0x44, 0x00, 0x00\nret"); /* nopl 0x0(%rax,%rax,1) */
SITE(site_push, "push %rbp\npop %rbp\nret");
SITE(site_endbr64, ".byte 0xf3, 0x0f, 0x1e, 0xfa\nret");
SITE(site_sub, "sub $0x18, %rsp\nadd $0x18, %rsp\nret");
SITE(site_mov, "mov %rdi, %rax\nret");
SITE(site_call, "call 1f\nret\n1: ret");
SITE(site_jmp, "jmp 1f\n1: ret");
SITE(site_jcc, "test %rdi, %rdi\n.globl site_jcc_jne\nsite_jcc_jne: jne 1f\n1: ret"); /* probed at the jne */
SITE(site_ret, "ret");
/* SCALE_STUBS functions of `nop; ret`, 16 bytes apart: the probes of the
 * scaling rows (the bench checks each stub's bytes before attaching). */
__asm__(".text\n.p2align 4\n.globl scale_stubs\n.type scale_stubs,@function\nscale_stubs:\n"
	".rept 1000\nnop\nret\n.p2align 4\n.endr\n.size scale_stubs, .-scale_stubs\n");

void site_nop(void *), site_nop5(void *), site_push(void *), site_endbr64(void *),
	site_sub(void *), site_mov(void *), site_call(void *), site_jmp(void *),
	site_jcc(void *), site_ret(void *), scale_stubs(void *);
extern const unsigned char site_jcc_jne[];

/* at: where its probe goes (the function's entry but for site_jcc) */
#define S(f) { #f, f, (const unsigned char *)f }
static const struct {
	const char *name;
	void (*fn)(void *);
	const unsigned char *at;
} sites[] = {
	S(site_nop), S(site_nop5), S(site_push), S(site_endbr64), S(site_sub), S(site_mov),
	S(site_call), S(site_jmp), { "site_jcc", site_jcc, site_jcc_jne }, S(site_ret),
	S(scale_stubs),
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The machine's speed in this run: ns for a fixed integer loop (the bench
 * keeps the rounds within FULL_SPEED_SLACK of the fastest, as for TLS). */
static double calibrate(void)
{
	volatile uint64_t x = 1;
	double t0 = now_ns();

	for (int i = 0; i < 2000000; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return now_ns() - t0;
}

/* Calls fn in batches until min_ms have passed: ns per call. */
static double time_calls(void (*volatile fn)(void *), void *buf, long min_ms, long *calls)
{
	double t0 = now_ns(), elapsed;
	long n = 0;

	do {
		for (int i = 0; i < 256; i++)
			fn(buf);
		n += 256;
		elapsed = now_ns() - t0;
	} while (elapsed < min_ms * 1e6);
	*calls = n;
	return elapsed / n;
}

static int idle(void)
{
	char c;

	while (read(0, &c, 1) > 0)
		;
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[SITE_BUF_BYTES];
	unsigned char bytes[5];
	char line[16];
	long calls;
	double calibration, ns;

	if (argc == 2 && !strcmp(argv[1], "--idle"))
		return idle();
	if (argc != 3) {
		fprintf(stderr, "usage: uprobe-target SITE MIN_MS | --idle\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(sites) / sizeof(sites[0]); i++) {
		if (strcmp(argv[1], sites[i].name))
			continue;
		if (!fgets(line, sizeof(line), stdin))
			return 3; /* the bench went away before the start */
		calibration = calibrate();
		ns = time_calls(sites[i].fn, buf, atol(argv[2]), &calls);
		/* the site's bytes now, as this process sees them: an int3, or the
		 * call an optimized uprobe rewrote a nop5 into */
		memcpy(bytes, sites[i].at, sizeof(bytes));
		printf("{\"site\":\"%s\",\"calls\":%ld,\"ns_per_call\":%.2f,\"calibration_ns\":%.0f,"
		       "\"bytes\":\"%02x%02x%02x%02x%02x\"}\n",
		       sites[i].name, calls, ns, calibration, bytes[0], bytes[1], bytes[2], bytes[3],
		       bytes[4]);
		return 0;
	}
	fprintf(stderr, "uprobe-target: no site %s\n", argv[1]);
	return 2;
}
