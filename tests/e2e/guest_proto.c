/*
 * The guest side of the protocol-feature tests (test_protocol.sh): multi-
 * page rings, multiple queues, indirect descriptors, the x86_32 ABI and
 * negotiation refusals, against memback on the simulated host. Prints
 * PASS/FAIL lines; exits 1 if any check failed.
 *
 *   guest_proto ring DEVID ORDER QUEUES SEGS  a thread per queue writes and
 *                                             verifies its share of the disk
 *   guest_proto indirect DEVID MAX            12/64/256-segment requests
 *                                             byte-exact; MAX+1 and malformed
 *                                             indirect requests refused
 *   guest_proto race DEVID ITERATIONS         descriptor page rewritten in
 *                                             flight: nothing out of bounds
 *   guest_proto pattern DEVID PROTO SEGS SEED write|check
 *                                             pattern I/O in ABI PROTO
 *                                             (native, x86_32-abi, x86_64-abi)
 *   guest_proto padding DEVID                 XSA-216: the padding bytes of
 *                                             each response hold only what
 *                                             the guest put in that slot
 *   guest_proto badgrant DEVID                XSA-361/365: 11-segment
 *                                             requests with one bad grant
 *                                             at each position fail alone;
 *                                             good ones after them verify
 *   guest_proto refuse DEVID order5|queues N|protocol STR
 *                                             the backend refuses to connect
 *                                             and says why in its error node
 */
#include "blkfront.h"
#include "guest_common.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xenbus.h>

#include "abi.h"
#include "pattern.h"
#include "xs_util.h"

#define TIMEOUT_MS 10000
#define SPB        8u /* sectors per page */

static unsigned devid;
static struct blkfront *bf;
static struct blkfront_queue *q0;
static uint64_t seed = 1;


static void full_pages(struct bf_seg *segs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		segs[i] = (struct bf_seg){ 0, 7 };
}

/* Sectors of r that do not hold generation gen's pattern. */
static unsigned verify_req(const struct blkfront_req *r, uint32_t gen)
{
	uint64_t n = bf_seg_sectors(r->seg, r->nr_segments);
	unsigned bad = 0;

	for (uint64_t k = 0; k < n; k++) {
		struct pat_mismatch mm;
		const void *p = bf_seg_sector_ptr((void *const *)r->page, r->seg,
						  r->nr_segments, k);

		if (gen ? pat_check_sector(seed, r->sector + k, gen, p, &mm)
			: pat_check_zero(p, &mm))
			bad++;
	}
	return bad;
}

static void fill_req(struct blkfront_req *r, uint32_t gen)
{
	uint64_t n = bf_seg_sectors(r->seg, r->nr_segments);

	for (uint64_t k = 0; k < n; k++)
		pat_fill_sector(seed, r->sector + k, gen,
				bf_seg_sector_ptr(r->page, r->seg, r->nr_segments, k));
}

/* One request through the library on q: writes carry generation gen's
 * pattern, reads are checked against it (gen 0: zeros). Returns the status,
 * a negative errno, or 1000 + the number of bad sectors of a read. */
static int io(struct blkfront_queue *q, uint8_t op, uint64_t sector,
	      unsigned n, const struct bf_seg *segs, uint32_t gen)
{
	struct blkfront_req *r = blkfront_req_get(q), *done;
	int rc;

	if (!r)
		return -EBUSY;
	r->op = op;
	r->sector = sector;
	r->nr_segments = (uint16_t)n;
	memcpy(r->seg, segs, n * sizeof(*segs));
	if (op == BLKIF_OP_WRITE)
		fill_req(r, gen);
	rc = blkfront_req_submit(q, r);
	if (rc) {
		blkfront_req_put(q, r);
		return rc;
	}
	rc = blkfront_kick(q);
	if (!rc)
		rc = blkfront_complete(q, &done, 1, TIMEOUT_MS);
	if (rc != 1)
		return rc ? rc : -ETIMEDOUT;
	rc = done->status;
	if (done->rsp_op != op) /* indirect_op for an indirect request */
		rc = -EPROTO;
	if (rc == BLKIF_RSP_OKAY && op == BLKIF_OP_READ) {
		unsigned bad = verify_req(done, gen);

		rc = bad ? 1000 + (int)bad : 0;
	}
	blkfront_req_put(q, done);
	return rc;
}

/* Read [sector, sector + count) in direct requests of up to 11 pages and
 * check it holds generation gen (0: zeros). 0 or the first failure. */
static int check_range(uint64_t sector, uint64_t count, uint32_t gen)
{
	struct bf_seg segs[BLKIF_MAX_SEGMENTS_PER_REQUEST];

	while (count) {
		uint64_t take = count < 88 ? count : 88;
		int n = bf_seg_layout(0, take * 512, segs, 11);
		int rc = n < 0 ? n : io(q0, BLKIF_OP_READ, sector, (unsigned)n, segs, gen);

		if (rc)
			return rc;
		sector += take;
		count -= take;
	}
	return 0;
}

