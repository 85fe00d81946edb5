/*
 * The guest side of the end-to-end tests: runs inside a simulated guest
 * (XENSIM_DOMID, XENSTORED_PATH), attaches to one device with the userspace
 * blkfront and runs one scenario against memback, printing PASS/FAIL lines.
 *
 *   guest_io shapes DEVID        every request shape, written and read back
 *   guest_io invalid DEVID       each validation rule; the device keeps serving
 *   guest_io readonly DEVID      writes and discards refused, reads served
 *   guest_io overflow DEVID      a lying producer index closes the device
 *   guest_io fill DEVID SEED     write the whole disk
 *   guest_io check DEVID SEED    read the whole disk back against fill
 *   guest_io zero DEVID          the whole disk reads as zeros
 *   guest_io enospc DEVID        writes run out of pool memory: errors, no crash
 *   guest_io discard DEVID       discarded ranges read back as zeros
 *   guest_io sparse DEVID SEED   a sector per 64 KiB; the rest reads zero
 *   guest_io barrier DEVID       barriers order the writes around them
 *   guest_io sector4k DEVID      a 16 MiB disk with sector-size=4096
 *   guest_io cdrom DEVID         a CD-ROM: info flags, writes refused
 *   guest_io boundaries DEVID    every shape across pool-chunk and page
 *                                boundaries (4 KiB-aligned on a 4K disk),
 *                                read back; unwritten ranges read zero
 */
#include "blkfront.h"
#include "guest_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>

#include "pattern.h"
#include "xs_util.h"

static struct blkfront *bf;
static struct blkfront_queue *q;
/* A request through the library; data is the flat buffer of the
 * request's sectors. Returns the response status or a negative errno. */
static int do_io(uint8_t op, uint64_t sector, unsigned nsegs, const struct bf_seg *segs,
		 void *data)
{
	return guest_io(q, op, sector, nsegs, segs, NULL, data);
}

/* Whole pages: nsegs x 8 sectors. */
static void full_pages(struct bf_seg *segs, unsigned nsegs)
{
	for (unsigned i = 0; i < nsegs; i++)
		segs[i] = (struct bf_seg){ 0, 7 };
}

static void fill_random(uint8_t *buf, size_t len, uint64_t seed)
{
	struct pat_rng r;
	pat_rng_seed(&r, seed);
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = pat_rng_next(&r);
		memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
	}
}

static void scenario_shapes(void)
{
	static uint8_t wbuf[11 * 4096], rbuf[11 * 4096];
	char name[64];
	uint64_t sector = 1000;

	for (unsigned n = 1; n <= BLKIF_MAX_SEGMENTS_PER_REQUEST; n++) {
		struct bf_seg segs[BLKIF_MAX_SEGMENTS_PER_REQUEST], plain[BLKIF_MAX_SEGMENTS_PER_REQUEST];
		for (unsigned i = 0; i < n; i++) {
			uint8_t first = (uint8_t)((i * 3 + n) % 8);
			segs[i] = (struct bf_seg){ first, (uint8_t)(first + (i + n) % (8 - first)) };
		}
		uint64_t nsect = bf_seg_sectors(segs, n);
		size_t len = nsect * 512;
		fill_random(wbuf, len, n);
		int st = do_io(BLKIF_OP_WRITE, sector, n, segs, wbuf);
		memset(rbuf, 0xaa, sizeof(rbuf));
		int st2 = do_io(BLKIF_OP_READ, sector, n, segs, rbuf);
		snprintf(name, sizeof(name), "shape_%u_segments_same_shape", n);
		CHECK(name, st == 0 && st2 == 0 && memcmp(wbuf, rbuf, len) == 0,
		      "write %d read %d, %llu sectors differ", st, st2, (unsigned long long)nsect);
		/* The same sectors read with another shape: data is by sector. */
		int np = bf_seg_layout(0, len, plain, BLKIF_MAX_SEGMENTS_PER_REQUEST);
		memset(rbuf, 0x55, sizeof(rbuf));
		st2 = np > 0 ? do_io(BLKIF_OP_READ, sector, (unsigned)np, plain, rbuf) : np;
		snprintf(name, sizeof(name), "shape_%u_segments_other_shape", n);
		CHECK(name, st2 == 0 && memcmp(wbuf, rbuf, len) == 0, "read %d", st2);
		sector += nsect + 3;
	}
	int st = do_io(BLKIF_OP_FLUSH_DISKCACHE, 0, 0, NULL, NULL);
	CHECK("flush_without_data", st == BLKIF_RSP_OKAY, "status %d", st);
}

