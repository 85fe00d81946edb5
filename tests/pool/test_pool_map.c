/* Unit tests for the pool's pure logic (backend/pool_map.c). */
#include <errno.h>
#include <stdint.h>

#include "../../backend/pool_map.h"
#include "../unit.h"

TEST(layout_basic)
{
	struct pool_layout l;

	EXPECT_EQ(pool_layout_compute(64ull << 20, 1 << 20, 4096, &l), 0);
	EXPECT_EQ(l.nchunks, 64);
	EXPECT(l.table_off >= sizeof(struct pool_header));
	EXPECT(l.owner_off >= l.table_off + POOL_MAX_DISKS * sizeof(struct pool_dev_slot));
	EXPECT(l.data_off >= l.owner_off + 64 * 8);
	EXPECT_EQ(l.data_off % 4096, 0);
	EXPECT_EQ(l.file_size, l.data_off + (64ull << 20));
}

TEST(layout_hugepage_align)
{
	struct pool_layout l;

	EXPECT_EQ(pool_layout_compute(6ull << 20, 1 << 20, 2 << 20, &l), 0);
	EXPECT_EQ(l.data_off % (2 << 20), 0);
	EXPECT_EQ(l.file_size % (2 << 20), 0);
	EXPECT(l.file_size >= l.data_off + (6ull << 20));
}

TEST(layout_rejects)
{
	struct pool_layout l;

	EXPECT_EQ(pool_layout_compute(0, 1 << 20, 4096, &l), -EINVAL);
	EXPECT_EQ(pool_layout_compute((1 << 20) + 4096, 1 << 20, 4096, &l), -EINVAL);
	EXPECT_EQ(pool_layout_compute(1 << 20, 3 << 20, 4096, &l), -EINVAL);
	EXPECT_EQ(pool_layout_compute(1 << 20, 2048, 4096, &l), -EINVAL);
	EXPECT_EQ(pool_layout_compute(1 << 20, 1 << 20, 3000, &l), -EINVAL);
	/* 2^32 chunks of 4 KiB: more than a 32-bit chunk number holds. */
	EXPECT_EQ(pool_layout_compute(1ull << 44, 4096, 4096, &l), -E2BIG);
	EXPECT_EQ(pool_layout_compute(UINT64_MAX & ~((1ull << 30) - 1), 1 << 30, 4096, &l),
		  -E2BIG);
}

TEST(chunk_size_check)
{
	EXPECT_EQ(pool_chunk_size_check(4096), 0);
	EXPECT_EQ(pool_chunk_size_check(1 << 20), 0);
	EXPECT_EQ(pool_chunk_size_check(1 << 30), 0);
	EXPECT_EQ(pool_chunk_size_check(0), -EINVAL);
	EXPECT_EQ(pool_chunk_size_check(2048), -EINVAL);
	EXPECT_EQ(pool_chunk_size_check(3 << 12), -EINVAL);
	EXPECT_EQ(pool_chunk_size_check(1ull << 31), -EINVAL);
	EXPECT_EQ(pool_log2(1 << 20), 20);
}

TEST(owner_encoding)
{
	uint32_t slot;
	uint64_t lc;

	EXPECT(!pool_owner_decode(POOL_OWNER_FREE, &slot, &lc));
	EXPECT(!pool_owner_decode(POOL_OWNER_DIRTY, &slot, &lc));
	EXPECT(pool_owner_decode(pool_owner_encode(0, 0), &slot, &lc));
	EXPECT_EQ(slot, 0);
	EXPECT_EQ(lc, 0);
	EXPECT(pool_owner_decode(pool_owner_encode(POOL_MAX_DISKS - 1, 0xfffffffeull),
				 &slot, &lc));
	EXPECT_EQ(slot, POOL_MAX_DISKS - 1);
	EXPECT_EQ(lc, 0xfffffffeull);
	EXPECT(pool_owner_encode(0, 0) != POOL_OWNER_DIRTY);
}

TEST(entry_encoding)
{
	uint64_t e = pool_entry_make(7);

	EXPECT(!pool_entry_populated(0));
	EXPECT(pool_entry_populated(e));
	EXPECT_EQ(pool_entry_chunk(e), 7);
	EXPECT_EQ(pool_entry_pins(e), 0);
	e += 3 * POOL_PIN_ONE;
	EXPECT_EQ(pool_entry_pins(e), 3);
	EXPECT_EQ(pool_entry_chunk(e), 7);
	EXPECT(pool_entry_populated(pool_entry_make(POOL_MAX_CHUNKS - 1)));
}