static int attach_with(struct blkfront_opts *o)
{
	int rc;

	o->devid = devid;
	rc = blkfront_attach(&bf, o);
	if (rc) {
		printf("FAIL: attach: %s\n", bf ? blkfront_error(bf) : strerror(-rc));
		guest_failures++;
		return rc;
	}
	q0 = blkfront_queue(bf, 0);
	return 0;
}

/* ---- ring: a thread per queue ---- */

struct qjob {
	struct blkfront_queue *q;
	uint64_t first;            /* sector */
	uint64_t nblocks;
	unsigned segs;             /* pages per block */
	uint64_t ops;
	int err;
	char why[160];
};

static int job_fail(struct qjob *j, int rc, const char *what, uint64_t b)
{
	snprintf(j->why, sizeof(j->why), "%s of block %llu: %d", what,
		 (unsigned long long)b, rc);
	j->err = rc ? rc : -EIO;
	return j->err;
}

static int job_submit(struct qjob *j, struct blkfront_req *r, uint8_t op,
		      uint64_t b, uint32_t gen)
{
	r->op = op;
	r->user = b;
	r->sector = j->first + b * j->segs * SPB;
	r->nr_segments = (uint16_t)j->segs;
	full_pages(r->seg, j->segs);
	if (op == BLKIF_OP_WRITE)
		fill_req(r, gen);
	return blkfront_req_submit(j->q, r);
}

static int job_reap(struct qjob *j, uint8_t op, uint32_t gen, uint64_t *done_n)
{
	struct blkfront_req *done[64];
	int n = blkfront_complete(j->q, done, 64, TIMEOUT_MS);

	if (n <= 0)
		return job_fail(j, n ? n : -ETIMEDOUT, "waiting for", *done_n);
	for (int i = 0; i < n; i++) {
		struct blkfront_req *r = done[i];
		unsigned bad = 0;

		if (r->status == BLKIF_RSP_OKAY && op == BLKIF_OP_READ)
			bad = verify_req(r, gen);
		if (r->status != BLKIF_RSP_OKAY || bad)
			job_fail(j, r->status ? r->status : 1000 + (int)bad,
				 op == BLKIF_OP_READ ? "read" : "write", r->user);
		blkfront_req_put(j->q, r);
		j->ops++;
		(*done_n)++;
	}
	return j->err;
}

/* Every block of the job once, as many in flight as the queue has slots. */
static int job_phase(struct qjob *j, uint8_t op, uint32_t gen)
{
	uint64_t next = 0, done_n = 0;

	while (done_n < j->nblocks) {
		struct blkfront_req *r;
		bool issued = false;

		while (next < j->nblocks && (r = blkfront_req_get(j->q))) {
			int rc = job_submit(j, r, op, next, gen);

			if (rc) {
				blkfront_req_put(j->q, r);
				return job_fail(j, rc, "submit", next);
			}
			next++;
			issued = true;
		}
		if (issued && blkfront_kick(j->q))
			return job_fail(j, -EIO, "kick", next);
		if (job_reap(j, op, gen, &done_n))
			return j->err;
	}
	return 0;
}

static void *job_thread(void *arg)
{
	struct qjob *j = arg;

	if (!job_phase(j, BLKIF_OP_WRITE, 7))
		job_phase(j, BLKIF_OP_READ, 7);
	return NULL;
}

/* A thread per job; one check per queue. True if every job verified. */
static bool run_jobs(struct qjob *jobs, unsigned n, const char *what)
{
	pthread_t th[BLKFRONT_MAX_QUEUES];
	bool threaded[BLKFRONT_MAX_QUEUES], ok = true;
	char name[128];

	for (unsigned i = 0; i < n; i++) {
		threaded[i] = pthread_create(&th[i], NULL, job_thread, &jobs[i]) == 0;
		if (!threaded[i])
			job_fail(&jobs[i], -EAGAIN, "no thread for", 0);
	}
	for (unsigned i = 0; i < n; i++) {
		if (threaded[i])
			pthread_join(th[i], NULL);
		snprintf(name, sizeof(name), "%s_queue_%u_verified", what, i);
		CHECK(name, jobs[i].err == 0 && jobs[i].ops == 2 * jobs[i].nblocks,
		      "%s (%llu ops)", jobs[i].why, (unsigned long long)jobs[i].ops);
		ok = ok && jobs[i].err == 0;
	}
	return ok;
}

