/* Latency histograms: bucket edges, quantiles, first-seen stamps. */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <xen/io/blkif.h>

#include "latency.h"
#include "../unit.h"

TEST(buckets_are_log2_from_one_microsecond)
{
	EXPECT_EQ(lat_bucket(0), 0);
	EXPECT_EQ(lat_bucket(1000), 0);     /* <= 1 µs */
	EXPECT_EQ(lat_bucket(1001), 1);     /* <= 2 µs */
	EXPECT_EQ(lat_bucket(2000), 1);
	EXPECT_EQ(lat_bucket(2001), 2);
	EXPECT_EQ(lat_bucket(1000000), 10); /* 1 ms <= 1024 µs */
	EXPECT_EQ(lat_bucket(1024001), 11);
	EXPECT_EQ(lat_bucket(UINT64_MAX), LAT_BUCKETS - 1);
	EXPECT_EQ(lat_bucket_le_us(0), 1);
	EXPECT_EQ(lat_bucket_le_us(LAT_BUCKETS - 2), 1ull << (LAT_BUCKETS - 2));
	EXPECT_EQ(lat_bucket_le_us(LAT_BUCKETS - 1), UINT64_MAX);
	/* Every latency lands in the first bucket whose bound holds it. */
	for (uint64_t ns = 1; ns < (1ull << 40); ns = ns * 3 + 7) {
		unsigned b = lat_bucket(ns);
		EXPECT(b == LAT_BUCKETS - 1 || ns <= lat_bucket_le_us(b) * 1000);
		EXPECT(b == 0 || ns > lat_bucket_le_us(b - 1) * 1000);
	}
}

TEST(quantiles_and_counts)
{
	struct lat_hist h;

	memset(&h, 0, sizeof(h));
	EXPECT_EQ(lat_quantile_us(&h, 0.5), 0);
	for (int i = 0; i < 90; i++)
		lat_record(&h, 3000);   /* 4 µs bucket */
	for (int i = 0; i < 10; i++)
		lat_record(&h, 900000); /* 1024 µs bucket */
	EXPECT_EQ(lat_count(&h), 100);
	EXPECT_EQ(h.sum_ns, 90 * 3000 + 10 * 900000);
	EXPECT_EQ(lat_quantile_us(&h, 0.5), 4);
	EXPECT_EQ(lat_quantile_us(&h, 0.9), 4);
	EXPECT_EQ(lat_quantile_us(&h, 0.91), 1024);
	EXPECT_EQ(lat_quantile_us(&h, 0.99), 1024);

	struct lat_hist old = h, d;
	lat_record(&h, 3000);
	lat_sub(&d, &h, &old);
	EXPECT_EQ(lat_count(&d), 1);
	EXPECT_EQ(d.sum_ns, 3000);
}

TEST(ops_follow_the_request_counters)
{
	EXPECT_EQ(lat_op_of(BLKIF_OP_READ), LAT_OP_read);
	EXPECT_EQ(lat_op_of(BLKIF_OP_WRITE), LAT_OP_write);
	EXPECT_EQ(lat_op_of(BLKIF_OP_FLUSH_DISKCACHE), LAT_OP_flush);
	EXPECT_EQ(lat_op_of(BLKIF_OP_WRITE_BARRIER), LAT_OP_flush);
	EXPECT_EQ(lat_op_of(BLKIF_OP_DISCARD), LAT_OP_discard);
	EXPECT_EQ(lat_op_of(77), LAT_OP_other);
	EXPECT_STR(lat_op_name(LAT_OP_discard), "discard");
}

/* A request left on the ring keeps its first-seen stamp across passes;
 * the stamps wrap with the ring indexes; inflight counts seen - answered. */
TEST(first_seen_survives_passes_and_wraps)
{
	struct lat_track t;
	struct ring_latency l;
	uint64_t inflight = 0;

	memset(&l, 0, sizeof(l));
	EXPECT_EQ(lat_track_init(&t, 8, &inflight), 0);
	uint32_t cons = UINT32_MAX - 2; /* about to wrap */
	lat_pass_start(&t, cons, cons + 4);
	EXPECT_EQ(inflight, 4);
	uint64_t first = t.seen_ns[cons & 7];
	lat_pass_respond(&t, &l, 0, BLKIF_OP_READ); /* answers one, leaves 3 */
	EXPECT_EQ(inflight, 3);
	cons += 1;
	struct timespec ts = { 0, 2000000 };
	nanosleep(&ts, NULL);
	lat_pass_start(&t, cons, cons + 5); /* 2 more arrive */
	EXPECT_EQ(inflight, 5);
	EXPECT_EQ(t.seen_ns[cons & 7], first); /* not stamped again */
	EXPECT(t.seen_ns[(cons + 4) & 7] > first);
	for (unsigned i = 0; i < 5; i++)
		lat_pass_respond(&t, &l, i, BLKIF_OP_WRITE);
	EXPECT_EQ(inflight, 0);
	EXPECT_EQ(lat_count(&l.h[LAT_TOTAL][LAT_OP_write]), 5);
	EXPECT_EQ(lat_count(&l.h[LAT_SERVICE][LAT_OP_write]), 5);
	/* The 3 that waited a pass show it on the total clock only. */
	EXPECT(l.h[LAT_TOTAL][LAT_OP_write].sum_ns >=
	       l.h[LAT_SERVICE][LAT_OP_write].sum_ns + 3 * 2000000);
	/* A ring that starts elsewhere (new connection): stamps resync. */
	lat_pass_start(&t, 1000, 1002);
	EXPECT_EQ(t.seen_prod, 1002);
	lat_track_fini(&t);
}

int main(void)
{
	RUN(buckets_are_log2_from_one_microsecond);
	RUN(quantiles_and_counts);
	RUN(ops_follow_the_request_counters);
	RUN(first_seen_survives_passes_and_wraps);
	return UNIT_RESULT();
}
