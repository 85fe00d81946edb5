/*
 * Copy-in per ABI, responses per ABI, ring index checks and every request
 * validation rule, on hand-built ring bytes (offsets written out here, not
 * taken from ring/'s own structs, so a layout mistake shows).
 */
#include "../../ring/request.h"

#include <stdlib.h>

#include "../unit.h"

#define HDR 64 /* sring header: indexes and padding before ring[0] */

static _Alignas(4096) uint8_t page[4 * 4096];

static void put16(size_t off, uint16_t v) { memcpy(page + off, &v, 2); }
static void put32(size_t off, uint32_t v) { memcpy(page + off, &v, 4); }
static void put64(size_t off, uint64_t v) { memcpy(page + off, &v, 8); }
static uint16_t get16(size_t off) { uint16_t v; memcpy(&v, page + off, 2); return v; }
static uint32_t get32(size_t off) { uint32_t v; memcpy(&v, page + off, 4); return v; }
static uint64_t get64(size_t off) { uint64_t v; memcpy(&v, page + off, 8); return v; }

static void ring_reset(struct blkif_back *b, enum blkif_abi abi, size_t bytes)
{
	memset(page, 0, sizeof(page));
	put32(4, 1); /* req_event */
	put32(12, 1); /* rsp_event */
	blkif_back_init(b, abi, page, bytes);
}

/* A read/write request: seg at seg_off, 8 bytes each. */
static void put_rw(size_t slot, size_t id_off, size_t seg_off, uint8_t op, uint8_t nseg)
{
	page[slot] = op;
	page[slot + 1] = nseg;
	put16(slot + 2, 0x1234);
	put64(slot + id_off, 0x1122334455667788ull);
	put64(slot + id_off + 8, 0xabcdef0123ull);
	for (unsigned i = 0; i < nseg; i++) {
		put32(slot + seg_off + 8 * i, 100 + i);
		page[slot + seg_off + 8 * i + 4] = (uint8_t)i % 8;
		page[slot + seg_off + 8 * i + 5] = 7;
	}
}

static int check_rw(const struct blkif_req *r, uint8_t nseg)
{
	if (r->id != 0x1122334455667788ull || r->sector_number != 0xabcdef0123ull ||
	    r->handle != 0x1234 || r->nr_segments != nseg || r->op != r->operation)
		return 0;
	for (unsigned i = 0; i < nseg; i++)
		if (r->seg[i].gref != 100 + i || r->seg[i].first_sect != i % 8 ||
		    r->seg[i].last_sect != 7)
			return 0;
	return 1;
}

TEST(ring_sizes)
{
	struct blkif_back b;

	ring_reset(&b, BLKIF_ABI_X86_32, 4096);
	EXPECT_EQ(blkif_back_size(&b), 32);
	ring_reset(&b, BLKIF_ABI_X86_64, 4096);
	EXPECT_EQ(blkif_back_size(&b), 32);
	ring_reset(&b, BLKIF_ABI_X86_32, 4 * 4096); /* (16384-64)/108 = 151 */
	EXPECT_EQ(blkif_back_size(&b), 128);
	ring_reset(&b, BLKIF_ABI_NATIVE, 2 * 4096);
	EXPECT_EQ(blkif_back_size(&b), 64);
}

TEST(copyin_x86_32_rw)
{
	struct blkif_back b;
	struct blkif_req r;

	ring_reset(&b, BLKIF_ABI_X86_32, 4096);
	put_rw(HDR + 108, 4, 20, BLKIF_OP_WRITE, 11); /* slot 1: stride 108 */
	put32(0, 2);
	blkif_back_take_request(&b, &r); /* slot 0: all zeros */
	EXPECT_EQ(r.operation, BLKIF_OP_READ);
	blkif_back_take_request(&b, &r);
	EXPECT(check_rw(&r, 11));
	EXPECT_EQ(r.operation, BLKIF_OP_WRITE);
}

TEST(copyin_x86_64_rw)
{
	struct blkif_back b;
	struct blkif_req r;

	ring_reset(&b, BLKIF_ABI_X86_64, 4096);
	put_rw(HDR + 112, 8, 24, BLKIF_OP_READ, 3); /* slot 1: stride 112 */
	put32(0, 2);
	blkif_back_take_request(&b, &r);
	blkif_back_take_request(&b, &r);
	EXPECT(check_rw(&r, 3));
}

