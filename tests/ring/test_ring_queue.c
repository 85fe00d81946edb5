/*
 * The queue against stub Xen libraries (xen_stub.c): a fake frontend fills
 * the ring in "guest" memory; passes are driven directly (deterministic),
 * and one test runs the real worker thread with kicks and notifications.
 */
#include "../../ring/queue_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "../unit.h"
#include "log.h"
#include "xen_stub.h"

#define DISK_SECTORS 2048u
#define DATA_GREF 16u /* first data page; page 0 is the ring */

static uint8_t disk[DISK_SECTORS * 512];
static int disk_fail; /* errno the next data op returns */
static unsigned flushes, discards;

/* The fake disk hands out runs that end at FAKE_CHUNK boundaries, as the
 * pool's chunks do, and reads of [hole_from, hole_to) as unwritten. */
#define FAKE_CHUNK 8192u
static uint64_t hole_from, hole_to;
static int pins_held;

static long d_get(void *ctx, uint64_t off, size_t len, bool for_write, void **ptr)
{
	size_t n = FAKE_CHUNK - off % FAKE_CHUNK;

	(void)ctx;
	if (disk_fail)
		return -disk_fail;
	if (n > len)
		n = len;
	if (!for_write && off >= hole_from && off < hole_to) {
		*ptr = NULL;
		return (long)n;
	}
	*ptr = disk + off;
	pins_held++;
	return (long)n;
}

static void d_put(void *ctx, uint64_t off)
{
	(void)ctx;
	(void)off;
	pins_held--;
}

static int d_flush(void *ctx)
{
	(void)ctx;
	flushes++;
	return 0;
}

static int d_discard(void *ctx, uint64_t off, uint64_t len)
{
	(void)ctx;
	discards++;
	memset(disk + off, 0, len);
	return 0;
}

static const struct ring_disk_ops ops = { d_get, d_put, d_flush, d_discard, NULL };

static unsigned fatal_calls;
static void on_fatal(void *ctx, unsigned index, const char *why)
{
	(void)ctx;
	(void)index;
	(void)why;
	fatal_calls++;
}

static blkif_front_ring_t fr;
static struct ring_queue *q;

static struct ring_queue_config config(void)
{
	return (struct ring_queue_config){
		.name = "vbd 5/51712", .frontend_domid = STUB_DOMID,
		.ring_refs = { 0 }, .remote_port = STUB_REMOTE_PORT,
		.abi = BLKIF_ABI_NATIVE, .sectors = DISK_SECTORS, .sector_size = 512,
		.discard = true, .max_indirect_segments = 64, .ops = &ops,
		.on_fatal = on_fatal,
	};
}

/* Fresh guest, disk and ring; opens q without a worker unless asked. */
static int setup_cfg(struct ring_queue_config cfg)
{
	blkif_sring_t *s;

	if (stub_init() != 0)
		return -1;
	s = (blkif_sring_t *)stub_mem;
	XEN_FRONT_RING_INIT(&fr, s, XEN_PAGE_BYTES);
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 7 + 3);
	disk_fail = 0;
	hole_from = hole_to = 0;
	pins_held = 0;
	flushes = discards = fatal_calls = 0;
	return ring_queue_open(&cfg, &q);
}

static int setup(void)
{
	return setup_cfg(config());
}

static void teardown(void)
{
	EXPECT_EQ(pins_held, 0); /* every get was put */
	ring_queue_close(q);
	q = NULL;
	stub_fini();
}

static uint8_t *gpage(uint32_t gref)
{
	return stub_mem + (size_t)gref * XEN_PAGE_BYTES;
}

static void push(const struct blkif_request *r)
{
	*RING_GET_REQUEST(&fr, fr.req_prod_pvt) = *r;
	fr.req_prod_pvt++;
	RING_PUSH_REQUESTS(&fr);
}

static struct blkif_response pop(void)
{
	struct blkif_response rsp = { .status = 99 };

	if (fr.rsp_cons != fr.sring->rsp_prod)
		RING_COPY_RESPONSE(&fr, fr.rsp_cons++, &rsp);
	return rsp;
}

