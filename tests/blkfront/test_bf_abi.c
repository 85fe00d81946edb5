/* Unit tests: blkfront's ring slot layouts. x86_64 is checked against the
 * compiler's own layout of blkif.h; x86_32 against the offsets blkif.h has
 * on i386 (8-byte fields 4-byte aligned, so no padding before `id`). */
#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xenctrl.h>
#include <xen/io/blkif.h>

#include "../unit.h"
#include "../../tools/blkfront/abi.h"

static const struct bf_abi_seg segs[11] = {
	{ 0x11223344, 1, 6 }, { 0x55667788, 0, 7 }, { 9, 3, 3 },
};

static struct bf_abi_req rw_req(void)
{
	struct bf_abi_req r = {
		.operation = BLKIF_OP_WRITE, .nr_segments = 3, .handle = 0xbeef,
		.id = 0x0102030405060708ull, .sector_number = 0x1122334455667788ull,
		.seg = segs,
	};
	return r;
}

static uint64_t u64_at(const uint8_t *p, size_t off)
{
	uint64_t v;
	memcpy(&v, p + off, 8);
	return v;
}

static uint32_t u32_at(const uint8_t *p, size_t off)
{
	uint32_t v;
	memcpy(&v, p + off, 4);
	return v;
}

TEST(x86_64_rw_matches_blkif_h)
{
	struct bf_abi_req r = rw_req();
	blkif_request_t want;
	uint8_t slot[112];

	EXPECT_EQ(bf_abi_req_size(BF_ABI_X86_64), sizeof(blkif_request_t));
	bf_abi_put_request(BF_ABI_X86_64, slot, &r);
	memset(&want, 0, sizeof(want));
	want.operation = BLKIF_OP_WRITE;
	want.nr_segments = 3;
	want.handle = 0xbeef;
	want.id = r.id;
	want.sector_number = r.sector_number;
	for (unsigned i = 0; i < 3; i++) {
		want.seg[i].gref = segs[i].gref;
		want.seg[i].first_sect = segs[i].first_sect;
		want.seg[i].last_sect = segs[i].last_sect;
	}
	EXPECT(memcmp(slot, &want, sizeof(want)) == 0);
}

TEST(x86_64_indirect_and_discard_match_blkif_h)
{
	struct bf_abi_req r = rw_req();
	blkif_request_indirect_t wi;
	blkif_request_discard_t wd;
	uint8_t slot[112];

	r.operation = BLKIF_OP_INDIRECT;
	r.indirect_op = BLKIF_OP_READ;
	r.nr_segments = 300;
	r.indirect_grefs[0] = 77;
	r.indirect_grefs[7] = 88;
	bf_abi_put_request(BF_ABI_X86_64, slot, &r);
	memset(&wi, 0, sizeof(wi));
	wi.operation = BLKIF_OP_INDIRECT;
	wi.indirect_op = BLKIF_OP_READ;
	wi.nr_segments = 300;
	wi.id = r.id;
	wi.sector_number = r.sector_number;
	wi.handle = 0xbeef;
	wi.indirect_grefs[0] = 77;
	wi.indirect_grefs[7] = 88;
	EXPECT(memcmp(slot, &wi, sizeof(wi)) == 0);

	r = rw_req();
	r.operation = BLKIF_OP_DISCARD;
	r.discard_flag = BLKIF_DISCARD_SECURE;
	r.nr_sectors = 0xabcdef;
	bf_abi_put_request(BF_ABI_X86_64, slot, &r);
	memset(&wd, 0, sizeof(wd));
	wd.operation = BLKIF_OP_DISCARD;
	wd.flag = BLKIF_DISCARD_SECURE;
	wd.handle = 0xbeef;
	wd.id = r.id;
	wd.sector_number = r.sector_number;
	wd.nr_sectors = 0xabcdef;
	EXPECT(memcmp(slot, &wd, sizeof(wd)) == 0);
}

TEST(x86_32_rw_has_no_padding_before_id)
{
	struct bf_abi_req r = rw_req();
	uint8_t slot[108];

	EXPECT_EQ(bf_abi_req_size(BF_ABI_X86_32), 108);
	EXPECT_EQ(bf_abi_entry_size(BF_ABI_X86_32), 108);
	bf_abi_put_request(BF_ABI_X86_32, slot, &r);
	EXPECT_EQ(slot[0], BLKIF_OP_WRITE);
	EXPECT_EQ(slot[1], 3);
	EXPECT_EQ(slot[2] | slot[3] << 8, 0xbeef);
	EXPECT_EQ(u64_at(slot, 4), r.id);
	EXPECT_EQ(u64_at(slot, 12), r.sector_number);
	EXPECT_EQ(u32_at(slot, 20), 0x11223344);
	EXPECT_EQ(slot[24], 1);
	EXPECT_EQ(slot[25], 6);
	EXPECT_EQ(u32_at(slot, 28), 0x55667788);
	EXPECT_EQ(u32_at(slot, 36), 9);
	EXPECT_EQ(slot[40], 3);
}

