/* See guest_common.h. */
#include "guest_common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int guest_failures;
const char *guest_prefix = "";

void guest_check(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS: %s%s\n", guest_prefix, name);
	} else {
		printf("FAIL: %s%s: ", guest_prefix, name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		guest_failures++;
	}
	fflush(stdout);
}

int guest_io(struct blkfront_queue *q, uint8_t op, uint64_t sector, unsigned nsegs,
	     const struct bf_seg *segs, const uint32_t *grefs, void *data)
{
	struct blkfront_req *req = blkfront_req_get(q), *done;
	int rc;

	if (!req)
		return -EBUSY;
	req->op = op;
	req->sector = sector;
	req->nr_segments = (uint16_t)nsegs;
	if (nsegs)
		memcpy(req->seg, segs, nsegs * sizeof(*segs));
	if (grefs)
		memcpy(req->gref, grefs, nsegs * sizeof(*grefs));
	else if (op == BLKIF_OP_WRITE)
		bf_seg_copy_to_pages(req->page, segs, nsegs, data);
	rc = blkfront_req_submit(q, req);
	if (rc) {
		blkfront_req_put(q, req);
		return rc;
	}
	rc = blkfront_kick(q);
	if (rc == 0)
		rc = blkfront_complete(q, &done, 1, 10000);
	if (rc == 1) {
		rc = done->status;
		if (!grefs && op == BLKIF_OP_READ && rc == BLKIF_RSP_OKAY)
			bf_seg_copy_from_pages((const void *const *)done->page, segs, nsegs, data);
		blkfront_req_put(q, done);
	} else if (rc == 0) {
		rc = -ETIMEDOUT;
	}
	return rc;
}