/* A raw request with defaults that are valid; tweak, send, expect. */
static blkif_request_t valid_raw(uint8_t op, unsigned nsegs)
{
	blkif_request_t r;
	memset(&r, 0, sizeof(r));
	r.operation = op;
	r.nr_segments = (uint8_t)nsegs;
	r.id = 0x1234;
	r.sector_number = 8;
	for (unsigned i = 0; i < nsegs; i++) {
		r.seg[i].gref = blkfront_data_gref(q, i);
		r.seg[i].first_sect = 0;
		r.seg[i].last_sect = 7;
	}
	return r;
}

static void expect_raw(const char *name, blkif_request_t *r, int want)
{
	blkif_response_t rsp;
	static uint64_t id = 100;

	r->id = ++id;
	int rc = blkfront_raw_request(q, r, &rsp, 10000);
	CHECK(name, rc == 0 && rsp.id == id && rsp.status == want,
	      "rc %d id %llu status %d, wanted %d", rc, (unsigned long long)rsp.id,
	      rsp.status, want);
}

static void still_serving(const char *name)
{
	blkif_request_t r = valid_raw(BLKIF_OP_READ, 1);
	expect_raw(name, &r, BLKIF_RSP_OKAY);
}

static void scenario_invalid(void)
{
	const struct blkfront_info *inf = blkfront_info(bf);
	blkif_request_t r;

	r = valid_raw(BLKIF_OP_READ, 0);
	expect_raw("read_with_no_segment_refused", &r, BLKIF_RSP_ERROR);
	r = valid_raw(BLKIF_OP_WRITE, 11);
	r.nr_segments = 12;
	expect_raw("twelve_segments_refused", &r, BLKIF_RSP_ERROR);
	r = valid_raw(BLKIF_OP_READ, 2);
	r.seg[1].first_sect = 5;
	r.seg[1].last_sect = 4;
	expect_raw("first_sect_after_last_sect_refused", &r, BLKIF_RSP_ERROR);
	r = valid_raw(BLKIF_OP_READ, 1);
	r.seg[0].last_sect = 8;
	expect_raw("last_sect_past_page_refused", &r, BLKIF_RSP_ERROR);
	r = valid_raw(BLKIF_OP_READ, 1);
	r.sector_number = inf->sectors - 7;
	expect_raw("range_past_disk_end_refused", &r, BLKIF_RSP_ERROR);
	r = valid_raw(BLKIF_OP_READ, 1);
	r.sector_number = inf->sectors - 8;
	expect_raw("range_ending_at_disk_end_served", &r, BLKIF_RSP_OKAY);
	r = valid_raw(BLKIF_OP_WRITE, 1);
	r.sector_number = UINT64_MAX - 3;
	expect_raw("wrapping_sector_refused", &r, BLKIF_RSP_ERROR);
	r = valid_raw(200, 1);
	expect_raw("unknown_operation_not_supported", &r, BLKIF_RSP_EOPNOTSUPP);
	r = valid_raw(BLKIF_OP_READ, 1);
	r.seg[0].gref = 0x7ffff0;
	expect_raw("bad_grant_ref_is_an_error", &r, BLKIF_RSP_ERROR);
	uint32_t ro_ref;
	void *ro = blkfront_share(bf, 1, false, &ro_ref);
	if (ro) {
		r = valid_raw(BLKIF_OP_READ, 1);
		r.seg[0].gref = ro_ref;
		expect_raw("read_into_read_only_grant_is_an_error", &r, BLKIF_RSP_ERROR);
		r = valid_raw(BLKIF_OP_WRITE, 1);
		r.seg[0].gref = ro_ref;
		expect_raw("write_from_read_only_grant_served", &r, BLKIF_RSP_OKAY);
		blkfront_unshare(bf, ro, 1);
	}
	r = valid_raw(BLKIF_OP_DISCARD, 0);
	{
		blkif_request_discard_t *d = (blkif_request_discard_t *)&r;
		d->sector_number = inf->sectors;
		d->nr_sectors = 8;
	}
	expect_raw("discard_past_disk_end_refused", &r,
		   inf->feature_discard ? BLKIF_RSP_ERROR : BLKIF_RSP_EOPNOTSUPP);
	still_serving("device_still_serves_after_bad_requests");
}