/* nseg segments on pages DATA_GREF + page0.., segment i: sectors i%4..7. */
static struct blkif_request io(uint8_t op, uint64_t id, uint64_t sector,
			       unsigned nseg, uint32_t page0)
{
	struct blkif_request r = { .operation = op, .nr_segments = (uint8_t)nseg,
				   .id = id, .sector_number = sector };

	for (unsigned i = 0; i < nseg; i++)
		r.seg[i] = (struct blkif_request_segment){
			.gref = DATA_GREF + page0 + i, .first_sect = (uint8_t)(i % 4),
			.last_sect = 7 };
	return r;
}

static void fill(uint32_t gref, uint8_t seed)
{
	for (unsigned i = 0; i < XEN_PAGE_BYTES; i++)
		gpage(gref)[i] = (uint8_t)(seed + i * 13);
}

/* The guest bytes request r covers equal the disk from its sector on. */
static int same_as_disk(const struct blkif_request *r)
{
	const uint8_t *d = disk + r->sector_number * 512;

	for (unsigned i = 0; i < r->nr_segments; i++) {
		unsigned off = r->seg[i].first_sect * 512u;
		unsigned len = (r->seg[i].last_sect - r->seg[i].first_sect + 1u) * 512u;

		if (memcmp(gpage(r->seg[i].gref) + off, d, len) != 0)
			return 0;
		d += len;
	}
	return 1;
}

TEST(write_then_read_byte_exact)
{
	struct blkif_request w = io(BLKIF_OP_WRITE, 1, 100, 3, 0);
	struct blkif_request r = io(BLKIF_OP_READ, 2, 100, 3, 10);
	struct blkif_response rsp;

	EXPECT_EQ(setup(), 0);
	for (unsigned i = 0; i < 3; i++) {
		fill(DATA_GREF + i, (uint8_t)(i + 1));
		memset(gpage(DATA_GREF + 10 + i), 0xee, XEN_PAGE_BYTES);
	}
	push(&w);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	rsp = pop();
	EXPECT_EQ(rsp.id, 1);
	EXPECT_EQ(rsp.operation, BLKIF_OP_WRITE);
	EXPECT_EQ(rsp.status, BLKIF_RSP_OKAY);
	EXPECT(same_as_disk(&w));
	push(&r);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	EXPECT(same_as_disk(&r));
	/* Bytes before segment 1's first sector are not the guest's to get. */
	EXPECT_EQ(gpage(DATA_GREF + 11)[511], 0xee);
	struct ring_queue_stats st;
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.reqs_write, 1);
	EXPECT_EQ(st.reqs_read, 1);
	EXPECT_EQ(st.bytes_written, (8 + 7 + 6) * 512);
	EXPECT_EQ(st.errors, 0);
	teardown();
}

TEST(batch_one_grant_copy_one_notify)
{
	struct blkif_request w;

	EXPECT_EQ(setup(), 0);
	for (unsigned i = 0; i < 20; i++) {
		fill(DATA_GREF + i, (uint8_t)i);
		w = io(BLKIF_OP_WRITE, i, 8 * i, 1, i);
		push(&w);
	}
	EXPECT_EQ(ring_queue_serve_pass(q), 20);
	for (unsigned i = 0; i < 20; i++) {
		struct blkif_response rsp = pop();

		EXPECT_EQ(rsp.id, i);
		EXPECT_EQ(rsp.status, BLKIF_RSP_OKAY);
	}
	EXPECT_EQ(stub_copy_calls, 1);
	EXPECT_EQ(stub_notifies, 1);
	w = io(BLKIF_OP_WRITE, 19, 8 * 19, 1, 19);
	EXPECT(same_as_disk(&w));
	teardown();
}

TEST(notify_suppressed_until_rearmed)
{
	struct blkif_request r = io(BLKIF_OP_READ, 1, 0, 1, 0);
	int more;

	EXPECT_EQ(setup(), 0);
	push(&r);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(stub_notifies, 1); /* rsp_event was 1 */
	pop();
	/* The frontend does not re-arm rsp_event: it is polling. */
	push(&r);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(stub_notifies, 1);
	pop();
	RING_FINAL_CHECK_FOR_RESPONSES(&fr, more);
	EXPECT(!more);
	push(&r);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(stub_notifies, 2);
	teardown();
}