TEST(copyin_native_rw)
{
	struct blkif_back b;
	struct blkif_req r;
	struct blkif_request *n = (struct blkif_request *)(page + HDR);

	ring_reset(&b, BLKIF_ABI_NATIVE, 4096);
	n->operation = BLKIF_OP_WRITE;
	n->nr_segments = 2;
	n->handle = 0x1234;
	n->id = 0x1122334455667788ull;
	n->sector_number = 0xabcdef0123ull;
	for (unsigned i = 0; i < 2; i++)
		n->seg[i] = (struct blkif_request_segment){ .gref = 100 + i,
			.first_sect = (uint8_t)i, .last_sect = 7 };
	put32(0, 1);
	blkif_back_take_request(&b, &r);
	EXPECT(check_rw(&r, 2));
}

TEST(copyin_discard_each_abi)
{
	struct blkif_back b;
	struct blkif_req r;
	const struct { enum blkif_abi abi; size_t id_off, nr_off; } t[] = {
		{ BLKIF_ABI_X86_32, 4, 20 }, { BLKIF_ABI_X86_64, 8, 24 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ring_reset(&b, t[i].abi, 4096);
		page[HDR] = BLKIF_OP_DISCARD;
		page[HDR + 1] = BLKIF_DISCARD_SECURE;
		put64(HDR + t[i].id_off, 42);
		put64(HDR + t[i].id_off + 8, 1000);
		put64(HDR + t[i].nr_off, 77);
		put32(0, 1);
		blkif_back_take_request(&b, &r);
		EXPECT_EQ(r.id, 42);
		EXPECT_EQ(r.sector_number, 1000);
		EXPECT_EQ(r.nr_sectors, 77);
		EXPECT_EQ(r.discard_flag, BLKIF_DISCARD_SECURE);
	}
}

TEST(copyin_indirect_each_abi)
{
	struct blkif_back b;
	struct blkif_req r;
	const struct { enum blkif_abi abi; size_t id_off, handle_off, grefs_off; } t[] = {
		{ BLKIF_ABI_X86_32, 4, 20, 24 }, { BLKIF_ABI_X86_64, 8, 24, 28 },
		{ BLKIF_ABI_NATIVE, 8, 24, 28 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ring_reset(&b, t[i].abi, 4096);
		page[HDR] = BLKIF_OP_INDIRECT;
		page[HDR + 1] = BLKIF_OP_WRITE;
		put16(HDR + 2, 700);
		put64(HDR + t[i].id_off, 9);
		put64(HDR + t[i].id_off + 8, 4096);
		put16(HDR + t[i].handle_off, 0x55);
		for (unsigned g = 0; g < 8; g++)
			put32(HDR + t[i].grefs_off + 4 * g, 200 + g);
		put32(0, 1);
		blkif_back_take_request(&b, &r);
		EXPECT_EQ(r.operation, BLKIF_OP_INDIRECT);
		EXPECT_EQ(r.op, BLKIF_OP_WRITE);
		EXPECT_EQ(r.nr_segments, 700);
		EXPECT_EQ(r.id, 9);
		EXPECT_EQ(r.sector_number, 4096);
		EXPECT_EQ(r.handle, 0x55);
		EXPECT_EQ(r.indirect_grefs[0], 200);
		EXPECT_EQ(r.indirect_grefs[7], 207);
		EXPECT_EQ(blkif_response_op(&r), BLKIF_OP_WRITE);
	}
}

TEST(response_layout_each_abi)
{
	struct blkif_back b;
	const struct { enum blkif_abi abi; size_t stride; } t[] = {
		{ BLKIF_ABI_X86_32, 108 }, { BLKIF_ABI_X86_64, 112 }, { BLKIF_ABI_NATIVE, 112 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ring_reset(&b, t[i].abi, 4096);
		blkif_back_put_response(&b, 1, BLKIF_OP_READ, BLKIF_RSP_OKAY);
		blkif_back_put_response(&b, 0xfeedface01ull, BLKIF_OP_WRITE, BLKIF_RSP_ERROR);
		EXPECT(blkif_back_push(&b)); /* rsp_event 1: the frontend waits */
		EXPECT_EQ(get32(8), 2); /* rsp_prod */
		EXPECT_EQ(get64(HDR + t[i].stride), 0xfeedface01ull);
		EXPECT_EQ(page[HDR + t[i].stride + 8], BLKIF_OP_WRITE);
		EXPECT_EQ((int16_t)get16(HDR + t[i].stride + 10), BLKIF_RSP_ERROR);
	}
}

TEST(prod_overflow_detected)
{
	struct blkif_back b;

	ring_reset(&b, BLKIF_ABI_NATIVE, 4096);
	EXPECT(!blkif_back_prod_overflow(&b, 32));
	EXPECT(blkif_back_prod_overflow(&b, 33));
	EXPECT(blkif_back_prod_overflow(&b, 0xffffffffu)); /* behind us */
	put32(0, 1000);
	EXPECT_EQ(blkif_back_req_prod(&b), 1000);
	EXPECT(blkif_back_prod_overflow(&b, blkif_back_req_prod(&b)));
}

TEST(notify_only_when_asked)
{
	struct blkif_back b;

	ring_reset(&b, BLKIF_ABI_NATIVE, 4096);
	blkif_back_put_response(&b, 1, 0, 0);
	EXPECT(blkif_back_push(&b));
	/* Frontend has not re-armed rsp_event (still 1): no notify. */
	blkif_back_put_response(&b, 2, 0, 0);
	EXPECT(!blkif_back_push(&b));
	put32(12, 3); /* re-armed for the next one */
	blkif_back_put_response(&b, 3, 0, 0);
	EXPECT(blkif_back_push(&b));
}

TEST(final_check_rearms_req_event)
{
	struct blkif_back b;

	ring_reset(&b, BLKIF_ABI_NATIVE, 4096);
	put32(4, 0);
	EXPECT(!blkif_back_final_check(&b));
	EXPECT_EQ(get32(4), 1); /* req_event = req_cons + 1 */
	put32(0, 1);
	EXPECT(blkif_back_final_check(&b));
}

/* --- validation: one case per rule --- */

static const struct blkif_limits lim = {
	.sectors = 1000, .sector_size = 512, .discard = true,
	.max_indirect_segments = 64,
};

static struct blkif_req rw(uint8_t op, unsigned nseg, uint64_t sector)
{
	struct blkif_req r = { .id = 1, .operation = op, .op = op,
			       .nr_segments = (uint16_t)nseg, .sector_number = sector };

	for (unsigned i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		r.seg[i] = (struct blkif_request_segment){ .gref = i, .first_sect = 0,
							   .last_sect = 7 };
	return r;
}

static int16_t check_all(const struct blkif_req *r, const struct blkif_limits *l)
{
	uint64_t n;
	int16_t st = blkif_check_request(r, l);

	return st != BLKIF_RSP_OKAY ? st : blkif_check_segments(r, r->seg, l, &n);
}

TEST(valid_read_write)
{
	struct blkif_req r = rw(BLKIF_OP_READ, 11, 0);
	uint64_t n;

	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_OKAY);
	EXPECT_EQ(blkif_check_segments(&r, r.seg, &lim, &n), BLKIF_RSP_OKAY);
	EXPECT_EQ(n, 88);
	r = rw(BLKIF_OP_WRITE, 1, 992); /* ends exactly at the end */
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_OKAY);
}

TEST(rule_rw_needs_segments)
{
	struct blkif_req r = rw(BLKIF_OP_READ, 0, 0);

	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
	r = rw(BLKIF_OP_WRITE, 0, 0);
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
}

TEST(rule_rw_at_most_11_segments)
{
	struct blkif_req r = rw(BLKIF_OP_READ, 12, 0);

	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
	r = rw(BLKIF_OP_WRITE, 255, 0);
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
}

TEST(rule_flush_barrier_may_be_empty)
{
	struct blkif_req r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 123456789);

	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_OKAY);
	r = rw(BLKIF_OP_WRITE_BARRIER, 0, 0);
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_OKAY);
	r = rw(BLKIF_OP_WRITE_BARRIER, 2, 0);
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_OKAY);
	EXPECT(blkif_is_write(&r));
	r = rw(BLKIF_OP_FLUSH_DISKCACHE, 12, 0);
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
}

