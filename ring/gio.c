/* Guest I/O: grant copy, batched maps and persistent grants (see gio.h). */
#include "gio.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "stats.h"

#define PURGE_INTERVAL_MS 100u /* blkback's LRU_INTERVAL */
#define PURGE_PERCENT     5u   /* blkback's LRU_PERCENT_CLEAN */

uint8_t gio_zero_page[XEN_PAGE_BYTES] __attribute__((aligned(XEN_PAGE_BYTES)));

static atomic_ulong map_budget, map_used;

void ring_set_grant_map_budget(unsigned long limit)
{
	atomic_store(&map_budget, limit);
}

unsigned long ring_grant_maps_used(void)
{
	return atomic_load(&map_used);
}

unsigned long ring_grant_map_budget_for(unsigned long max_map_count)
{
	unsigned long half = max_map_count / 2;

	return half < 1024 ? 1024 : half > (1ul << 24) ? 1ul << 24 : half;
}

/* One more persistent mapping within the daemon-wide budget? */
static bool budget_take(void)
{
	unsigned long limit = atomic_load(&map_budget);

	if (atomic_fetch_add(&map_used, 1) < limit || limit == 0)
		return true;
	atomic_fetch_sub(&map_used, 1);
	return false;
}

static void budget_give(void)
{
	atomic_fetch_sub(&map_used, 1);
}

int gio_init(struct gio *g, enum grant_mode mode, xengnttab_handle *xgt,
	     uint16_t domid, unsigned cap, struct ring_queue_stats *stats)
{
	memset(g, 0, sizeof(*g));
	g->mode = mode == GRANT_MODE_PERSISTENT ? GRANT_MODE_COPY : mode;
	g->xgt = xgt;
	g->domid = domid;
	g->cap = cap;
	g->stats = stats;
	g->ents = calloc(cap, sizeof(*g->ents));
	g->copy = calloc(cap, sizeof(*g->copy));
	g->copy_ent = calloc(cap, sizeof(*g->copy_ent));
	g->refs = calloc(cap, sizeof(*g->refs));
	if (!g->ents || !g->copy || !g->copy_ent || !g->refs) {
		gio_fini(g);
		return -ENOMEM;
	}
	return 0;
}

int gio_enable_persistent(struct gio *g, unsigned max_pgrants)
{
	int rc = pgrant_init(&g->pg, max_pgrants);

	if (rc == 0)
		g->mode = GRANT_MODE_PERSISTENT;
	return rc;
}

static void unmap_one(void *ctx, const struct pgrant *e)
{
	struct gio *g = ctx;

	STAT_ADD(g->stats->grant_unmaps, 1);
	xengnttab_unmap(g->xgt, e->addr, 1);
	budget_give();
}

void gio_fini(struct gio *g)
{
	if (g->pg.ents) {
		pgrant_clear(&g->pg, unmap_one, g);
		__atomic_store_n(&g->stats->pgrants, 0, __ATOMIC_RELAXED);
	}
	pgrant_fini(&g->pg);
	free(g->ents);
	free(g->copy);
	free(g->copy_ent);
	free(g->refs);
	g->ents = NULL;
	g->copy = NULL;
	g->copy_ent = NULL;
	g->refs = NULL;
	g->cap = g->n = 0;
}

int gio_add(struct gio *g, uint32_t gref, unsigned offset, unsigned len,
	    void *local, bool to_guest)
{
	uintptr_t in_page = (uintptr_t)local & (XEN_PAGE_BYTES - 1);

	if (len == 0 || offset >= XEN_PAGE_BYTES || len > XEN_PAGE_BYTES - offset ||
	    len > XEN_PAGE_BYTES - in_page)
		return -EINVAL;
	if (g->n >= g->cap)
		return -ENOSPC;
	g->ents[g->n++] = (struct gio_ent){
		.gref = gref, .offset = (uint16_t)offset, .len = (uint16_t)len,
		.local = local, .to_guest = to_guest, .status = GNTST_general_error,
	};
	return 0;
}

/* Queue entry i in the pending grant-copy call. */
static void copy_queue(struct gio *g, unsigned *ncopy, unsigned i)
{
	const struct gio_ent *e = &g->ents[i];
	xengnttab_grant_copy_segment_t *s = &g->copy[*ncopy];
	union xengnttab_copy_ptr guest = {
		.foreign = { .ref = e->gref, .offset = e->offset, .domid = g->domid },
	};

	memset(s, 0, sizeof(*s));
	s->len = e->len;
	if (e->to_guest) {
		s->source.virt = e->local;
		s->dest = guest;
		s->flags = GNTCOPY_dest_gref;
	} else {
		s->source = guest;
		s->dest.virt = e->local;
		s->flags = GNTCOPY_source_gref;
	}
	s->status = GNTST_general_error;
	g->copy_ent[(*ncopy)++] = i;
}

/* One grant-copy call for what copy_queue gathered. */
static void copy_flush(struct gio *g, unsigned ncopy)
{
	int rc;

	if (ncopy == 0)
		return;
	STAT_ADD(g->stats->grant_copies, 1);
	STAT_ADD(g->stats->grant_copy_ops, ncopy);
	STAT_ADD(g->stats->grant_copy_hypercalls,
		 (ncopy + GIO_OPS_PER_HYPERCALL - 1) / GIO_OPS_PER_HYPERCALL);
	rc = xengnttab_grant_copy(g->xgt, ncopy, g->copy);
	for (unsigned k = 0; k < ncopy; k++)
		g->ents[g->copy_ent[k]].status =
			rc == 0 ? g->copy[k].status : GNTST_general_error;
}