TEST(bad_requests_get_errors_ring_goes_on)
{
	struct blkif_request bad[5] = {
		io(BLKIF_OP_READ, 10, 0, 0, 0),             /* no segments */
		io(BLKIF_OP_WRITE, 11, DISK_SECTORS - 1, 1, 0), /* past the end */
		io(BLKIF_OP_RESERVED_1, 12, 0, 1, 0),       /* unknown op */
		io(BLKIF_OP_READ, 13, 0, 2, 0),
		io(BLKIF_OP_READ, 14, 0, 1, 0),             /* fine */
	};
	const int16_t want[5] = { BLKIF_RSP_ERROR, BLKIF_RSP_ERROR, BLKIF_RSP_EOPNOTSUPP,
				  BLKIF_RSP_ERROR, BLKIF_RSP_OKAY };

	EXPECT_EQ(setup(), 0);
	bad[3].seg[1].last_sect = 8;
	for (unsigned i = 0; i < 5; i++)
		push(&bad[i]);
	EXPECT_EQ(ring_queue_serve_pass(q), 5);
	for (unsigned i = 0; i < 5; i++) {
		struct blkif_response rsp = pop();

		EXPECT_EQ(rsp.id, 10 + i);
		EXPECT_EQ(rsp.operation, bad[i].operation);
		EXPECT_EQ(rsp.status, want[i]);
	}
	struct ring_queue_stats st;
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.errors, 4);
	teardown();
}

TEST(failed_grant_copy_fails_request)
{
	struct blkif_request w = io(BLKIF_OP_WRITE, 1, 0, 3, 0);
	struct blkif_request r = io(BLKIF_OP_READ, 2, 8, 1, 5);
	struct blkif_request ok = io(BLKIF_OP_WRITE, 3, 64, 1, 6);
	uint8_t before[3 * 4096];

	EXPECT_EQ(setup(), 0);
	memcpy(before, disk, sizeof(before));
	stub_gref_bad[DATA_GREF + 2] = true; /* write: third segment revoked */
	stub_gref_ro[DATA_GREF + 5] = true;  /* read into a read-only grant */
	fill(DATA_GREF + 6, 9);
	push(&w);
	push(&r);
	push(&ok);
	EXPECT_EQ(ring_queue_serve_pass(q), 3);
	EXPECT_EQ(pop().status, BLKIF_RSP_ERROR);
	EXPECT_EQ(pop().status, BLKIF_RSP_ERROR);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	/* The failed write fails alone: its own sectors may hold some of
	 * its data (as a failed write on any disk), nothing else moved. */
	EXPECT(memcmp(before + 21 * 512, disk + 21 * 512, sizeof(before) - 21 * 512) == 0);
	EXPECT(same_as_disk(&ok));
	teardown();
}

TEST(disk_error_gives_rsp_error)
{
	struct blkif_request w = io(BLKIF_OP_WRITE, 1, 0, 1, 0);

	EXPECT_EQ(setup(), 0);
	disk_fail = ENOSPC;
	push(&w);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(pop().status, BLKIF_RSP_ERROR);
	teardown();
}

TEST(flush_barrier_discard)
{
	struct blkif_request f = { .operation = BLKIF_OP_FLUSH_DISKCACHE, .id = 1 };
	struct blkif_request b = io(BLKIF_OP_WRITE_BARRIER, 2, 16, 1, 0);
	struct blkif_request d = { .operation = BLKIF_OP_DISCARD };
	struct blkif_request_discard *dd = (struct blkif_request_discard *)&d;

	EXPECT_EQ(setup(), 0);
	dd->id = 3;
	dd->sector_number = 16;
	dd->nr_sectors = 8;
	fill(DATA_GREF, 1);
	push(&f);
	push(&b);
	EXPECT_EQ(ring_queue_serve_pass(q), 2);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	EXPECT_EQ(flushes, 2);
	EXPECT(same_as_disk(&b));
	push(&d);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	EXPECT_EQ(discards, 1);
	EXPECT_EQ(disk[16 * 512 + 100], 0);
	teardown();
}

TEST(producer_overflow_is_fatal)
{
	EXPECT_EQ(setup(), 0);
	fr.sring->req_prod = 33; /* 33 requests on a 32-slot ring */
	EXPECT_EQ(ring_queue_serve_pass(q), -EPROTO);
	EXPECT_EQ(fatal_calls, 1);
	EXPECT_EQ(ring_queue_serve_pass(q), -EPROTO);
	EXPECT_EQ(fatal_calls, 1);
	EXPECT_EQ(fr.sring->rsp_prod, 0);
	teardown();
}