TEST(freelist_order_and_exhaustion)
{
	uint32_t storage[4], c;
	struct pool_freelist fl;

	pool_freelist_init(&fl, storage, 4);
	for (uint32_t i = 0; i < 4; i++) {
		EXPECT_EQ(pool_freelist_pop(&fl, &c), 0);
		EXPECT_EQ(c, i);
	}
	EXPECT_EQ(pool_freelist_pop(&fl, &c), -ENOSPC);
	EXPECT_EQ(pool_freelist_push(&fl, 2), 0);
	EXPECT_EQ(pool_freelist_push(&fl, 0), 0);
	EXPECT_EQ(pool_freelist_pop(&fl, &c), 0);
	EXPECT_EQ(c, 0); /* last freed, first reused */
	EXPECT_EQ(pool_freelist_pop(&fl, &c), 0);
	EXPECT_EQ(c, 2);
	EXPECT_EQ(pool_freelist_push(&fl, 4), -EOVERFLOW); /* not a chunk */
}

TEST(freelist_overfull)
{
	uint32_t storage[2];
	struct pool_freelist fl;

	pool_freelist_init(&fl, storage, 2);
	EXPECT_EQ(pool_freelist_push(&fl, 1), -EOVERFLOW);
	EXPECT_EQ(fl.count, 2);
}

TEST(reservation)
{
	struct pool_reservation r = { .capacity = 100 };

	EXPECT_EQ(pool_reserve(&r, 60), 0);
	EXPECT_EQ(pool_reserve(&r, 41), -ENOSPC);
	EXPECT_EQ(r.reserved, 60);
	EXPECT_EQ(pool_reserve(&r, 40), 0);
	EXPECT_EQ(pool_reserve(&r, 1), -ENOSPC);
	pool_unreserve(&r, 40);
	EXPECT_EQ(pool_rereserve(&r, 60, 100), 0);
	EXPECT_EQ(pool_rereserve(&r, 100, 101), -ENOSPC);
	EXPECT_EQ(r.reserved, 100);
	EXPECT_EQ(pool_rereserve(&r, 100, 10), 0);
	EXPECT_EQ(r.reserved, 10);
	pool_unreserve(&r, 1000); /* clamps, never wraps */
	EXPECT_EQ(r.reserved, 0);
}

/* Whole chunks: a disk of 1.5 chunks reserves 2 (the example,
 * 1536K + 1536K + 1M in a 4 MiB pool of 1 MiB chunks: the third is refused
 * at attach instead of failing its first write). */
TEST(reservation_whole_chunks)
{
	const uint64_t K = 1024, M = 1024 * K;
	struct pool_reservation r = { .capacity = 4 * M, .chunk_shift = 20 };

	EXPECT_EQ(pool_reservation_of(&r, 1536 * K), 2 * M);
	EXPECT_EQ(pool_reservation_of(&r, M), M);
	EXPECT_EQ(pool_reservation_of(&r, 1), M);
	EXPECT_EQ(pool_reservation_of(&r, 0), 0);
	EXPECT_EQ(pool_reservation_of(&r, UINT64_MAX), UINT64_MAX);
	EXPECT_EQ(pool_reserve(&r, 1536 * K), 0);
	EXPECT_EQ(pool_reserve(&r, 1536 * K), 0);
	EXPECT_EQ(r.reserved, 4 * M);
	EXPECT_EQ(pool_reserve(&r, M), -ENOSPC);
	EXPECT_EQ(pool_reserve(&r, 1), -ENOSPC);
	/* Resizing within the last chunk costs nothing; past it, a chunk. */
	EXPECT_EQ(pool_rereserve(&r, 1536 * K, 2 * M), 0);
	EXPECT_EQ(pool_rereserve(&r, 2 * M, 2 * M + 1), -ENOSPC);
	EXPECT_EQ(pool_rereserve(&r, 2 * M, 512 * K), 0);
	EXPECT_EQ(r.reserved, 3 * M);
	pool_unreserve(&r, 512 * K);
	pool_unreserve(&r, 1536 * K);
	EXPECT_EQ(r.reserved, 0);
}

TEST(reservation_overcommit)
{
	struct pool_reservation r = { .capacity = 100, .overcommit = true };

	EXPECT_EQ(pool_reserve(&r, 1000), 0);
	EXPECT_EQ(pool_reserve(&r, UINT64_MAX - 1000), 0);
	EXPECT_EQ(pool_reserve(&r, 1), -EOVERFLOW);
	EXPECT_EQ(r.reserved, UINT64_MAX);
}

TEST(chunks_for_and_range)
{
	EXPECT_EQ(pool_chunks_for(0, 20), 0);
	EXPECT_EQ(pool_chunks_for(1, 20), 1);
	EXPECT_EQ(pool_chunks_for(1 << 20, 20), 1);
	EXPECT_EQ(pool_chunks_for((1 << 20) + 512, 20), 2);
	EXPECT_EQ(pool_chunks_for(UINT64_MAX, 12), (UINT64_MAX >> 12) + 1);
	EXPECT_EQ(pool_range_check(100, 0, 100), 0);
	EXPECT_EQ(pool_range_check(100, 100, 0), 0);
	EXPECT_EQ(pool_range_check(100, 50, 51), -EINVAL);
	EXPECT_EQ(pool_range_check(100, 101, 0), -EINVAL);
	EXPECT_EQ(pool_range_check(100, 1, UINT64_MAX), -EINVAL);
	EXPECT_EQ(pool_range_check(UINT64_MAX, UINT64_MAX, 1), -EINVAL);
}

