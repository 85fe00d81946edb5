/*
 * A queue's lifecycle: check the negotiated values, map the ring, bind the
 * event channel, preallocate everything a pass needs, start the worker; and
 * the reverse. Nothing is allocated after start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "queue_priv.h"
#include "stats.h"

/* Segments per request a pass keeps room for: with up to 256 indirect
 * segments (the default) a pass takes every request a full ring holds. */
#define PASS_SEGS_PER_REQUEST 256u

static int check_config(const struct ring_queue_config *cfg)
{
	unsigned ss = cfg->sector_size;

	if (cfg->ring_order > RING_MAX_ORDER || !cfg->ops || !cfg->ops->get ||
	    !cfg->ops->put || (cfg->discard && !cfg->ops->discard))
		return -EINVAL;
	if (ss < 512 || ss > XEN_PAGE_BYTES || (ss & (ss - 1)))
		return -EINVAL;
	if (cfg->sectors > (UINT64_MAX >> SECTOR_SHIFT) ||
	    cfg->max_indirect_segments > MAX_INDIRECT_SEGMENTS)
		return -EINVAL;
	if (cfg->abi > BLKIF_ABI_X86_64)
		return -EINVAL;
	if (cfg->grant_mode > GRANT_MODE_PERSISTENT || cfg->max_pgrants > PGRANT_LIMIT)
		return -EINVAL;
	/* A resume needs the table; the table's pass word is one 8-byte store. */
	if ((cfg->resume && !cfg->inflight) || ((uintptr_t)cfg->inflight & 7))
		return -EINVAL;
	return 0;
}

static int map_ring(struct ring_queue *q)
{
	q->nr_ring_pages = 1u << q->cfg.ring_order;
	errno = 0;
	q->ring_pages = xengnttab_map_domain_grant_refs(q->xgt, q->nr_ring_pages,
							q->cfg.frontend_domid,
							q->cfg.ring_refs,
							PROT_READ | PROT_WRITE);
	if (!q->ring_pages) {
		int err = errno ? -errno : -EIO;

		qlog(q, LOG_ERR, "cannot map ring: %s", strerror(-err));
		return err;
	}
	blkif_back_init(&q->back, q->cfg.abi, q->ring_pages,
			(size_t)q->nr_ring_pages * XEN_PAGE_BYTES);
	return 0;
}

static int bind_evtchn(struct ring_queue *q)
{
	xenevtchn_port_or_error_t port;

	errno = 0;
	port = xenevtchn_bind_interdomain(q->xce, q->cfg.frontend_domid,
					  q->cfg.remote_port);
	if (port < 0) {
		int err = errno ? -errno : -EIO;

		qlog(q, LOG_ERR, "cannot bind event channel %u: %s",
			q->cfg.remote_port, strerror(-err));
		return err;
	}
	q->port = (evtchn_port_t)port;
	q->port_bound = true;
	return 0;
}

static void *alloc_pages(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static size_t indirect_bytes(const struct ring_queue *q)
{
	return (size_t)q->nr_slots * q->ind_pages * XEN_PAGE_BYTES;
}

static int alloc_pass(struct ring_queue *q)
{
	unsigned per_req, gio_cap;
	int rc;

	q->max_req_segs = q->cfg.max_indirect_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST
				  ? q->cfg.max_indirect_segments
				  : BLKIF_MAX_SEGMENTS_PER_REQUEST;
	per_req = q->max_req_segs < PASS_SEGS_PER_REQUEST ? q->max_req_segs
							  : PASS_SEGS_PER_REQUEST;
	q->seg_cap = q->nr_slots * per_req;
	if (q->seg_cap < q->max_req_segs)
		q->seg_cap = q->max_req_segs;
	q->ind_pages = q->cfg.max_indirect_segments
			       ? blkif_indirect_pages(q->cfg.max_indirect_segments) : 0;
	/* A segment is at most two entries (it crosses at most one local
	 * page), and each entry holds at most one run of disk memory. */
	gio_cap = 2 * q->seg_cap;
	if (gio_cap < q->nr_slots * q->ind_pages)
		gio_cap = q->nr_slots * q->ind_pages;
	q->pin_cap = gio_cap;
	q->slots = calloc(q->nr_slots, sizeof(*q->slots));
	q->pins = calloc(q->pin_cap, sizeof(*q->pins));
	if (q->ind_pages)
		q->indirect = alloc_pages(indirect_bytes(q));
	if (!q->slots || !q->pins || (q->ind_pages && !q->indirect))
		return -ENOMEM;
	rc = gio_init(&q->gio, q->cfg.grant_mode, q->xgt, q->cfg.frontend_domid,
		      gio_cap, &q->stats);
	if (rc == 0 && q->cfg.grant_mode == GRANT_MODE_PERSISTENT)
		rc = gio_enable_persistent(&q->gio, q->cfg.max_pgrants
						    ? q->cfg.max_pgrants : PGRANT_DEFAULT_MAX);
	return rc;
}

static int open_handles(struct ring_queue *q)
{
	q->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->stop_fd < 0)
		return -errno;
	q->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (q->timer_fd < 0)
		return -errno;
	errno = 0;
	q->xgt = xengnttab_open(NULL, 0);
	if (!q->xgt)
		return errno ? -errno : -EIO;
	errno = 0;
	q->xce = xenevtchn_open(NULL, 0);
	if (!q->xce)
		return errno ? -errno : -EIO;
	return 0;
}

