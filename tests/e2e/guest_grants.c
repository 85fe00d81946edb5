/*
 * The guest side of test_grants.sh's edge cases.
 *
 *   guest_grants nopersist DEVID  a frontend that does not offer
 *                                 feature-persistent: data still verifies
 *   guest_grants readonly DEVID   a grant given read-only, first used for a
 *                                 write (kept mapped read-only by a persistent
 *                                 backend), then for a read: an error, and
 *                                 the device keeps serving
 */
#include "blkfront.h"
#include "guest_common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xs_util.h"

static struct blkfront *bf;
static struct blkfront_queue *q;
/* One page at sector; gref 0 uses the slot's own page. The response
 * status, or a negative errno. */
static const struct bf_seg one_page = { 0, 7 };

static int do_io(uint8_t op, uint64_t sector, uint32_t gref, uint8_t *data)
{
	return guest_io(q, op, sector, 1, &one_page, gref ? &gref : NULL, data);
}

static bool page_roundtrip(uint64_t sector, unsigned seed)
{
	static uint8_t out[4096], in[4096];

	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 13 + seed);
	memset(in, 0, sizeof(in));
	return do_io(BLKIF_OP_WRITE, sector, 0, out) == BLKIF_RSP_OKAY &&
	       do_io(BLKIF_OP_READ, sector, 0, in) == BLKIF_RSP_OKAY &&
	       memcmp(in, out, sizeof(in)) == 0;
}

static void scenario_nopersist(void)
{
	bool ok = true;

	CHECK("backend_offers_persistent", blkfront_info(bf)->feature_persistent,
	      "no feature-persistent = 1 from the backend");
	for (unsigned i = 0; i < 64 && ok; i++)
		ok = page_roundtrip((uint64_t)i * 8, i);
	CHECK("data_verifies_without_persistent", ok, "a page did not read back");
}

static void scenario_readonly(void)
{
	uint32_t ref;
	uint8_t *ro = blkfront_share(bf, 1, false, &ref);

	if (!ro) {
		CHECK("share_read_only_page", false, "%s", blkfront_error(bf));
		return;
	}
	memset(ro, 0x5a, 4096);
	CHECK("write_from_read_only_grant_served",
	      do_io(BLKIF_OP_WRITE, 64, ref, NULL) == BLKIF_RSP_OKAY, "not served");
	CHECK("read_into_read_only_grant_refused",
	      do_io(BLKIF_OP_READ, 64, ref, NULL) == BLKIF_RSP_ERROR, "not an error");
	CHECK("read_only_page_untouched", ro[0] == 0x5a && ro[4095] == 0x5a,
	      "the backend wrote into a read-only grant");
	CHECK("write_from_read_only_grant_again",
	      do_io(BLKIF_OP_WRITE, 72, ref, NULL) == BLKIF_RSP_OKAY, "not served");
	CHECK("device_serves_after_refused_grant", page_roundtrip(128, 9), "I/O failed");
	/* The backend may hold the page mapped until we disconnect. */
}

int main(int argc, char **argv)
{
	/* Say 0 as Linux blkfront does: a node left by an earlier connection
	 * must not speak for us. */
	static const struct blkfront_override no_pers = { "feature-persistent", "0" };
	struct blkfront_opts o = { .ring_order = -1, .timeout_ms = 10000 };
	uint64_t v;
	int rc;

	if (argc != 3 || parse_uint(argv[2], UINT32_MAX, &v)) {
		fprintf(stderr, "usage: guest_grants nopersist|readonly DEVID\n");
		return 2;
	}
	o.devid = (unsigned)v;
	if (!strcmp(argv[1], "nopersist")) {
		o.no_persistent = true;
		o.overrides = &no_pers;
		o.nr_overrides = 1;
	}
	rc = blkfront_attach(&bf, &o);
	if (rc) {
		printf("FAIL: attach: %s\n", bf ? blkfront_error(bf) : strerror(-rc));
		return 1;
	}
	q = blkfront_queue(bf, 0);
	if (!strcmp(argv[1], "nopersist"))
		scenario_nopersist();
	else if (!strcmp(argv[1], "readonly"))
		scenario_readonly();
	else
		CHECK("scenario", false, "unknown scenario %s", argv[1]);
	blkfront_close(bf);
	blkfront_free(bf);
	return guest_failures ? 1 : 0;
}
