/*
 * The in-flight table's record and resume plan as pure functions: every
 * combination of the recorded pass and the shared rsp_prod, index wrap,
 * tables of another ring or format, damaged tables (bounded, never redone),
 * and seeded random tables through the fuzz harness's invariants.
 */
#include "../../ring/inflight.h"

#include <stdlib.h>

#include "../unit.h"
#include "inflight_one.h"

static const struct inflight_ring ring_a = {
	.ring_refs = { 8, 9 }, .remote_port = 33, .domid = 5, .abi = 0, .ring_order = 1,
};

#define SLOTS 64u

static struct inflight_table *table;

static void fresh(void)
{
	free(table);
	table = calloc(1, RING_INFLIGHT_BYTES);
	inflight_init(table, &ring_a, 0);
}

static struct blkif_req req_of(uint64_t id)
{
	struct blkif_req r = { .id = id, .operation = BLKIF_OP_WRITE, .op = BLKIF_OP_WRITE,
			       .nr_segments = 1, .sector_number = id * 8 };

	r.seg[0] = (struct blkif_request_segment){ .gref = (uint32_t)id, .last_sect = 7 };
	return r;
}

/* A pass of n requests with ids id0.. at ring indexes start.. */
static void record(RING_IDX start, unsigned n, uint64_t id0)
{
	for (unsigned i = 0; i < n; i++) {
		struct blkif_req r = req_of(id0 + i);

		EXPECT(inflight_put(table, i, start + i, &r));
	}
	EXPECT(inflight_publish(table, start, n));
}

static struct inflight_plan plan_at(RING_IDX rsp_prod)
{
	struct inflight_plan p;

	inflight_plan(table, &ring_a, SLOTS, rsp_prod, &p);
	return p;
}

TEST(fresh_table_redoes_nothing)
{
	struct inflight_plan p;

	fresh();
	p = plan_at(0);
	EXPECT_EQ(p.verdict, INFLIGHT_ANSWERED);
	EXPECT_EQ(p.resume_at, 0);
	EXPECT_EQ(p.redo, 0);
	/* init at another index: a table reset for a ring resumed there */
	inflight_init(table, &ring_a, 1234);
	EXPECT_EQ(plan_at(1234).verdict, INFLIGHT_ANSWERED);
	EXPECT_EQ(plan_at(0).verdict, INFLIGHT_MISMATCH);
}

/* Killed after publishing, before the push: rsp_prod is the pass's start. */
TEST(unanswered_pass_is_redone_exactly)
{
	struct inflight_plan p;
	struct blkif_req r;

	fresh();
	record(0, 4, 100);      /* a pass answered earlier */
	record(4, 3, 200);      /* the pass in flight */
	p = plan_at(4);
	EXPECT_EQ(p.verdict, INFLIGHT_REDO);
	EXPECT_EQ(p.resume_at, 4);
	EXPECT_EQ(p.redo, 3);
	for (unsigned i = 0; i < 3; i++) {
		struct blkif_req want = req_of(200 + i);

		memset(&r, 0xa5, sizeof(r));
		EXPECT(inflight_take(table, &p, i, &r));
		EXPECT(memcmp(&r, &want, sizeof(r)) == 0);
	}
	EXPECT(!inflight_take(table, &p, 3, &r)); /* past the plan */
}

/* Killed after the push: the pass was answered. */
TEST(pushed_pass_is_not_redone)
{
	struct inflight_plan p;
	struct blkif_req r;

	fresh();
	record(4, 3, 200);
	p = plan_at(7);
	EXPECT_EQ(p.verdict, INFLIGHT_ANSWERED);
	EXPECT_EQ(p.resume_at, 7);
	EXPECT_EQ(p.redo, 0);
	EXPECT(!inflight_take(table, &p, 0, &r));
}

/* Killed while writing the next pass's entries: its header is not out, so
 * the previous pass (pushed) is what the table says; redo nothing and take
 * the new pass from the ring, which still holds it. */
TEST(entries_without_publish_leave_previous_pass)
{
	struct blkif_req r = req_of(300);

	fresh();
	record(4, 3, 200);
	for (unsigned i = 0; i < 5; i++)
		EXPECT(inflight_put(table, i, 7 + i, &r));
	EXPECT_EQ(plan_at(7).verdict, INFLIGHT_ANSWERED);
	EXPECT_EQ(plan_at(7).redo, 0);
}

/* Any other rsp_prod: not this table's ring state; resume there, redo
 * nothing, say why. */
TEST(rsp_prod_elsewhere_is_a_mismatch)
{
	static const RING_IDX others[] = { 0, 3, 5, 6, 8, 100, 0x80000004u, 0xffffffffu };

	fresh();
	record(4, 3, 200);
	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct inflight_plan p = plan_at(others[i]);

		EXPECT_EQ(p.verdict, INFLIGHT_MISMATCH);
		EXPECT_EQ(p.resume_at, others[i]);
		EXPECT_EQ(p.redo, 0);
		EXPECT(p.why != NULL);
	}
}

/* The ring index wraps at 2^32 inside the pass. */
TEST(ring_index_wraps)
{
	struct inflight_plan p;
	struct blkif_req r;

	fresh();
	record(0xfffffffeu, 5, 400);
	p = plan_at(0xfffffffeu);
	EXPECT_EQ(p.verdict, INFLIGHT_REDO);
	EXPECT_EQ(p.redo, 5);
	EXPECT(inflight_take(table, &p, 4, &r));
	EXPECT_EQ(r.id, 404);
	EXPECT_EQ(table->e[4].ring_idx, 2);
	EXPECT_EQ(plan_at(3).verdict, INFLIGHT_ANSWERED);
}

