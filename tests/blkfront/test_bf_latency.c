/* Unit tests: blkfront's latency histogram and percentiles. */
#include <stdint.h>

#include "../unit.h"
#include "../../tools/blkfront/latency.h"

static struct lat_hist h;

TEST(empty_is_zero)
{
	lat_init(&h);
	EXPECT_EQ(lat_percentile(&h, 50), 0);
	EXPECT_EQ(lat_percentile(&h, 99.9), 0);
}

TEST(small_values_exact)
{
	lat_init(&h);
	for (uint64_t v = 1; v <= 50; v++)
		lat_add(&h, v);
	EXPECT_EQ(lat_percentile(&h, 50), 25);
	EXPECT_EQ(lat_percentile(&h, 99), 50);
	EXPECT_EQ(lat_percentile(&h, 100), 50);
	EXPECT_EQ(lat_percentile(&h, 2), 1);
	EXPECT_EQ(h.min, 1);
	EXPECT_EQ(h.max, 50);
}

TEST(nearest_rank_no_float_drift)
{
	/* 1000 samples 1..1000 scaled into exact buckets: p99.9 is the 999th. */
	lat_init(&h);
	for (uint64_t v = 0; v < 1000; v++)
		lat_add(&h, v < 999 ? 10 : 60);
	EXPECT_EQ(lat_percentile(&h, 99.9), 10);
	EXPECT_EQ(lat_percentile(&h, 100), 60);
	lat_init(&h);
	for (uint64_t v = 0; v < 100; v++)
		lat_add(&h, v < 99 ? 5 : 40);
	EXPECT_EQ(lat_percentile(&h, 99), 5);
}

TEST(large_values_within_3_percent)
{
	static const uint64_t vals[] = { 100, 1000, 12345, 999999, 40000000,
					 (uint64_t)1 << 40, UINT64_MAX / 3 };

	for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint64_t v = vals[i], got;

		lat_init(&h);
		lat_add(&h, 1);
		lat_add(&h, v);
		lat_add(&h, v);
		lat_add(&h, UINT64_MAX);
		got = lat_percentile(&h, 50);
		EXPECT(got >= v);
		EXPECT((double)(got - v) <= (double)v * 0.032);
	}
}

TEST(buckets_are_contiguous)
{
	for (unsigned i = 0; i + 1 < LAT_BUCKETS; i++) {
		EXPECT(lat_bucket_low(i) <= lat_bucket_high(i));
		EXPECT_EQ(lat_bucket_high(i) + 1, lat_bucket_low(i + 1));
		EXPECT_EQ(lat_bucket_of(lat_bucket_low(i)), i);
		EXPECT_EQ(lat_bucket_of(lat_bucket_high(i)), i);
	}
	EXPECT_EQ(lat_bucket_of(UINT64_MAX), LAT_BUCKETS - 1);
}

TEST(percentiles_of_a_skewed_load)
{
	/* 10000 samples: 9900 at ~100 us, 90 at ~1 ms, 10 at ~10 ms. */
	lat_init(&h);
	for (int i = 0; i < 9900; i++)
		lat_add(&h, 100000);
	for (int i = 0; i < 90; i++)
		lat_add(&h, 1000000);
	for (int i = 0; i < 10; i++)
		lat_add(&h, 10000000);
	EXPECT(lat_percentile(&h, 50) / 1000 >= 100 && lat_percentile(&h, 50) / 1000 <= 103);
	EXPECT(lat_percentile(&h, 99) / 1000 >= 100 && lat_percentile(&h, 99) / 1000 <= 103);
	EXPECT(lat_percentile(&h, 99.9) / 1000 >= 1000 && lat_percentile(&h, 99.9) / 1000 <= 1031);
	EXPECT_EQ(lat_percentile(&h, 100), 10000000);
	EXPECT((uint64_t)lat_mean(&h) == (9900ull * 100000 + 90ull * 1000000 + 10ull * 10000000) / 10000);
}

TEST(merge_adds_up)
{
	static struct lat_hist a, b;

	lat_init(&a);
	lat_init(&b);
	for (uint64_t v = 1; v <= 10; v++)
		lat_add(&a, v);
	for (uint64_t v = 11; v <= 20; v++)
		lat_add(&b, v);
	lat_merge(&a, &b);
	EXPECT_EQ(a.count, 20);
	EXPECT_EQ(a.min, 1);
	EXPECT_EQ(a.max, 20);
	EXPECT_EQ(lat_percentile(&a, 50), 10);
}

int main(void)
{
	RUN(empty_is_zero);
	RUN(small_values_exact);
	RUN(nearest_rank_no_float_drift);
	RUN(large_values_within_3_percent);
	RUN(buckets_are_contiguous);
	RUN(percentiles_of_a_skewed_load);
	RUN(merge_adds_up);
	return UNIT_RESULT();
}