static void scenario_readonly(void)
{
	blkif_request_t r = valid_raw(BLKIF_OP_WRITE, 1);
	CHECK("readonly_advertised", blkfront_info(bf)->readonly, "info %u",
	      blkfront_info(bf)->info);
	expect_raw("write_on_readonly_refused", &r, BLKIF_RSP_ERROR);
	r = valid_raw(BLKIF_OP_DISCARD, 0);
	((blkif_request_discard_t *)&r)->nr_sectors = 8;
	blkif_response_t rsp;
	int rc = blkfront_raw_request(q, &r, &rsp, 10000);
	CHECK("discard_on_readonly_refused", rc == 0 && rsp.status != BLKIF_RSP_OKAY,
	      "rc %d status %d", rc, rsp.status);
	still_serving("readonly_device_serves_reads");
}

static void scenario_overflow(void)
{
	blkif_front_ring_t *ring = blkfront_raw_ring(q);
	char err[256];

	/* A producer more than a ring ahead of the backend's consumer. */
	ring->sring->req_prod = ring->req_prod_pvt + RING_SIZE(ring) + 5;
	blkfront_notify(q);
	int rc = blkfront_wait_backend_state(bf, (1u << XenbusStateClosing) |
					     (1u << XenbusStateClosed), 10000);
	CHECK("producer_overflow_closes_device", rc >= 0, "backend state %d",
	      blkfront_backend_state(bf));
	rc = blkfront_read_backend_node(bf, "error", err, sizeof(err));
	CHECK("producer_overflow_reported_in_error_node", rc == 0, "no error node (%d)", rc);
}

/* The whole disk in 44 KiB requests. */
static int whole_disk(uint8_t op, uint64_t seed, bool expect_zero, const char *name)
{
	static uint8_t buf[11 * 4096];
	struct bf_seg segs[11];
	uint64_t sectors = blkfront_info(bf)->sectors;

	full_pages(segs, 11);
	for (uint64_t s = 0; s < sectors; s += 88) {
		unsigned n = sectors - s >= 88 ? 11 : (unsigned)((sectors - s + 7) / 8);
		if (sectors - s < 88)
			segs[n - 1].last_sect = (uint8_t)((sectors - s - 1) % 8);
		uint64_t ns = bf_seg_sectors(segs, n);
		if (op == BLKIF_OP_WRITE)
			for (uint64_t k = 0; k < ns; k++)
				pat_fill_sector(seed, s + k, 1, buf + k * 512);
		int st = do_io(op, s, n, segs, buf);
		if (st) {
			CHECK(name, 0, "sector %llu: status %d", (unsigned long long)s, st);
			return -EIO;
		}
		for (uint64_t k = 0; op == BLKIF_OP_READ && k < ns; k++) {
			struct pat_mismatch mm;
			int bad = expect_zero ? pat_check_zero(buf + k * 512, &mm)
					      : pat_check_sector(seed, s + k, 1, buf + k * 512, &mm);
			if (bad) {
				CHECK(name, 0, "sector %llu byte %zu: expected %02x got %02x",
				      (unsigned long long)(s + k), mm.offset, mm.expected, mm.got);
				return -EIO;
			}
		}
	}
	CHECK(name, 1, "%s", "");
	return 0;
}