static void scenario_ring(unsigned order, unsigned queues, unsigned segs)
{
	/* 64 in flight (more than a one-page ring holds), within 4096 data
	 * pages per queue. */
	struct blkfront_opts o = { .ring_order = (int)order, .queues = queues,
				   .slots = segs > 64 ? 4096 / segs : 64,
				   .max_segments = segs, .timeout_ms = TIMEOUT_MS };
	struct qjob jobs[BLKFRONT_MAX_QUEUES];
	const struct blkfront_info *in;
	uint64_t per_queue, blocks;
	char what[64], name[128];

	if (attach_with(&o))
		return;
	in = blkfront_info(bf);
	snprintf(what, sizeof(what), "order_%u_queues_%u_segs_%u", order, queues, segs);
	snprintf(name, sizeof(name), "%s_negotiated", what);
	CHECK(name, in->ring_order == order && in->nr_queues == queues &&
		    in->ring_size == 32u << order,
	      "order %u queues %u ring size %u", in->ring_order, in->nr_queues,
	      in->ring_size);
	per_queue = in->sectors / queues;
	blocks = per_queue / (segs * SPB);
	/* Enough requests to go round the biggest ring (512 entries). */
	if (blocks > 600)
		blocks = 600;
	for (unsigned i = 0; i < queues; i++)
		jobs[i] = (struct qjob){ .q = blkfront_queue(bf, i),
					 .first = i * per_queue, .nblocks = blocks,
					 .segs = segs };
	if (!run_jobs(jobs, queues, what))
		return;
	/* Everything again from queue 0 alone: no queue's data went astray. */
	for (unsigned i = 0; i < queues; i++) {
		int rc = check_range(jobs[i].first, blocks * segs * SPB, 7);

		snprintf(name, sizeof(name), "%s_region_%u_reads_back", what, i);
		CHECK(name, rc == 0, "status %d", rc);
	}
}

/* ---- indirect ---- */

/* A ring slot's worth: raw requests copy sizeof(blkif_request_t) bytes. */
union raw_req {
	blkif_request_t rw;
	blkif_request_indirect_t ind;
};

/* A raw indirect request over the queue's data pool pages, its descriptors
 * in desc (granted as dgref). */
static union raw_req raw_indirect(uint8_t op, unsigned n, uint64_t sector,
				  void *desc, uint32_t dgref)
{
	struct bf_abi_seg segs[BLKFRONT_MAX_SEGMENTS + 1];
	union raw_req u;
	blkif_request_indirect_t *r = &u.ind;
	void *pages[1] = { desc };

	for (unsigned i = 0; i < n && i < BLKFRONT_MAX_SEGMENTS + 1; i++)
		segs[i] = (struct bf_abi_seg){ blkfront_data_gref(q0, i), 0, 7 };
	if (desc) /* NULL: leave the descriptors as they are */
		bf_abi_put_indirect(pages, segs, n < BLKFRONT_MAX_SEGMENTS + 1
						 ? n : BLKFRONT_MAX_SEGMENTS + 1);
	memset(&u, 0, sizeof(u));
	r->operation = BLKIF_OP_INDIRECT;
	r->indirect_op = op;
	r->nr_segments = (uint16_t)n;
	r->id = 0xabc;
	r->sector_number = sector;
	r->handle = (uint16_t)devid;
	r->indirect_grefs[0] = dgref;
	return u;
}

static int raw_status(const union raw_req *req)
{
	blkif_response_t rsp;
	int rc = blkfront_raw_request(q0, &req->rw, &rsp, TIMEOUT_MS);

	return rc ? rc : rsp.status;
}

/* ---- padding (XSA-216) ---- */

/* A response overwrites its request's slot. The bytes of blkif_response_t
 * that are padding (after operation, after status) must be what the guest
 * itself left there, or zero: never the backend's memory. Each slot is
 * first filled with a pattern, then a request whose own bytes under the
 * padding are known; for read, write, flush and a refused request. */
