/* Persistent grant cache bookkeeping (see pgrant.h). */
#include "pgrant.h"

#include <errno.h>
#include <stdlib.h>

#define PG_NONE UINT32_MAX

static uint32_t idx_of(const struct pgrant_cache *c, const struct pgrant *e)
{
	return (uint32_t)(e - c->ents);
}

/* The frontend chooses grefs: hash them so no choice of numbers makes one
 * long chain cheaper for it than for us. */
static uint32_t bucket_of(const struct pgrant_cache *c, uint32_t gref)
{
	return (gref * 0x9e3779b1u) >> 7 & c->hmask;
}

int pgrant_init(struct pgrant_cache *c, unsigned max)
{
	unsigned nb = 1;

	*c = (struct pgrant_cache){ .head = PG_NONE, .tail = PG_NONE };
	if (max == 0 || max > PGRANT_LIMIT)
		return -EINVAL;
	while (nb < max)
		nb <<= 1;
	c->ents = calloc(max, sizeof(*c->ents));
	c->buckets = malloc(nb * sizeof(*c->buckets));
	if (!c->ents || !c->buckets) {
		pgrant_fini(c);
		return -ENOMEM;
	}
	c->max = max;
	c->hmask = nb - 1;
	for (unsigned i = 0; i < nb; i++)
		c->buckets[i] = PG_NONE;
	for (unsigned i = 0; i < max; i++)
		c->ents[i].next = i + 1 < max ? i + 1 : PG_NONE;
	c->free = 0;
	return 0;
}

void pgrant_fini(struct pgrant_cache *c)
{
	free(c->ents);
	free(c->buckets);
	*c = (struct pgrant_cache){ .head = PG_NONE, .tail = PG_NONE };
}

static void lru_unlink(struct pgrant_cache *c, struct pgrant *e)
{
	if (e->prev != PG_NONE)
		c->ents[e->prev].next = e->next;
	else
		c->head = e->next;
	if (e->next != PG_NONE)
		c->ents[e->next].prev = e->prev;
	else
		c->tail = e->prev;
}

static void lru_push_head(struct pgrant_cache *c, struct pgrant *e)
{
	uint32_t i = idx_of(c, e);

	e->prev = PG_NONE;
	e->next = c->head;
	if (c->head != PG_NONE)
		c->ents[c->head].prev = i;
	else
		c->tail = i;
	c->head = i;
}

struct pgrant *pgrant_lookup(struct pgrant_cache *c, uint32_t gref)
{
	uint32_t i;

	if (!c->ents)
		return NULL;
	for (i = c->buckets[bucket_of(c, gref)]; i != PG_NONE; i = c->ents[i].hnext) {
		struct pgrant *e = &c->ents[i];

		if (e->gref != gref)
			continue;
		if (c->head != i) {
			lru_unlink(c, e);
			lru_push_head(c, e);
		}
		e->used = true;
		return e;
	}
	return NULL;
}

bool pgrant_room(struct pgrant_cache *c)
{
	if (c->ents && c->n < c->max)
		return true;
	c->overflow = true;
	return false;
}

struct pgrant *pgrant_insert(struct pgrant_cache *c, uint32_t gref, void *addr,
			     bool writable)
{
	struct pgrant *e;
	uint32_t b;

	if (!pgrant_room(c) || pgrant_lookup(c, gref))
		return NULL;
	e = &c->ents[c->free];
	c->free = e->next;
	b = bucket_of(c, gref);
	*e = (struct pgrant){ .gref = gref, .writable = writable, .used = true,
			      .addr = addr, .hnext = c->buckets[b] };
	c->buckets[b] = idx_of(c, e);
	lru_push_head(c, e);
	c->n++;
	return e;
}

void pgrant_remove(struct pgrant_cache *c, struct pgrant *e)
{
	uint32_t i = idx_of(c, e);
	uint32_t *p = &c->buckets[bucket_of(c, e->gref)];

	while (*p != i)
		p = &c->ents[*p].hnext;
	*p = e->hnext;
	lru_unlink(c, e);
	e->addr = NULL;
	e->next = c->free;
	c->free = i;
	c->n--;
}

unsigned pgrant_purge(struct pgrant_cache *c, unsigned max_drop,
		      pgrant_drop_fn *drop, void *ctx)
{
	unsigned dropped = 0;
	uint32_t i = c->tail;

	while (i != PG_NONE && dropped < max_drop) {
		struct pgrant *e = &c->ents[i];

		i = e->prev;
		if (e->used)
			continue;
		if (drop)
			drop(ctx, e);
		pgrant_remove(c, e);
		dropped++;
	}
	for (i = c->head; i != PG_NONE; i = c->ents[i].next)
		c->ents[i].used = false;
	c->overflow = false;
	return dropped;
}

void pgrant_clear(struct pgrant_cache *c, pgrant_drop_fn *drop, void *ctx)
{
	while (c->tail != PG_NONE) {
		struct pgrant *e = &c->ents[c->tail];

		if (drop)
			drop(ctx, e);
		pgrant_remove(c, e);
	}
	c->overflow = false;
}

const struct pgrant *pgrant_lru(const struct pgrant_cache *c)
{
	return c->tail == PG_NONE ? NULL : &c->ents[c->tail];
}

const struct pgrant *pgrant_newer(const struct pgrant_cache *c,
				  const struct pgrant *e)
{
	return e->prev == PG_NONE ? NULL : &c->ents[e->prev];
}