static void put_indirect(struct blkif_request *req, uint64_t id, uint8_t op,
			 uint64_t sector, unsigned nseg, uint32_t desc_gref,
			 uint32_t page0)
{
	struct blkif_request_indirect *ind = (struct blkif_request_indirect *)req;
	struct blkif_request_segment *segs = (void *)gpage(desc_gref);

	memset(req, 0, sizeof(*req));
	ind->operation = BLKIF_OP_INDIRECT;
	ind->indirect_op = op;
	ind->nr_segments = (uint16_t)nseg;
	ind->id = id;
	ind->sector_number = sector;
	ind->indirect_grefs[0] = desc_gref;
	for (unsigned i = 0; i < nseg; i++)
		segs[i] = (struct blkif_request_segment){ .gref = page0 + i, .last_sect = 7 };
}

TEST(indirect_write_read)
{
	struct blkif_request req;

	EXPECT_EQ(setup(), 0);
	for (unsigned i = 0; i < 40; i++)
		fill(DATA_GREF + i, (uint8_t)(i * 3));
	put_indirect(&req, 7, BLKIF_OP_WRITE, 256, 40, 1, DATA_GREF);
	push(&req);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	struct blkif_response rsp = pop();
	EXPECT_EQ(rsp.status, BLKIF_RSP_OKAY);
	EXPECT_EQ(rsp.operation, BLKIF_OP_WRITE);
	for (unsigned i = 0; i < 40; i++)
		EXPECT(memcmp(disk + (256 + 8 * i) * 512, gpage(DATA_GREF + i), 4096) == 0);
	put_indirect(&req, 8, BLKIF_OP_READ, 256, 40, 2, DATA_GREF + 100);
	push(&req);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	EXPECT(memcmp(gpage(DATA_GREF + 100), gpage(DATA_GREF), 40 * 4096) == 0);
	teardown();
}

TEST(indirect_bad_descriptors)
{
	struct blkif_request req;
	struct blkif_request_segment *segs;

	EXPECT_EQ(setup(), 0);
	put_indirect(&req, 1, BLKIF_OP_READ, 0, 4, 1, DATA_GREF);
	segs = (void *)gpage(1);
	segs[3].last_sect = 9;
	push(&req);
	put_indirect(&req, 2, BLKIF_OP_READ, 0, 4, 3, DATA_GREF);
	stub_gref_bad[3] = true; /* descriptor page not granted */
	push(&req);
	put_indirect(&req, 3, BLKIF_OP_READ, 0, 65, 4, DATA_GREF); /* > advertised */
	push(&req);
	EXPECT_EQ(ring_queue_serve_pass(q), 3);
	EXPECT_EQ(pop().status, BLKIF_RSP_ERROR);
	EXPECT_EQ(pop().status, BLKIF_RSP_ERROR);
	EXPECT_EQ(pop().status, BLKIF_RSP_ERROR);
	teardown();
}

/* A pass takes every request the ring holds: 30 queued 11-segment writes
 * are one pass, one grant-copy call and one notification. */
TEST(full_pass_takes_the_whole_ring)
{
	struct blkif_request w;
	struct ring_queue_stats st;

	EXPECT_EQ(setup(), 0);
	for (unsigned i = 0; i < 11; i++)
		fill(DATA_GREF + i, (uint8_t)(i * 3));
	for (unsigned i = 0; i < 30; i++) {
		w = io(BLKIF_OP_WRITE, i, 64 * i, 11, 0);
		push(&w);
	}
	EXPECT_EQ(ring_queue_serve_pass(q), 30);
	for (unsigned i = 0; i < 30; i++)
		EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	EXPECT_EQ(stub_copy_calls, 1);
	EXPECT_EQ(stub_notifies, 1);
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.passes, 1);
	w = io(BLKIF_OP_WRITE, 29, 64 * 29, 11, 0);
	EXPECT(same_as_disk(&w));
	teardown();
}

