/* QoS token buckets (GCRA clocks) on a synthetic clock, and the live
 * update syntax of "qos" requests. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../backend/control.h"
#include "qos.h"
#include "../unit.h"

#define MS 1000000ull
#define S 1000000000ull

/* Requests one queue takes when it asks every `step` ns for `span` ns. */
static unsigned run(struct qos_bucket *b, uint64_t start, uint64_t span, uint64_t step,
		    uint64_t bytes)
{
	unsigned n = 0;

	for (uint64_t t = start; t < start + span; t += step)
		while (qos_wait_ns(b, t) == 0) {
			qos_charge(b, t, bytes);
			n++;
		}
	return n;
}

TEST(iops_limit_with_burst)
{
	struct qos_bucket b;

	memset(&b, 0, sizeof(b));
	EXPECT(!qos_active(&b));
	EXPECT_EQ(qos_wait_ns(&b, 0), 0);
	qos_set(&b, &(struct qos_limits){ .iops = 1000 });
	EXPECT(qos_active(&b));
	/* A full bucket: the burst (a tenth: 100) at once, then the rate. */
	unsigned first = run(&b, S, 1, 1, 0);
	EXPECT(first >= 100 && first <= 101);
	EXPECT(qos_wait_ns(&b, S) > 0 && qos_wait_ns(&b, S) <= 1 * MS);
	unsigned n = run(&b, S + 1, 10 * S, 100000, 0);
	EXPECT(n >= 9990 && n <= 10010); /* 10 s at 1000/s */
	struct qos_limits l;
	qos_get(&b, &l);
	EXPECT_EQ(l.iops, 1000);
	EXPECT_EQ(l.iops_burst, 100);
	EXPECT_EQ(l.bps, 0);
}

TEST(bytes_limit_and_settle)
{
	struct qos_bucket b;

	memset(&b, 0, sizeof(b));
	qos_set(&b, &(struct qos_limits){ .bps = 1 << 20, .bps_burst = 64 << 10 });
	/* 4 KiB requests charged 4 KiB: 1 MiB/s is 256/s. */
	unsigned n = run(&b, S, 4 * S, MS, 4096);
	EXPECT(n >= 1020 && n <= 1045);
	/* Charged 64 KiB, moved 4 KiB: settling gives the rest back, so the
	 * rate in bytes moved stays the limit. */
	memset(&b, 0, sizeof(b));
	qos_set(&b, &(struct qos_limits){ .bps = 1 << 20, .bps_burst = 64 << 10 });
	n = 0;
	for (uint64_t t = S; t < 5 * S; t += MS)
		while (qos_wait_ns(&b, t) == 0) {
			qos_charge(&b, t, 64 << 10);
			qos_settle(&b, 64 << 10, 4096);
			n++;
		}
	EXPECT(n >= 1020 && n <= 1045);
	qos_settle(&b, 1ull << 40, 0); /* more than was ever charged: no wrap */
	EXPECT_EQ(qos_wait_ns(&b, 0), 0);
}

TEST(live_change_applies_at_once)
{
	struct qos_bucket b;

	memset(&b, 0, sizeof(b));
	qos_set(&b, &(struct qos_limits){ .iops = 10 });
	run(&b, S, S, MS, 0);
	EXPECT(qos_wait_ns(&b, 2 * S - MS) > 0);
	qos_set(&b, &(struct qos_limits){ 0 });
	EXPECT(!qos_active(&b));
	EXPECT_EQ(qos_wait_ns(&b, 2 * S - MS), 0);
	qos_set(&b, &(struct qos_limits){ .iops = 100000 });
	EXPECT_EQ(qos_wait_ns(&b, 2 * S - MS), 0);
}

/* Two queues on one bucket get the disk's limit between them. */
struct share { struct qos_bucket *b; unsigned n; };

static void *queue_thread(void *arg)
{
	struct share *s = arg;

	s->n = run(s->b, S, 5 * S, 50000, 0);
	return NULL;
}

TEST(queues_share_one_bucket)
{
	struct qos_bucket b;
	struct share a = { &b, 0 }, c = { &b, 0 };
	pthread_t ta, tc;

	memset(&b, 0, sizeof(b));
	qos_set(&b, &(struct qos_limits){ .iops = 2000 });
	pthread_create(&ta, NULL, queue_thread, &a);
	pthread_create(&tc, NULL, queue_thread, &c);
	pthread_join(ta, NULL);
	pthread_join(tc, NULL);
	/* Synthetic clocks of two threads differ: allow their skew's worth. */
	EXPECT(a.n + c.n >= 9000 && a.n + c.n <= 10600);
}

TEST(update_syntax)
{
	struct qos_limits l = { 0 };
	char err[200];

	EXPECT_EQ(qos_parse_update(" iops=5000 bps=200M", &l, err, sizeof(err)), 0);
	EXPECT_EQ(l.iops, 5000);
	EXPECT_EQ(l.bps, 200ull << 20);
	EXPECT_EQ(qos_parse_update(" iops-burst=50,bps=none", &l, err, sizeof(err)), 0);
	EXPECT_EQ(l.iops, 5000);
	EXPECT_EQ(l.iops_burst, 50);
	EXPECT_EQ(l.bps, 0);
	EXPECT_EQ(qos_parse_update(" iops=7", &l, err, sizeof(err)), 0);
	EXPECT_EQ(l.iops_burst, 0); /* a new limit, its default burst */
	EXPECT_EQ(qos_parse_update(" none", &l, err, sizeof(err)), 0);
	EXPECT_EQ(l.iops, 0);
	l.iops = 9;
	EXPECT(qos_parse_update(" iops=0", &l, err, sizeof(err)) != 0);
	EXPECT(strstr(err, "iops wants") != NULL);
	EXPECT(qos_parse_update(" speed=3", &l, err, sizeof(err)) != 0);
	EXPECT(qos_parse_update(" bps-burst=1M", &l, err, sizeof(err)) != 0);
	EXPECT(qos_parse_update(" iops=2k", &l, err, sizeof(err)) != 0);
	EXPECT_EQ(l.iops, 9); /* unchanged by the refusals */
}

int main(void)
{
	RUN(iops_limit_with_burst);
	RUN(bytes_limit_and_settle);
	RUN(live_change_applies_at_once);
	RUN(queues_share_one_bucket);
	RUN(update_syntax);
	return UNIT_RESULT();
}