/* One sector written every 64 KiB, so every pool chunk the disk gets is
 * taken; then the whole disk must read as those sectors and zeros: memory
 * that another disk used before must have been cleared. */
static void scenario_sparse(uint64_t seed)
{
	static uint8_t buf[11 * 4096];
	struct bf_seg one = { 0, 0 }, segs[11];
	uint64_t sectors = blkfront_info(bf)->sectors;
	int st = 0;

	for (uint64_t s = 0; s < sectors && !st; s += 128) {
		pat_fill_sector(seed, s, 1, buf);
		st = do_io(BLKIF_OP_WRITE, s, 1, &one, buf);
	}
	CHECK("sparse_writes", st == 0, "status %d", st);
	full_pages(segs, 11);
	for (uint64_t s = 0; s + 88 <= sectors; s += 88) {
		st = do_io(BLKIF_OP_READ, s, 11, segs, buf);
		for (uint64_t k = 0; st == 0 && k < 88; k++) {
			struct pat_mismatch mm;
			bool written = (s + k) % 128 == 0;
			if (written ? pat_check_sector(seed, s + k, 1, buf + k * 512, &mm)
				    : pat_check_zero(buf + k * 512, &mm)) {
				CHECK("reused_memory_reads_zero", 0, "sector %llu byte %zu: %02x",
				      (unsigned long long)(s + k), mm.offset, mm.got);
				return;
			}
		}
		if (st) {
			CHECK("reused_memory_reads_zero", 0, "read status %d", st);
			return;
		}
	}
	CHECK("reused_memory_reads_zero", 1, "%s", "");
}

/* One batch on the ring: write 'a', barrier-write 'b', write 'c' to the
 * same page, then a bare barrier; whatever order the backend completes
 * them in, a barrier orders the writes around it, so the page reads 'c'. */
static int barrier_batch(uint64_t sector, unsigned round)
{
	static const uint8_t ops[4] = { BLKIF_OP_WRITE, BLKIF_OP_WRITE_BARRIER, BLKIF_OP_WRITE,
					BLKIF_OP_WRITE_BARRIER };
	struct blkfront_req *done[4];
	unsigned got = 0;
	int rc;

	for (unsigned i = 0; i < 4; i++) {
		struct blkfront_req *r = blkfront_req_get(q);
		if (!r)
			return -EBUSY;
		r->op = ops[i];
		r->sector = sector;
		r->nr_segments = i < 3 ? 1 : 0;
		r->seg[0] = (struct bf_seg){ 0, 7 };
		memset(r->page[0], i < 3 ? 'a' + (int)i + (int)(round % 8) : 0, 4096);
		if ((rc = blkfront_req_submit(q, r)))
			return rc;
	}
	if ((rc = blkfront_kick(q)))
		return rc;
	while (got < 4) {
		rc = blkfront_complete(q, done + got, 4 - got, 10000);
		if (rc <= 0)
			return rc ? rc : -ETIMEDOUT;
		got += (unsigned)rc;
	}
	rc = 0;
	for (unsigned i = 0; i < 4; i++) {
		if (done[i]->status != BLKIF_RSP_OKAY)
			rc = -EIO;
		blkfront_req_put(q, done[i]);
	}
	return rc;
}

static void scenario_barrier(void)
{
	static uint8_t buf[4096];
	struct bf_seg one = { 0, 7 };
	char node[8] = "";
	int st = 0;

	blkfront_read_backend_node(bf, "feature-barrier", node, sizeof(node));
	CHECK("barrier_advertised", strcmp(node, "1") == 0, "feature-barrier '%s'", node);
	for (unsigned round = 0; round < 200 && st == 0; round++) {
		uint64_t sector = 8 * (round % 16);
		st = barrier_batch(sector, round);
		if (st == 0)
			st = do_io(BLKIF_OP_READ, sector, 1, &one, buf);
		if (st == 0 && (buf[0] != 'c' + round % 8 || buf[4095] != 'c' + round % 8)) {
			CHECK("barrier_orders_writes", 0, "round %u: page reads '%c'", round, buf[0]);
			return;
		}
	}
	CHECK("barrier_orders_writes", st == 0, "status %d", st);
}