int ring_queue_open(const struct ring_queue_config *cfg, struct ring_queue **out)
{
	struct ring_queue *q;
	int rc = check_config(cfg);

	if (rc < 0)
		return rc;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->cfg = *cfg;
	q->stop_fd = -1;
	q->timer_fd = -1;
	pthread_mutex_init(&q->pause_lock, NULL);
	pthread_cond_init(&q->pause_cond, NULL);
	log_dev_init(&q->own_log, "%s", cfg->name ? cfg->name : "vbd");
	q->cfg.name = q->own_log.prefix; /* the caller's string need not outlive us */
	q->log = cfg->log ? cfg->log : &q->own_log;
	q->sectors = cfg->sectors;
	poll_window_init(&q->poll, cfg->poll_us);
	rc = open_handles(q);
	if (rc < 0)
		goto out;
	rc = map_ring(q);
	if (rc < 0)
		goto out;
	q->nr_slots = blkif_back_size(&q->back);
	rc = lat_track_init(&q->lat, q->nr_slots, &q->stats.inflight);
	if (rc == 0)
		rc = alloc_pass(q);
	if (rc < 0)
		goto out;
	ring_queue_attach(q);
	rc = bind_evtchn(q);
	/* Responses the dead process pushed may never have been notified,
	 * and the frontend's kicks while no backend was bound were dropped:
	 * notify once (the worker's first pass looks at the ring at once). */
	if (rc == 0 && cfg->resume) {
		STAT_ADD(q->stats.notifies, 1);
		xenevtchn_notify(q->xce, q->port);
	}
out:
	if (rc < 0) {
		ring_queue_close(q);
		return rc;
	}
	*out = q;
	return 0;
}

/* Everything but the queue itself: its counters stay readable. */
static void ring_queue_release(struct ring_queue *q)
{
	if (q->port_bound)
		xenevtchn_unbind(q->xce, q->port);
	if (q->xce)
		xenevtchn_close(q->xce);
	gio_fini(&q->gio); /* unmaps the persistent grants: before the close */
	if (q->ring_pages)
		xengnttab_unmap(q->xgt, q->ring_pages, q->nr_ring_pages);
	if (q->xgt)
		xengnttab_close(q->xgt);
	if (q->indirect)
		munmap(q->indirect, indirect_bytes(q));
	free(q->pins);
	free(q->slots);
	lat_track_fini(&q->lat);
	if (q->stop_fd >= 0)
		close(q->stop_fd);
	if (q->timer_fd >= 0)
		close(q->timer_fd);
	pthread_cond_destroy(&q->pause_cond);
	pthread_mutex_destroy(&q->pause_lock);
}

void ring_queue_close(struct ring_queue *q)
{
	ring_queue_release(q);
	free(q);
}

static const char *mode_name(enum grant_mode m)
{
	return m == GRANT_MODE_MAP ? "mapped"
	       : m == GRANT_MODE_PERSISTENT ? "persistent" : "copied";
}

int ring_queue_start(const struct ring_queue_config *cfg, struct ring_queue **out)
{
	struct ring_queue *q;
	int rc = ring_queue_open(cfg, &q);

	if (rc < 0)
		return rc;
	rc = -pthread_create(&q->thread, NULL, ring_queue_worker, q);
	if (rc < 0) {
		qlog(q, LOG_ERR, "cannot start worker: %s", strerror(-rc));
		ring_queue_close(q);
		return rc;
	}
	q->thread_started = true;
	qlog(q, LOG_INFO, "serving %u-page ring (%u slots, %s grants)",
		 q->nr_ring_pages, q->nr_slots,
		 mode_name(q->cfg.grant_mode));
	*out = q;
	return 0;
}

void ring_queue_stop(struct ring_queue *q)
{
	ring_queue_stop_stats(q, NULL);
}

void ring_queue_stop_stats(struct ring_queue *q, struct ring_queue_stats *final)
{
	uint64_t one = 1;

	if (!q)
		return;
	if (q->thread_started) {
		__atomic_store_n(&q->stopping, true, __ATOMIC_RELEASE);
		ring_queue_wake_parked(q);
		if (write(q->stop_fd, &one, sizeof(one)) < 0)
			qlog(q, LOG_WARN, "cannot wake worker: %s", strerror(errno));
		pthread_join(q->thread, NULL);
	}
	ring_queue_release(q);
	if (final)
		ring_queue_get_stats(q, final);
	free(q);
}

void ring_queue_get_stats(struct ring_queue *q, struct ring_queue_stats *st)
{
	const struct ring_queue_stats *s = &q->stats;

#define COPY_STAT(field, kind, key, family, label, help) st->field = STAT_GET(s->field);
	RING_QUEUE_STATS_LIST(COPY_STAT)
#undef COPY_STAT
	lat_copy(&st->lat, &s->lat);
}

void ring_queue_set_sectors(struct ring_queue *q, uint64_t sectors)
{
	if (sectors > (UINT64_MAX >> SECTOR_SHIFT))
		sectors = UINT64_MAX >> SECTOR_SHIFT;
	__atomic_store_n(&q->sectors, sectors, __ATOMIC_RELAXED);
}
