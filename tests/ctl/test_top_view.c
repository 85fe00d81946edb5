/* memback-ctl top's pure part: parsing the stats text, rates, percentiles. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../tools/ctl/top_view.h"
#include "../unit.h"

static const char line1[] =
	"vbd 3/51728: domain=web1 vdev=xvdb size=8388608 used=1048576 reads=10 writes=5 "
	"flushes=1 discards=0 others=0 errors=0 bytes_read=40960 bytes_written=20480 inflight=2 "
	"total_read_ns=5 total_read_buckets=0,10,0 total_write_buckets=0,0,5 "
	"service_read_buckets=99,99 total_flush_buckets=1\n";

TEST(parses_a_device_line)
{
	struct top_dev d;

	EXPECT_EQ(top_parse_dev(line1, &d), 0);
	EXPECT_EQ(d.domid, 3);
	EXPECT_EQ(d.devid, 51728);
	EXPECT_STR(d.domain, "web1");
	EXPECT_STR(d.vdev, "xvdb");
	EXPECT_EQ(d.reqs, 16);
	EXPECT_EQ(d.bytes_read, 40960);
	EXPECT_EQ(d.bytes_written, 20480);
	EXPECT_EQ(d.inflight, 2);
	EXPECT_EQ(d.used, 1048576);
	/* total-clock histograms of every op, not the service clock */
	EXPECT_EQ(d.total.bucket[0], 1);
	EXPECT_EQ(d.total.bucket[1], 10);
	EXPECT_EQ(d.total.bucket[2], 5);
	EXPECT(top_parse_dev("pool: size 1\n", &d) != 0);
}

TEST(rates_over_the_interval)
{
	struct top_dev a, b;
	struct top_row r;

	top_parse_dev(line1, &a);
	b = a;
	b.reqs += 2000;
	b.bytes_read += 4000000;
	b.total.bucket[3] += 1980; /* <= 8 µs */
	b.total.bucket[10] += 20;  /* <= 1024 µs */
	top_row_of(&r, &b, &a, 2.0);
	EXPECT(r.rates);
	EXPECT(r.iops > 999.9 && r.iops < 1000.1);
	EXPECT(r.read_mbs > 1.99 && r.read_mbs < 2.01);
	EXPECT_EQ(r.p50_us, 8);
	EXPECT_EQ(r.p99_us, 8);
	b.total.bucket[10] += 20;
	top_row_of(&r, &b, &a, 2.0);
	EXPECT_EQ(r.p99_us, 1024);
	top_row_of(&r, &a, NULL, 0);
	EXPECT(!r.rates);
	top_row_of(&r, &a, &b, 1.0); /* counters went back: a new daemon */
	EXPECT(!r.rates);
}

TEST(pool_line)
{
	struct top_pool p;

	EXPECT_EQ(top_parse_pool("pool: size 100, reserved 50, used 20, resident 10 bytes; 1 disks",
				 &p), 0);
	EXPECT_EQ(p.size, 100);
	EXPECT_EQ(p.resident, 10);
	EXPECT(top_parse_pool("error: x", &p) != 0);
}

int main(void)
{
	RUN(parses_a_device_line);
	RUN(rates_over_the_interval);
	RUN(pool_line);
	return UNIT_RESULT();
}
