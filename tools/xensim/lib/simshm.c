/*
 * Finding and mapping the simulated host's shared files from any process.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simshm.h"

static uint64_t round_page(uint64_t n)
{
	return (n + SIM_PAGE_SIZE - 1) & ~(uint64_t)(SIM_PAGE_SIZE - 1);
}

void sim_dom_layout(uint32_t npages, struct sim_dom_layout *out)
{
	uint64_t off = round_page(sizeof(struct sim_dom_hdr));

	out->grant_off = off;
	off = round_page(off + (uint64_t)SIM_NR_GRANTS * sizeof(grant_entry_v1_t));
	out->active_off = off;
	off = round_page(off + (uint64_t)SIM_NR_GRANTS * sizeof(struct sim_active));
	out->refmap_off = off;
	off = round_page(off + SIM_NR_GRANTS / 8);
	out->pagemap_off = off;
	off = round_page(off + ((uint64_t)npages + 63) / 64 * 8);
	out->mem_off = off;
	out->size = off + (uint64_t)npages * SIM_PAGE_SIZE;
}

int sim_mutex_init_shared(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int rc;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	rc = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return -rc;
}

void sim_lock(pthread_mutex_t *m)
{
	/* A holder that died leaves the state as consistent as a single
	 * store sequence can: take it over. */
	if (pthread_mutex_lock(m) == EOWNERDEAD)
		pthread_mutex_consistent(m);
}

void sim_unlock(pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
}