/* All descriptor pages of a pass come in one call, the data in another. */
TEST(indirect_descriptors_in_one_call)
{
	struct blkif_request req;

	EXPECT_EQ(setup(), 0);
	for (unsigned i = 0; i < 3; i++) {
		put_indirect(&req, i, BLKIF_OP_READ, 64 * i, 20, 1 + i, DATA_GREF + 20 * i);
		push(&req);
	}
	EXPECT_EQ(ring_queue_serve_pass(q), 3);
	for (unsigned i = 0; i < 3; i++)
		EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	EXPECT_EQ(stub_copy_calls, 2);
	EXPECT(memcmp(gpage(DATA_GREF + 40), disk + 128 * 512, 20 * 4096) == 0);
	teardown();
}

/* An unwritten range reads as zeros (from the zero page), the written
 * range beside it as the disk, across a run boundary. */
TEST(unwritten_range_reads_zeros)
{
	struct blkif_request r = io(BLKIF_OP_READ, 1, 10, 3, 0);
	uint8_t want[3 * 4096];
	unsigned len = 0;

	EXPECT_EQ(setup(), 0);
	hole_from = 0;
	hole_to = FAKE_CHUNK; /* sectors 0..15 */
	for (unsigned i = 0; i < 3; i++)
		memset(gpage(DATA_GREF + i), 0xee, XEN_PAGE_BYTES);
	for (unsigned i = 0; i < 3; i++)
		len += (8u - i % 4) * 512;
	memcpy(want, disk + 10 * 512, len);
	memset(want, 0, (16 - 10) * 512);
	push(&r);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	unsigned done = 0;
	for (unsigned i = 0; i < 3; i++) {
		unsigned off = r.seg[i].first_sect * 512u;
		unsigned n = (8u - r.seg[i].first_sect) * 512u;

		EXPECT(memcmp(gpage(DATA_GREF + i) + off, want + done, n) == 0);
		done += n;
	}
	teardown();
}

/* A page-sized segment at an odd sector crosses a local page: two
 * entries, each within its page, the bytes exact. */
TEST(unaligned_sector_splits_at_local_pages)
{
	struct blkif_request w = { .operation = BLKIF_OP_WRITE, .nr_segments = 1,
				   .id = 1, .sector_number = 1 };
	struct ring_queue_stats st;

	w.seg[0] = (struct blkif_request_segment){ .gref = DATA_GREF, .last_sect = 7 };
	EXPECT_EQ(setup(), 0);
	fill(DATA_GREF, 5);
	push(&w);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	EXPECT(same_as_disk(&w));
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.grant_copy_ops, 2);
	teardown();
}

/* Requests see the disk as the ones before them in the ring left it: a
 * discard between a write and a read of the same range is done between
 * them, and a write after a discard survives it. */
TEST(discard_is_an_ordering_point)
{
	struct blkif_request w1 = io(BLKIF_OP_WRITE, 1, 32, 1, 0);
	struct blkif_request d = { .operation = BLKIF_OP_DISCARD };
	struct blkif_request_discard *dd = (struct blkif_request_discard *)&d;
	struct blkif_request r1 = io(BLKIF_OP_READ, 3, 32, 1, 10);
	struct blkif_request w2 = io(BLKIF_OP_WRITE, 4, 32, 1, 1);
	struct blkif_request r2 = io(BLKIF_OP_READ, 5, 32, 1, 11);

	EXPECT_EQ(setup(), 0);
	dd->id = 2;
	dd->sector_number = 32;
	dd->nr_sectors = 8;
	fill(DATA_GREF, 1);
	fill(DATA_GREF + 1, 2);
	push(&w1);
	push(&d);
	push(&r1);
	push(&w2);
	push(&r2);
	EXPECT_EQ(ring_queue_serve_pass(q), 5);
	for (unsigned i = 0; i < 5; i++)
		EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	for (unsigned i = 0; i < 4096; i++)
		if (gpage(DATA_GREF + 10)[i] != 0)
			EXPECT(!"read after the discard saw data");
	EXPECT(memcmp(gpage(DATA_GREF + 11), gpage(DATA_GREF + 1), 4096) == 0);
	EXPECT(same_as_disk(&w2));
	teardown();
}

