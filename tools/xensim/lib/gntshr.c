/*
 * The granting side of libxengnttab: what Linux's gntalloc gives a guest.
 * Sharing takes pages from the domain's memory and refs from its grant
 * table (both lock-free allocators in the domain file), fills the v1
 * entries and maps the pages here. Unsharing ends access; a grant still
 * mapped by the other side is released when that side unmaps (gntalloc
 * defers the same way).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xengnttab.h>

#include "gntdev.h"
#include "grant.h"

xengntshr_handle *xengntshr_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return sim_gntdev_open();
}

int xengntshr_fd(xengntshr_handle *xgs)
{
	return xgs->fd;
}

/* Take a page and a ref and grant the page to domid. */
static int grant_one(xengntshr_handle *h, struct sim_dom *d, uint32_t domid,
		     bool writable, struct gnt_page *gp)
{
	long page, ref, j;

	page = sim_bitmap_alloc(d->pagemap, d->npages, 0, 0);
	if (page < 0)
		return -ENOMEM;
	ref = sim_bitmap_alloc(d->refmap, SIM_NR_GRANTS, SIM_NR_RESERVED_GRANTS, 0);
	if (ref < 0) {
		sim_bitmap_free(d->pagemap, d->npages, (uint32_t)page);
		return -ENOSPC;
	}
	memset(sim_dom_page(d, (uint32_t)page), 0, SIM_PAGE_SIZE);
	sim_lock(&d->hdr->gnt_lock);
	d->active[ref] = (struct sim_active){ .page = (uint32_t)page };
	sim_unlock(&d->hdr->gnt_lock);
	d->grants[ref].frame = (uint32_t)page;
	d->grants[ref].domid = (domid_t)domid;
	/* Flags last, as a guest must: the entry is complete when valid. */
	__atomic_store_n(&d->grants[ref].flags,
			 (uint16_t)(GTF_permit_access | (writable ? 0 : GTF_readonly)),
			 __ATOMIC_RELEASE);
	sim_count(&sim_stats(h->ctx, h->domid)->shared_now, 1);
	gp->dom = d;
	gp->ref = (uint32_t)ref;
	gp->page = (uint32_t)page;
	gp->live = true;
	j = sim_journal_add(h, d, (uint32_t)ref, SIM_J_SHARED);
	gp->jidx = j < 0 ? SIM_JOURNAL_MAX : (uint32_t)j;
	if (j < 0) {
		sim_grant_end_access(h->ctx, d, (uint32_t)ref);
		gp->live = false;
		return -ENOMEM;
	}
	return 0;
}

/* End access to a page of r (notifying first, as gntalloc does). */
static void ungrant_one(xengntshr_handle *h, struct gnt_region *r, uint32_t i)
{
	struct gnt_page *gp = &r->pages[i];

	if (!gp->live)
		return;
	if (r->notify.offset >= 0)
		sim_dom_page(gp->dom, gp->page)[r->notify.offset] = 0;
	if (r->notify.port >= 0)
		sim_evtchn_send(h->ctx, h->domid, (uint32_t)r->notify.port);
	sim_journal_del(h, gp->jidx);
	sim_grant_end_access(h->ctx, gp->dom, gp->ref);
	gp->live = false;
	r->live--;
}

static void *share_common(xengntshr_handle *h, uint32_t domid, int count,
			  uint32_t *refs, int writable, struct gnt_notify notify)
{
	struct sim_dom *d = sim_dom_get(h->ctx, h->domid);
	struct gnt_region *r;
	int i, rc = 0;

	if (count <= 0 || (uint32_t)count > SIM_NR_GRANTS || !refs || !d) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r) + (size_t)count * sizeof(r->pages[0]));
	if (!r)
		return NULL;
	r->count = (uint32_t)count;
	r->write = true;
	r->notify = notify;
	for (i = 0; i < count && rc == 0; i++) {
		rc = grant_one(h, d, domid, writable, &r->pages[i]);
		r->live += rc == 0;
	}
	if (rc == 0) {
		r->addr = sim_va_reserve(r->count);
		rc = r->addr ? 0 : -errno;
	}
	for (i = 0; i < count && rc == 0; i++)
		rc = sim_va_map_pages(r->addr + (size_t)i * SIM_PAGE_SIZE, d,
				      r->pages[i].page, 1, PROT_READ | PROT_WRITE);
	if (rc < 0)
		goto fail;
	for (i = 0; i < count; i++)
		refs[i] = r->pages[i].ref;
	pthread_mutex_lock(&h->lock);
	r->next = h->regions;
	h->regions = r;
	pthread_mutex_unlock(&h->lock);
	return r->addr;
fail:
	if (r->addr)
		munmap(r->addr, (size_t)r->count * SIM_PAGE_SIZE);
	r->notify = (struct gnt_notify){ -1, -1 };
	for (i = 0; i < count; i++)
		ungrant_one(h, r, (uint32_t)i);
	free(r);
	errno = -rc;
	return NULL;
}

void *xengntshr_share_pages(xengntshr_handle *xgs, uint32_t domid, int count,
			    uint32_t *refs, int writable)
{
	return share_common(xgs, domid, count, refs, writable,
			    (struct gnt_notify){ -1, -1 });
}

void *xengntshr_share_page_notify(xengntshr_handle *xgs, uint32_t domid,
				  uint32_t *ref, int writable,
				  uint32_t notify_offset, evtchn_port_t notify_port)
{
	struct gnt_notify n;

	if (gnt_notify_parse(notify_offset, notify_port, &n))
		return NULL;
	return share_common(xgs, domid, 1, ref, writable, n);
}

/* The region holding [addr, addr + count pages), or NULL. h->lock held. */
static struct gnt_region *region_containing(xengntshr_handle *h, uint8_t *addr,
					    uint32_t count)
{
	for (struct gnt_region *r = h->regions; r; r = r->next) {
		uint8_t *end = r->addr + (size_t)r->count * SIM_PAGE_SIZE;

		if (addr >= r->addr && addr < end &&
		    (size_t)(addr - r->addr) % SIM_PAGE_SIZE == 0 &&
		    count <= (size_t)(end - addr) / SIM_PAGE_SIZE)
			return r;
	}
	return NULL;
}

int xengntshr_unshare(xengntshr_handle *xgs, void *start_address, uint32_t count)
{
	uint8_t *addr = start_address;
	struct gnt_region *r;
	uint32_t first;

	pthread_mutex_lock(&xgs->lock);
	r = count ? region_containing(xgs, addr, count) : NULL;
	if (!r) {
		pthread_mutex_unlock(&xgs->lock);
		errno = EINVAL;
		return -1;
	}
	first = (uint32_t)((size_t)(addr - r->addr) / SIM_PAGE_SIZE);
	munmap(addr, (size_t)count * SIM_PAGE_SIZE);
	for (uint32_t i = first; i < first + count; i++)
		ungrant_one(xgs, r, i);
	if (r->live == 0) {
		sim_region_find(xgs, r->addr, r->count, true);
		free(r);
	}
	pthread_mutex_unlock(&xgs->lock);
	return 0;
}

int xengntshr_close(xengntshr_handle *xgs)
{
	struct gnt_region *r;

	if (!xgs)
		return 0;
	while ((r = xgs->regions)) {
		xgs->regions = r->next;
		for (uint32_t i = 0; i < r->count; i++) {
			if (r->pages[i].live)
				munmap(r->addr + (size_t)i * SIM_PAGE_SIZE, SIM_PAGE_SIZE);
			ungrant_one(xgs, r, i);
		}
		free(r);
	}
	sim_gntdev_free(xgs);
	return 0;
}
