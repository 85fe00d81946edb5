/* The load generator and verifier; see load.h. */
#include "load.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS_PRINTED 5
#define COMPLETE_BATCH     64

int load_init(struct load_ctx *lc, const struct bf_args *a, struct blkfront *bf,
	      char *msg, size_t msglen)
{
	const struct blkfront_info *in = blkfront_info(bf);
	uint64_t disk_bytes = in->sectors * BF_SECTOR_SIZE;
	uint64_t size;
	int n;

	memset(lc, 0, sizeof(*lc));
	lc->args = a;
	lc->bf = bf;
	lc->log = stderr;
	if (a->bs % in->sector_size || a->offset % in->sector_size) {
		snprintf(msg, msglen, "--bs and --offset must be multiples of the "
			 "disk's sector-size %u", in->sector_size);
		return -EINVAL;
	}
	if (a->offset >= disk_bytes) {
		snprintf(msg, msglen, "--offset %" PRIu64 " is past the end of the "
			 "%" PRIu64 "-byte disk", a->offset, disk_bytes);
		return -EINVAL;
	}
	size = a->size ? a->size : disk_bytes - a->offset;
	if (size > disk_bytes - a->offset) {
		snprintf(msg, msglen, "--offset + --size is past the end of the "
			 "%" PRIu64 "-byte disk", disk_bytes);
		return -EINVAL;
	}
	lc->nblocks = size / a->bs;
	if (lc->nblocks == 0) {
		snprintf(msg, msglen, "the range holds no whole --bs block");
		return -EINVAL;
	}
	if (in->readonly && a->read_pct < 100) {
		snprintf(msg, msglen, "the disk is read-only; use --rw read");
		return -EINVAL;
	}
	lc->first_sector = a->offset / BF_SECTOR_SIZE;
	lc->sectors_per_block = a->bs / BF_SECTOR_SIZE;
	n = bf_seg_layout(0, a->bs, lc->layout, in->max_segments);
	if (n < 0) {
		snprintf(msg, msglen, "--bs %u does not fit one request of %u "
			 "segments", a->bs, in->max_segments);
		return -EINVAL;
	}
	lc->nr_segs = (unsigned)n;
	lc->gen = calloc(lc->nblocks, sizeof(*lc->gen));
	lc->busy = calloc(lc->nblocks, 1);
	if (!lc->gen || !lc->busy)
		goto nomem;
	for (unsigned q = 0; q < blkfront_nr_queues(bf); q++) {
		lc->slot_gen[q] = calloc(in->slots, sizeof(uint32_t));
		if (!lc->slot_gen[q])
			goto nomem;
	}
	pat_rng_seed(&lc->rng, a->seed);
	return 0;
nomem:
	snprintf(msg, msglen, "out of memory for %" PRIu64 " blocks", lc->nblocks);
	load_fini(lc);
	return -ENOMEM;
}

void load_fini(struct load_ctx *lc)
{
	free(lc->gen);
	free(lc->busy);
	for (unsigned q = 0; q < BLKFRONT_MAX_QUEUES; q++)
		free(lc->slot_gen[q]);
	memset(lc, 0, sizeof(*lc));
}

/* The next block to use, or UINT64_MAX if none is free right now. */
static uint64_t pick_block(struct load_ctx *lc, enum load_mode mode)
{
	uint64_t b;

	if (mode != LOAD_MIXED || lc->args->pattern == BF_PATTERN_SEQ) {
		b = lc->seq_next % lc->nblocks;
		if (lc->busy[b])
			return UINT64_MAX;
		lc->seq_next++;
		return b;
	}
	for (unsigned tries = 0; tries < 8; tries++) {
		b = pat_rng_below(&lc->rng, lc->nblocks);
		if (!lc->busy[b])
			return b;
	}
	return UINT64_MAX;
}

static bool pick_write(struct load_ctx *lc, enum load_mode mode)
{
	if (mode != LOAD_MIXED)
		return mode == LOAD_WRITE_ALL;
	if (lc->args->read_pct >= 100)
		return false;
	if (lc->args->read_pct == 0)
		return true;
	return pat_rng_below(&lc->rng, 100) >= lc->args->read_pct;
}

static uint32_t new_gen(struct load_ctx *lc)
{
	if (++lc->next_gen == LOAD_GEN_UNKNOWN || lc->next_gen == LOAD_GEN_NEVER)
		lc->next_gen = 1;
	return lc->next_gen;
}

