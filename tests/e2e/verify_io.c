/* The verifier's requests and their checks; see verify.h. */
#include "verify.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest_common.h"

#define MAX_REPORTS 10 /* mismatch and error lines printed */

/* Random segment shapes over nsegs pages (whole pages on a 4K disk). */
static uint64_t random_shape(struct verifier *v, struct bf_seg *segs, unsigned nsegs)
{
	for (unsigned i = 0; i < nsegs; i++) {
		unsigned first = 0, last = 7;

		if (v->align == 1 && pat_rng_below(&v->rng, 2)) {
			first = (unsigned)pat_rng_below(&v->rng, 8);
			last = first + (unsigned)pat_rng_below(&v->rng, 8 - first);
		}
		segs[i] = (struct bf_seg){ (uint8_t)first, (uint8_t)last };
	}
	return bf_seg_sectors(segs, nsegs);
}

/* One segment, a few direct ones, or an indirect request. */
static unsigned random_nsegs(struct verifier *v)
{
	unsigned max = v->in->max_segments, kind = (unsigned)pat_rng_below(&v->rng, 3);

	if (kind == 0 || max == 1)
		return 1;
	if (kind == 1 || max <= BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return 2 + (unsigned)pat_rng_below(&v->rng, (max < 11 ? max : 11) - 1);
	return BLKIF_MAX_SEGMENTS_PER_REQUEST + 1 +
	       (unsigned)pat_rng_below(&v->rng, max - BLKIF_MAX_SEGMENTS_PER_REQUEST);
}

/* A start for n sectors: half the time in the first sixteenth of the
 * disk, so reads keep meeting recent writes. */
static uint64_t random_sector(struct verifier *v, uint64_t n)
{
	uint64_t span = v->sh.nsect - n + 1;

	if (pat_rng_below(&v->rng, 2) && span > v->sh.nsect / 16 + 1)
		span = v->sh.nsect / 16 + 1;
	return pat_rng_below(&v->rng, span) / v->align * v->align;
}

static void fill_write(struct verifier *v, struct blkfront_req *r, uint64_t n, uint32_t gen)
{
	for (uint64_t k = 0; k < n; k++)
		pat_fill_sector(v->o.seed, r->sector + k, gen,
				bf_seg_sector_ptr(r->page, r->seg, r->nr_segments, k));
}

/* Make r a write, read or discard the shadow allows now; false if none
 * found in a few tries. */
static bool pick_data_request(struct verifier *v, struct blkfront_req *r, uint8_t op)
{
	for (unsigned tries = 0; tries < 8; tries++) {
		uint64_t n;

		if (op == BLKIF_OP_DISCARD) {
			n = (1 + pat_rng_below(&v->rng, 4096)) / v->align * v->align;
			n = n ? n : v->align;
			r->nr_segments = 0;
		} else {
			r->nr_segments = (uint16_t)random_nsegs(v);
			n = random_shape(v, r->seg, r->nr_segments);
		}
		if (n > v->sh.nsect)
			continue;
		r->op = op;
		r->sector = random_sector(v, n);
		if (op == BLKIF_OP_READ) {
			if (!vs_can_read(&v->sh, r->sector, n))
				continue;
			r->user = vs_read_begin(&v->sh, r->sector, n);
			return true;
		}
		if (!vs_can_write(&v->sh, r->sector, n))
			continue;
		if (op == BLKIF_OP_DISCARD) {
			r->nr_sectors = n;
			vs_write_begin(&v->sh, r->sector, n, true);
		} else {
			fill_write(v, r, n, vs_write_begin(&v->sh, r->sector, n, false));
		}
		return true;
	}
	return false;
}

/* The whole disk in order, biggest requests: the fill at the start
 * (writes) or the read-back at the end (reads). */
static bool pick_sequential(struct verifier *v, struct blkfront_req *r, uint8_t op)
{
	uint64_t left = v->sh.nsect - v->seq_next, n;
	unsigned nsegs = v->in->max_segments;

	if (left == 0)
		return false;
	if ((uint64_t)nsegs * 8 > left)
		nsegs = (unsigned)((left + 7) / 8);
	r->op = op;
	r->nr_segments = (uint16_t)nsegs;
	for (unsigned i = 0; i < nsegs; i++)
		r->seg[i] = (struct bf_seg){ 0, 7 };
	if ((uint64_t)nsegs * 8 > left)
		r->seg[nsegs - 1].last_sect = (uint8_t)((left - 1) % 8);
	r->sector = v->seq_next;
	n = bf_seg_sectors(r->seg, nsegs);
	v->seq_next += n;
	if (op == BLKIF_OP_READ)
		r->user = vs_read_begin(&v->sh, r->sector, n);
	else
		fill_write(v, r, n, vs_write_begin(&v->sh, r->sector, n, false));
	return true;
}

bool verify_pick_request(struct verifier *v, struct blkfront_req *r)
{
	unsigned roll = (unsigned)pat_rng_below(&v->rng, 100);

	if (v->final_phase)
		return pick_sequential(v, r, BLKIF_OP_READ);
	if (v->fill_phase)
		return pick_sequential(v, r, BLKIF_OP_WRITE);
	if (roll < 5 && v->in->feature_flush) {
		r->op = BLKIF_OP_FLUSH_DISKCACHE;
		r->nr_segments = 0;
		return true;
	}
	if (roll >= 100 - v->o.discard_pct && v->in->feature_discard && !v->in->readonly)
		return pick_data_request(v, r, BLKIF_OP_DISCARD);
	return pick_data_request(v, r, roll % 2 || v->in->readonly ? BLKIF_OP_READ
								   : BLKIF_OP_WRITE);
}

static void report_mismatch(struct verifier *v, uint64_t sector, const uint32_t *gens,
			    unsigned ngens, const struct pat_mismatch *mm)
{
	if (v->st.mismatches++ >= MAX_REPORTS)
		return;
	printf("# mismatch: sector %llu (%s) expected gen %u", (unsigned long long)sector,
	       v->final_phase ? "read-back" : "run", gens[0]);
	if (ngens > 1)
		printf(" or %u", gens[1]);
	printf(", byte %zu is %02x not %02x; it holds %s", mm->offset, mm->got, mm->expected,
	       mm->got_zero ? "zeros" : mm->got_header ? "" : "foreign bytes");
	if (!mm->got_zero && mm->got_header)
		printf("sector %llu gen %u", (unsigned long long)mm->got_sector, mm->got_gen);
	printf("\n");
}

static bool sector_matches(const struct verifier *v, uint64_t sector, uint32_t gen,
			   const void *p, struct pat_mismatch *mm)
{
	if (gen == VS_GEN_ZERO)
		return pat_check_zero(p, mm) == 0;
	return pat_check_sector(v->o.seed, sector, gen, p, mm) == 0;
}

/* A read that overlapped a write may see the sector torn: every byte
 * from the old or the new generation (no order of copying is promised). */
static bool sector_torn_between(const struct verifier *v, uint64_t sector,
				const uint32_t gens[2], const uint8_t *p)
{
	uint8_t a[PAT_SECTOR_SIZE], b[PAT_SECTOR_SIZE];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	if (gens[0] != VS_GEN_ZERO)
		pat_fill_sector(v->o.seed, sector, gens[0], a);
	if (gens[1] != VS_GEN_ZERO)
		pat_fill_sector(v->o.seed, sector, gens[1], b);
	for (unsigned i = 0; i < PAT_SECTOR_SIZE; i++)
		if (p[i] != a[i] && p[i] != b[i])
			return false;
	return true;
}

static void check_read(struct verifier *v, struct blkfront_req *r, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		const void *p = bf_seg_sector_ptr(r->page, r->seg, r->nr_segments, k);
		uint32_t gens[2];
		unsigned ng = vs_allowed(&v->sh, r->sector + k, (uint32_t)r->user, gens);
		struct pat_mismatch mm;

		if (ng == 0)
			continue;
		if (sector_matches(v, r->sector + k, gens[0], p, &mm) ||
		    (ng == 2 && sector_torn_between(v, r->sector + k, gens, p)))
			continue;
		report_mismatch(v, r->sector + k, gens, ng, &mm);
	}
	if (v->final_phase)
		v->st.final_sectors += n;
	else
		v->st.sectors_checked += n;
}