TEST(rule_flush_with_data_is_a_write)
{
	struct blkif_limits ro = lim;
	struct blkif_req r = rw(BLKIF_OP_FLUSH_DISKCACHE, 1, 995); /* past end */

	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
	ro.readonly = true;
	r = rw(BLKIF_OP_FLUSH_DISKCACHE, 1, 0);
	EXPECT_EQ(check_all(&r, &ro), BLKIF_RSP_ERROR);
	r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
	EXPECT_EQ(check_all(&r, &ro), BLKIF_RSP_OKAY);
}

TEST(rule_first_sect_le_last_sect)
{
	struct blkif_req r = rw(BLKIF_OP_READ, 3, 0);

	r.seg[2].first_sect = 5;
	r.seg[2].last_sect = 4;
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
	r.seg[2].last_sect = 5;
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_OKAY);
}

TEST(rule_last_sect_within_page)
{
	struct blkif_req r = rw(BLKIF_OP_WRITE, 2, 0);

	r.seg[1].last_sect = 8;
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
	r.seg[1].first_sect = 255;
	r.seg[1].last_sect = 255;
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
}

TEST(rule_range_within_disk)
{
	struct blkif_req r = rw(BLKIF_OP_READ, 1, 993);

	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
	r = rw(BLKIF_OP_READ, 1, 1000);
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_ERROR);
}

