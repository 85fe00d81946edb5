/*
 * Guest I/O: the one door between ring/ and guest memory. Every byte the
 * backend moves to or from a guest page goes through gio_add (a grant
 * reference, an offset and a length, checked against the page) and then
 * gio_run, which either grant-copies the batch (COPY) or maps its grants in
 * one call, copies and unmaps (MAP).
 */
#ifndef MEMBACK_RING_GIO_H
#define MEMBACK_RING_GIO_H

#include "blkif_abi.h"

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
};

int gio_init(struct gio *g, enum grant_mode mode, xengnttab_handle *xgt,
	     uint16_t domid, unsigned cap, struct ring_queue_stats *stats);
void gio_fini(struct gio *g);
static inline void gio_reset(struct gio *g) { g->n = 0; }
/* Queue a transfer; -EINVAL if the range leaves the page, -ENOSPC if full. */
int gio_add(struct gio *g, uint32_t gref, unsigned offset, unsigned len,
	    void *local, bool to_guest);
/* Do entries [first, first + count). In MAP mode they must share a
 * direction. Every entry gets a status; nothing here fails the caller. */
void gio_run(struct gio *g, unsigned first, unsigned count);
bool gio_all_ok(const struct gio *g, unsigned first, unsigned count);

#endif