void verify_complete(struct verifier *v, struct blkfront_req *r)
{
	bool ok = r->status == BLKIF_RSP_OKAY;
	uint64_t n = r->op == BLKIF_OP_DISCARD ? r->nr_sectors
					       : bf_seg_sectors(r->seg, r->nr_segments);

	if (!ok && v->st.io_errors++ < MAX_REPORTS)
		printf("# error: op %u sector %llu, %llu sectors, %u segments: status %d\n", r->op,
		       (unsigned long long)r->sector, (unsigned long long)n, r->nr_segments,
		       r->status);
	if (r->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		v->st.indirect++;
	switch (r->op) {
	case BLKIF_OP_READ:
		if (ok)
			check_read(v, r, n);
		vs_read_end(&v->sh, r->sector, n);
		v->st.reads += ok && !v->final_phase;
		break;
	case BLKIF_OP_WRITE:
		vs_write_end(&v->sh, r->sector, n, ok);
		v->st.writes += ok;
		break;
	case BLKIF_OP_DISCARD:
		vs_write_end(&v->sh, r->sector, n, ok);
		v->st.discards += ok;
		break;
	default:
		v->st.flushes += ok;
		break;
	}
}

/* The shadow as a disk image: what a save of the quiet disk must hold. */
int verify_write_expected_image(struct verifier *v)
{
	uint8_t sec[PAT_SECTOR_SIZE];
	FILE *f = fopen(v->o.expect_image, "w");
	uint64_t unknown = 0;

	if (!f) {
		CHECK("expected_image_written", 0, "%s: %s", v->o.expect_image, strerror(errno));
		return -errno;
	}
	for (uint64_t i = 0; i < v->sh.nsect; i++) {
		uint32_t gen = v->sh.s[i].gen;

		memset(sec, 0, sizeof(sec));
		if (gen == VS_GEN_UNKNOWN)
			unknown++;
		else if (gen != VS_GEN_ZERO)
			pat_fill_sector(v->o.seed, i, gen, sec);
		fwrite(sec, sizeof(sec), 1, f);
	}
	if (fclose(f) || unknown) {
		CHECK("expected_image_written", 0, "%s: %llu sectors unknown", v->o.expect_image,
		      (unsigned long long)unknown);
		return -EIO;
	}
	return 0;
}
