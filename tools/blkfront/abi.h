/*
 * The blkif ring slot as each guest ABI lays it out, from the frontend's
 * side: encode a request into a slot, decode a response from one. Pure.
 *
 * A 32-bit x86 guest aligns uint64_t to 4 bytes, so its requests have no
 * padding before `id` and its responses are 12 bytes; x86_64 (native here)
 * pads to 8. Offsets are spelled out rather than taken from a compiler, so
 * the layout does not depend on the build's ABI.
 */
#ifndef BLKFRONT_ABI_H
#define BLKFRONT_ABI_H

#include <stddef.h>
#include <stdint.h>

enum bf_abi { BF_ABI_X86_64 = 0, BF_ABI_X86_32 };

#define BF_ABI_MAX_INDIRECT_PAGES 8 /* BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST */
#define BF_ABI_DIRECT_SEGS        11 /* BLKIF_MAX_SEGMENTS_PER_REQUEST */

/* One segment descriptor: the same 8 bytes in every ABI. */
struct bf_abi_seg {
	uint32_t gref;
	uint8_t first_sect, last_sect;
};

/* A request, ABI-neutral. */
struct bf_abi_req {
	uint8_t operation;        /* BLKIF_OP_* as on the ring */
	uint8_t indirect_op;      /* INDIRECT only */
	uint8_t discard_flag;     /* DISCARD only */
	uint16_t nr_segments;     /* direct: <= 11; INDIRECT: any */
	uint16_t handle;
	uint64_t id;
	uint64_t sector_number;
	uint64_t nr_sectors;      /* DISCARD only */
	const struct bf_abi_seg *seg;                   /* direct: nr_segments */
	uint32_t indirect_grefs[BF_ABI_MAX_INDIRECT_PAGES]; /* INDIRECT */
};

struct bf_abi_rsp {
	uint64_t id;
	uint8_t operation;
	int16_t status;
};

/* The protocol string's ABI: NULL, "", "x86_64-abi" and anything unknown
 * are laid out as x86_64 (unknown strings are for refusal tests). */
enum bf_abi bf_abi_from_protocol(const char *protocol);
/* Bytes of a request, of a response, and of a ring entry (their union). */
size_t bf_abi_req_size(enum bf_abi abi);
size_t bf_abi_rsp_size(enum bf_abi abi);
size_t bf_abi_entry_size(enum bf_abi abi);
/* Ring entries in `bytes` of shared ring (a power of two, as ring.h). */
unsigned bf_abi_ring_entries(enum bf_abi abi, size_t bytes);

/* Encode r into slot (bf_abi_req_size bytes, zeroed first). */
void bf_abi_put_request(enum bf_abi abi, void *slot, const struct bf_abi_req *r);
/* Decode the response in slot (bf_abi_rsp_size bytes). */
void bf_abi_get_response(enum bf_abi abi, const void *slot, struct bf_abi_rsp *out);

/* Write descriptors into indirect pages: 512 per 4 KiB page. */
void bf_abi_put_indirect(void *const *pages, const struct bf_abi_seg *segs,
			 unsigned nr_segs);

#endif
