/* Ring slot layouts per ABI; see abi.h. Offsets follow xen/io/blkif.h
 * compiled for each ABI (x86_32: 8-byte fields on 4-byte boundaries). */
#include "abi.h"

#include <string.h>

#define OP_DISCARD  5 /* BLKIF_OP_DISCARD */
#define OP_INDIRECT 6 /* BLKIF_OP_INDIRECT */
#define SRING_HEADER 64 /* four indexes and 48 bytes of private space */
#define SEG_BYTES    8

struct layout {
	size_t id, sector, seg;               /* read/write and friends */
	size_t discard_nr_sectors;
	size_t ind_handle, ind_grefs;         /* indirect */
	size_t req_size, rsp_size, rsp_status;
};

static const struct layout layouts[] = {
	[BF_ABI_X86_64] = { .id = 8, .sector = 16, .seg = 24,
			    .discard_nr_sectors = 24,
			    .ind_handle = 24, .ind_grefs = 28,
			    .req_size = 112, .rsp_size = 16, .rsp_status = 10 },
	[BF_ABI_X86_32] = { .id = 4, .sector = 12, .seg = 20,
			    .discard_nr_sectors = 20,
			    .ind_handle = 20, .ind_grefs = 24,
			    .req_size = 108, .rsp_size = 12, .rsp_status = 10 },
};

static const struct layout *lay(enum bf_abi abi)
{
	return &layouts[abi == BF_ABI_X86_32 ? BF_ABI_X86_32 : BF_ABI_X86_64];
}

enum bf_abi bf_abi_from_protocol(const char *protocol)
{
	return protocol && strcmp(protocol, "x86_32-abi") == 0 ? BF_ABI_X86_32
							       : BF_ABI_X86_64;
}

size_t bf_abi_req_size(enum bf_abi abi)
{
	return lay(abi)->req_size;
}

size_t bf_abi_rsp_size(enum bf_abi abi)
{
	return lay(abi)->rsp_size;
}

size_t bf_abi_entry_size(enum bf_abi abi)
{
	const struct layout *l = lay(abi);

	return l->req_size > l->rsp_size ? l->req_size : l->rsp_size;
}

unsigned bf_abi_ring_entries(enum bf_abi abi, size_t bytes)
{
	size_t n = bytes > SRING_HEADER ? (bytes - SRING_HEADER) / bf_abi_entry_size(abi) : 0;
	unsigned p = 1;

	if (n == 0)
		return 0;
	while ((size_t)p * 2 <= n)
		p *= 2;
	return p;
}

/* Little-endian stores at byte offsets (x86 is little-endian). */
static void put(uint8_t *slot, size_t off, const void *v, size_t len)
{
	memcpy(slot + off, v, len);
}

static void put_seg(uint8_t *at, const struct bf_abi_seg *s)
{
	memcpy(at, &s->gref, 4);
	at[4] = s->first_sect;
	at[5] = s->last_sect;
}

void bf_abi_put_request(enum bf_abi abi, void *slot, const struct bf_abi_req *r)
{
	const struct layout *l = lay(abi);
	uint8_t *p = slot;

	memset(p, 0, l->req_size);
	p[0] = r->operation;
	put(p, l->id, &r->id, 8);
	put(p, l->sector, &r->sector_number, 8);
	if (r->operation == OP_DISCARD) {
		p[1] = r->discard_flag;
		put(p, 2, &r->handle, 2);
		put(p, l->discard_nr_sectors, &r->nr_sectors, 8);
	} else if (r->operation == OP_INDIRECT) {
		p[1] = r->indirect_op;
		put(p, 2, &r->nr_segments, 2);
		put(p, l->ind_handle, &r->handle, 2);
		put(p, l->ind_grefs, r->indirect_grefs, sizeof(r->indirect_grefs));
	} else {
		unsigned n = r->nr_segments < BF_ABI_DIRECT_SEGS ? r->nr_segments
								  : BF_ABI_DIRECT_SEGS;

		/* The field is 8 bits: a lie above 11 is sent as given. */
		p[1] = (uint8_t)r->nr_segments;
		put(p, 2, &r->handle, 2);
		for (unsigned i = 0; i < n && r->seg; i++)
			put_seg(p + l->seg + (size_t)i * SEG_BYTES, &r->seg[i]);
	}
}

void bf_abi_get_response(enum bf_abi abi, const void *slot, struct bf_abi_rsp *out)
{
	const struct layout *l = lay(abi);
	const uint8_t *p = slot;

	memcpy(&out->id, p, 8);
	out->operation = p[8];
	memcpy(&out->status, p + l->rsp_status, 2);
}

void bf_abi_put_indirect(void *const *pages, const struct bf_abi_seg *segs,
			 unsigned nr_segs)
{
	const unsigned per_page = 4096 / SEG_BYTES;

	for (unsigned i = 0; i < nr_segs; i++) {
		uint8_t *at = (uint8_t *)pages[i / per_page] +
			      (size_t)(i % per_page) * SEG_BYTES;

		memset(at, 0, SEG_BYTES);
		put_seg(at, &segs[i]);
	}
}
