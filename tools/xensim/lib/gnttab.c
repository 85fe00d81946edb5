/*
 * The mapping side of libxengnttab: what Linux's gntdev gives dom0.
 * A map validates and pins every grant, then maps the very pages of the
 * granting domain's memory file, so both sides see the same bytes. A batch
 * maps all or nothing; a failure is NULL with errno EINVAL, as gntdev's
 * mmap reports any bad grant.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xengnttab.h>

#include "gntdev.h"
#include "grant.h"

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return sim_gntdev_open();
}

static void region_release(xengnttab_handle *h, struct gnt_region *r);

int xengnttab_close(xengnttab_handle *xgt)
{
	struct gnt_region *r;

	if (!xgt)
		return 0;
	/* Unlike gntdev, mappings do not outlive the handle: release them. */
	while ((r = xgt->regions)) {
		xgt->regions = r->next;
		munmap(r->addr, (size_t)r->count * SIM_PAGE_SIZE);
		region_release(xgt, r);
	}
	sim_gntdev_free(xgt);
	return 0;
}

int xengnttab_fd(xengnttab_handle *xgt)
{
	return xgt->fd;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	pthread_mutex_lock(&xgt->lock);
	xgt->max_grants = nr_grants;
	pthread_mutex_unlock(&xgt->lock);
	return 0;
}

/* Count one more foreign page of d mapped, unless d is dying: a destroyed
 * domain takes no new mappings. Pairs with the reaper's check. */
static bool foreign_get(xengnttab_handle *h, struct sim_dom *d)
{
	struct sim_dom_info *info = &h->ctx->host->dom[d->domid];

	if (d->domid == h->domid)
		return sim_dom_alive(h->ctx, d->domid);
	__atomic_add_fetch(&info->foreign_mapped, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&info->state, __ATOMIC_SEQ_CST) == SIM_DOM_ALIVE &&
	    __atomic_load_n(&info->generation, __ATOMIC_SEQ_CST) == d->generation)
		return true;
	__atomic_sub_fetch(&info->foreign_mapped, 1, __ATOMIC_SEQ_CST);
	sim_dom_reap_if_done(h->ctx, d->domid);
	return false;
}

static void foreign_put(xengnttab_handle *h, struct sim_dom *d)
{
	if (d->domid == h->domid)
		return;
	__atomic_sub_fetch(&h->ctx->host->dom[d->domid].foreign_mapped, 1,
			   __ATOMIC_SEQ_CST);
	sim_dom_reap_if_done(h->ctx, d->domid);
}

/* Unpin the first n pages of r. */
static void unpin_pages(xengnttab_handle *h, struct gnt_region *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		sim_journal_del(h, r->pages[i].jidx);
		sim_grant_unpin(h->ctx, r->pages[i].dom, r->pages[i].ref, r->write);
		foreign_put(h, r->pages[i].dom);
	}
}

static void quota_return(xengnttab_handle *h, uint32_t count)
{
	pthread_mutex_lock(&h->lock);
	h->mapped -= count;
	pthread_mutex_unlock(&h->lock);
}

/* A whole, unmapped region: unpin, account, free. */
static void region_release(xengnttab_handle *h, struct gnt_region *r)
{
	struct simhost_stats *st = sim_stats(h->ctx, h->domid);

	unpin_pages(h, r, r->count);
	quota_return(h, r->count);
	sim_count_peak(&st->mapped_now, &st->mapped_peak, -(int64_t)r->count);
	free(r);
}

/* Pin page i of a new region; 0, -EINVAL (Xen refused) or -ENOMEM. */
static int pin_one(xengnttab_handle *h, struct gnt_region *r, uint32_t i,
		   uint32_t domid, uint32_t ref)
{
	struct sim_dom *d = sim_dom_get(h->ctx, domid);
	long j;

	if (!d || !foreign_get(h, d))
		return -EINVAL;
	if (sim_grant_pin(d, ref, h->domid, r->write, &r->pages[i].page) != GNTST_okay) {
		foreign_put(h, d);
		return -EINVAL;
	}
	j = sim_journal_add(h, d, ref, r->write ? SIM_J_MAP_RW : SIM_J_MAP_RO);
	if (j < 0) {
		sim_grant_unpin(h->ctx, d, ref, r->write);
		foreign_put(h, d);
		return (int)j;
	}
	r->pages[i].dom = d;
	r->pages[i].ref = ref;
	r->pages[i].jidx = (uint32_t)j;
	return 0;
}

/* Map the pinned pages, merging runs of consecutive frames. */
static int region_mmap(struct gnt_region *r)
{
	int prot = PROT_READ | (r->write ? PROT_WRITE : 0);
	uint32_t i = 0;

	r->addr = sim_va_reserve(r->count);
	if (!r->addr)
		return -errno;
	while (i < r->count) {
		uint32_t n = 1;
		int rc;

		while (i + n < r->count && r->pages[i + n].dom == r->pages[i].dom &&
		       r->pages[i + n].page == r->pages[i].page + n)
			n++;
		rc = sim_va_map_pages(r->addr + (size_t)i * SIM_PAGE_SIZE, r->pages[i].dom,
				      r->pages[i].page, n, prot);
		if (rc < 0) {
			munmap(r->addr, (size_t)r->count * SIM_PAGE_SIZE);
			return rc;
		}
		i += n;
	}
	/* gntdev mappings are not inherited by a child (VM_DONTCOPY). */
	madvise(r->addr, (size_t)r->count * SIM_PAGE_SIZE, MADV_DONTFORK);
	return 0;
}

