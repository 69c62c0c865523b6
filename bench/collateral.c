#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include "collateral.h"
#include "stats.h"

#define REPEATS_MAX 64

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int collateral_measure(long n, int repeats, struct collateral *out)
{
	double writes[REPEATS_MAX], getppids[REPEATS_MAX];
	char buf[64] = { 0 };
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || n <= 0)
		return -1;
	if (repeats > REPEATS_MAX)
		repeats = REPEATS_MAX;
	for (int r = 0; r < repeats; r++) {
		double t0 = now_ns();

		for (long i = 0; i < n; i++)
			if (write(fd, buf, sizeof(buf)) < 0)
				break;
		writes[r] = (now_ns() - t0) / n;
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			getppid();
		getppids[r] = (now_ns() - t0) / n;
	}
	close(fd);
	out->write_ns = stats_median(writes, repeats);
	out->getppid_ns = stats_median(getppids, repeats);
	return 0;
}
