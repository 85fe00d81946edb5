/* Unit tests: blkfront's verification data. */
#include <stdint.h>

#include "../unit.h"
#include "../../tools/blkfront/pattern.h"

static unsigned char a[512], b[512];

TEST(deterministic)
{
	pat_fill_sector(7, 1000, 3, a);
	pat_fill_sector(7, 1000, 3, b);
	EXPECT(memcmp(a, b, 512) == 0);
	EXPECT_EQ(pat_check_sector(7, 1000, 3, a, NULL), 0);
}

TEST(depends_on_seed_sector_and_generation)
{
	pat_fill_sector(7, 1000, 3, a);
	pat_fill_sector(8, 1000, 3, b);
	EXPECT(memcmp(a, b, 512) != 0);
	pat_fill_sector(7, 1001, 3, b);
	EXPECT(memcmp(a, b, 512) != 0);
	pat_fill_sector(7, 1000, 4, b);
	EXPECT(memcmp(a, b, 512) != 0);
	/* and past the header too: the random body differs */
	EXPECT(memcmp(a + 24, b + 24, 512 - 24) != 0);
}

TEST(stale_generation_is_named)
{
	struct pat_mismatch mm;

	pat_fill_sector(7, 1000, 3, a);
	EXPECT_EQ(pat_check_sector(7, 1000, 4, a, &mm), -1);
	EXPECT(mm.got_header);
	EXPECT_EQ(mm.got_sector, 1000);
	EXPECT_EQ(mm.got_gen, 3);
	EXPECT(!mm.got_zero);
	EXPECT_EQ(mm.offset, 16); /* the generation word */
}

TEST(misplaced_sector_is_named)
{
	struct pat_mismatch mm;

	pat_fill_sector(7, 2000, 5, a);
	EXPECT_EQ(pat_check_sector(7, 1000, 5, a, &mm), -1);
	EXPECT(mm.got_header);
	EXPECT_EQ(mm.got_sector, 2000);
	EXPECT_EQ(mm.got_gen, 5);
}

TEST(one_flipped_byte_is_found)
{
	struct pat_mismatch mm;

	pat_fill_sector(9, 42, 1, a);
	a[300] ^= 0x10;
	EXPECT_EQ(pat_check_sector(9, 42, 1, a, &mm), -1);
	EXPECT_EQ(mm.offset, 300);
	EXPECT_EQ(mm.got ^ mm.expected, 0x10);
	EXPECT(mm.got_header);
}

TEST(zeros)
{
	struct pat_mismatch mm;

	memset(a, 0, sizeof(a));
	EXPECT_EQ(pat_check_zero(a, NULL), 0);
	EXPECT_EQ(pat_check_sector(9, 42, 1, a, &mm), -1);
	EXPECT(mm.got_zero);
	EXPECT(!mm.got_header);
	pat_fill_sector(9, 42, 1, a);
	EXPECT_EQ(pat_check_zero(a, &mm), -1);
	EXPECT_EQ(mm.offset, 0);
	EXPECT(!mm.got_zero);
}

TEST(rng_range_and_spread)
{
	struct pat_rng r;
	unsigned hits[10] = { 0 };

	pat_rng_seed(&r, 0);
	for (int i = 0; i < 10000; i++) {
		uint64_t v = pat_rng_below(&r, 10);

		EXPECT(v < 10);
		hits[v]++;
	}
	for (int i = 0; i < 10; i++)
		EXPECT(hits[i] > 800 && hits[i] < 1200);
}

TEST(rng_seeded)
{
	struct pat_rng r1, r2;

	pat_rng_seed(&r1, 5);
	pat_rng_seed(&r2, 5);
	EXPECT_EQ(pat_rng_next(&r1), pat_rng_next(&r2));
	pat_rng_seed(&r2, 6);
	EXPECT(pat_rng_next(&r1) != pat_rng_next(&r2));
}

int main(void)
{
	RUN(deterministic);
	RUN(depends_on_seed_sector_and_generation);
	RUN(stale_generation_is_named);
	RUN(misplaced_sector_is_named);
	RUN(one_flipped_byte_is_found);
	RUN(zeros);
	RUN(rng_range_and_spread);
	RUN(rng_seeded);
	return UNIT_RESULT();
}
