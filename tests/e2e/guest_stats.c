/*
 * A known workload for the statistics tests, run inside a simulated guest:
 *
 *   guest_stats DEVID
 *
 * exactly STATS_WRITES writes of 2 pages, STATS_READS reads of 1 page,
 * STATS_FLUSHES bare flushes, STATS_DISCARDS discards and STATS_BAD reads
 * past the end of the disk (refused: errors), one request at a time. The
 * test script compares memback's counters with these numbers.
 */
#include "blkfront.h"
#include "guest_common.h"

#include <stdio.h>
#include <string.h>

#include <xen/io/blkif.h>

#include "xs_util.h"

#define STATS_WRITES 100
#define STATS_READS 70
#define STATS_FLUSHES 10
#define STATS_DISCARDS 5
#define STATS_BAD 3

static struct blkfront *bf;

static void run(struct blkfront_queue *q, uint64_t disk_sectors)
{
	static uint8_t buf[2 * 4096];
	struct bf_seg segs[2] = { { 0, 7 }, { 0, 7 } };
	blkif_request_t r;
	blkif_response_t rsp;
	int bad = 0;

	memset(buf, 0x42, sizeof(buf));
	for (unsigned i = 0; i < STATS_WRITES; i++)
		bad += guest_io(q, BLKIF_OP_WRITE, 16 * i, 2, segs, NULL, buf) != 0;
	for (unsigned i = 0; i < STATS_READS; i++)
		bad += guest_io(q, BLKIF_OP_READ, 8 * i, 1, segs, NULL, buf) != 0;
	for (unsigned i = 0; i < STATS_FLUSHES; i++)
		bad += guest_io(q, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, NULL, NULL, NULL) != 0;
	for (unsigned i = 0; i < STATS_DISCARDS; i++) {
		memset(&r, 0, sizeof(r));
		r.operation = BLKIF_OP_DISCARD;
		blkif_request_discard_t *d = (blkif_request_discard_t *)&r;
		d->sector_number = 4096 + 8 * i;
		d->nr_sectors = 8;
		bad += blkfront_raw_request(q, &r, &rsp, 10000) != 0 || rsp.status != 0;
	}
	CHECK("known_workload_served", bad == 0, "%d requests failed", bad);
	bad = 0;
	for (unsigned i = 0; i < STATS_BAD; i++)
		bad += guest_io(q, BLKIF_OP_READ, disk_sectors, 1, segs, NULL, buf) ==
		       BLKIF_RSP_ERROR;
	CHECK("requests_past_the_end_refused", bad == STATS_BAD, "%d of %d refused", bad,
	      STATS_BAD);
}

int main(int argc, char **argv)
{
	struct blkfront_opts o = { .ring_order = -1, .timeout_ms = 10000 };
	uint64_t v;

	if (argc != 2 || parse_uint(argv[1], UINT32_MAX, &v)) {
		fprintf(stderr, "usage: guest_stats DEVID\n");
		return 2;
	}
	o.devid = (unsigned)v;
	int rc = blkfront_attach(&bf, &o);
	if (rc) {
		printf("FAIL: attach: %s\n", bf ? blkfront_error(bf) : strerror(-rc));
		return 1;
	}
	run(blkfront_queue(bf, 0), blkfront_info(bf)->sectors);
	blkfront_close(bf);
	blkfront_free(bf);
	return guest_failures ? 1 : 0;
}