/* sector-size 4096: sectors still count 512-byte units (upstream blkif.h,
 * Linux); requests must be 4 KiB aligned in start and length. */
static void scenario_sector4k(void)
{
	static uint8_t wbuf[8192], rbuf[8192];
	struct bf_seg page = { 0, 7 }, half = { 0, 3 }, two[2] = { { 0, 7 }, { 0, 7 } };
	const struct blkfront_info *in = blkfront_info(bf);
	char node[16] = "";

	blkfront_read_backend_node(bf, "sector-size", node, sizeof(node));
	CHECK("sector_size_node_4096", strcmp(node, "4096") == 0, "sector-size '%s'", node);
	CHECK("sectors_in_512_byte_units", in->sectors == 16u << 11, "sectors %llu",
	      (unsigned long long)in->sectors);
	fill_random(wbuf, sizeof(wbuf), 4);
	int st = do_io(BLKIF_OP_WRITE, 8, 2, two, wbuf);
	int st2 = do_io(BLKIF_OP_READ, 8, 2, two, rbuf);
	CHECK("aligned_4k_io_served", st == 0 && st2 == 0 && !memcmp(wbuf, rbuf, 8192),
	      "write %d read %d", st, st2);
	st = do_io(BLKIF_OP_WRITE, 4, 1, &page, wbuf);
	CHECK("unaligned_start_refused", st == BLKIF_RSP_ERROR, "status %d", st);
	st = do_io(BLKIF_OP_READ, 8, 1, &half, rbuf);
	CHECK("partial_4k_length_refused", st == BLKIF_RSP_ERROR, "status %d", st);
	st = do_io(BLKIF_OP_READ, 8, 2, two, rbuf);
	CHECK("refusals_changed_nothing", st == 0 && !memcmp(wbuf, rbuf, 8192), "status %d", st);
}

/* Every shape straddling a 1 MiB pool-chunk boundary at every sector
 * offset of a page (each segment then crosses a local page), and a read
 * half in an unwritten chunk: the bytes come back exact, the unwritten
 * half as zeros. On a 4 KiB-sector disk only whole, aligned pages. */
static void scenario_boundaries(void)
{
	static uint8_t wbuf[11 * 4096], rbuf[11 * 4096];
	char node[16] = "", name[80];
	const uint64_t chunk = 2048; /* sectors in a 1 MiB chunk */
	bool big = false;
	unsigned bad = 0, runs = 0;

	blkfront_read_backend_node(bf, "sector-size", node, sizeof(node));
	big = strcmp(node, "4096") == 0;
	for (unsigned n = 1; n <= BLKIF_MAX_SEGMENTS_PER_REQUEST; n++) {
		for (unsigned skew = 0; skew < 8; skew += big ? 8 : 1) {
			struct bf_seg segs[BLKIF_MAX_SEGMENTS_PER_REQUEST];

			full_pages(segs, n);
			if (!big && n > 1)
				segs[0].first_sect = (uint8_t)(skew % 8); /* a partial first page */
			uint64_t nsect = bf_seg_sectors(segs, n);
			/* Half before the boundary of chunk n, half after. */
			uint64_t sector = chunk * n - nsect / 2 - (big ? (nsect / 2) % 8 : skew);
			fill_random(wbuf, nsect * 512, n * 8 + skew);
			memset(rbuf, 0xaa, sizeof(rbuf));
			int st = do_io(BLKIF_OP_WRITE, sector, n, segs, wbuf);
			int st2 = do_io(BLKIF_OP_READ, sector, n, segs, rbuf);
			runs++;
			if (st || st2 || memcmp(wbuf, rbuf, nsect * 512)) {
				if (!bad++)
					printf("# first mismatch: %u segments, sector %llu: %d %d\n", n,
					       (unsigned long long)sector, st, st2);
			}
		}
	}
	snprintf(name, sizeof(name), "boundaries_%u_shapes_read_back_exact", runs);
	CHECK(name, bad == 0, "%u of %u differ", bad, runs);
	/* The chunk at 40 MiB was never written: a read across into it. */
	struct bf_seg two[2] = { { 0, 7 }, { 0, 7 } };
	uint64_t at = chunk * 20 - 8;
	fill_random(wbuf, 4096, 99);
	int st = do_io(BLKIF_OP_WRITE, at, 1, two, wbuf);
	memset(rbuf, 0xaa, 8192);
	int st2 = do_io(BLKIF_OP_READ, at, 2, two, rbuf);
	bool zero = true;
	for (unsigned i = 4096; i < 8192; i++)
		zero &= rbuf[i] == 0;
	CHECK("boundary_into_unwritten_chunk_reads_zero",
	      st == 0 && st2 == 0 && !memcmp(wbuf, rbuf, 4096) && zero, "write %d read %d", st, st2);
}

