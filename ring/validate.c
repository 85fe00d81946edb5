/*
 * Request validation, pure. Sector fields are 512-byte units whatever the
 * sector size; the sector size only sets alignment. All range arithmetic is
 * 64-bit and bounded before use so nothing a guest sends can wrap.
 */
#include "request.h"

static int16_t check_rw_count(unsigned nr_segments, bool may_be_empty)
{
	if (nr_segments == 0 && !may_be_empty)
		return BLKIF_RSP_ERROR;
	if (nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

/* start and length (in 512-byte sectors) fit the disk and its alignment. */
static int16_t check_range(uint64_t start, uint64_t len, const struct blkif_limits *l)
{
	uint64_t align = l->sector_size >> SECTOR_SHIFT;

	if (start > l->sectors || len > l->sectors - start)
		return BLKIF_RSP_ERROR;
	if (align > 1 && ((start | len) & (align - 1)))
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

static int16_t check_discard(const struct blkif_req *r, const struct blkif_limits *l)
{
	if (!l->discard)
		return BLKIF_RSP_EOPNOTSUPP;
	if (l->readonly)
		return BLKIF_RSP_ERROR;
	/* BLKIF_DISCARD_SECURE needs nothing more here: serve.c wipes at once. */
	return check_range(r->sector_number, r->nr_sectors, l);
}

static int16_t check_indirect(const struct blkif_req *r, const struct blkif_limits *l)
{
	if (l->max_indirect_segments == 0)
		return BLKIF_RSP_EOPNOTSUPP;
	if (r->op != BLKIF_OP_READ && r->op != BLKIF_OP_WRITE)
		return BLKIF_RSP_ERROR;
	if (r->nr_segments == 0 || r->nr_segments > l->max_indirect_segments ||
	    r->nr_segments > MAX_INDIRECT_SEGMENTS)
		return BLKIF_RSP_ERROR;
	if (r->op == BLKIF_OP_WRITE && l->readonly)
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

int16_t blkif_check_request(const struct blkif_req *r, const struct blkif_limits *l)
{
	int16_t st;

	switch (r->operation) {
	case BLKIF_OP_READ:
		return check_rw_count(r->nr_segments, false);
	case BLKIF_OP_WRITE:
		st = check_rw_count(r->nr_segments, false);
		return st == BLKIF_RSP_OKAY && l->readonly ? BLKIF_RSP_ERROR : st;
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		/* Empty, or carrying data to write first. */
		st = check_rw_count(r->nr_segments, true);
		if (st == BLKIF_RSP_OKAY && r->nr_segments && l->readonly)
			return BLKIF_RSP_ERROR;
		return st;
	case BLKIF_OP_DISCARD:
		return check_discard(r, l);
	case BLKIF_OP_INDIRECT:
		return check_indirect(r, l);
	default:
		return BLKIF_RSP_EOPNOTSUPP;
	}
}

int16_t blkif_check_segments(const struct blkif_req *r,
			     const struct blkif_request_segment *segs,
			     const struct blkif_limits *l, uint64_t *nr_sectors)
{
	uint64_t total = 0;

	*nr_sectors = 0;
	if (r->nr_segments > MAX_INDIRECT_SEGMENTS)
		return BLKIF_RSP_ERROR;
	for (unsigned i = 0; i < r->nr_segments; i++) {
		uint8_t first = segs[i].first_sect, last = segs[i].last_sect;

		if (first > last || last >= SECTORS_PER_PAGE)
			return BLKIF_RSP_ERROR;
		total += (uint64_t)(last - first) + 1;
	}
	if (r->nr_segments == 0)
		return BLKIF_RSP_OKAY; /* a bare flush or barrier */
	if (check_range(r->sector_number, total, l) != BLKIF_RSP_OKAY)
		return BLKIF_RSP_ERROR;
	*nr_sectors = total;
	return BLKIF_RSP_OKAY;
}

unsigned blkif_indirect_pages(unsigned nr_segments)
{
	return (unsigned)((nr_segments + SEGS_PER_INDIRECT_PAGE - 1) /
			  SEGS_PER_INDIRECT_PAGE);
}

uint8_t blkif_response_op(const struct blkif_req *r)
{
	/* Linux blkfront checks an indirect response against indirect_op. */
	return r->operation == BLKIF_OP_INDIRECT ? r->op : r->operation;
}

bool blkif_is_write(const struct blkif_req *r)
{
	switch (r->op) {
	case BLKIF_OP_WRITE:
		return true;
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		return r->operation != BLKIF_OP_INDIRECT && r->nr_segments > 0;
	default:
		return false;
	}
}
