/*
 * Guest I/O: the one door between ring/ and guest memory. Every byte the
 * backend moves to or from a guest page goes through gio_add (a grant
 * reference, an offset and a length, checked against the page, and the
 * local bytes: a pool chunk, the zero page or a private descriptor page)
 * and then gio_run, which moves the whole batch with one copy per byte:
 *   COPY        one grant-copy call for the batch, straight between the
 *               guest page and the local bytes;
 *   MAP         the batch's grants mapped in one call, memcpy, unmapped;
 *   PERSISTENT  memcpy through the queue's cache of mapped grants, mapping
 *               a grant the first time it is seen; a grant that finds the
 *               cache (or the daemon-wide budget) full is grant-copied in
 *               one call for the run, never mapped per request.
 * Nothing outside gio.c touches a grant handle or a mapped guest page.
 */
#ifndef MEMBACK_RING_GIO_H
#define MEMBACK_RING_GIO_H

#include "blkif_abi.h"
#include "pgrant.h"

#include <xengnttab.h>

/* What gntdev hands the hypervisor in one hypercall (GNTDEV_COPY_BATCH). */
#define GIO_OPS_PER_HYPERCALL 16u

struct gio_ent {
	uint32_t gref;
	uint16_t offset, len;
	void *local;       /* never crosses a local page */
	bool to_guest;
	int16_t status;    /* GNTST_* after gio_run */
};

struct gio {
	enum grant_mode mode;
	xengnttab_handle *xgt;
	uint16_t domid;
	unsigned n, cap;
	struct gio_ent *ents;
	xengnttab_grant_copy_segment_t *copy; /* a grant-copy call's argument */
	uint32_t *copy_ent;                   /* copy[k] is ents[copy_ent[k]] */
	uint32_t *refs;                       /* MAP: the call's argument */
	struct ring_queue_stats *stats;       /* grant_* counters */
	/* PERSISTENT only */
	struct pgrant_cache pg;
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
/* Drop the entries from `first` on (a request that will not run). */
static inline void gio_truncate(struct gio *g, unsigned first)
{
	if (first < g->n)
		g->n = first;
}
/* Queue a transfer; -EINVAL if the range leaves the guest page or the
 * local bytes cross a local page, -ENOSPC if the batch is full. */
int gio_add(struct gio *g, uint32_t gref, unsigned offset, unsigned len,
	    void *local, bool to_guest);
/* Do every entry of the batch, in order (MAP mode: one map per entry).
 * gio_run_range maps entries [first, first + count), which must share a
 * direction, in one call: MAP mode's per-request path. Every entry gets a status; nothing here fails the caller.
 * A grant-copy call that fails as a whole (not per segment: gntdev may
 * have done some of its batches) is retried per request group, so each
 * entry's status is its own. */
void gio_run(struct gio *g);
void gio_run_range(struct gio *g, unsigned first, unsigned count);
bool gio_all_ok(const struct gio *g, unsigned first, unsigned count);

/* A page of zeros: the source of reads of unwritten disk ranges. */
extern uint8_t gio_zero_page[XEN_PAGE_BYTES]; /* never written */

/* The daemon-wide budget of persistently mapped grants is
 * ring_set_grant_map_budget (ring_queue.h): 0 leaves only the per-queue
 * bound. */

#endif