/* memcpy between a mapped guest page and the entry's local bytes. */
static void copy_mapped(struct gio_ent *e, uint8_t *page)
{
	if (e->to_guest)
		memcpy(page + e->offset, e->local, e->len);
	else
		memcpy(e->local, page + e->offset, e->len);
	e->status = GNTST_okay;
}

void gio_run_range(struct gio *g, unsigned first, unsigned count)
{
	bool to_guest;
	uint8_t *pages;

	if (count == 0 || first > g->n || count > g->n - first)
		return;
	to_guest = g->ents[first].to_guest;
	for (unsigned k = 0; k < count; k++) {
		const struct gio_ent *e = &g->ents[first + k];

		/* A read request's entries all write the guest; a request's
		 * entries never mix directions (see serve.c). */
		if (e->to_guest != to_guest)
			return;
		g->refs[k] = e->gref;
	}
	STAT_ADD(g->stats->grant_maps, 1);
	pages = xengnttab_map_domain_grant_refs(g->xgt, count, g->domid, g->refs,
						to_guest ? PROT_READ | PROT_WRITE : PROT_READ);
	if (!pages)
		return; /* every entry keeps GNTST_general_error */
	for (unsigned k = 0; k < count; k++)
		copy_mapped(&g->ents[first + k], pages + (size_t)k * XEN_PAGE_BYTES);
	STAT_ADD(g->stats->grant_unmaps, 1);
	xengnttab_unmap(g->xgt, pages, count);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts); /* vDSO: no syscall */
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The cache is full: if the last purge is old enough, drop a few percent
 * of what went unused since (blkback's LRU purge), so a changed working
 * set moves in; then say whether there is room now. */
static bool purge_for_room(struct gio *g)
{
	uint64_t now = now_ms();
	unsigned max_drop;

	if (now < g->purge_after_ms)
		return false;
	g->purge_after_ms = now + PURGE_INTERVAL_MS;
	max_drop = g->pg.max * PURGE_PERCENT / 100u;
	unsigned dropped = pgrant_purge(&g->pg, max_drop ? max_drop : 1, unmap_one, g);
	STAT_ADD(g->stats->pgrant_evictions, dropped);
	if (dropped)
		__atomic_store_n(&g->stats->pgrants, g->pg.n, __ATOMIC_RELAXED);
	return g->pg.n < g->pg.max;
}

static void *map_one(struct gio *g, uint32_t gref, int prot)
{
	STAT_ADD(g->stats->grant_maps, 1);
	return xengnttab_map_domain_grant_refs(g->xgt, 1, g->domid, &gref, prot);
}

/* A new persistent mapping of e's grant: writable when the guest allows it
 * (a later read into it needs that), else read-only for a write request.
 * NULL (the entry goes by grant copy) when the cache or the budget is
 * full or the map fails. */
static struct pgrant *map_cached(struct gio *g, const struct gio_ent *e)
{
	struct pgrant *p;
	uint8_t *addr;
	bool writable = true;

	if (!pgrant_room(&g->pg) && !purge_for_room(g))
		return NULL;
	if (!budget_take())
		return NULL;
	addr = map_one(g, e->gref, PROT_READ | PROT_WRITE);
	if (!addr && !e->to_guest) {
		writable = false;
		addr = map_one(g, e->gref, PROT_READ);
	}
	if (!addr) {
		budget_give();
		return NULL;
	}
	p = pgrant_insert(&g->pg, e->gref, addr, writable);
	if (!p) { /* cannot happen: room was checked and the grant was absent */
		STAT_ADD(g->stats->grant_unmaps, 1);
		xengnttab_unmap(g->xgt, addr, 1);
		budget_give();
		return NULL;
	}
	__atomic_store_n(&g->stats->pgrants, g->pg.n, __ATOMIC_RELAXED);
	return p;
}

/* The cached page for e, usable in e's direction, or NULL. A read-only
 * mapping a read now needs writable goes, and e is grant-copied: the
 * guest decides what it grants, the copy reports what it allows. */
static uint8_t *cached_page(struct gio *g, const struct gio_ent *e)
{
	struct pgrant *p = pgrant_lookup(&g->pg, e->gref);

	if (p && (p->writable || !e->to_guest)) {
		STAT_ADD(g->stats->pgrant_hits, 1);
		return p->addr;
	}
	if (p) {
		unmap_one(g, p);
		pgrant_remove(&g->pg, p);
		__atomic_store_n(&g->stats->pgrants, g->pg.n, __ATOMIC_RELAXED);
		return NULL;
	}
	p = map_cached(g, e);
	return p && (p->writable || !e->to_guest) ? p->addr : NULL;
}

static void run_persistent(struct gio *g)
{
	unsigned ncopy = 0;

	for (unsigned i = 0; i < g->n; i++) {
		uint8_t *page = cached_page(g, &g->ents[i]);

		if (page)
			copy_mapped(&g->ents[i], page);
		else
			copy_queue(g, &ncopy, i);
	}
	copy_flush(g, ncopy);
}

void gio_run(struct gio *g)
{
	unsigned ncopy = 0;

	if (g->mode == GRANT_MODE_PERSISTENT) {
		run_persistent(g);
		return;
	}
	if (g->mode == GRANT_MODE_MAP) {
		/* The baseline: a map and an unmap per entry (serve.c maps
		 * a request's data grants together with gio_run_range). */
		for (unsigned i = 0; i < g->n; i++)
			gio_run_range(g, i, 1);
		return;
	}
	for (unsigned i = 0; i < g->n; i++)
		copy_queue(g, &ncopy, i);
	copy_flush(g, ncopy);
}

bool gio_all_ok(const struct gio *g, unsigned first, unsigned count)
{
	for (unsigned i = first; i < first + count && i < g->n; i++)
		if (g->ents[i].status != GNTST_okay)
			return false;
	return true;
}
