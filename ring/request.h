/*
 * Request validation: pure functions over a private copy of a request
 * (struct blkif_req). They return a blkif status: BLKIF_RSP_OKAY to go on,
 * BLKIF_RSP_EOPNOTSUPP for an operation we do not offer, BLKIF_RSP_ERROR
 * for anything malformed or out of bounds.
 */
#ifndef MEMBACK_RING_REQUEST_H
#define MEMBACK_RING_REQUEST_H

#include "blkif_abi.h"

/* What the device offers, as advertised to the frontend. */
struct blkif_limits {
	uint64_t sectors;               /* disk size, 512-byte units */
	unsigned sector_size;           /* power of two >= 512 */
	bool readonly;
	bool discard;
	unsigned max_indirect_segments; /* 0: no BLKIF_OP_INDIRECT */
};

/* Operation and counts, before any segment is looked at. */
int16_t blkif_check_request(const struct blkif_req *r, const struct blkif_limits *l);
/* The segments (r->seg, or the copied indirect descriptors) and the sector
 * range they add up to; *nr_sectors gets the length in 512-byte sectors. */
int16_t blkif_check_segments(const struct blkif_req *r,
			     const struct blkif_request_segment *segs,
			     const struct blkif_limits *l, uint64_t *nr_sectors);
/* Indirect pages holding nr_segments descriptors. */
unsigned blkif_indirect_pages(unsigned nr_segments);
/* The operation the response carries (indirect_op for INDIRECT). */
uint8_t blkif_response_op(const struct blkif_req *r);
/* True if the request moves data from the guest to the disk. */
bool blkif_is_write(const struct blkif_req *r);

#endif