TEST(discard_split_examples)
{
	struct pool_discard_plan p;

	/* One whole chunk. */
	pool_discard_split(4 << 12, 4096, 4096, 12, &p);
	EXPECT_EQ(p.head_len, 0);
	EXPECT_EQ(p.tail_len, 0);
	EXPECT_EQ(p.whole_first, 1);
	EXPECT_EQ(p.whole_end, 2);
	/* Inside one chunk: only a head. */
	pool_discard_split(4 << 12, 512, 1024, 12, &p);
	EXPECT_EQ(p.head_off, 512);
	EXPECT_EQ(p.head_len, 1024);
	EXPECT_EQ(p.tail_len, 0);
	EXPECT(p.whole_end <= p.whole_first);
	/* Across a boundary, no whole chunk. */
	pool_discard_split(4 << 12, 3584, 1024, 12, &p);
	EXPECT_EQ(p.head_off, 3584);
	EXPECT_EQ(p.head_len, 512);
	EXPECT_EQ(p.tail_off, 4096);
	EXPECT_EQ(p.tail_len, 512);
	EXPECT(p.whole_end <= p.whole_first);
	/* Ragged last chunk counts as whole when the range runs to the end. */
	pool_discard_split((2 << 12) + 512, 4096, 4096 + 512, 12, &p);
	EXPECT_EQ(p.whole_first, 1);
	EXPECT_EQ(p.whole_end, 3);
	EXPECT_EQ(p.tail_len, 0);
	/* Empty. */
	pool_discard_split(4 << 12, 4096, 0, 12, &p);
	EXPECT_EQ(p.head_len + p.tail_len, 0);
	EXPECT(p.whole_end <= p.whole_first);
	/* Near 2^64: no wrap. */
	pool_discard_split(UINT64_MAX, 0, UINT64_MAX, 12, &p);
	EXPECT_EQ(p.whole_first, 0);
	EXPECT_EQ(p.whole_end, (UINT64_MAX >> 12) + 1);
	EXPECT_EQ(p.head_len + p.tail_len, 0);
}

/* Check one plan against the rules: the pieces and whole chunks tile the
 * range exactly, pieces stay within one chunk, and no piece covers all of
 * a chunk's in-disk bytes (it would have been whole). */
static int plan_ok(uint64_t disk, uint64_t off, uint64_t len, unsigned sh,
		   const struct pool_discard_plan *p)
{
	uint64_t cs = 1ull << sh, covered = 0, end = off + len;
	uint64_t wf = p->whole_first, we = p->whole_end > wf ? p->whole_end : wf;

	for (uint64_t c = wf; c < we; c++) {
		uint64_t cend = (c + 1) * cs < disk ? (c + 1) * cs : disk;
		if (c * cs < off || cend > end)
			return 0;
		covered += cend - c * cs;
	}
	const uint64_t po[2] = { p->head_off, p->tail_off };
	const uint64_t pl[2] = { p->head_len, p->tail_len };
	for (int i = 0; i < 2; i++) {
		if (!pl[i])
			continue;
		uint64_t c = po[i] >> sh;
		uint64_t cend = (c + 1) * cs < disk ? (c + 1) * cs : disk;
		if (po[i] < off || po[i] + pl[i] > end || po[i] + pl[i] > (c + 1) * cs)
			return 0;
		if (po[i] == c * cs && po[i] + pl[i] == cend)
			return 0;
		if ((c >= wf && c < we))
			return 0;
		covered += pl[i];
	}
	if (pl[0] && pl[1] && p->head_off + p->head_len > p->tail_off)
		return 0;
	return covered == len;
}

TEST(discard_split_exhaustive)
{
	struct pool_discard_plan p;
	const uint64_t disks[] = { 4096 * 3, 4096 * 3 + 1024, 512, 4096 };

	for (unsigned d = 0; d < sizeof(disks) / sizeof(disks[0]); d++) {
		uint64_t disk = disks[d];
		for (uint64_t off = 0; off <= disk; off += 512) {
			for (uint64_t len = 0; off + len <= disk; len += 512) {
				pool_discard_split(disk, off, len, 12, &p);
				if (!plan_ok(disk, off, len, 12, &p)) {
					printf("bad plan: disk %llu off %llu len %llu\n",
					       (unsigned long long)disk,
					       (unsigned long long)off,
					       (unsigned long long)len);
					EXPECT(0);
				}
			}
		}
	}
}

int main(void)
{
	RUN(layout_basic);
	RUN(layout_hugepage_align);
	RUN(layout_rejects);
	RUN(chunk_size_check);
	RUN(owner_encoding);
	RUN(entry_encoding);
	RUN(freelist_order_and_exhaustion);
	RUN(freelist_overfull);
	RUN(reservation);
	RUN(reservation_overcommit);
	RUN(reservation_whole_chunks);
	RUN(chunks_for_and_range);
	RUN(discard_split_examples);
	RUN(discard_split_exhaustive);
	return UNIT_RESULT();
}