TEST(map_mode_byte_exact)
{
	struct ring_queue_config cfg = config();
	struct blkif_request w = io(BLKIF_OP_WRITE, 1, 40, 5, 0);
	struct blkif_request r = io(BLKIF_OP_READ, 2, 40, 5, 20);
	struct ring_queue_stats st;

	cfg.grant_mode = GRANT_MODE_MAP;
	EXPECT_EQ(setup_cfg(cfg), 0);
	for (unsigned i = 0; i < 5; i++)
		fill(DATA_GREF + i, (uint8_t)(40 + i));
	push(&w);
	push(&r);
	EXPECT_EQ(ring_queue_serve_pass(q), 2);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	EXPECT(same_as_disk(&w));
	EXPECT(same_as_disk(&r));
	ring_queue_get_stats(q, &st);
	EXPECT_EQ(st.grant_maps, 2);
	EXPECT_EQ(st.grant_unmaps, 2);
	EXPECT_EQ(st.grant_copies, 0);
	EXPECT_EQ(stub_maps_live, 1); /* only the ring */
	stub_gref_ro[DATA_GREF + 22] = true;
	push(&r);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(pop().status, BLKIF_RSP_ERROR);
	teardown();
}

TEST(x86_32_ring)
{
	struct ring_queue_config cfg = config();
	blkif_x86_32_front_ring_t f32;
	union blkif_x86_32_request *req;
	struct blkif_x86_32_response rsp;

	cfg.abi = BLKIF_ABI_X86_32;
	EXPECT_EQ(setup_cfg(cfg), 0);
	FRONT_RING_INIT(&f32, (blkif_x86_32_sring_t *)stub_mem, XEN_PAGE_BYTES);
	for (unsigned i = 0; i < 2; i++) {
		req = RING_GET_REQUEST(&f32, f32.req_prod_pvt++);
		memset(req, 0, sizeof(*req));
		req->rw.operation = BLKIF_OP_WRITE;
		req->rw.nr_segments = 1;
		req->rw.id = 0x100000000ull + i;
		req->rw.sector_number = 8 * i;
		req->rw.seg[0] = (struct blkif_request_segment){ .gref = DATA_GREF + i,
								 .last_sect = 7 };
		fill(DATA_GREF + i, (uint8_t)(i + 77));
	}
	RING_PUSH_REQUESTS(&f32);
	EXPECT_EQ(ring_queue_serve_pass(q), 2);
	RING_COPY_RESPONSE(&f32, 1, &rsp);
	EXPECT_EQ(rsp.id, 0x100000001ull);
	EXPECT_EQ(rsp.status, BLKIF_RSP_OKAY);
	EXPECT(memcmp(disk + 8 * 512, gpage(DATA_GREF + 1), 4096) == 0);
	teardown();
}

TEST(resize_seen_by_next_request)
{
	struct blkif_request r = io(BLKIF_OP_READ, 1, 1000, 1, 0);

	EXPECT_EQ(setup(), 0);
	ring_queue_set_sectors(q, 1000);
	push(&r);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(pop().status, BLKIF_RSP_ERROR);
	ring_queue_set_sectors(q, DISK_SECTORS);
	push(&r);
	EXPECT_EQ(ring_queue_serve_pass(q), 1);
	EXPECT_EQ(pop().status, BLKIF_RSP_OKAY);
	teardown();
}

TEST(start_rejects_bad_config)
{
	struct ring_queue_config cfg = config();
	struct ring_queue *bad = NULL;

	EXPECT_EQ(stub_init(), 0);
	cfg.sector_size = 1000;
	EXPECT_EQ(ring_queue_start(&cfg, &bad), -EINVAL);
	cfg = config();
	cfg.ring_order = RING_MAX_ORDER + 1;
	EXPECT_EQ(ring_queue_start(&cfg, &bad), -EINVAL);
	cfg = config();
	cfg.remote_port = 1; /* bind fails: everything undone */
	EXPECT(ring_queue_start(&cfg, &bad) < 0);
	EXPECT_EQ(stub_maps_live, 0);
	EXPECT_EQ(stub_bound, 0);
	stub_fini();
}

/* Wait for a response the way blkfront does: FINAL_CHECK, then sleep. */
static int wait_response(struct blkif_response *rsp)
{
	for (int tries = 0; tries < 100; tries++) {
		int more;

		RING_FINAL_CHECK_FOR_RESPONSES(&fr, more);
		if (more) {
			*rsp = pop();
			return 0;
		}
		stub_wait_notify(100);
	}
	return -1;
}