static void scenario_padding(void)
{
	struct blkfront_opts o = { .ring_order = -1, .timeout_ms = TIMEOUT_MS };
	static const uint8_t ops[] = { BLKIF_OP_READ, BLKIF_OP_WRITE, BLKIF_OP_FLUSH_DISKCACHE, 99 };
	const size_t pad1 = offsetof(blkif_response_t, operation) + 1;
	const size_t pad2 = offsetof(blkif_response_t, status) + sizeof(int16_t);
	unsigned bad = 0, seen = 0;

	if (attach_with(&o))
		return;
	blkif_front_ring_t *ring = blkfront_raw_ring(q0);
	for (unsigned i = 0; i < 4 * RING_SIZE(ring) && !bad; i++) {
		blkif_request_t r;
		memset(&r, 0, sizeof(r));
		r.operation = ops[i % 4];
		r.nr_segments = r.operation == BLKIF_OP_FLUSH_DISKCACHE ? 0 : 1;
		r.handle = (uint16_t)devid;
		r.id = 0xa1b2c3d4e5f60718ull ^ i;
		r.sector_number = i % 64;
		r.seg[0] = (struct blkif_request_segment){ blkfront_data_gref(q0, 0), 0, 7 };
		RING_IDX idx = ring->req_prod_pvt;
		uint8_t *slot = (uint8_t *)RING_GET_REQUEST(ring, idx);
		uint8_t want[sizeof(blkif_response_t)];
		memcpy(want, &r, sizeof(want));
		if (blkfront_raw_put(q0, &r, true)) {
			CHECK("padding_put", 0, "%s", blkfront_error(bf));
			return;
		}
		blkif_response_t rsp;
		if (blkfront_raw_response(q0, &rsp, TIMEOUT_MS)) {
			CHECK("padding_response", 0, "no response to request %u", i);
			return;
		}
		/* The slot as the backend left it, bytes the guest did not
		 * change since. */
		for (size_t b = pad1; b < offsetof(blkif_response_t, status); b++, seen++)
			bad += slot[b] != want[b] && slot[b] != 0;
		for (size_t b = pad2; b < sizeof(blkif_response_t); b++, seen++)
			bad += slot[b] != want[b] && slot[b] != 0;
	}
	CHECK("xsa216_response_padding_holds_no_backend_bytes", bad == 0 && seen > 0,
	      "%u of %u padding bytes differ from the guest's own", bad, seen);
}

/* ---- badgrant (XSA-361/365) ---- */

/* A request whose batch of grant operations fails part-way: segment k of
 * 11 names a grant that was never given. The request gets an error, the
 * segments before k that the backend mapped or copied are let go (the
 * shell counts dom0's mappings after), and the next good request of the
 * same pages writes and reads back byte-exact. */