TEST(rule_range_no_wrap)
{
	struct blkif_limits huge = lim;
	struct blkif_req r = rw(BLKIF_OP_READ, 2, UINT64_MAX - 7);

	huge.sectors = UINT64_MAX >> 9;
	EXPECT_EQ(check_all(&r, &huge), BLKIF_RSP_ERROR);
	r = rw(BLKIF_OP_READ, 2, (UINT64_MAX >> 9) - 8);
	EXPECT_EQ(check_all(&r, &huge), BLKIF_RSP_ERROR);
	r = rw(BLKIF_OP_READ, 2, (UINT64_MAX >> 9) - 16);
	EXPECT_EQ(check_all(&r, &huge), BLKIF_RSP_OKAY);
}

TEST(rule_4k_sector_alignment)
{
	struct blkif_limits l4k = lim;
	struct blkif_req r = rw(BLKIF_OP_WRITE, 2, 8);

	l4k.sector_size = 4096;
	EXPECT_EQ(check_all(&r, &l4k), BLKIF_RSP_OKAY);
	r = rw(BLKIF_OP_WRITE, 2, 4); /* start not aligned */
	EXPECT_EQ(check_all(&r, &l4k), BLKIF_RSP_ERROR);
	r = rw(BLKIF_OP_WRITE, 2, 8);
	r.seg[1].first_sect = 1; /* 15 sectors */
	EXPECT_EQ(check_all(&r, &l4k), BLKIF_RSP_ERROR);
	EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_OKAY);
}

TEST(rule_readonly_refuses_writes)
{
	struct blkif_limits ro = lim;
	struct blkif_req r = rw(BLKIF_OP_WRITE, 1, 0);

	ro.readonly = true;
	EXPECT_EQ(check_all(&r, &ro), BLKIF_RSP_ERROR);
	r = rw(BLKIF_OP_READ, 1, 0);
	EXPECT_EQ(check_all(&r, &ro), BLKIF_RSP_OKAY);
}

static struct blkif_req discard(uint64_t sector, uint64_t n)
{
	return (struct blkif_req){ .operation = BLKIF_OP_DISCARD, .op = BLKIF_OP_DISCARD,
				   .sector_number = sector, .nr_sectors = n };
}

TEST(rule_discard_only_if_enabled)
{
	struct blkif_limits off = lim;
	struct blkif_req r = discard(0, 8);

	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_OKAY);
	off.discard = false;
	EXPECT_EQ(blkif_check_request(&r, &off), BLKIF_RSP_EOPNOTSUPP);
}

TEST(rule_discard_not_readonly)
{
	struct blkif_limits ro = lim;
	struct blkif_req r = discard(0, 8);

	ro.readonly = true;
	EXPECT_EQ(blkif_check_request(&r, &ro), BLKIF_RSP_ERROR);
}

TEST(rule_discard_range)
{
	struct blkif_req r = discard(500, 500);

	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_OKAY);
	r = discard(500, 501);
	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_ERROR);
	r = discard(8, UINT64_MAX - 4); /* wraps */
	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_ERROR);
	r = discard(UINT64_MAX, 2);
	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_ERROR);
}

