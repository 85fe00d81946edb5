/* The persistent grant cache's bookkeeping: lookup, LRU order, the bound,
 * purge of what went unused. */
#include <stdint.h>
#include <stdlib.h>

#include "../../ring/pgrant.h"
#include "../unit.h"

static char pages[64][16]; /* stand-ins for mapped pages */

static void *page(unsigned i) { return pages[i]; }

/* The cache from least to most recent, as grefs; returns how many. */
static unsigned lru_order(const struct pgrant_cache *c, uint32_t *out, unsigned max)
{
	unsigned n = 0;

	for (const struct pgrant *e = pgrant_lru(c); e && n < max; e = pgrant_newer(c, e))
		out[n++] = e->gref;
	return n;
}

struct dropped {
	unsigned n;
	uint32_t grefs[64];
};

static void record_drop(void *ctx, const struct pgrant *e)
{
	struct dropped *d = ctx;

	d->grefs[d->n++] = e->gref;
}

TEST(init_rejects_bad_bounds)
{
	struct pgrant_cache c;

	EXPECT_EQ(pgrant_init(&c, 0), -22);
	EXPECT_EQ(pgrant_init(&c, PGRANT_LIMIT + 1), -22);
	EXPECT_EQ(pgrant_init(&c, PGRANT_LIMIT), 0);
	pgrant_fini(&c);
}

TEST(lookup_finds_what_was_inserted)
{
	struct pgrant_cache c;
	struct pgrant *e;

	EXPECT_EQ(pgrant_init(&c, 8), 0);
	EXPECT(pgrant_lookup(&c, 5) == NULL);
	EXPECT(pgrant_insert(&c, 5, page(5), true) != NULL);
	EXPECT(pgrant_insert(&c, 6, page(6), false) != NULL);
	EXPECT(pgrant_insert(&c, 5, page(1), true) == NULL); /* present */
	e = pgrant_lookup(&c, 5);
	EXPECT(e && e->addr == page(5) && e->writable);
	e = pgrant_lookup(&c, 6);
	EXPECT(e && e->addr == page(6) && !e->writable);
	EXPECT(pgrant_lookup(&c, 7) == NULL);
	EXPECT_EQ(c.n, 2);
	pgrant_fini(&c);
}

TEST(lru_order_follows_use)
{
	struct pgrant_cache c;
	uint32_t order[8];

	EXPECT_EQ(pgrant_init(&c, 8), 0);
	for (uint32_t g = 1; g <= 4; g++)
		EXPECT(pgrant_insert(&c, g, page(g), true));
	EXPECT_EQ(lru_order(&c, order, 8), 4);
	EXPECT(order[0] == 1 && order[1] == 2 && order[2] == 3 && order[3] == 4);
	pgrant_lookup(&c, 2);
	pgrant_lookup(&c, 1);
	EXPECT_EQ(lru_order(&c, order, 8), 4);
	EXPECT(order[0] == 3 && order[1] == 4 && order[2] == 2 && order[3] == 1);
	pgrant_fini(&c);
}

TEST(bound_is_never_exceeded)
{
	struct pgrant_cache c;

	EXPECT_EQ(pgrant_init(&c, 4), 0);
	for (uint32_t g = 0; g < 4; g++)
		EXPECT(pgrant_room(&c) && pgrant_insert(&c, g, page(g), true));
	EXPECT(!c.overflow);
	for (uint32_t g = 4; g < 40; g++) {
		EXPECT(!pgrant_room(&c));
		EXPECT(pgrant_insert(&c, g, page(g % 64), true) == NULL);
		EXPECT_EQ(c.n, 4);
	}
	EXPECT(c.overflow);
	pgrant_fini(&c);
}