/* device-type cdrom: info says CD-ROM and read-only, writes are refused. */
static void scenario_cdrom(void)
{
	static uint8_t buf[4096];
	struct bf_seg page = { 0, 7 };
	char node[16] = "";

	blkfront_read_backend_node(bf, "info", node, sizeof(node));
	unsigned long info = strtoul(node, NULL, 10);
	CHECK("info_cdrom_readonly", (info & VDISK_CDROM) && (info & VDISK_READONLY),
	      "info '%s'", node);
	int st = do_io(BLKIF_OP_WRITE, 0, 1, &page, buf);
	CHECK("cdrom_write_refused", st == BLKIF_RSP_ERROR, "status %d", st);
	st = do_io(BLKIF_OP_READ, 0, 1, &page, buf);
	CHECK("cdrom_read_served", st == 0, "status %d", st);
}

static void scenario_enospc(void)
{
	static uint8_t buf[11 * 4096];
	struct bf_seg segs[11];
	uint64_t sectors = blkfront_info(bf)->sectors, s;
	int st = 0;

	full_pages(segs, 11);
	memset(buf, 0x5a, sizeof(buf));
	/* One write per MiB until the pool runs out. */
	for (s = 0; s + 88 <= sectors; s += 2048) {
		st = do_io(BLKIF_OP_WRITE, s, 11, segs, buf);
		if (st)
			break;
	}
	CHECK("pool_exhaustion_is_an_io_error", st == BLKIF_RSP_ERROR, "last status %d at sector %llu",
	      st, (unsigned long long)s);
	st = do_io(BLKIF_OP_READ, 0, 11, segs, buf);
	CHECK("device_serves_after_exhaustion", st == 0 && buf[0] == 0x5a, "status %d", st);
}