TEST(rule_unknown_op_unsupported)
{
	const uint8_t ops[] = { BLKIF_OP_RESERVED_1, 7, 8, 100, 255 };

	for (size_t i = 0; i < sizeof(ops); i++) {
		struct blkif_req r = rw(ops[i], 1, 0);

		EXPECT_EQ(check_all(&r, &lim), BLKIF_RSP_EOPNOTSUPP);
	}
}

static struct blkif_req indirect(uint8_t op, unsigned nseg)
{
	struct blkif_req r = rw(BLKIF_OP_INDIRECT, nseg, 0);

	r.op = op;
	return r;
}

TEST(rule_indirect_only_if_advertised)
{
	struct blkif_limits off = lim;
	struct blkif_req r = indirect(BLKIF_OP_READ, 20);

	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_OKAY);
	off.max_indirect_segments = 0;
	EXPECT_EQ(blkif_check_request(&r, &off), BLKIF_RSP_EOPNOTSUPP);
}

TEST(rule_indirect_segment_bound)
{
	struct blkif_req r = indirect(BLKIF_OP_WRITE, 65);

	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_WRITE, 0);
	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_WRITE, 64);
	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_OKAY);
}

TEST(rule_indirect_op_read_or_write)
{
	struct blkif_req r = indirect(BLKIF_OP_FLUSH_DISKCACHE, 2);

	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_INDIRECT, 2);
	EXPECT_EQ(blkif_check_request(&r, &lim), BLKIF_RSP_ERROR);
}

TEST(rule_indirect_readonly)
{
	struct blkif_limits ro = lim;
	struct blkif_req r = indirect(BLKIF_OP_WRITE, 2);

	ro.readonly = true;
	EXPECT_EQ(blkif_check_request(&r, &ro), BLKIF_RSP_ERROR);
}

TEST(rule_indirect_descriptors_checked)
{
	struct blkif_request_segment segs[64];
	struct blkif_req r = indirect(BLKIF_OP_READ, 64);
	uint64_t n;

	for (unsigned i = 0; i < 64; i++)
		segs[i] = (struct blkif_request_segment){ .gref = i, .last_sect = 7 };
	EXPECT_EQ(blkif_check_segments(&r, segs, &lim, &n), BLKIF_RSP_OKAY);
	EXPECT_EQ(n, 512);
	segs[63].last_sect = 8;
	EXPECT_EQ(blkif_check_segments(&r, segs, &lim, &n), BLKIF_RSP_ERROR);
	segs[63].last_sect = 7;
	r.sector_number = 489; /* 512 sectors from 489 pass 1000 */
	EXPECT_EQ(blkif_check_segments(&r, segs, &lim, &n), BLKIF_RSP_ERROR);
}

TEST(indirect_page_count)
{
	EXPECT_EQ(blkif_indirect_pages(1), 1);
	EXPECT_EQ(blkif_indirect_pages(512), 1);
	EXPECT_EQ(blkif_indirect_pages(513), 2);
	EXPECT_EQ(blkif_indirect_pages(4096), 8);
}

int main(void)
{
	RUN(ring_sizes);
	RUN(copyin_x86_32_rw);
	RUN(copyin_x86_64_rw);
	RUN(copyin_native_rw);
	RUN(copyin_discard_each_abi);
	RUN(copyin_indirect_each_abi);
	RUN(response_layout_each_abi);
	RUN(prod_overflow_detected);
	RUN(notify_only_when_asked);
	RUN(final_check_rearms_req_event);
	RUN(valid_read_write);
	RUN(rule_rw_needs_segments);
	RUN(rule_rw_at_most_11_segments);
	RUN(rule_flush_barrier_may_be_empty);
	RUN(rule_flush_with_data_is_a_write);
	RUN(rule_first_sect_le_last_sect);
	RUN(rule_last_sect_within_page);
	RUN(rule_range_within_disk);
	RUN(rule_range_no_wrap);
	RUN(rule_4k_sector_alignment);
	RUN(rule_readonly_refuses_writes);
	RUN(rule_discard_only_if_enabled);
	RUN(rule_discard_not_readonly);
	RUN(rule_discard_range);
	RUN(rule_unknown_op_unsupported);
	RUN(rule_indirect_only_if_advertised);
	RUN(rule_indirect_segment_bound);
	RUN(rule_indirect_op_read_or_write);
	RUN(rule_indirect_readonly);
	RUN(rule_indirect_descriptors_checked);
	RUN(indirect_page_count);
	return UNIT_RESULT();
}
