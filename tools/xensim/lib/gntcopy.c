/*
 * xengnttab_grant_copy, as Linux's gntdev does it: segments that gntdev
 * itself refuses (no grant side at all, or a grant side that runs past its
 * page) fail the whole call with EINVAL before anything is copied; every
 * other problem is the hypervisor's and lands in that segment's status
 * (GNTST_*) while the others are copied. gntdev splits a segment at each
 * local page boundary and issues one hypercall per 16 such ops; the
 * counters charge the same.
 */
#include <errno.h>
#include <string.h>
#include <xengnttab.h>

#include "gntdev.h"
#include "grant.h"

#define GNTDEV_COPY_BATCH 16u

struct copy_side {
	uint8_t *ptr;
	struct sim_dom *dom;   /* NULL for a local (virt) side */
	uint32_t ref;
	bool write;
};

static bool seg_acceptable(const xengnttab_grant_copy_segment_t *s)
{
	if (!(s->flags & (GNTCOPY_source_gref | GNTCOPY_dest_gref)))
		return false;
	if ((s->flags & GNTCOPY_source_gref) &&
	    (uint32_t)s->source.foreign.offset + s->len > SIM_PAGE_SIZE)
		return false;
	if ((s->flags & GNTCOPY_dest_gref) &&
	    (uint32_t)s->dest.foreign.offset + s->len > SIM_PAGE_SIZE)
		return false;
	return true;
}

/* Local pages a virt side spans: gntdev's op count for the segment. */
static uint32_t seg_ops(const xengnttab_grant_copy_segment_t *s)
{
	uintptr_t v;

	if (s->len == 0)
		return 0;
	if (!(s->flags & GNTCOPY_source_gref))
		v = (uintptr_t)s->source.virt;
	else if (!(s->flags & GNTCOPY_dest_gref))
		v = (uintptr_t)s->dest.virt;
	else
		return 1;
	return (uint32_t)(((v & (SIM_PAGE_SIZE - 1)) + s->len + SIM_PAGE_SIZE - 1) /
			  SIM_PAGE_SIZE);
}

static int side_get(xengnttab_handle *h, struct copy_side *side, bool gref,
		    const union xengnttab_copy_ptr *p)
{
	uint32_t page;
	int st;

	side->dom = NULL;
	if (!gref) {
		side->ptr = p->virt;
		return GNTST_okay;
	}
	side->dom = sim_dom_get(h->ctx, p->foreign.domid);
	if (!side->dom || !sim_dom_alive(h->ctx, p->foreign.domid)) {
		side->dom = NULL;
		return GNTST_bad_domain;
	}
	side->ref = p->foreign.ref;
	st = sim_grant_pin(side->dom, side->ref, h->domid, side->write, &page);
	if (st != GNTST_okay) {
		side->dom = NULL;
		return st;
	}
	side->ptr = sim_dom_page(side->dom, page) + p->foreign.offset;
	return GNTST_okay;
}

static void side_put(xengnttab_handle *h, struct copy_side *side)
{
	if (side->dom)
		sim_grant_unpin(h->ctx, side->dom, side->ref, side->write);
}

static int16_t copy_seg(xengnttab_handle *h, const xengnttab_grant_copy_segment_t *s)
{
	struct copy_side src = { .write = false }, dst = { .write = true };
	int st;

	st = side_get(h, &src, s->flags & GNTCOPY_source_gref, &s->source);
	if (st == GNTST_okay) {
		st = side_get(h, &dst, s->flags & GNTCOPY_dest_gref, &s->dest);
		if (st == GNTST_okay) {
			memmove(dst.ptr, src.ptr, s->len);
			side_put(h, &dst);
		}
		side_put(h, &src);
	}
	return (int16_t)st;
}

/* The batch's one foreign domain, when every segment has exactly one
 * grant side and all name the same domain (what a backend sends); else
 * DOMID_INVALID-like UINT32_MAX and the batch goes segment by segment. */
static uint32_t batch_domid(const xengnttab_grant_copy_segment_t *segs, unsigned n)
{
	uint32_t domid = UINT32_MAX;

	for (unsigned i = 0; i < n; i++) {
		const xengnttab_grant_copy_segment_t *s = &segs[i];
		bool src = s->flags & GNTCOPY_source_gref, dst = s->flags & GNTCOPY_dest_gref;
		uint32_t d = src ? s->source.foreign.domid : s->dest.foreign.domid;

		if (src == dst || (i && d != domid))
			return UINT32_MAX;
		domid = d;
	}
	return domid;
}

/* Up to GNTDEV_COPY_BATCH segments of one domain: the grants pinned under
 * one hold of the domain's grant lock, copied, unpinned under one more, as
 * one hypercall does it. The per-segment checks and statuses are those of
 * copy_seg. */
static void copy_batch(xengnttab_handle *h, xengnttab_grant_copy_segment_t *segs,
		       unsigned n, uint32_t domid)
{
	struct sim_dom *d = sim_dom_get(h->ctx, domid);
	uint32_t refs[GNTDEV_COPY_BATCH], pages[GNTDEV_COPY_BATCH];
	bool write[GNTDEV_COPY_BATCH];
	int16_t st[GNTDEV_COPY_BATCH];

	if (!d || !sim_dom_alive(h->ctx, domid)) {
		for (unsigned i = 0; i < n; i++)
			segs[i].status = GNTST_bad_domain;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		write[i] = segs[i].flags & GNTCOPY_dest_gref;
		refs[i] = write[i] ? segs[i].dest.foreign.ref : segs[i].source.foreign.ref;
	}
	sim_grant_pin_many(d, n, refs, write, h->domid, pages, st);
	for (unsigned i = 0; i < n; i++) {
		xengnttab_grant_copy_segment_t *s = &segs[i];

		if (st[i] == GNTST_okay) {
			uint8_t *guest = sim_dom_page(d, pages[i]);
			if (write[i])
				memmove(guest + s->dest.foreign.offset, s->source.virt, s->len);
			else
				memmove(s->dest.virt, guest + s->source.foreign.offset, s->len);
		}
		s->status = st[i];
	}
	sim_grant_unpin_many(h->ctx, d, n, refs, write, st);
}

int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
			 xengnttab_grant_copy_segment_t *segs)
{
	struct simhost_stats *st = sim_stats(xgt->ctx, xgt->domid);
	uint64_t ops = 0, bytes = 0, errors = 0;

	if (count && !segs) {
		errno = EINVAL;
		return -1;
	}
	for (uint32_t i = 0; i < count; i++) {
		if (!seg_acceptable(&segs[i])) {
			errno = EINVAL;
			return -1;
		}
	}
	for (uint32_t b = 0; b < count; b += GNTDEV_COPY_BATCH) {
		unsigned n = count - b < GNTDEV_COPY_BATCH ? count - b : GNTDEV_COPY_BATCH;
		uint32_t domid = batch_domid(segs + b, n);

		if (domid != UINT32_MAX)
			copy_batch(xgt, segs + b, n, domid);
		else
			for (unsigned i = b; i < b + n; i++)
				segs[i].status = copy_seg(xgt, &segs[i]);
	}
	for (uint32_t i = 0; i < count; i++) {
		ops += seg_ops(&segs[i]);
		if (segs[i].status == GNTST_okay)
			bytes += segs[i].len;
		else
			errors++;
	}
	sim_count(&st->copy_calls, (ops + GNTDEV_COPY_BATCH - 1) / GNTDEV_COPY_BATCH);
	sim_count(&st->copy_segs, count);
	sim_count(&st->copy_bytes, bytes);
	sim_count(&st->copy_errors, errors);
	return 0;
}
