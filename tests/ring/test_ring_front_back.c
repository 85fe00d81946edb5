/*
 * The userspace blkfront's ring layouts (tools/blkfront/abi.c) against the
 * backend's copy-in and responses (ring/blkif_abi.c), ABI by ABI, through
 * a real shared ring in memory: the two were written separately, so a
 * field one puts where the other does not look shows here.
 */
#include "../../ring/request.h"

#include "../../tools/blkfront/abi.h"
#include "../unit.h"

#define HDR 64 /* sring header before ring[0] */

static _Alignas(4096) uint8_t page[4096];

static const struct { enum bf_abi front; enum blkif_abi back; } abis[] = {
	{ BF_ABI_X86_32, BLKIF_ABI_X86_32 },
	{ BF_ABI_X86_64, BLKIF_ABI_X86_64 },
	{ BF_ABI_X86_64, BLKIF_ABI_NATIVE },
};

/* Put r in ring slot 0 as the frontend does; take it as the backend does. */
static void through_ring(unsigned a, const struct bf_abi_req *r, struct blkif_req *out)
{
	struct blkif_back b;
	RING_IDX one = 1;

	memset(page, 0, sizeof(page));
	blkif_back_init(&b, abis[a].back, page, sizeof(page));
	bf_abi_put_request(abis[a].front, page + HDR, r);
	memcpy(page, &one, sizeof(one)); /* req_prod */
	blkif_back_take_request(&b, out);
}

TEST(rw_each_abi)
{
	static const struct bf_abi_seg segs[11] = { { 0xdeadbeef, 2, 5 }, [10] = { 42, 0, 7 } };
	struct bf_abi_req r = { .operation = BLKIF_OP_WRITE, .nr_segments = 11,
				.handle = 0x1234, .id = 0x8000000000000001ull,
				.sector_number = 0x0102030405060708ull, .seg = segs };

	for (unsigned a = 0; a < 3; a++) {
		struct blkif_req got;

		through_ring(a, &r, &got);
		EXPECT_EQ(got.operation, BLKIF_OP_WRITE);
		EXPECT_EQ(got.nr_segments, 11);
		EXPECT_EQ(got.handle, 0x1234);
		EXPECT_EQ(got.id, r.id);
		EXPECT_EQ(got.sector_number, r.sector_number);
		EXPECT_EQ(got.seg[0].gref, 0xdeadbeef);
		EXPECT_EQ(got.seg[0].first_sect, 2);
		EXPECT_EQ(got.seg[0].last_sect, 5);
		EXPECT_EQ(got.seg[10].gref, 42);
		EXPECT_EQ(got.seg[10].last_sect, 7);
	}
}

TEST(discard_each_abi)
{
	struct bf_abi_req r = { .operation = BLKIF_OP_DISCARD, .discard_flag = 1,
				.handle = 7, .id = 99, .sector_number = 1ull << 40,
				.nr_sectors = 0x123456789ull };

	for (unsigned a = 0; a < 3; a++) {
		struct blkif_req got;

		through_ring(a, &r, &got);
		EXPECT_EQ(got.operation, BLKIF_OP_DISCARD);
		EXPECT_EQ(got.discard_flag, 1);
		EXPECT_EQ(got.handle, 7);
		EXPECT_EQ(got.id, 99);
		EXPECT_EQ(got.sector_number, 1ull << 40);
		EXPECT_EQ(got.nr_sectors, 0x123456789ull);
	}
}

TEST(indirect_each_abi)
{
	struct bf_abi_req r = { .operation = BLKIF_OP_INDIRECT,
				.indirect_op = BLKIF_OP_READ, .nr_segments = 256,
				.handle = 0xabcd, .id = 5, .sector_number = 4096,
				.indirect_grefs = { 11, 12, 13, 14, 15, 16, 17, 18 } };

	for (unsigned a = 0; a < 3; a++) {
		struct blkif_req got;

		through_ring(a, &r, &got);
		EXPECT_EQ(got.operation, BLKIF_OP_INDIRECT);
		EXPECT_EQ(got.op, BLKIF_OP_READ);
		EXPECT_EQ(got.nr_segments, 256);
		EXPECT_EQ(got.handle, 0xabcd);
		EXPECT_EQ(got.id, 5);
		EXPECT_EQ(got.sector_number, 4096);
		EXPECT_EQ(got.indirect_grefs[0], 11);
		EXPECT_EQ(got.indirect_grefs[7], 18);
	}
}

TEST(indirect_descriptors)
{
	static _Alignas(4096) uint8_t desc[4096];
	struct bf_abi_seg s[3] = { { 1, 0, 7 }, { 0xffffffff, 3, 4 }, { 5, 7, 7 } };
	void *pages[1] = { desc };
	const struct blkif_request_segment *d = (const void *)desc;

	bf_abi_put_indirect(pages, s, 3);
	EXPECT_EQ(d[1].gref, 0xffffffff);
	EXPECT_EQ(d[1].first_sect, 3);
	EXPECT_EQ(d[1].last_sect, 4);
	EXPECT_EQ(d[2].first_sect, 7);
}

TEST(responses_each_abi)
{
	for (unsigned a = 0; a < 3; a++) {
		struct blkif_back b;
		struct bf_abi_rsp rsp;

		memset(page, 0, sizeof(page));
		blkif_back_init(&b, abis[a].back, page, sizeof(page));
		blkif_back_put_response(&b, 0xfedcba9876543210ull, BLKIF_OP_WRITE,
					BLKIF_RSP_EOPNOTSUPP);
		blkif_back_put_response(&b, 3, BLKIF_OP_READ, BLKIF_RSP_OKAY);
		blkif_back_push(&b);
		bf_abi_get_response(abis[a].front, page + HDR, &rsp);
		EXPECT_EQ(rsp.id, 0xfedcba9876543210ull);
		EXPECT_EQ(rsp.operation, BLKIF_OP_WRITE);
		EXPECT_EQ(rsp.status, BLKIF_RSP_EOPNOTSUPP);
		bf_abi_get_response(abis[a].front,
				    page + HDR + bf_abi_entry_size(abis[a].front), &rsp);
		EXPECT_EQ(rsp.id, 3);
		EXPECT_EQ(rsp.operation, BLKIF_OP_READ);
		EXPECT_EQ(rsp.status, BLKIF_RSP_OKAY);
	}
}

TEST(ring_sizes_agree)
{
	for (unsigned a = 0; a < 3; a++)
		for (unsigned order = 0; order <= 4; order++) {
			static _Alignas(4096) uint8_t ring[16 * 4096];
			size_t bytes = (size_t)4096 << order;
			struct blkif_back b;

			blkif_back_init(&b, abis[a].back, ring, bytes);
			EXPECT_EQ(bf_abi_ring_entries(abis[a].front, bytes), blkif_back_size(&b));
		}
}

int main(void)
{
	RUN(rw_each_abi);
	RUN(discard_each_abi);
	RUN(indirect_each_abi);
	RUN(indirect_descriptors);
	RUN(responses_each_abi);
	RUN(ring_sizes_agree);
	return UNIT_RESULT();
}