/* Fill in and queue one request for block b on queue qi. */
static int issue(struct load_ctx *lc, unsigned qi, struct blkfront_req *r,
		 uint64_t b, bool write)
{
	struct blkfront_queue *q = blkfront_queue(lc->bf, qi);
	uint64_t sector = lc->first_sector + b * lc->sectors_per_block;
	int rc;

	r->user = b;
	r->op = write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
	r->sector = sector;
	r->nr_segments = (uint16_t)lc->nr_segs;
	memcpy(r->seg, lc->layout, lc->nr_segs * sizeof(lc->layout[0]));
	if (write) {
		uint32_t g = new_gen(lc);

		lc->slot_gen[qi][r->slot] = g;
		if (lc->args->verify)
			for (uint32_t k = 0; k < lc->sectors_per_block; k++)
				pat_fill_sector(lc->args->seed, sector + k, g,
						bf_seg_sector_ptr(r->page, r->seg,
								  r->nr_segments, k));
	}
	rc = blkfront_req_submit(q, r);
	if (rc)
		return rc;
	lc->busy[b] = 1;
	lc->in_flight++;
	return 0;
}

static void print_mismatch(struct load_ctx *lc, uint64_t sector, uint64_t b,
			   uint32_t want_gen, const struct pat_mismatch *mm)
{
	fprintf(lc->log, "verify: sector %" PRIu64 " (block %" PRIu64 "): "
		"expected %s generation %" PRIu32 ", byte %zu: expected 0x%02x, "
		"got 0x%02x", sector, b,
		want_gen == LOAD_GEN_NEVER ? "zeros," : "data of", want_gen,
		mm->offset, mm->expected, mm->got);
	if (mm->got_zero)
		fprintf(lc->log, " (the sector reads as zeros)");
	else if (mm->got_header)
		fprintf(lc->log, " (holds data of sector %" PRIu64
			" generation %" PRIu32 ")", mm->got_sector, mm->got_gen);
	fputc('\n', lc->log);
}

static void verify_read(struct load_ctx *lc, const struct blkfront_req *r,
			struct load_result *res)
{
	uint64_t b = r->user;
	uint32_t g = lc->gen[b];

	if (g == LOAD_GEN_UNKNOWN || (g == LOAD_GEN_NEVER && !lc->args->assume_zero))
		return;
	for (uint32_t k = 0; k < lc->sectors_per_block; k++) {
		const void *p = bf_seg_sector_ptr(r->page, r->seg, r->nr_segments, k);
		struct pat_mismatch mm;
		int bad = g == LOAD_GEN_NEVER ? pat_check_zero(p, &mm)
					      : pat_check_sector(lc->args->seed,
								 r->sector + k, g,
								 p, &mm);

		res->sectors_checked++;
		if (!bad)
			continue;
		res->verify_errors++;
		if (lc->errors_printed++ < MAX_ERRORS_PRINTED)
			print_mismatch(lc, r->sector + k, b, g, &mm);
	}
}

static void finish(struct load_ctx *lc, unsigned qi, struct blkfront_req *r,
		   struct load_result *res)
{
	bool write = r->op == BLKIF_OP_WRITE;
	uint64_t b = r->user;

	lat_add(&res->lat, r->complete_ns - r->submit_ns);
	res->ops++;
	if (r->status != BLKIF_RSP_OKAY) {
		res->io_errors++;
		if (lc->errors_printed++ < MAX_ERRORS_PRINTED)
			fprintf(lc->log, "I/O error: %s of sector %" PRIu64
				" (%u bytes): status %d\n", write ? "write" : "read",
				r->sector, lc->args->bs, r->status);
		if (write)
			lc->gen[b] = LOAD_GEN_UNKNOWN;
	} else if (write) {
		res->writes++;
		res->bytes_written += lc->args->bs;
		lc->gen[b] = lc->slot_gen[qi][r->slot];
	} else {
		res->reads++;
		res->bytes_read += lc->args->bs;
		if (lc->args->verify)
			verify_read(lc, r, res);
	}
	lc->busy[b] = 0;
	lc->in_flight--;
}

struct run_limits {
	uint64_t target;        /* requests to issue; 0: until deadline */
	uint64_t deadline_ns;   /* 0: none */
	uint64_t issued;
};

static bool done_issuing(const struct load_ctx *lc, const struct run_limits *lim,
			 const struct load_result *res)
{
	if (lim->target && lim->issued >= lim->target)
		return true;
	if (lim->deadline_ns && blkfront_now_ns() >= lim->deadline_ns)
		return true;
	return res->aborted || (lc->stop && *lc->stop);
}

/* Fill the queues up to qd, round-robin; kick each queue used. */
static int submit_some(struct load_ctx *lc, enum load_mode mode,
		       struct run_limits *lim, struct load_result *res)
{
	unsigned nq = blkfront_nr_queues(lc->bf);
	bool used[BLKFRONT_MAX_QUEUES] = { false };
	unsigned misses = 0;
	int rc = 0;

