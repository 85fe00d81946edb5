/*
 * Guest I/O: the one door between ring/ and guest memory. Every byte the
 * backend moves to or from a guest page goes through gio_add (a grant
 * reference, an offset and a length, checked against the page) and then
 * gio_run, which either grant-copies the batch (COPY), maps its grants in
 * one call, copies and unmaps (MAP), or copies through the persistent grant
 * cache, mapping a grant the first time it is seen (PERSISTENT; grants that
 * find the cache full are mapped for this run only, in one call).
 */
#ifndef MEMBACK_RING_GIO_H
#define MEMBACK_RING_GIO_H

#include "blkif_abi.h"
#include "pgrant.h"

#include <xengnttab.h>

struct gio_ent {
	uint32_t gref;
	uint16_t offset, len;
	void *local;
	bool to_guest;
	int16_t status;   /* GNTST_* after gio_run */
};

struct gio {
	enum grant_mode mode;
	xengnttab_handle *xgt;
	uint16_t domid;
	unsigned n, cap;
	struct gio_ent *ents;
	xengnttab_grant_copy_segment_t *copy; /* COPY: the call's argument */
	uint32_t *refs;                       /* MAP: the call's argument */
	struct ring_queue_stats *stats;       /* grant_* counters */
	/* PERSISTENT only */
	struct pgrant_cache pg;
	uint32_t *spill;                      /* entries mapped for one run */
	uint64_t purge_after_ms;              /* earliest next purge */
};

int gio_init(struct gio *g, enum grant_mode mode, xengnttab_handle *xgt,
	     uint16_t domid, unsigned cap, struct ring_queue_stats *stats);
/* Switch to PERSISTENT with a cache of at most max_pgrants grants. */
int gio_enable_persistent(struct gio *g, unsigned max_pgrants);
/* Unmaps every persistent grant: call while g->xgt is still open. */
void gio_fini(struct gio *g);
/* Grants mapped persistently now. */
static inline unsigned gio_persistent_count(const struct gio *g) { return g->pg.n; }
static inline void gio_reset(struct gio *g) { g->n = 0; }
/* Queue a transfer; -EINVAL if the range leaves the page, -ENOSPC if full. */
int gio_add(struct gio *g, uint32_t gref, unsigned offset, unsigned len,
	    void *local, bool to_guest);
/* Do entries [first, first + count). In MAP mode they must share a
 * direction. Every entry gets a status; nothing here fails the caller. */
void gio_run(struct gio *g, unsigned first, unsigned count);
bool gio_all_ok(const struct gio *g, unsigned first, unsigned count);

/* Inside gio (gio.c, gio_persistent.c). Map the batch's grants in one
 * call, copy, unmap: entries list[0..count), or [first, first + count)
 * when list is NULL; they must share a direction. */
void gio_map_transient(struct gio *g, const uint32_t *list, unsigned first,
		       unsigned count);
void gio_run_persistent(struct gio *g, unsigned first, unsigned count);
void gio_persistent_fini(struct gio *g);

#endif
