/*
 * Grant entries as Xen treats them. The (flags, domid) half of a v1 entry
 * is one 32-bit word that the guest may change at any time, so it is read
 * and updated with compare-and-swap; the pin counts are ours, kept under
 * the domain's grant lock (Xen's active entries under its grant lock).
 */
#include <errno.h>
#include <string.h>

#include "grant.h"

static uint32_t *entry_word(struct sim_dom *d, uint32_t ref)
{
	/* flags (16 bits) then domid (16 bits): little-endian word. */
	return (uint32_t *)(void *)&d->grants[ref];
}

int sim_grant_check(uint32_t flags_domid, uint32_t user, bool write)
{
	uint32_t flags = flags_domid & 0xffff, domid = flags_domid >> 16;

	if ((flags & GTF_type_mask) != GTF_permit_access || domid != user)
		return GNTST_general_error;
	/* Xen never downgrades a writable request to read-only. */
	if (write && (flags & GTF_readonly))
		return GNTST_general_error;
	return GNTST_okay;
}

/* Clear GTF_reading / GTF_writing that no pin needs any more. */
static void sync_flags(struct sim_dom *d, uint32_t ref)
{
	struct sim_active *a = &d->active[ref];
	uint32_t *w = entry_word(d, ref);
	uint32_t clear = 0, old;

	if (a->wpins == 0)
		clear |= GTF_writing;
	if (a->pins == 0)
		clear |= GTF_reading | GTF_writing;
	old = __atomic_load_n(w, __ATOMIC_RELAXED);
	while ((old & clear) &&
	       !__atomic_compare_exchange_n(w, &old, old & ~clear, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
}

static int pin_locked(struct sim_dom *d, uint32_t ref, uint32_t user, bool write,
		      uint32_t *page)
{
	uint32_t *w = entry_word(d, ref);
	uint32_t old = __atomic_load_n(w, __ATOMIC_ACQUIRE), set;
	int st;

	do {
		st = sim_grant_check(old, user, write);
		if (st != GNTST_okay)
			return st;
		set = old | GTF_reading | (write ? GTF_writing : 0);
	} while (!__atomic_compare_exchange_n(w, &old, set, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	*page = __atomic_load_n(&d->grants[ref].frame, __ATOMIC_ACQUIRE);
	if (*page >= d->npages) {
		sync_flags(d, ref);
		return GNTST_bad_page;
	}
	d->active[ref].pins++;
	if (write)
		d->active[ref].wpins++;
	return GNTST_okay;
}

int sim_grant_pin(struct sim_dom *d, uint32_t ref, uint32_t user, bool write,
		  uint32_t *page)
{
	int st;

	if (ref >= SIM_NR_GRANTS)
		return GNTST_bad_gntref;
	sim_lock(&d->hdr->gnt_lock);
	st = pin_locked(d, ref, user, write, page);
	sim_unlock(&d->hdr->gnt_lock);
	return st;
}

void sim_grant_pin_many(struct sim_dom *d, unsigned n, const uint32_t *refs,
			const bool *write, uint32_t user, uint32_t *pages, int16_t *st)
{
	sim_lock(&d->hdr->gnt_lock);
	for (unsigned i = 0; i < n; i++)
		st[i] = (int16_t)(refs[i] >= SIM_NR_GRANTS
					  ? GNTST_bad_gntref
					  : pin_locked(d, refs[i], user, write[i], &pages[i]));
	sim_unlock(&d->hdr->gnt_lock);
}

/* Give the grant's ref and page back to the guest's allocators. */
static void release_locked(struct sim_ctx *ctx, struct sim_dom *d, uint32_t ref)
{
	struct sim_active *a = &d->active[ref];

	__atomic_store_n(entry_word(d, ref), 0, __ATOMIC_RELEASE);
	d->grants[ref].frame = 0;
	sim_bitmap_free(d->pagemap, d->npages, a->page);
	sim_bitmap_free(d->refmap, SIM_NR_GRANTS, ref);
	a->deferred = 0;
	a->page = 0;
	__atomic_sub_fetch(&sim_stats(ctx, d->domid)->shared_now, 1, __ATOMIC_RELAXED);
}

void sim_grant_unpin(struct sim_ctx *ctx, struct sim_dom *d, uint32_t ref, bool write)
{
	struct sim_active *a;

	if (ref >= SIM_NR_GRANTS)
		return;
	a = &d->active[ref];
	sim_lock(&d->hdr->gnt_lock);
	if (a->pins)
		a->pins--;
	if (write && a->wpins)
		a->wpins--;
	sync_flags(d, ref);
	if (a->pins == 0 && a->deferred)
		release_locked(ctx, d, ref);
	sim_unlock(&d->hdr->gnt_lock);
}

void sim_grant_unpin_many(struct sim_ctx *ctx, struct sim_dom *d, unsigned n,
			  const uint32_t *refs, const bool *write, const int16_t *st)
{
	sim_lock(&d->hdr->gnt_lock);
	for (unsigned i = 0; i < n; i++) {
		struct sim_active *a;

		if (st[i] != GNTST_okay)
			continue;
		a = &d->active[refs[i]];
		if (a->pins)
			a->pins--;
		if (write[i] && a->wpins)
			a->wpins--;
		sync_flags(d, refs[i]);
		if (a->pins == 0 && a->deferred)
			release_locked(ctx, d, refs[i]);
	}
	sim_unlock(&d->hdr->gnt_lock);
}

int sim_grant_end_access(struct sim_ctx *ctx, struct sim_dom *d, uint32_t ref)
{
	struct sim_active *a;
	int rc = 0;

	if (ref >= SIM_NR_GRANTS)
		return -EINVAL;
	a = &d->active[ref];
	sim_lock(&d->hdr->gnt_lock);
	if (a->pins) {
		a->deferred = 1;
		rc = -EBUSY;
		sim_count(&sim_stats(ctx, d->domid)->end_access_busy, 1);
	} else {
		release_locked(ctx, d, ref);
	}
	sim_unlock(&d->hdr->gnt_lock);
	return rc;
}
