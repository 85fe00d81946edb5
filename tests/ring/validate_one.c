/* See validate_one.h. */
#include "validate_one.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../ring/request.h"

#define SLOT_BYTES 112 /* the largest request layout (native and x86_64) */

#define MUST(cond)                                                           \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "invariant broken: %s\n", #cond);    \
			abort();                                             \
		}                                                            \
	} while (0)

/* Limits from the input's first bytes: every combination gets visited. */
static void limits_from(const uint8_t *d, struct blkif_limits *l)
{
	static const uint64_t sizes[] = { 0, 1, 8, 2048, 1ull << 21, UINT64_MAX >> 9 };
	static const unsigned indirect[] = { 0, 12, 64, 256 };

	l->sectors = sizes[d[0] % 6];
	l->sector_size = d[1] & 1 ? 4096 : 512;
	l->readonly = d[1] & 2;
	l->discard = d[1] & 4;
	l->max_indirect_segments = indirect[(d[1] >> 3) & 3];
}

static void translate(uint8_t abi, const uint8_t *slot, struct blkif_req *r)
{
	switch (abi % 3) {
	case 0: {
		struct blkif_request n;
		memcpy(&n, slot, sizeof(n));
		blkif_from_native(&n, r);
		break;
	}
	case 1: {
		union blkif_x86_32_request x;
		memcpy(&x, slot, sizeof(x));
		blkif_from_x86_32(&x, r);
		break;
	}
	default: {
		union blkif_x86_64_request x;
		memcpy(&x, slot, sizeof(x));
		blkif_from_x86_64(&x, r);
		break;
	}
	}
}

static void check_accepted(const struct blkif_req *r, const struct blkif_limits *l,
			   const struct blkif_request_segment *segs, uint64_t nsect)
{
	uint64_t sum = 0;

	MUST(r->op == BLKIF_OP_READ || r->op == BLKIF_OP_WRITE ||
	     r->op == BLKIF_OP_FLUSH_DISKCACHE || r->op == BLKIF_OP_WRITE_BARRIER);
	MUST(!(l->readonly && blkif_is_write(r)));
	if (r->operation == BLKIF_OP_INDIRECT)
		MUST(r->nr_segments >= 1 && r->nr_segments <= l->max_indirect_segments);
	else
		MUST(r->nr_segments <= BLKIF_MAX_SEGMENTS_PER_REQUEST);
	for (unsigned i = 0; i < r->nr_segments; i++) {
		MUST(segs[i].first_sect <= segs[i].last_sect);
		MUST(segs[i].last_sect < SECTORS_PER_PAGE);
		sum += (uint64_t)(segs[i].last_sect - segs[i].first_sect + 1);
	}
	MUST(sum == nsect);
	/* A bare flush or barrier (no data) has no meaningful sector. */
	if (nsect == 0) {
		MUST(r->nr_segments == 0 && r->op != BLKIF_OP_READ && r->op != BLKIF_OP_WRITE);
		return;
	}
	MUST(r->sector_number <= l->sectors && nsect <= l->sectors - r->sector_number);
	if (l->sector_size == 4096)
		MUST(((r->sector_number | nsect) & 7) == 0);
}

int validate_one(const uint8_t *data, size_t len)
{
	static struct blkif_request_segment descs[MAX_INDIRECT_SEGMENTS];
	uint8_t slot[SLOT_BYTES] = { 0 };
	struct blkif_limits l;
	struct blkif_req r;
	uint64_t nsect = 0;
	int16_t st;

	if (len < 3)
		return 0;
	limits_from(data, &l);
	memcpy(slot, data + 3, len - 3 < SLOT_BYTES ? len - 3 : SLOT_BYTES);
	translate(data[2], slot, &r);
	st = blkif_check_request(&r, &l);
	if (st != BLKIF_RSP_OKAY)
		return st;
	if (r.operation == BLKIF_OP_DISCARD) {
		MUST(l.discard && !l.readonly);
		MUST(r.sector_number <= l.sectors && r.nr_sectors <= l.sectors - r.sector_number);
		return st;
	}
	/* Indirect descriptors: whatever follows the slot, the page's copy. */
	const struct blkif_request_segment *segs = r.seg;
	if (r.operation == BLKIF_OP_INDIRECT) {
		size_t rest = len > 3 + SLOT_BYTES ? len - 3 - SLOT_BYTES : 0;
		memset(descs, 0, sizeof(descs));
		memcpy(descs, data + 3 + SLOT_BYTES, rest < sizeof(descs) ? rest : sizeof(descs));
		segs = descs;
	}
	st = blkif_check_segments(&r, segs, &l, &nsect);
	if (st == BLKIF_RSP_OKAY)
		check_accepted(&r, &l, segs, nsect);
	return st;
}