void sim_count_peak(uint64_t *now, uint64_t *peak, int64_t delta)
{
	uint64_t v = __atomic_add_fetch(now, (uint64_t)delta, __ATOMIC_RELAXED);
	uint64_t p = __atomic_load_n(peak, __ATOMIC_RELAXED);

	while (delta > 0 && v > p &&
	       !__atomic_compare_exchange_n(peak, &p, v, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

int sim_dom_file_path(const char *dir, uint32_t domid, uint32_t gen,
		      char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/dom%u.%u.mem", dir, domid, gen);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static struct sim_host *map_host(const char *dir)
{
	char path[PATH_MAX];
	struct sim_host *h = NULL;
	struct stat st;
	int fd;

	if (snprintf(path, sizeof(path), "%s/host.shm", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(*h)) {
		errno = EINVAL;
		goto out;
	}
	h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED) {
		h = NULL;
		goto out;
	}
	if (h->magic != SIM_MAGIC_HOST || h->version != SIM_VERSION) {
		munmap(h, sizeof(*h));
		h = NULL;
		errno = EINVAL;
	}
out:
	close(fd);
	return h;
}

/* Hosts this process has opened; never freed (handles point into them). */
static struct sim_ctx *ctx_list[16];
static pthread_mutex_t ctx_list_lock = PTHREAD_MUTEX_INITIALIZER;

static struct sim_ctx *ctx_new(const char *dir)
{
	struct sim_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	ctx->dir = strdup(dir);
	ctx->host = map_host(dir);
	if (!ctx->dir || !ctx->host) {
		int e = errno;

		free(ctx->dir);
		free(ctx);
		errno = e;
		return NULL;
	}
	pthread_mutex_init(&ctx->doms_lock, NULL);
	pthread_mutex_init(&ctx->fifo_lock, NULL);
	for (unsigned i = 0; i < SIM_MAX_HANDLES; i++)
		ctx->fifo_fd[i] = -1;
	return ctx;
}

struct sim_ctx *sim_ctx_open(const char *dir)
{
	struct sim_ctx *ctx = NULL;
	unsigned i;

	pthread_mutex_lock(&ctx_list_lock);
	for (i = 0; i < 16 && ctx_list[i]; i++) {
		if (strcmp(ctx_list[i]->dir, dir) == 0) {
			ctx = ctx_list[i];
			/* The host may have been re-created (xensim start again). */
			if (ctx->host->magic == SIM_MAGIC_HOST)
				goto out;
		}
	}
	if (i == 16) {
		errno = EMFILE;
		goto out;
	}
	ctx = ctx_new(dir);
	if (ctx)
		ctx_list[i] = ctx;
out:
	pthread_mutex_unlock(&ctx_list_lock);
	return ctx;
}

struct sim_ctx *sim_ctx_env(void)
{
	const char *dir = getenv("XENSIM_DIR");

	if (!dir || !*dir) {
		errno = ENOENT;
		return NULL;
	}
	return sim_ctx_open(dir);
}

int sim_env_domid(void)
{
	const char *s = getenv("XENSIM_DOMID");
	char *end;
	unsigned long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= SIM_MAX_DOMS)
		return -EINVAL;
	return (int)v;
}

static struct sim_dom *dom_map(struct sim_ctx *ctx, uint32_t domid,
			       uint32_t gen, uint32_t npages)
{
	struct sim_dom_layout l;
	struct sim_dom *d;
	char path[PATH_MAX];
	struct stat st;

	sim_dom_layout(npages, &l);
	if (sim_dom_file_path(ctx->dir, domid, gen, path, sizeof(path)) < 0)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0)
		goto fail;
	if (fstat(d->fd, &st) < 0 || (uint64_t)st.st_size < l.size)
		goto fail_close;
	d->base = mmap(NULL, l.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
	if (d->base == MAP_FAILED)
		goto fail_close;
	d->domid = domid;
	d->generation = gen;
	d->npages = npages;
	d->hdr = (struct sim_dom_hdr *)d->base;
	d->grants = (grant_entry_v1_t *)(d->base + l.grant_off);
	d->active = (struct sim_active *)(d->base + l.active_off);
	d->refmap = (uint64_t *)(d->base + l.refmap_off);
	d->pagemap = (uint64_t *)(d->base + l.pagemap_off);
	d->mem = d->base + l.mem_off;
	d->mem_off = l.mem_off;
	return d;
fail_close:
	close(d->fd);
fail:
	free(d);
	errno = ESRCH;
	return NULL;
}

struct sim_dom *sim_dom_get(struct sim_ctx *ctx, uint32_t domid)
{
	struct sim_dom_info *info;
	struct sim_dom *d;
	uint32_t gen, npages;

	if (domid >= SIM_MAX_DOMS) {
		errno = ESRCH;
		return NULL;
	}
	info = &ctx->host->dom[domid];
	gen = __atomic_load_n(&info->generation, __ATOMIC_ACQUIRE);
	d = __atomic_load_n(&ctx->doms[domid], __ATOMIC_ACQUIRE);
	if (d && d->generation == gen)
		return d;
	if (__atomic_load_n(&info->state, __ATOMIC_ACQUIRE) == SIM_DOM_FREE) {
		errno = ESRCH;
		return NULL;
	}
	npages = info->npages;
	if (npages > SIM_MAX_MEM_MIB * 256u) {
		errno = ESRCH;
		return NULL;
	}
	pthread_mutex_lock(&ctx->doms_lock);
	d = ctx->doms[domid];
	if (!d || d->generation != gen) {
		/* An older generation stays mapped (mappings may point into
		 * it), chained to the new one so that it stays reachable. */
		struct sim_dom *old = d;
		d = dom_map(ctx, domid, gen, npages);
		if (d) {
			d->retired = old;
			__atomic_store_n(&ctx->doms[domid], d, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&ctx->doms_lock);
	return d;
}

bool sim_dom_alive(struct sim_ctx *ctx, uint32_t domid)
{
	return domid < SIM_MAX_DOMS &&
	       __atomic_load_n(&ctx->host->dom[domid].state, __ATOMIC_ACQUIRE) ==
		       SIM_DOM_ALIVE;
}

void sim_dom_reap_if_done(struct sim_ctx *ctx, uint32_t domid)
{
	struct sim_dom_info *info;
	char path[PATH_MAX];

	if (domid >= SIM_MAX_DOMS)
		return;
	info = &ctx->host->dom[domid];
	if (__atomic_load_n(&info->state, __ATOMIC_ACQUIRE) != SIM_DOM_DYING)
		return;
	sim_lock(&ctx->host->lock);
	if (info->state == SIM_DOM_DYING &&
	    __atomic_load_n(&info->foreign_mapped, __ATOMIC_ACQUIRE) == 0) {
		if (sim_dom_file_path(ctx->dir, domid, info->generation, path,
				      sizeof(path)) == 0)
			unlink(path);
		__atomic_store_n(&info->state, SIM_DOM_FREE, __ATOMIC_RELEASE);
	}
	sim_unlock(&ctx->host->lock);
}

void sim_port_close(struct sim_host *h, uint32_t domid, uint32_t port)
{
	struct sim_port *p;
	uint32_t rd, rp;

	if (domid >= SIM_MAX_DOMS || port == 0 || port >= SIM_NR_PORTS)
		return;
	p = &h->ports[domid][port];
	rd = p->remote_dom;
	rp = p->remote_port;
	if (p->state == SIM_PORT_INTERDOMAIN && rd < SIM_MAX_DOMS && rp < SIM_NR_PORTS) {
		struct sim_port *peer = &h->ports[rd][rp];

		if (peer->state == SIM_PORT_INTERDOMAIN && peer->remote_dom == domid &&
		    peer->remote_port == port) {
			peer->remote_dom = domid;
			peer->remote_port = 0;
			__atomic_store_n(&peer->state, SIM_PORT_UNBOUND, __ATOMIC_RELEASE);
		}
	}
	if (p->state != SIM_PORT_FREE)
		__atomic_sub_fetch(&h->dom[domid].stats.evtchn_bound, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&p->state, SIM_PORT_FREE, __ATOMIC_RELEASE);
	p->remote_dom = p->remote_port = p->handle_slot = p->handle_gen = 0;
	__atomic_store_n(&p->ev, 0, __ATOMIC_RELEASE);
}
