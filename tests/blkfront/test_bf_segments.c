/* Unit tests: blkfront's segment layout builder and copies. */
#include <errno.h>
#include <stdint.h>

#include "../unit.h"
#include "../../tools/blkfront/segments.h"

TEST(one_full_page)
{
	struct bf_seg s[11];

	EXPECT_EQ(bf_seg_layout(0, 4096, s, 11), 1);
	EXPECT_EQ(s[0].first_sect, 0);
	EXPECT_EQ(s[0].last_sect, 7);
}

TEST(one_sector)
{
	struct bf_seg s[11];

	EXPECT_EQ(bf_seg_layout(0, 512, s, 11), 1);
	EXPECT_EQ(s[0].first_sect, 0);
	EXPECT_EQ(s[0].last_sect, 0);
	EXPECT_EQ(bf_seg_layout(3584, 512, s, 11), 1);
	EXPECT_EQ(s[0].first_sect, 7);
	EXPECT_EQ(s[0].last_sect, 7);
}

TEST(partial_first_and_last_page)
{
	struct bf_seg s[11];

	/* 1.5 KiB into the first page, 5 KiB long: 2.5 KiB + 2.5 KiB */
	EXPECT_EQ(bf_seg_layout(1536, 5120, s, 11), 2);
	EXPECT_EQ(s[0].first_sect, 3);
	EXPECT_EQ(s[0].last_sect, 7);
	EXPECT_EQ(s[1].first_sect, 0);
	EXPECT_EQ(s[1].last_sect, 4);
	EXPECT_EQ(bf_seg_sectors(s, 2), 10);
}

TEST(eleven_pages_is_the_limit)
{
	struct bf_seg s[11];

	EXPECT_EQ(bf_seg_layout(0, 11 * 4096, s, 11), 11);
	for (int i = 0; i < 11; i++) {
		EXPECT_EQ(s[i].first_sect, 0);
		EXPECT_EQ(s[i].last_sect, 7);
	}
	EXPECT_EQ(bf_seg_layout(512, 11 * 4096, s, 11), -E2BIG);
	EXPECT_EQ(bf_seg_layout(0, 11 * 4096 + 512, s, 11), -E2BIG);
	EXPECT_EQ(bf_seg_layout(0, UINT64_MAX - 511, s, 11), -E2BIG);
	EXPECT_EQ(bf_seg_layout(3584, 10 * 4096 + 512, s, 11), 11);
}

TEST(bad_alignment)
{
	struct bf_seg s[11];

	EXPECT_EQ(bf_seg_layout(0, 0, s, 11), -EINVAL);
	EXPECT_EQ(bf_seg_layout(0, 100, s, 11), -EINVAL);
	EXPECT_EQ(bf_seg_layout(100, 512, s, 11), -EINVAL);
	EXPECT_EQ(bf_seg_layout(4096, 512, s, 11), -EINVAL);
}

TEST(valid_and_sectors)
{
	struct bf_seg good[2] = { { 0, 7 }, { 2, 2 } };
	struct bf_seg inverted[1] = { { 5, 4 } };
	struct bf_seg past_page[1] = { { 0, 8 } };

	EXPECT(bf_seg_valid(good, 2));
	EXPECT_EQ(bf_seg_sectors(good, 2), 9);
	EXPECT(!bf_seg_valid(inverted, 1));
	EXPECT_EQ(bf_seg_sectors(inverted, 1), 0);
	EXPECT(!bf_seg_valid(past_page, 1));
}

TEST(copy_round_trip_any_shape)
{
	static unsigned char pages[3][4096], flat[3 * 4096], back[3 * 4096];
	void *p[3] = { pages[0], pages[1], pages[2] };
	struct bf_seg s[3] = { { 6, 7 }, { 1, 1 }, { 0, 3 } };
	uint64_t n = bf_seg_sectors(s, 3) * 512;

	for (uint64_t i = 0; i < n; i++)
		flat[i] = (unsigned char)(i * 7 + 3);
	bf_seg_copy_to_pages(p, s, 3, flat);
	/* The second sector of the transfer is the page 0's sector 7. */
	EXPECT_EQ(pages[0][7 * 512], flat[512]);
	EXPECT_EQ(pages[1][512], flat[1024]);
	EXPECT_EQ(pages[2][0], flat[1536]);
	EXPECT_EQ(pages[1][0], 0);
	bf_seg_copy_from_pages((const void *const *)p, s, 3, back);
	EXPECT(memcmp(flat, back, n) == 0);
	EXPECT(bf_seg_sector_ptr(p, s, 3, 0) == pages[0] + 6 * 512);
	EXPECT(bf_seg_sector_ptr(p, s, 3, 2) == pages[1] + 512);
	EXPECT(bf_seg_sector_ptr(p, s, 3, 6) == pages[2] + 3 * 512);
	EXPECT(bf_seg_sector_ptr(p, s, 3, 7) == NULL);
}

int main(void)
{
	RUN(one_full_page);
	RUN(one_sector);
	RUN(partial_first_and_last_page);
	RUN(eleven_pages_is_the_limit);
	RUN(bad_alignment);
	RUN(valid_and_sectors);
	RUN(copy_round_trip_any_shape);
	return UNIT_RESULT();
}