TEST(x86_32_indirect_and_discard)
{
	struct bf_abi_req r = rw_req();
	uint8_t slot[108];

	r.operation = BLKIF_OP_INDIRECT;
	r.indirect_op = BLKIF_OP_WRITE;
	r.nr_segments = 256;
	r.indirect_grefs[0] = 0xa0a0a0a0;
	r.indirect_grefs[7] = 0x0b0b0b0b;
	bf_abi_put_request(BF_ABI_X86_32, slot, &r);
	EXPECT_EQ(slot[1], BLKIF_OP_WRITE);
	EXPECT_EQ(slot[2] | slot[3] << 8, 256);
	EXPECT_EQ(u64_at(slot, 4), r.id);
	EXPECT_EQ(u64_at(slot, 12), r.sector_number);
	EXPECT_EQ(slot[20] | slot[21] << 8, 0xbeef);
	EXPECT_EQ(u32_at(slot, 24), 0xa0a0a0a0);
	EXPECT_EQ(u32_at(slot, 24 + 7 * 4), 0x0b0b0b0b);

	r = rw_req();
	r.operation = BLKIF_OP_DISCARD;
	r.nr_sectors = 0x123456789aull;
	bf_abi_put_request(BF_ABI_X86_32, slot, &r);
	EXPECT_EQ(u64_at(slot, 4), r.id);
	EXPECT_EQ(u64_at(slot, 12), r.sector_number);
	EXPECT_EQ(u64_at(slot, 20), 0x123456789aull);
}

TEST(responses)
{
	blkif_response_t native = { .id = 0x8877665544332211ull,
				    .operation = BLKIF_OP_READ,
				    .status = BLKIF_RSP_EOPNOTSUPP };
	uint8_t slot32[12] = { 1, 2, 3, 4, 5, 6, 7, 8, BLKIF_OP_WRITE, 0, 0xff, 0xff };
	struct bf_abi_rsp r;

	EXPECT_EQ(bf_abi_rsp_size(BF_ABI_X86_64), sizeof(blkif_response_t));
	bf_abi_get_response(BF_ABI_X86_64, &native, &r);
	EXPECT_EQ(r.id, native.id);
	EXPECT_EQ(r.operation, BLKIF_OP_READ);
	EXPECT_EQ(r.status, BLKIF_RSP_EOPNOTSUPP);
	EXPECT_EQ(bf_abi_rsp_size(BF_ABI_X86_32), 12);
	bf_abi_get_response(BF_ABI_X86_32, slot32, &r);
	EXPECT_EQ(r.id, 0x0807060504030201ull);
	EXPECT_EQ(r.operation, BLKIF_OP_WRITE);
	EXPECT_EQ(r.status, BLKIF_RSP_ERROR);
}

TEST(ring_entries_match_ring_h)
{
	static _Alignas(4096) uint8_t ring[16 * 4096];

	for (unsigned order = 0; order <= 4; order++) {
		size_t bytes = (size_t)4096 << order;
		blkif_sring_t *s = (blkif_sring_t *)ring;

		EXPECT_EQ(bf_abi_ring_entries(BF_ABI_X86_64, bytes), __RING_SIZE(s, bytes));
		EXPECT_EQ(bf_abi_ring_entries(BF_ABI_X86_32, bytes), 32u << order);
	}
}

TEST(indirect_pages)
{
	static uint8_t page[2][4096];
	void *pages[2] = { page[0], page[1] };
	struct bf_abi_seg many[513];

	for (unsigned i = 0; i < 513; i++)
		many[i] = (struct bf_abi_seg){ 1000 + i, (uint8_t)(i % 8), 7 };
	memset(page, 0xee, sizeof(page));
	bf_abi_put_indirect(pages, many, 513);
	EXPECT_EQ(u32_at(page[0], 0), 1000);
	EXPECT_EQ(page[0][4], 0);
	EXPECT_EQ(page[0][5], 7);
	EXPECT_EQ(page[0][6], 0); /* padding cleared */
	EXPECT_EQ(u32_at(page[0], 511 * 8), 1511);
	EXPECT_EQ(u32_at(page[1], 0), 1512);
	EXPECT_EQ(page[1][4], 512 % 8);
}

TEST(protocol_names)
{
	EXPECT_EQ(bf_abi_from_protocol(NULL), BF_ABI_X86_64);
	EXPECT_EQ(bf_abi_from_protocol("x86_64-abi"), BF_ABI_X86_64);
	EXPECT_EQ(bf_abi_from_protocol("x86_32-abi"), BF_ABI_X86_32);
	EXPECT_EQ(bf_abi_from_protocol("bogus"), BF_ABI_X86_64);
}

int main(void)
{
	RUN(x86_64_rw_matches_blkif_h);
	RUN(x86_64_indirect_and_discard_match_blkif_h);
	RUN(x86_32_rw_has_no_padding_before_id);
	RUN(x86_32_indirect_and_discard);
	RUN(responses);
	RUN(ring_entries_match_ring_h);
	RUN(indirect_pages);
	RUN(protocol_names);
	return UNIT_RESULT();
}