static int reserve_quota(xengnttab_handle *h, uint32_t count)
{
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	if (h->max_grants && h->mapped + count > h->max_grants)
		rc = -ENOMEM; /* over the handle's limit, as old gntdev said */
	else
		h->mapped += count;
	pthread_mutex_unlock(&h->lock);
	return rc;
}

static void *map_common(xengnttab_handle *h, uint32_t count, const uint32_t *domids,
			uint32_t stride, const uint32_t *refs, int prot,
			struct gnt_notify notify)
{
	struct simhost_stats *st = sim_stats(h->ctx, h->domid);
	struct gnt_region *r = NULL;
	uint32_t i = 0;
	int rc;

	if (count == 0 || count > SIM_GNTDEV_MAX_REQUEST || !refs || !domids ||
	    (prot & ~(PROT_READ | PROT_WRITE))) {
		errno = EINVAL;
		return NULL;
	}
	rc = reserve_quota(h, count);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	r = calloc(1, sizeof(*r) + count * sizeof(r->pages[0]));
	if (!r) {
		rc = -ENOMEM;
		goto out;
	}
	r->count = count;
	r->write = prot & PROT_WRITE;
	r->notify = notify;
	sim_count(&st->map_calls, 1);
	for (i = 0; i < count; i++) {
		rc = pin_one(h, r, i, domids[i * stride], refs[i]);
		if (rc < 0)
			goto out;
	}
	rc = region_mmap(r);
	if (rc < 0)
		goto out;
	sim_count(&st->map_pages, count);
	sim_count_peak(&st->mapped_now, &st->mapped_peak, count);
	pthread_mutex_lock(&h->lock);
	r->next = h->regions;
	h->regions = r;
	pthread_mutex_unlock(&h->lock);
	return r->addr;
out:
	quota_return(h, count);
	if (r)
		unpin_pages(h, r, i);
	free(r);
	errno = -rc;
	return NULL;
}

void *xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count,
			       uint32_t *domids, uint32_t *refs, int prot)
{
	struct gnt_notify none = { -1, -1 };

	return map_common(xgt, count, domids, 1, refs, prot, none);
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count,
				      uint32_t domid, uint32_t *refs, int prot)
{
	struct gnt_notify none = { -1, -1 };

	return map_common(xgt, count, &domid, 0, refs, prot, none);
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
			      int prot)
{
	struct gnt_notify none = { -1, -1 };

	return map_common(xgt, 1, &domid, 0, &ref, prot, none);
}

void *xengnttab_map_grant_ref_notify(xengnttab_handle *xgt, uint32_t domid,
				     uint32_t ref, int prot, uint32_t notify_offset,
				     evtchn_port_t notify_port)
{
	struct gnt_notify n;

	if (gnt_notify_parse(notify_offset, notify_port, &n))
		return NULL;
	return map_common(xgt, 1, &domid, 0, &ref, prot, n);
}

/* gntdev's unmap notification: clear a byte of a writable mapping, send
 * an event; both before the pages go. */
static void region_notify(xengnttab_handle *h, struct gnt_region *r)
{
	if (r->notify.offset >= 0 && r->write)
		r->addr[r->notify.offset] = 0;
	if (r->notify.port >= 0)
		sim_evtchn_send(h->ctx, h->domid, (uint32_t)r->notify.port);
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	struct simhost_stats *st = sim_stats(xgt->ctx, xgt->domid);
	struct gnt_region *r;

	pthread_mutex_lock(&xgt->lock);
	r = sim_region_find(xgt, start_address, count, true);
	pthread_mutex_unlock(&xgt->lock);
	if (!r) {
		errno = EINVAL;
		return -1;
	}
	region_notify(xgt, r);
	munmap(r->addr, (size_t)r->count * SIM_PAGE_SIZE);
	sim_count(&st->unmap_calls, 1);
	sim_count(&st->unmap_pages, count);
	region_release(xgt, r);
	return 0;
}

int xengnttab_dmabuf_exp_from_refs(xengnttab_handle *xgt, uint32_t domid,
				   uint32_t flags, uint32_t count,
				   const uint32_t *refs, uint32_t *fd)
{
	(void)xgt, (void)domid, (void)flags, (void)count, (void)refs, (void)fd;
	errno = ENOSYS;
	return -1;
}

int xengnttab_dmabuf_exp_wait_released(xengnttab_handle *xgt, uint32_t fd,
				       uint32_t wait_to_ms)
{
	(void)xgt, (void)fd, (void)wait_to_ms;
	errno = ENOSYS;
	return -1;
}

int xengnttab_dmabuf_imp_to_refs(xengnttab_handle *xgt, uint32_t domid,
				 uint32_t fd, uint32_t count, uint32_t *refs)
{
	(void)xgt, (void)domid, (void)fd, (void)count, (void)refs;
	errno = ENOSYS;
	return -1;
}

int xengnttab_dmabuf_imp_release(xengnttab_handle *xgt, uint32_t fd)
{
	(void)xgt, (void)fd;
	errno = ENOSYS;
	return -1;
}