static void scenario_badgrant(void)
{
	struct blkfront_opts o = { .ring_order = -1, .timeout_ms = TIMEOUT_MS };
	unsigned wrong = 0, good = 0;

	if (attach_with(&o))
		return;
	for (unsigned k = 0; k < BLKIF_MAX_SEGMENTS_PER_REQUEST; k++) {
		for (int op = 0; op < 2; op++) {
			blkif_request_t r;
			blkif_response_t rsp;
			memset(&r, 0, sizeof(r));
			r.operation = op ? BLKIF_OP_READ : BLKIF_OP_WRITE;
			r.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST;
			r.handle = (uint16_t)devid;
			r.id = 0x361000 + k;
			r.sector_number = 8 * BLKIF_MAX_SEGMENTS_PER_REQUEST * k;
			for (unsigned i = 0; i < r.nr_segments; i++)
				r.seg[i] = (struct blkif_request_segment){
					i == k ? 0x7ffff0 : blkfront_data_gref(q0, i), 0, 7 };
			if (blkfront_raw_request(q0, &r, &rsp, TIMEOUT_MS) ||
			    rsp.status != BLKIF_RSP_ERROR)
				wrong++;
		}
		/* The same pages, all granted: served, and read back. */
		for (unsigned i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
			memset(blkfront_data_page(q0, i), (int)(k * 16 + i + 1), 4096);
		blkif_request_t w;
		blkif_response_t rsp;
		memset(&w, 0, sizeof(w));
		w.operation = BLKIF_OP_WRITE;
		w.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST;
		w.handle = (uint16_t)devid;
		w.id = 0x365000 + k;
		w.sector_number = 8 * BLKIF_MAX_SEGMENTS_PER_REQUEST * k;
		for (unsigned i = 0; i < w.nr_segments; i++)
			w.seg[i] = (struct blkif_request_segment){ blkfront_data_gref(q0, i), 0, 7 };
		if (blkfront_raw_request(q0, &w, &rsp, TIMEOUT_MS) || rsp.status != BLKIF_RSP_OKAY)
			continue;
		for (unsigned i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
			memset(blkfront_data_page(q0, i), 0, 4096);
		w.operation = BLKIF_OP_READ;
		if (blkfront_raw_request(q0, &w, &rsp, TIMEOUT_MS) || rsp.status != BLKIF_RSP_OKAY)
			continue;
		bool same = true;
		for (unsigned i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
			const uint8_t *pg = blkfront_data_page(q0, i);
			same &= pg[0] == (uint8_t)(k * 16 + i + 1) && pg[4095] == pg[0];
		}
		good += same;
	}
	CHECK("xsa361_partly_failing_batches_refused", wrong == 0,
	      "%u of %u requests with a bad grant not answered with an error", wrong,
	      2 * BLKIF_MAX_SEGMENTS_PER_REQUEST);
	CHECK("xsa365_good_requests_after_them_verify", good == BLKIF_MAX_SEGMENTS_PER_REQUEST,
	      "%u of %u", good, BLKIF_MAX_SEGMENTS_PER_REQUEST);
}

/* The request must be refused and leave [sector, sector + count), which
 * holds generation gen, as it was. */
static void expect_refused(const char *name, const union raw_req *req, uint64_t sector,
			   uint64_t count, uint32_t gen)
{
	struct bf_seg segs[11];
	int st, rc = 0;

	full_pages(segs, 11);
	for (uint64_t s = 0; s < count && !rc; s += 88)
		rc = io(q0, BLKIF_OP_WRITE, sector + s, 11, segs, gen);
	st = raw_status(req);
	if (!rc)
		rc = check_range(sector, count, gen);
	CHECK(name, st == BLKIF_RSP_ERROR && rc == 0,
	      "status %d, disk after it %d", st, rc);
}

/* n pages at sector: write through indirect, read back indirect and direct;
 * then partial segments. */
static void indirect_roundtrip(const char *pfx, unsigned n, uint64_t sector)
{
	struct bf_seg segs[BLKFRONT_MAX_SEGMENTS] = { { 0, 0 } };
	char name[64];
	int w, r1, r2;

	full_pages(segs, n);
	w = io(q0, BLKIF_OP_WRITE, sector, n, segs, n);
	r1 = io(q0, BLKIF_OP_READ, sector, n, segs, n);
	r2 = check_range(sector, (uint64_t)n * SPB, n);
	snprintf(name, sizeof(name), "%sindirect_%u_segments_verified", pfx, n);
	CHECK(name, w == 0 && r1 == 0 && r2 == 0, "write %d, indirect read %d, "
	      "direct read %d", w, r1, r2);
	/* Segments that start and end inside their pages. */
	for (unsigned i = 0; i < n; i++)
		segs[i] = (struct bf_seg){ (uint8_t)(i % 3), (uint8_t)(7 - i % 4) };
	w = io(q0, BLKIF_OP_WRITE, sector, n, segs, n + 1000);
	r1 = io(q0, BLKIF_OP_READ, sector, n, segs, n + 1000);
	r2 = check_range(sector, bf_seg_sectors(segs, n), n + 1000);
	snprintf(name, sizeof(name), "%sindirect_%u_partial_segments_verified", pfx, n);
	CHECK(name, w == 0 && r1 == 0 && r2 == 0, "write %d, indirect read %d, "
	      "direct read %d", w, r1, r2);
}

static void indirect_malformed(unsigned max, void *desc, uint32_t dgref)
{
	uint64_t end = blkfront_info(bf)->sectors, s = 1u << 16;
	union raw_req r;
	char name[64];

	/* What the refused writes would hit holds generation 3. */
	r = raw_indirect(BLKIF_OP_WRITE, max + 1, s, desc, dgref);
	snprintf(name, sizeof(name), "indirect_%u_segments_refused", max + 1);
	expect_refused(name, &r, s, 24 * 88, 3);
	r = raw_indirect(BLKIF_OP_WRITE, 0, s, desc, dgref);
	expect_refused("indirect_zero_segments_refused", &r, s, 24 * 88, 3);
	r = raw_indirect(BLKIF_OP_FLUSH_DISKCACHE, 12, s, desc, dgref);
	expect_refused("indirect_flush_refused", &r, s, 24 * 88, 3);
	r = raw_indirect(BLKIF_OP_WRITE, 12, s, desc, 0x7ffff0);
	expect_refused("indirect_bad_descriptor_grant_refused", &r, s, 24 * 88, 3);
	r = raw_indirect(BLKIF_OP_WRITE, 12, s, desc, dgref);
	((struct blkif_request_segment *)desc)[11].last_sect = 8;
	expect_refused("indirect_descriptor_past_page_refused", &r, s, 24 * 88, 3);
	r = raw_indirect(BLKIF_OP_WRITE, 12, s, desc, dgref);
	((struct blkif_request_segment *)desc)[5].first_sect = 6;
	((struct blkif_request_segment *)desc)[5].last_sect = 5;
	expect_refused("indirect_descriptor_first_after_last_refused", &r, s, 24 * 88, 3);
	r = raw_indirect(BLKIF_OP_READ, 12, end - 95, desc, dgref);
	expect_refused("indirect_past_disk_end_refused", &r, s, 24 * 88, 3);
	r = raw_indirect(BLKIF_OP_READ, 12, end - 96, desc, dgref);
	CHECK("indirect_ending_at_disk_end_served", raw_status(&r) == BLKIF_RSP_OKAY,
	      "refused");
	/* The device keeps serving. */
	indirect_roundtrip("after_bad_requests_", 12, 1u << 15);
}

static void scenario_indirect(unsigned max)
{
	static const unsigned sizes[] = { 12, 64, 256 };
	unsigned segs = max > BLKFRONT_MAX_SEGMENTS ? BLKFRONT_MAX_SEGMENTS : max;
	struct blkfront_opts o = { .ring_order = -1, .slots = 4,
				   .max_segments = segs, .timeout_ms = TIMEOUT_MS };
	uint64_t sector = 0;
	uint32_t dgref;
	void *desc;

	if (attach_with(&o))
		return;
	CHECK("backend_offers_configured_indirect_segments",
	      blkfront_info(bf)->max_indirect_segments == max, "offers %u, configured %u",
	      blkfront_info(bf)->max_indirect_segments, max);
	for (unsigned i = 0; i < 3; i++)
		if (sizes[i] <= segs) {
			indirect_roundtrip("", sizes[i], sector);
			sector += sizes[i] * SPB + 64;
		}
	desc = blkfront_share(bf, 1, false, &dgref);
	if (!desc) {
		CHECK("share_descriptor_page", 0, "%s", blkfront_error(bf));
		return;
	}
	indirect_malformed(segs, desc, dgref);
}

/* Backend without indirect: the request is not one it knows. */
static void scenario_no_indirect(void)
{
	struct blkfront_opts o = { .ring_order = -1, .timeout_ms = TIMEOUT_MS };
	union raw_req r;
	uint32_t dgref;
	void *desc;
	int st;

	if (attach_with(&o))
		return;
	CHECK("no_indirect_node_when_off", blkfront_info(bf)->max_indirect_segments == 0,
	      "offers %u", blkfront_info(bf)->max_indirect_segments);
	desc = blkfront_share(bf, 1, false, &dgref);
	r = raw_indirect(BLKIF_OP_READ, 12, 0, desc, dgref);
	st = raw_status(&r);
	CHECK("indirect_when_off_not_supported", st == BLKIF_RSP_EOPNOTSUPP, "status %d", st);
}

/* ---- race: the descriptor page rewritten while the request is in flight ---- */

static void spin(unsigned n)
{
	for (volatile unsigned i = 0; i < n; i++)
		;
}

struct flipper {
	struct blkif_request_segment *d;
	unsigned n;
	volatile bool stop;
};

/* Rewrite the descriptors for as long as requests use them: a microsecond
 * or less of 64 one-sector segments (valid: the request ends at the disk's
 * end), then as long of 64 whole pages (448 sectors past the end). A
 * backend that read the page twice would see both. */
static void *flip_thread(void *arg)
{
	struct flipper *f = arg;
	unsigned k = 0;

	while (!f->stop) {
		for (uint8_t last = 0; last <= 7; last += 7) {
			for (unsigned i = 0; i < f->n; i++)
				__atomic_store_n(&f->d[i].last_sect, last, __ATOMIC_RELAXED);
			/* Phases of every length, down to none, hit windows of
			 * every width. */
			spin((k += 37) % 1500);
		}
	}
	return NULL;
}

/* One request at x while the flipper runs; 0 if the outcome is one the
 * validated request allows, and *cur is the generation now on disk. */
static int race_once(uint64_t x, uint64_t end, uint32_t dgref, uint32_t gen,
		     uint32_t *cur, unsigned *served)
{
	union raw_req r = raw_indirect(BLKIF_OP_WRITE, 64, x, NULL, dgref);
	blkif_response_t rsp;

	for (unsigned i = 0; i < 64; i++)
		pat_fill_sector(seed, x + i, gen, blkfront_data_page(q0, i));
	if (blkfront_raw_put(q0, &r, true) ||
	    blkfront_raw_response(q0, &rsp, TIMEOUT_MS))
		return -ETIMEDOUT;
	if (rsp.status == BLKIF_RSP_OKAY) {
		(*served)++;
		*cur = gen;
	} else if (rsp.status != BLKIF_RSP_ERROR) {
		return rsp.status;
	}
	if (check_range(x, 64, *cur) || check_range(end - 128, 64, 1))
		return -EIO;
	return 0;
}

static void scenario_race(unsigned iterations)
{
	struct blkfront_opts o = { .ring_order = -1, .timeout_ms = TIMEOUT_MS };
	struct flipper f = { .n = 64 };
	unsigned served = 0, it;
	uint32_t dgref, cur = 1;
	struct bf_seg segs[11];
	uint64_t end;
	pthread_t th;
	void *desc;
	int rc = 0;

	if (attach_with(&o))
		return;
	end = blkfront_info(bf)->sectors;
	full_pages(segs, 8);
	for (uint64_t s = end - 128; s < end; s += 64)
		io(q0, BLKIF_OP_WRITE, s, 8, segs, 1);
	desc = blkfront_share(bf, 1, false, &dgref);
	if (!desc) {
		CHECK("share_descriptor_page", 0, "%s", blkfront_error(bf));
		return;
	}
	/* Grants of data pages 0..63, one sector each, to start with. */
	raw_indirect(BLKIF_OP_WRITE, 64, 0, desc, dgref);
	f.d = desc;
	for (unsigned i = 0; i < 64; i++)
		f.d[i].last_sect = 0;
	if (pthread_create(&th, NULL, flip_thread, &f)) {
		CHECK("flipper_thread", 0, "cannot start it");
		return;
	}
	for (it = 0; it < iterations && !rc; it++)
		rc = race_once(end - 64, end, dgref, it + 2, &cur, &served);
	f.stop = true;
	pthread_join(th, NULL);
	printf("race: %u of %u served as first written, the rest refused\n",
	       served, it);
	CHECK("rewritten_descriptors_never_acted_on", rc == 0,
	      "iteration %u: %d (data outside the validated request changed, or "
	      "another status)", it, rc);
}

/* ---- pattern I/O in one ABI ---- */

/* Request shapes for the region: 1..11 pages direct, 12 and 64 indirect. */
static unsigned shape(unsigned i, unsigned segs)
{
	static const unsigned cycle[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 64 };
	unsigned n = cycle[i % (sizeof(cycle) / sizeof(cycle[0]))];

	return n <= segs ? n : 11;
}

#define REGION_SECTORS 16384u /* 8 MiB */

static void pattern_write(unsigned segs, uint32_t gen)
{
	struct bf_seg s[BLKFRONT_MAX_SEGMENTS];
	uint64_t sector = 0;
	int rc = 0;

	for (unsigned i = 0; sector < REGION_SECTORS && !rc; i++) {
		unsigned n = shape(i, segs);

		if (sector + n * SPB > REGION_SECTORS)
			n = (unsigned)((REGION_SECTORS - sector) / SPB);
		full_pages(s, n);
		rc = io(q0, BLKIF_OP_WRITE, sector, n, s, gen);
		if (!rc)
			rc = io(q0, BLKIF_OP_READ, sector, n, s, gen);
		sector += n * SPB;
	}
	CHECK("pattern_written_and_read_back", rc == 0, "status %d before sector %llu",
	      rc, (unsigned long long)sector);
	/* A flush without data. */
	rc = io(q0, BLKIF_OP_FLUSH_DISKCACHE, 0, 0, s, 0);
	CHECK("flush_served", rc == 0, "status %d", rc);
}

/* A raw request in the negotiated ABI's layout. */
static int raw_abi(const struct bf_abi_req *a, blkif_response_t *rsp)
{
	uint8_t slot[sizeof(blkif_request_t)];

	bf_abi_put_request(blkfront_info(bf)->abi_x86_32 ? BF_ABI_X86_32 : BF_ABI_X86_64,
			   slot, a);
	int rc = blkfront_raw_put(q0, slot, true);

	return rc ? rc : blkfront_raw_response(q0, rsp, TIMEOUT_MS);
}

/* Fields only the right layout gets right: a full 64-bit id echoed, a
 * discard's nr_sectors (at 20 in x86_32, 24 in x86_64). */
static void abi_fields(void)
{
	struct bf_abi_seg seg = { blkfront_data_gref(q0, 0), 0, 7 };
	struct bf_abi_req a = { .operation = BLKIF_OP_READ, .nr_segments = 1,
				.id = 0xfedcba9876543210ull, .sector_number = 8,
				.seg = &seg };
	blkif_response_t rsp;
	struct bf_seg s[8];
	uint64_t at = REGION_SECTORS + 4096;
	int rc = raw_abi(&a, &rsp);

	CHECK("abi_64bit_id_echoed", rc == 0 && rsp.id == a.id && rsp.status == 0 &&
	      rsp.operation == BLKIF_OP_READ, "rc %d id %#llx status %d op %u", rc,
	      (unsigned long long)rsp.id, rsp.status, rsp.operation);
	if (!blkfront_info(bf)->feature_discard)
		return;
	full_pages(s, 8);
	for (unsigned i = 0; i < 3; i++)
		io(q0, BLKIF_OP_WRITE, at + i * 64, 8, s, 5);
	a = (struct bf_abi_req){ .operation = BLKIF_OP_DISCARD, .id = 77,
				 .sector_number = at + 64, .nr_sectors = 64 };
	rc = raw_abi(&a, &rsp);
	CHECK("abi_discard_served", rc == 0 && rsp.id == 77 && rsp.status == 0,
	      "rc %d status %d", rc, rsp.status);
	rc = check_range(at, 64, 5);
	if (!rc)
		rc = check_range(at + 64, 64, 0);
	if (!rc)
		rc = check_range(at + 128, 64, 5);
	CHECK("abi_discard_exactly_its_range", rc == 0, "status %d", rc);
}

static void scenario_pattern(const char *proto, unsigned segs, uint32_t gen, bool write)
{
	struct blkfront_opts o = { .ring_order = 1, .slots = 4, .max_segments = segs,
				   .timeout_ms = TIMEOUT_MS };
	int rc;

	if (strcmp(proto, "native"))
		o.protocol = proto;
	if (attach_with(&o))
		return;
	if (write) {
		pattern_write(segs, gen);
		abi_fields();
		return;
	}
	rc = check_range(0, REGION_SECTORS, gen);
	CHECK("pattern_reads_back", rc == 0, "status %d", rc);
}

/* ---- refusals ---- */

static struct blkfront_override ov[17];
static char ov_node[17][24], ov_val[17][24];

/* Ring order 5: 16 more ring pages than the library shares, published as
 * ring-ref16..31 with ring-page-order 5. */
static int order5_overrides(struct blkfront *b)
{
	uint32_t refs[16];

	if (!blkfront_share(b, 16, true, refs))
		return -ENOMEM;
	for (unsigned i = 0; i < 16; i++) {
		snprintf(ov_node[i], sizeof(ov_node[i]), "ring-ref%u", 16 + i);
		snprintf(ov_val[i], sizeof(ov_val[i]), "%u", refs[i]);
	}
	snprintf(ov_val[16], sizeof(ov_val[16]), "5");
	return 0;
}

static void refusal_checks(const char *kind, int rc)
{
	char name[96], err[256] = "";
	int st = blkfront_backend_state(bf);

	snprintf(name, sizeof(name), "%s_refused", kind);
	CHECK(name, rc != 0 && st != XenbusStateConnected, "backend state %d", st);
	snprintf(name, sizeof(name), "%s_error_node", kind);
	rc = blkfront_read_backend_node(bf, "error", err, sizeof(err));
	CHECK(name, rc == 0 && err[0], "no error node in %s (%d)", blkfront_info(bf)->backend, rc);
	if (err[0])
		printf("%s: backend says: %s\n", kind, err);
}

/* The shell checks that nothing was mapped, then that a valid frontend
 * connects afterwards; this leaves the device closed. */
static void scenario_refuse(const char *kind, const char *arg)
{
	struct blkfront_opts o = { .devid = devid, .ring_order = -1,
				   .unchecked = true, .timeout_ms = 5000 };
	int rc;

	for (unsigned i = 0; i < 17; i++)
		ov[i] = (struct blkfront_override){ ov_node[i], ov_val[i] };
	snprintf(ov_node[16], sizeof(ov_node[16]), "ring-page-order");
	if (!strcmp(kind, "order5")) {
		o.ring_order = 4;
		o.overrides = ov;
		o.nr_overrides = 17;
	} else if (!strcmp(kind, "queues")) {
		o.queues = (unsigned)atoi(arg ? arg : "2");
	} else {
		o.protocol = arg ? arg : "x86_16-abi";
	}
	rc = blkfront_open(&bf, &o);
	if (!rc)
		rc = blkfront_setup(bf);
	if (!rc && !strcmp(kind, "order5"))
		rc = order5_overrides(bf);
	if (rc) {
		CHECK("refusal_setup", 0, "%s", bf ? blkfront_error(bf) : strerror(-rc));
		return;
	}
	rc = blkfront_publish(bf);
	if (!rc)
		rc = blkfront_wait_connected(bf);
	refusal_checks(kind, rc);
}

static unsigned num(const char *s)
{
	uint64_t v;

	if (!s || parse_uint(s, UINT32_MAX, &v)) {
		fprintf(stderr, "guest_proto: bad number '%s'\n", s ? s : "(none)");
		exit(2);
	}
	return (unsigned)v;
}

static void run(int argc, char **argv)
{
	const char *s = argv[1];

	if (!strcmp(s, "ring") && argc > 5)
		scenario_ring(num(argv[3]), num(argv[4]), num(argv[5]));
	else if (!strcmp(s, "indirect") && argc > 3 && num(argv[3]))
		scenario_indirect(num(argv[3]));
	else if (!strcmp(s, "indirect") && argc > 3)
		scenario_no_indirect();
	else if (!strcmp(s, "race") && argc > 3)
		scenario_race(num(argv[3]));
	else if (!strcmp(s, "pattern") && argc > 6) {
		seed = num(argv[5]);
		scenario_pattern(argv[3], num(argv[4]), (uint32_t)seed,
				 !strcmp(argv[6], "write"));
	}
	else if (!strcmp(s, "badgrant"))
		scenario_badgrant();
	else if (!strcmp(s, "padding"))
		scenario_padding();
	else if (!strcmp(s, "refuse") && argc > 3)
		scenario_refuse(argv[3], argc > 4 ? argv[4] : NULL);
	else {
		printf("FAIL: bad arguments for scenario %s\n", s);
		guest_failures++;
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: guest_proto SCENARIO DEVID ARGS...\n");
		return 2;
	}
	devid = num(argv[2]);
	if (getenv("GUEST_PROTO_PREFIX"))
		guest_prefix = getenv("GUEST_PROTO_PREFIX"); /* names one run's checks */
	run(argc, argv);
	if (bf) {
		blkfront_close(bf);
		blkfront_free(bf);
	}
	return guest_failures ? 1 : 0;
}
