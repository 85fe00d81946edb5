/*
 * The guest side of the online-resize test: stays connected while dom0
 * resizes its disk, and checks I/O at one sector before and after.
 *
 *   guest_resize DEVID SECTOR NEW_SECTORS BEFORE AFTER READY_FILE
 *
 * Writes a page at SECTOR and reads it back, expecting BEFORE (ok|error);
 * creates READY_FILE; waits (10 s at most) until the backend's `sectors`
 * node reads NEW_SECTORS; the same I/O again, expecting AFTER.
 */
#include "blkfront.h"
#include "guest_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xs_util.h"

static struct blkfront *bf;
static struct blkfront_queue *q;
/* One page at sector through the library: the response status or -errno. */
static const struct bf_seg one_page = { 0, 7 };

static int do_io(uint8_t op, uint64_t sector, uint8_t *data)
{
	return guest_io(q, op, sector, 1, &one_page, NULL, data);
}

/* Write then read back one page: true if both succeeded with the data. */
static bool page_io_ok(uint64_t sector, unsigned seed)
{
	static uint8_t out[4096], in[4096];

	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + seed);
	if (do_io(BLKIF_OP_WRITE, sector, out) != BLKIF_RSP_OKAY)
		return false;
	memset(in, 0, sizeof(in));
	return do_io(BLKIF_OP_READ, sector, in) == BLKIF_RSP_OKAY &&
	       memcmp(in, out, sizeof(in)) == 0;
}

static bool wait_sectors(uint64_t want)
{
	char buf[32];

	for (int i = 0; i < 400; i++) {
		if (blkfront_read_backend_node(bf, "sectors", buf, sizeof(buf)) == 0 &&
		    strtoull(buf, NULL, 10) == want)
			return true;
		usleep(25000);
	}
	return false;
}

int main(int argc, char **argv)
{
	struct blkfront_opts o = { .ring_order = -1, .timeout_ms = 10000 };
	uint64_t devid, sector, want;
	char why[160];
	bool before, after;
	int rc, fd;

	if (argc != 7 || parse_uint(argv[1], UINT32_MAX, &devid) ||
	    parse_uint(argv[2], UINT64_MAX, &sector) || parse_uint(argv[3], UINT64_MAX, &want)) {
		fprintf(stderr, "usage: guest_resize DEVID SECTOR NEW_SECTORS ok|error ok|error READY\n");
		return 2;
	}
	before = !strcmp(argv[4], "ok");
	after = !strcmp(argv[5], "ok");
	o.devid = (unsigned)devid;
	rc = blkfront_attach(&bf, &o);
	if (rc) {
		printf("FAIL: attach: %s\n", bf ? blkfront_error(bf) : strerror(-rc));
		return 1;
	}
	q = blkfront_queue(bf, 0);
	snprintf(why, sizeof(why), "sector %s of %llu sectors: expected %s", argv[2],
		 (unsigned long long)blkfront_info(bf)->sectors, argv[4]);
	CHECK(before ? "io_inside_old_size_served" : "io_past_old_end_refused",
	      page_io_ok(sector, 1) == before, "%s", why);
	fd = open(argv[6], O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	CHECK("frontend_sees_new_sectors", wait_sectors(want), "backend sectors never changed");
	snprintf(why, sizeof(why), "sector %s of %s sectors: expected %s", argv[2], argv[3],
		 argv[5]);
	CHECK(after ? "io_inside_new_size_served" : "io_past_new_end_refused",
	      page_io_ok(sector, 2) == after, "%s", why);
	CHECK("device_still_serves", page_io_ok(0, 3), "I/O at sector 0 failed");
	blkfront_close(bf);
	blkfront_free(bf);
	return guest_failures ? 1 : 0;
}