TEST(purge_drops_unused_lru_first)
{
	struct pgrant_cache c;
	struct dropped d = { 0 };
	uint32_t order[8];

	EXPECT_EQ(pgrant_init(&c, 6), 0);
	for (uint32_t g = 10; g < 16; g++)
		EXPECT(pgrant_insert(&c, g, page(g), true));
	/* Everything was used in the first period: nothing goes. */
	EXPECT_EQ(pgrant_purge(&c, 6, record_drop, &d), 0);
	EXPECT(!c.overflow);
	/* Use 11 and 14 in the second period; at most 3 unused go, LRU first. */
	pgrant_lookup(&c, 14);
	pgrant_lookup(&c, 11);
	EXPECT_EQ(pgrant_purge(&c, 3, record_drop, &d), 3);
	EXPECT(d.grefs[0] == 10 && d.grefs[1] == 12 && d.grefs[2] == 13);
	EXPECT_EQ(c.n, 3);
	EXPECT_EQ(lru_order(&c, order, 8), 3);
	EXPECT(order[0] == 15 && order[1] == 14 && order[2] == 11);
	EXPECT(pgrant_lookup(&c, 10) == NULL && pgrant_lookup(&c, 15) != NULL);
	/* Freed room is reused. */
	for (uint32_t g = 20; g < 23; g++)
		EXPECT(pgrant_insert(&c, g, page(g), true));
	EXPECT(!pgrant_room(&c));
	pgrant_fini(&c);
}

TEST(remove_and_clear)
{
	struct pgrant_cache c;
	struct dropped d = { 0 };

	EXPECT_EQ(pgrant_init(&c, 8), 0);
	for (uint32_t g = 0; g < 8; g++)
		EXPECT(pgrant_insert(&c, g * 8, page(g), true)); /* same buckets */
	pgrant_remove(&c, pgrant_lookup(&c, 24));
	EXPECT(pgrant_lookup(&c, 24) == NULL);
	EXPECT(pgrant_lookup(&c, 32) != NULL && pgrant_lookup(&c, 16) != NULL);
	EXPECT_EQ(c.n, 7);
	pgrant_clear(&c, record_drop, &d);
	EXPECT_EQ(d.n, 7);
	EXPECT_EQ(c.n, 0);
	EXPECT(pgrant_lru(&c) == NULL);
	EXPECT(pgrant_insert(&c, 1, page(1), true));
	pgrant_fini(&c);
}

/* Random use against a simple model: the cache holds exactly the grefs
 * the model says, never more than the bound, in LRU order. */
TEST(matches_a_model)
{
	enum { MAX = 16, GREFS = 40 };
	struct pgrant_cache c;
	uint32_t model[MAX], order[MAX + 1];
	unsigned mn = 0;

	EXPECT_EQ(pgrant_init(&c, MAX), 0);
	srand(7);
	for (int step = 0; step < 20000; step++) {
		uint32_t g = (uint32_t)rand() % GREFS;
		unsigned k;

		for (k = 0; k < mn && model[k] != g; k++)
			;
		if (k < mn) { /* hit: move to the most recent end */
			EXPECT(pgrant_lookup(&c, g) != NULL);
			memmove(&model[k], &model[k + 1], (mn - k - 1) * sizeof(*model));
			model[mn - 1] = g;
		} else if (mn < MAX) {
			EXPECT(pgrant_lookup(&c, g) == NULL);
			EXPECT(pgrant_insert(&c, g, page(g), true));
			model[mn++] = g;
		} else { /* full: evict the least recent, as a purge of one would */
			EXPECT(pgrant_insert(&c, g, page(g), true) == NULL);
			pgrant_remove(&c, pgrant_lookup(&c, model[0]));
			memmove(&model[0], &model[1], (mn - 1) * sizeof(*model));
			mn--;
		}
		EXPECT(c.n <= MAX);
		EXPECT_EQ(c.n, mn);
	}
	EXPECT_EQ(lru_order(&c, order, MAX + 1), mn);
	for (unsigned k = 0; k < mn; k++)
		EXPECT_EQ(order[k], model[k]);
	pgrant_fini(&c);
}

int main(void)
{
	RUN(init_rejects_bad_bounds);
	RUN(lookup_finds_what_was_inserted);
	RUN(lru_order_follows_use);
	RUN(bound_is_never_exceeded);
	RUN(purge_drops_unused_lru_first);
	RUN(remove_and_clear);
	RUN(matches_a_model);
	return UNIT_RESULT();
}
