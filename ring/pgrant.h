/*
 * The persistent grant cache of one queue: grant reference -> the page it
 * is mapped at, bounded, least recently used first out. Pure bookkeeping:
 * the caller maps and unmaps (gio.c); all memory is taken at init, so the
 * data path never allocates.
 */
#ifndef MEMBACK_RING_PGRANT_H
#define MEMBACK_RING_PGRANT_H

#include <stdbool.h>
#include <stdint.h>

/* Linux blkback's default max_persistent_grants. */
#define PGRANT_DEFAULT_MAX 1056u
#define PGRANT_LIMIT       65536u

struct pgrant {
	uint32_t gref;
	bool writable;        /* mapped read-write */
	bool used;            /* looked up since the last purge */
	void *addr;           /* the mapped page */
	uint32_t prev, next;  /* LRU list (head: most recent); free list */
	uint32_t hnext;       /* hash chain */
};

struct pgrant_cache {
	unsigned max, n;
	struct pgrant *ents;
	uint32_t *buckets;
	uint32_t hmask;
	uint32_t head, tail, free;
	bool overflow;        /* a grant found the cache full since the last purge */
};

/* 0 or -EINVAL (max 0 or above PGRANT_LIMIT) / -ENOMEM. */
int pgrant_init(struct pgrant_cache *c, unsigned max);
/* Frees the bookkeeping only: unmap first (pgrant_clear). */
void pgrant_fini(struct pgrant_cache *c);
/* The entry of gref, made most recent, or NULL. */
struct pgrant *pgrant_lookup(struct pgrant_cache *c, uint32_t gref);
/* Does the cache have room for one more? If not, remember the overflow. */
bool pgrant_room(struct pgrant_cache *c);
/* Add gref (not present) as most recent; NULL if full or present. */
struct pgrant *pgrant_insert(struct pgrant_cache *c, uint32_t gref, void *addr,
			     bool writable);
/* Take e out of the cache (its page is the caller's to unmap). */
void pgrant_remove(struct pgrant_cache *c, struct pgrant *e);

typedef void pgrant_drop_fn(void *ctx, const struct pgrant *e);
/* Drop up to max_drop entries not looked up since the previous purge, least
 * recent first, calling drop before each goes; then start a new period
 * (clear every used mark and the overflow). Returns how many went. */
unsigned pgrant_purge(struct pgrant_cache *c, unsigned max_drop,
		      pgrant_drop_fn *drop, void *ctx);
/* Drop everything (disconnect). */
void pgrant_clear(struct pgrant_cache *c, pgrant_drop_fn *drop, void *ctx);
/* Least recent entry, or NULL; and the next more recent one. For tests. */
const struct pgrant *pgrant_lru(const struct pgrant_cache *c);
const struct pgrant *pgrant_newer(const struct pgrant_cache *c,
				  const struct pgrant *e);

#endif