	while (lc->in_flight < lc->args->qd && misses < nq &&
	       !done_issuing(lc, lim, res)) {
		unsigned qi = lc->next_queue++ % nq;
		struct blkfront_queue *q = blkfront_queue(lc->bf, qi);
		struct blkfront_req *r = blkfront_req_get(q);
		uint64_t b;

		if (!r) {
			misses++;
			continue;
		}
		b = pick_block(lc, mode);
		if (b == UINT64_MAX) {
			blkfront_req_put(q, r);
			break;
		}
		misses = 0;
		rc = issue(lc, qi, r, b, pick_write(lc, mode));
		if (rc) {
			blkfront_req_put(q, r);
			break;
		}
		used[qi] = true;
		lim->issued++;
	}
	for (unsigned qi = 0; qi < nq; qi++)
		if (used[qi]) {
			int krc = blkfront_kick(blkfront_queue(lc->bf, qi));

			if (!rc)
				rc = krc;
		}
	return rc;
}

/* Collect what has completed on every queue; returns how many. */
static int reap(struct load_ctx *lc, struct load_result *res)
{
	struct blkfront_req *done[COMPLETE_BATCH];
	int total = 0;

	for (unsigned qi = 0; qi < blkfront_nr_queues(lc->bf); qi++) {
		struct blkfront_queue *q = blkfront_queue(lc->bf, qi);
		int n = blkfront_complete(q, done, COMPLETE_BATCH, 0);

		if (n < 0)
			return n;
		for (int i = 0; i < n; i++) {
			finish(lc, qi, done[i], res);
			blkfront_req_put(q, done[i]);
		}
		total += n;
	}
	return total;
}

static void run_failed(struct load_ctx *lc, struct load_result *res, int rc)
{
	if (rc == -ETIMEDOUT)
		res->timed_out = true;
	res->aborted = true;
	if (rc == -ETIMEDOUT)
		fprintf(lc->log, "blkfront: timed out: no response from the "
			"backend within %g s\n", lc->args->timeout_s);
	else if (rc == -ESHUTDOWN)
		fprintf(lc->log, "blkfront: the backend closed the device\n");
	else
		fprintf(lc->log, "blkfront: %s (%s)\n", blkfront_error(lc->bf),
			strerror(-rc));
}

/* Wait for the next response; -ETIMEDOUT after --timeout without one. */
static int wait_progress(struct load_ctx *lc)
{
	uint64_t limit = (uint64_t)(lc->args->timeout_s * 1e9);
	uint64_t now = blkfront_now_ns();
	int rc;

	if (now - lc->last_progress_ns >= limit)
		return -ETIMEDOUT;
	rc = blkfront_wait_any(lc->bf, (int)((limit - (now - lc->last_progress_ns))
					     / 1000000 + 1));
	return rc < 0 ? rc : 0;
}

static void limits_for(const struct load_ctx *lc, enum load_mode mode,
		       struct run_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	if (mode != LOAD_MIXED) {
		lim->target = lc->nblocks;
		return;
	}
	lim->target = lc->args->count;
	if (lc->args->time_s > 0)
		lim->deadline_ns = blkfront_now_ns() +
				   (uint64_t)(lc->args->time_s * 1e9);
}

int load_run(struct load_ctx *lc, enum load_mode mode, struct load_result *res)
{
	static const char *const names[] = { "mixed", "fill", "verify" };
	struct run_limits lim;
	uint64_t start = blkfront_now_ns();
	int rc = 0;

	memset(res, 0, sizeof(*res));
	lat_init(&res->lat);
	res->phase = names[mode];
	limits_for(lc, mode, &lim);
	lc->seq_next = 0;
	lc->last_progress_ns = start;
	for (;;) {
		int n;

		if (!res->aborted) {
			rc = submit_some(lc, mode, &lim, res);
			if (rc && rc != -EBUSY)
				run_failed(lc, res, rc);
		}
		if (lc->in_flight == 0 && done_issuing(lc, &lim, res))
			break;
		n = reap(lc, res);
		if (n > 0) {
			lc->last_progress_ns = blkfront_now_ns();
			continue;
		}
		if (n == 0 && lc->in_flight)
			n = wait_progress(lc);
		if (n < 0) {
			run_failed(lc, res, n);
			break; /* requests may still be in flight: do not reuse */
		}
	}
	res->elapsed_ns = blkfront_now_ns() - start;
	return res->aborted ? -EIO : 0;
}
