/*
 * Persistent grants (see gio.h): the first use of a grant maps it and keeps
 * the mapping in the queue's cache; every later use copies through it with
 * no hypercall. A grant that finds the cache full is mapped for the run
 * only; at most once per purge interval that also drops, a few percent of
 * the bound at a time, what went unused since the previous purge, as Linux
 * blkback does, so a changed working set moves into the cache.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "gio.h"
#include "stats.h"

#define PURGE_INTERVAL_MS 100u /* blkback's LRU_INTERVAL */
#define PURGE_PERCENT     5u   /* blkback's LRU_PERCENT_CLEAN */

enum { PG_ERROR = -1, PG_SPILL = 0, PG_OK = 1 };

int gio_enable_persistent(struct gio *g, unsigned max_pgrants)
{
	int rc = pgrant_init(&g->pg, max_pgrants);

	if (rc < 0)
		return rc;
	g->spill = calloc(g->cap, sizeof(*g->spill));
	if (!g->spill) {
		pgrant_fini(&g->pg);
		return -ENOMEM;
	}
	g->mode = GRANT_MODE_PERSISTENT;
	return 0;
}

static void unmap_one(void *ctx, const struct pgrant *e)
{
	struct gio *g = ctx;

	STAT_ADD(g->stats->grant_unmaps, 1);
	xengnttab_unmap(g->xgt, e->addr, 1);
}

void gio_persistent_fini(struct gio *g)
{
	if (g->pg.ents) {
		pgrant_clear(&g->pg, unmap_one, g);
		__atomic_store_n(&g->stats->pgrants, 0, __ATOMIC_RELAXED);
	}
	pgrant_fini(&g->pg);
	free(g->spill);
	g->spill = NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts); /* vDSO: no syscall */
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The cache is full: if the last purge is old enough, drop what went
 * unused since, then say whether there is room now. */
static bool purge_for_room(struct gio *g)
{
	uint64_t now = now_ms();
	unsigned max_drop;

	if (now < g->purge_after_ms)
		return false;
	g->purge_after_ms = now + PURGE_INTERVAL_MS;
	max_drop = g->pg.max * PURGE_PERCENT / 100u;
	if (pgrant_purge(&g->pg, max_drop ? max_drop : 1, unmap_one, g))
		__atomic_store_n(&g->stats->pgrants, g->pg.n, __ATOMIC_RELAXED);
	return g->pg.n < g->pg.max;
}

static void *map_one(struct gio *g, uint32_t gref, int prot)
{
	STAT_ADD(g->stats->grant_maps, 1);
	return xengnttab_map_domain_grant_refs(g->xgt, 1, g->domid, &gref, prot);
}

/* The cached mapping of e's grant, usable in e's direction. A grant is
 * mapped writable when it can be (a later read into it needs that), else
 * read-only for a write request, and remapped writable if a read needs it.
 * A map the guest's grant does not allow fails this entry only. */
static int cached_page(struct gio *g, const struct gio_ent *e, uint8_t **page)
{
	struct pgrant *p = pgrant_lookup(&g->pg, e->gref);
	uint8_t *addr;
	bool writable = true;

	if (p && (p->writable || !e->to_guest)) {
		*page = p->addr;
		return PG_OK;
	}
	if (p) {
		addr = map_one(g, e->gref, PROT_READ | PROT_WRITE);
		if (!addr)
			return PG_ERROR;
		unmap_one(g, p);
		p->addr = addr;
		p->writable = true;
		*page = addr;
		return PG_OK;
	}
	if (!pgrant_room(&g->pg) && !purge_for_room(g))
		return PG_SPILL;
	addr = map_one(g, e->gref, PROT_READ | PROT_WRITE);
	if (!addr && !e->to_guest) {
		writable = false;
		addr = map_one(g, e->gref, PROT_READ);
	}
	if (!addr)
		return PG_ERROR;
	pgrant_insert(&g->pg, e->gref, addr, writable);
	__atomic_store_n(&g->stats->pgrants, g->pg.n, __ATOMIC_RELAXED);
	*page = addr;
	return PG_OK;
}

void gio_run_persistent(struct gio *g, unsigned first, unsigned count)
{
	unsigned nspill = 0;

	for (unsigned i = first; i < first + count; i++) {
		struct gio_ent *e = &g->ents[i];
		uint8_t *page;
		int rc = cached_page(g, e, &page);

		if (rc == PG_SPILL) {
			g->spill[nspill++] = i;
			continue;
		}
		if (rc == PG_ERROR) {
			e->status = GNTST_general_error;
			continue;
		}
		if (e->to_guest)
			memcpy(page + e->offset, e->local, e->len);
		else
			memcpy(e->local, page + e->offset, e->len);
		e->status = GNTST_okay;
	}
	if (nspill)
		gio_map_transient(g, g->spill, 0, nspill);
}