TEST(worker_thread_kicks_and_stop)
{
	struct ring_queue_config cfg = config();
	struct blkif_response rsp;
	struct ring_queue *wq;
	int notify;

	cfg.poll_us = 0;
	EXPECT_EQ(stub_init(), 0);
	XEN_FRONT_RING_INIT(&fr, (blkif_sring_t *)stub_mem, XEN_PAGE_BYTES);
	EXPECT_EQ(ring_queue_start(&cfg, &wq), 0);
	for (unsigned i = 0; i < 50; i++) {
		struct blkif_request w = io(i % 2 ? BLKIF_OP_READ : BLKIF_OP_WRITE, i,
					    8 * (i / 2), 1, i / 2);

		if (i % 2 == 0)
			fill(DATA_GREF + i / 2, (uint8_t)i);
		*RING_GET_REQUEST(&fr, fr.req_prod_pvt) = w;
		fr.req_prod_pvt++;
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
		if (notify)
			stub_kick();
		EXPECT_EQ(wait_response(&rsp), 0);
		EXPECT_EQ(rsp.id, i);
		EXPECT_EQ(rsp.status, BLKIF_RSP_OKAY);
	}
	/* Idle, the worker sleeps with req_event re-armed past what it took. */
	for (int t = 0; t < 500 && fr.sring->req_event != fr.req_prod_pvt + 1; t++)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	EXPECT_EQ(fr.sring->req_event, fr.req_prod_pvt + 1);
	ring_queue_stop(wq);
	EXPECT_EQ(stub_maps_live, 0);
	EXPECT_EQ(stub_bound, 0);
	stub_fini();
}

/* A paused worker takes nothing off the ring (resize relies on it); the
 * kick that came meanwhile is kept, so resume serves the request. */
TEST(pause_holds_requests_resume_serves_them)
{
	struct ring_queue_config cfg = config();
	struct blkif_response rsp;
	struct ring_queue *wq;
	int notify, more;

	cfg.poll_us = 0;
	EXPECT_EQ(stub_init(), 0);
	XEN_FRONT_RING_INIT(&fr, (blkif_sring_t *)stub_mem, XEN_PAGE_BYTES);
	EXPECT_EQ(ring_queue_start(&cfg, &wq), 0);
	ring_queue_pause(wq);
	fill(DATA_GREF, 0x42);
	*RING_GET_REQUEST(&fr, fr.req_prod_pvt) = io(BLKIF_OP_WRITE, 7, 0, 1, 0);
	fr.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&fr, notify);
	if (notify)
		stub_kick();
	nanosleep(&(struct timespec){ .tv_nsec = 200000000 }, NULL);
	RING_FINAL_CHECK_FOR_RESPONSES(&fr, more);
	EXPECT(!more);
	EXPECT_EQ(fr.sring->req_prod - fr.sring->rsp_prod, 1);
	ring_queue_resume(wq);
	EXPECT_EQ(wait_response(&rsp), 0);
	EXPECT_EQ(rsp.id, 7);
	EXPECT_EQ(rsp.status, BLKIF_RSP_OKAY);
	ring_queue_stop(wq);
	EXPECT_EQ(stub_maps_live, 0);
	stub_fini();
}

int main(void)
{
	log_set_level(LOG_ERR);
	RUN(write_then_read_byte_exact);
	RUN(batch_one_grant_copy_one_notify);
	RUN(notify_suppressed_until_rearmed);
	RUN(bad_requests_get_errors_ring_goes_on);
	RUN(failed_grant_copy_fails_request);
	RUN(disk_error_gives_rsp_error);
	RUN(flush_barrier_discard);
	RUN(producer_overflow_is_fatal);
	RUN(indirect_write_read);
	RUN(indirect_bad_descriptors);
	RUN(full_pass_takes_the_whole_ring);
	RUN(indirect_descriptors_in_one_call);
	RUN(unwritten_range_reads_zeros);
	RUN(unaligned_sector_splits_at_local_pages);
	RUN(discard_is_an_ordering_point);
	RUN(map_mode_byte_exact);
	RUN(x86_32_ring);
	RUN(resize_seen_by_next_request);
	RUN(start_rejects_bad_config);
	RUN(worker_thread_kicks_and_stop);
	RUN(pause_holds_requests_resume_serves_them);
	return UNIT_RESULT();
}