TEST(another_ring_or_format_is_a_mismatch)
{
	struct inflight_ring other = ring_a;
	struct inflight_plan p;

	fresh();
	record(0, 3, 1);
	other.ring_refs[1] = 10;
	inflight_plan(table, &other, SLOTS, 0, &p);
	EXPECT_EQ(p.verdict, INFLIGHT_MISMATCH);
	other = ring_a;
	other.remote_port = 34;
	inflight_plan(table, &other, SLOTS, 0, &p);
	EXPECT_EQ(p.verdict, INFLIGHT_MISMATCH);
	other = ring_a;
	other.abi = BLKIF_ABI_X86_32;
	inflight_plan(table, &other, SLOTS, 0, &p);
	EXPECT_EQ(p.verdict, INFLIGHT_MISMATCH);
	EXPECT_EQ(plan_at(0).verdict, INFLIGHT_REDO);
	table->magic = INFLIGHT_MAGIC + 1; /* another format version */
	EXPECT_EQ(plan_at(0).verdict, INFLIGHT_MISMATCH);
	memset(table, 0, RING_INFLIGHT_BYTES); /* new state file: zero-filled */
	EXPECT_EQ(plan_at(0).verdict, INFLIGHT_MISMATCH);
	EXPECT_EQ(plan_at(0).redo, 0);
}

/* A damaged count or entry is never redone, nor read past the table. */
TEST(damaged_table_is_bounded)
{
	struct inflight_plan p;

	fresh();
	record(10, 3, 1);
	table->pass = (uint64_t)(SLOTS + 1) << 32 | 10; /* more than the ring */
	EXPECT_EQ(plan_at(10).verdict, INFLIGHT_MISMATCH);
	table->pass = (uint64_t)0xffffffffu << 32 | 10;
	p = plan_at(10);
	EXPECT_EQ(p.verdict, INFLIGHT_MISMATCH);
	EXPECT_EQ(p.redo, 0);
	inflight_plan(table, &ring_a, 0xffffffffu, 10, &p); /* even for a huge ring */
	EXPECT_EQ(p.verdict, INFLIGHT_MISMATCH);
	table->pass = (uint64_t)3 << 32 | 10;
	EXPECT_EQ(plan_at(10).verdict, INFLIGHT_REDO);
	table->e[1].ring_idx = 99; /* an entry not at its index */
	EXPECT_EQ(plan_at(10).verdict, INFLIGHT_MISMATCH);
	EXPECT_EQ(plan_at(13).verdict, INFLIGHT_ANSWERED); /* header alone says answered */
}

/* A forged plan cannot make take read outside the table or the plan. */
TEST(take_checks_plan_and_entry)
{
	struct inflight_plan p;
	struct blkif_req r;

	fresh();
	record(10, 3, 1);
	p = plan_at(10);
	table->e[2].ring_idx = 0; /* changed after the plan */
	EXPECT(!inflight_take(table, &p, 2, &r));
	p.redo = 0xffffffffu;
	EXPECT(!inflight_take(table, &p, INFLIGHT_MAX_ENTRIES, &r));
	p.verdict = INFLIGHT_ANSWERED;
	EXPECT(!inflight_take(table, &p, 0, &r));
}

TEST(record_is_bounded_and_largest_ring_fits)
{
	struct blkif_req r = req_of(1);

	fresh();
	EXPECT(INFLIGHT_MAX_ENTRIES >= 512); /* order 4 ring: 512 slots, every ABI */
	EXPECT(sizeof(struct inflight_table) + INFLIGHT_MAX_ENTRIES *
	       sizeof(struct inflight_entry) <= RING_INFLIGHT_BYTES);
	EXPECT(inflight_put(table, INFLIGHT_MAX_ENTRIES - 1, 0, &r));
	EXPECT(!inflight_put(table, INFLIGHT_MAX_ENTRIES, 0, &r));
	EXPECT(!inflight_publish(table, 0, INFLIGHT_MAX_ENTRIES + 1));
	EXPECT_EQ(plan_at(0).verdict, INFLIGHT_ANSWERED); /* the refused one left no trace */
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* make check's share of fuzz_inflight: random tables, every mode. */
TEST(random_tables_keep_invariants)
{
	static uint8_t buf[7 + 600 + 64 * 160];
	unsigned seen[3] = { 0 };

	for (unsigned i = 0; i < 20000; i++) {
		size_t len = 7 + next() % (sizeof(buf) - 7);

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)next();
		buf[0] = (uint8_t)(i & 7);
		if (next() & 1)
			memset(buf + 1, 0, 4); /* rsp_prod 0: a new ring */
		int v = inflight_one(buf, len);
		EXPECT(v >= 0 && v < 3);
		seen[v]++;
	}
	EXPECT(seen[INFLIGHT_ANSWERED] > 0);
	EXPECT(seen[INFLIGHT_REDO] > 0);
	EXPECT(seen[INFLIGHT_MISMATCH] > 0);
}

int main(void)
{
	RUN(fresh_table_redoes_nothing);
	RUN(unanswered_pass_is_redone_exactly);
	RUN(pushed_pass_is_not_redone);
	RUN(entries_without_publish_leave_previous_pass);
	RUN(rsp_prod_elsewhere_is_a_mismatch);
	RUN(ring_index_wraps);
	RUN(another_ring_or_format_is_a_mismatch);
	RUN(damaged_table_is_bounded);
	RUN(take_checks_plan_and_entry);
	RUN(record_is_bounded_and_largest_ring_fits);
	RUN(random_tables_keep_invariants);
	free(table);
	return UNIT_RESULT();
}
