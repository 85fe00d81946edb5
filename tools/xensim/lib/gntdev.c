/*
 * Handle and address-space helpers shared by the mapping side (gnttab.c)
 * and the granting side (gntshr.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gntdev.h"

struct xengntdev_handle *sim_gntdev_open(void)
{
	struct xengntdev_handle *h;
	int domid = sim_env_domid(), rc;
	struct sim_ctx *ctx;

	if (domid < 0) {
		errno = EINVAL;
		return NULL;
	}
	ctx = sim_ctx_env();
	if (!ctx)
		return NULL;
	if (!sim_dom_alive(ctx, (uint32_t)domid)) {
		errno = ENOENT; /* as if this domain had no gntdev */
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (h->fd < 0) {
		free(h);
		return NULL;
	}
	h->ctx = ctx;
	h->domid = (uint32_t)domid;
	rc = sim_journal_open(h);
	if (rc < 0) {
		close(h->fd);
		free(h);
		errno = -rc;
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	return h;
}

void sim_gntdev_free(struct xengntdev_handle *h)
{
	sim_journal_close(h);
	close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

uint8_t *sim_va_reserve(uint32_t count)
{
	void *p = mmap(NULL, (size_t)count * SIM_PAGE_SIZE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int sim_va_map_pages(uint8_t *at, struct sim_dom *d, uint32_t page, uint32_t n, int prot)
{
	off_t off = (off_t)(d->mem_off + (uint64_t)page * SIM_PAGE_SIZE);
	void *p;

	if (page >= d->npages || n > d->npages - page)
		return -EINVAL;
	p = mmap(at, (size_t)n * SIM_PAGE_SIZE, prot, MAP_SHARED | MAP_FIXED, d->fd, off);
	return p == MAP_FAILED ? -errno : 0;
}

struct gnt_region *sim_region_find(struct xengntdev_handle *h, void *addr,
				   uint32_t count, bool unlink)
{
	struct gnt_region **pp, *r;

	for (pp = &h->regions; (r = *pp); pp = &r->next) {
		if (r->addr != addr || r->count != count)
			continue;
		if (unlink)
			*pp = r->next;
		return r;
	}
	return NULL;
}

int gnt_notify_parse(uint32_t offset, evtchn_port_t port, struct gnt_notify *out)
{
	*out = (struct gnt_notify){ -1, -1 };
	if (offset != (uint32_t)-1) {
		if (offset >= SIM_PAGE_SIZE) {
			errno = EINVAL;
			return -1;
		}
		out->offset = (int32_t)offset;
	}
	if (port != (evtchn_port_t)-1)
		out->port = (int32_t)port;
	return 0;
}