static void scenario_discard(void)
{
	static uint8_t buf[11 * 4096];
	struct bf_seg segs[11];
	blkif_request_t r;
	blkif_response_t rsp;

	full_pages(segs, 11);
	memset(buf, 0x77, sizeof(buf));
	/* 4 MiB of data, then discard 3 MiB of it from an unaligned start. */
	for (uint64_t s = 0; s < 8192; s += 88)
		do_io(BLKIF_OP_WRITE, s, 11, segs, buf);
	memset(&r, 0, sizeof(r));
	r.operation = BLKIF_OP_DISCARD;
	blkif_request_discard_t *d = (blkif_request_discard_t *)&r;
	d->sector_number = 1024;
	d->nr_sectors = 6144;
	int rc = blkfront_raw_request(q, &r, &rsp, 10000);
	CHECK("discard_served", rc == 0 && rsp.status == BLKIF_RSP_OKAY, "rc %d status %d", rc,
	      rsp.status);
	do_io(BLKIF_OP_READ, 1024, 11, segs, buf);
	CHECK("discarded_range_reads_zero", buf[0] == 0 && buf[sizeof(buf) - 1] == 0, "%02x", buf[0]);
	do_io(BLKIF_OP_READ, 1024 - 88, 11, segs, buf);
	CHECK("data_before_discard_kept", buf[0] == 0x77 && buf[sizeof(buf) - 1] == 0x77, "%02x",
	      buf[0]);
	do_io(BLKIF_OP_READ, 7168, 11, segs, buf);
	CHECK("data_after_discard_kept", buf[0] == 0x77, "%02x", buf[0]);

	char node[8] = "";
	blkfront_read_backend_node(bf, "discard-secure", node, sizeof(node));
	CHECK("discard_secure_advertised", strcmp(node, "1") == 0, "discard-secure '%s'", node);
	memset(&r, 0, sizeof(r));
	r.operation = BLKIF_OP_DISCARD;
	d->flag = BLKIF_DISCARD_SECURE;
	d->sector_number = 7168;
	d->nr_sectors = 1024;
	rc = blkfront_raw_request(q, &r, &rsp, 10000);
	CHECK("secure_discard_served", rc == 0 && rsp.status == BLKIF_RSP_OKAY, "rc %d status %d",
	      rc, rsp.status);
	do_io(BLKIF_OP_READ, 7168, 11, segs, buf);
	CHECK("secure_discarded_range_reads_zero", buf[0] == 0 && buf[sizeof(buf) - 1] == 0, "%02x",
	      buf[0]);
}

int main(int argc, char **argv)
{
	struct blkfront_opts o = { .ring_order = -1, .timeout_ms = 10000 };
	uint64_t v, seed = 1;

	if (argc < 3 || parse_uint(argv[2], UINT32_MAX, &v)) {
		fprintf(stderr, "usage: guest_io SCENARIO DEVID [SEED]\n");
		return 2;
	}
	o.devid = (unsigned)v;
	if (argc > 3 && parse_uint(argv[3], UINT64_MAX, &seed))
		return 2;
	int rc = blkfront_attach(&bf, &o);
	if (rc) {
		printf("FAIL: attach: %s\n", bf ? blkfront_error(bf) : strerror(-rc));
		return 1;
	}
	q = blkfront_queue(bf, 0);
	const char *s = argv[1];
	if (!strcmp(s, "shapes"))
		scenario_shapes();
	else if (!strcmp(s, "invalid"))
		scenario_invalid();
	else if (!strcmp(s, "readonly"))
		scenario_readonly();
	else if (!strcmp(s, "overflow"))
		scenario_overflow();
	else if (!strcmp(s, "fill"))
		whole_disk(BLKIF_OP_WRITE, seed, false, "fill_whole_disk");
	else if (!strcmp(s, "check"))
		whole_disk(BLKIF_OP_READ, seed, false, "whole_disk_reads_back");
	else if (!strcmp(s, "zero"))
		whole_disk(BLKIF_OP_READ, seed, true, "whole_disk_reads_zero");
	else if (!strcmp(s, "enospc"))
		scenario_enospc();
	else if (!strcmp(s, "discard"))
		scenario_discard();
	else if (!strcmp(s, "sparse"))
		scenario_sparse(seed);
	else if (!strcmp(s, "barrier"))
		scenario_barrier();
	else if (!strcmp(s, "sector4k"))
		scenario_sector4k();
	else if (!strcmp(s, "cdrom"))
		scenario_cdrom();
	else if (!strcmp(s, "boundaries")) {
		if (getenv("GUEST_PREFIX"))
			guest_prefix = getenv("GUEST_PREFIX"); /* names one run's checks */
		scenario_boundaries();
	}
	else
		printf("FAIL: unknown scenario %s\n", s), guest_failures++;
	if (strcmp(s, "overflow") != 0)
		blkfront_close(bf);
	blkfront_free(bf);
	return guest_failures ? 1 : 0;
}
