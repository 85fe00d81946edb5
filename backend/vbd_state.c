/* A device's xenbus states: connect, disconnect, and the refresh that
 * drives them from the state machine in xenstore/xenbus_fsm.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdint.h>
#include <xen/io/blkif.h>

#include "log.h"
#include "vbd.h"
#include "vbd_internal.h"
#include "vbd_record.h"
#include "xs_util.h"

struct vbd_tx {
	struct vbd *v;
	vbd_tx_fn fn;
	void *arg;
};

static int vbd_tx_run(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	const struct vbd_tx *tx = arg;

	(void)xs;
	return tx->fn(tx->v, t, tx->arg);
}

int vbd_transaction(struct vbd *v, vbd_tx_fn fn, void *arg)
{
	struct vbd_tx tx = { v, fn, arg };

	return xsu_transaction(v->d->xs, vbd_tx_run, &tx);
}

int vbd_write_disk_nodes(struct vbd *v, xs_transaction_t t)
{
	struct xs_handle *xs = v->d->xs;
	unsigned info = (v->readonly ? VDISK_READONLY : 0) | (v->cdrom ? VDISK_CDROM : 0);
	unsigned ssize = v->target.sector_size ? v->target.sector_size : 512;
	int rc = 0;

	/* sectors are 512-byte units whatever sector-size says (upstream
	 * blkif.h since 2024, as Linux always did). */
	rc |= xsu_printf(xs, t, v->be_path, "sectors", "%llu",
			 (unsigned long long)(v->target.size / 512));
	rc |= xsu_printf(xs, t, v->be_path, "info", "%u", info);
	rc |= xsu_printf(xs, t, v->be_path, "sector-size", "%u", ssize);
	rc |= xsu_printf(xs, t, v->be_path, "physical-sector-size", "%u", ssize > 4096 ? ssize : 4096);
	return rc ? -EIO : 0;
}

static int write_state(struct vbd *v, xs_transaction_t t, void *arg)
{
	enum xenbus_state st = *(enum xenbus_state *)arg;
	int rc = 0;

	/* Connected carries the disk's current properties with it, as
	 * blkback's connect() does, so a frontend reads them consistently. */
	if (st == XenbusStateConnected)
		rc = vbd_write_disk_nodes(v, t);
	return rc ? rc : xsu_printf(v->d->xs, t, v->be_path, "state", "%d", st);
}

int vbd_switch_state(struct vbd *v, enum xenbus_state st)
{
	int rc = vbd_transaction(v, write_state, &st);
	if (rc) {
		log_dev(&v->log, LOG_ERR, "cannot switch to %s: %s", xenbus_state_name(st),
			strerror(-rc));
		return rc;
	}
	log_dev(&v->log, LOG_INFO, "%s -> %s", xenbus_state_name(v->ours), xenbus_state_name(st));
	v->ours = st;
	return 0;
}

static long disk_get(void *ctx, uint64_t off, size_t len, bool for_write, void **ptr)
{
	return pool_ptr(ctx, off, len, for_write, ptr);
}

static void disk_put(void *ctx, uint64_t off)
{
	pool_ptr_done(ctx, off);
}

static int disk_flush(void *ctx)
{
	return pool_flush(ctx);
}

static int disk_discard(void *ctx, uint64_t off, uint64_t len)
{
	return pool_discard(ctx, off, len);
}

static int disk_discard_secure(void *ctx, uint64_t off, uint64_t len)
{
	return pool_discard_secure(ctx, off, len);
}

static const struct ring_disk_ops pool_disk_ops = {
	.get = disk_get,
	.put = disk_put,
	.flush = disk_flush,
	.discard = disk_discard,
	.discard_secure = disk_discard_secure,
};

static void on_queue_fatal(void *ctx, unsigned index, const char *why)
{
	struct vbd *v = ctx;
	uint64_t one = 1;

	log_dev_rl(&v->log, LOG_KIND_RING, LOG_ERR, "queue %u: %s", index, why);
	atomic_store(&v->fatal, true);
	if (write(v->d->fatal_fd, &one, sizeof(one)) < 0)
		log_dev_rl(&v->log, LOG_KIND_RING, LOG_ERR, "cannot wake the main loop");
}

static int frontend_node(void *ctx, const char *name, char *buf, size_t len)
{
	struct vbd *v = ctx;
	return xsu_read(v->d->xs, XBT_NULL, v->fe_path, name, buf, len);
}

static void queue_config(struct vbd *v, const struct frontend_rings *fr, unsigned i,
			 bool resume, struct ring_queue_config *qc, char *name, size_t namelen)
{
	const struct daemon_config *c = &v->d->cfg;
	const struct vbd_record *r = vbd_record(v);

	snprintf(name, namelen, "%s", v->name); /* ring/ appends ": q<i>" */
	memset(qc, 0, sizeof(*qc));
	qc->name = name;
	qc->log = &v->log;
	qc->index = i;
	qc->frontend_domid = (uint16_t)v->fe_domid;
	qc->ring_order = fr->queue[i].ring_order;
	memcpy(qc->ring_refs, fr->queue[i].ring_refs, sizeof(qc->ring_refs));
	qc->remote_port = fr->queue[i].event_channel;
	qc->abi = fr->abi;
	/* Persistent grants need both sides (blkif.h): else copy. */
	qc->grant_mode = c->grant_mode;
	if (c->grant_mode == GRANT_MODE_PERSISTENT && !fr->persistent)
		qc->grant_mode = GRANT_MODE_COPY;
	/* The frontend keeps the semantics it connected with, whatever this
	 * memback's configuration says. */
	if (resume && r->grant_mode <= GRANT_MODE_PERSISTENT)
		qc->grant_mode = (enum grant_mode)r->grant_mode;
	qc->max_pgrants = c->max_pgrants;
	qc->sectors = v->target.size / 512;
	qc->sector_size = v->target.sector_size ? v->target.sector_size : 512;
	qc->readonly = v->readonly;
	qc->discard = v->discard;
	qc->max_indirect_segments = resume ? r->max_indirect_segments : c->max_indirect_segments;
	qc->poll_us = c->poll_us;
	qc->ops = &pool_disk_ops;
	qc->ops_ctx = v->disk;
	qc->on_fatal = on_queue_fatal;
	qc->qos = &v->qos;
	qc->fatal_ctx = v;
	qc->inflight = state_dir_inflight(&v->d->state, pool_disk_slot(v->disk), i);
	qc->resume = resume && qc->inflight;
}

/* What the connection is, for a restart to take it up. */
static void record_connection(struct vbd *v, const struct frontend_rings *fr,
			      const struct ring_queue_config *qc)
{
	struct vbd_record *r = vbd_record(v);

	vbd_record_set(&r->grant_mode, qc->grant_mode);
	vbd_record_set(&r->nr_queues, fr->nr_queues);
	vbd_record_set(&r->ring_order, fr->queue[0].ring_order);
	vbd_record_set_flag(r, VBD_REC_SYNCED, false);
	vbd_record_set_flag(r, VBD_REC_CONNECTED, true);
}

int vbd_connect(struct vbd *v, bool resume)
{
	const struct daemon_config *c = &v->d->cfg;
	const struct vbd_record *r = v->disk ? vbd_record(v) : NULL;
	struct frontend_limits lim = { resume ? r->max_ring_order : c->max_ring_order,
				       v->max_queues };
	struct frontend_rings fr;
	char err[200];
	int rc;

	if (v->broken)
		return -EINVAL; /* the reason is already in the error node */
	rc = frontend_read_rings(frontend_node, v, &lim, &fr, err, sizeof(err));
	if (rc) {
		vbd_error(v, rc, "%s", err);
		return rc;
	}
	atomic_store(&v->fatal, false);
	vbd_read_labels(v); /* a renamed or restored domain */
	for (unsigned i = 0; i < fr.nr_queues; i++) {
		struct ring_queue_config qc;
		char name[64];

		queue_config(v, &fr, i, resume, &qc, name, sizeof(name));
		if (i == 0)
			record_connection(v, &fr, &qc);
		rc = ring_queue_start(&qc, &v->queues[i]);
		if (rc) {
			vbd_error(v, rc, "queue %u: cannot map ring %u (order %u) or bind port %u: %s",
				  i, fr.queue[i].ring_refs[0], fr.queue[i].ring_order,
				  fr.queue[i].event_channel, strerror(-rc));
			vbd_disconnect(v);
			return rc;
		}
		v->nr_queues = i + 1;
	}
	log_dev(&v->log, LOG_INFO, "%s: %u queue(s), ring order %u, protocol %s",
		 resume ? "resumed" : "connected", fr.nr_queues, fr.queue[0].ring_order,
		 fr.abi == BLKIF_ABI_X86_32 ? "x86_32-abi" :
		 fr.abi == BLKIF_ABI_X86_64 ? "x86_64-abi" : "native");
	return 0;
}

void vbd_sum_stats(struct ring_queue_stats *sum, const struct ring_queue_stats *qs, bool live)
{
	/* A gauge is a level now: past connections' levels are not added. */
#define SUM_STAT(field, kind, key, family, label, help) \
	if (live || (kind) == STAT_COUNTER)             \
		sum->field += qs->field;
	RING_QUEUE_STATS_LIST(SUM_STAT)
#undef SUM_STAT
	lat_add(&sum->lat, &qs->lat);
}

void vbd_disconnect(struct vbd *v)
{
	for (unsigned i = 0; i < v->nr_queues; i++) {
		/* The device's counters outlive its connections. */
		struct ring_queue_stats last;
		ring_queue_stop_stats(v->queues[i], &last);
		vbd_sum_stats(&v->io_total, &last, false);
		v->queues[i] = NULL;
	}
	if (v->nr_queues)
		log_dev(&v->log, LOG_INFO, "disconnected");
	v->nr_queues = 0;
	if (v->disk)
		vbd_record_set_flag(vbd_record(v), VBD_REC_CONNECTED, false);
}

enum xenbus_state vbd_read_state(struct vbd *v, const char *dir)
{
	char buf[16];

	if (xsu_read(v->d->xs, XBT_NULL, dir, "state", buf, sizeof(buf)))
		return XenbusStateUnknown;
	return xenbus_state_parse(buf);
}

bool vbd_online(struct vbd *v)
{
	char buf[16];

	/* As Linux's xenbus_dev_is_online: absent means offline. */
	return xsu_read(v->d->xs, XBT_NULL, v->be_path, "online", buf, sizeof(buf)) == 0 &&
	       strcmp(buf, "1") == 0;
}

void vbd_refresh(struct vbd *v)
{
	struct xenbus_fsm_in in = {
		.ours = v->ours,
		.node = vbd_read_state(v, v->be_path),
		.frontend = vbd_read_state(v, v->fe_path),
		.online = vbd_online(v),
		.connected = v->nr_queues > 0,
	};
	struct xenbus_fsm_out out = xenbus_fsm_step(&in);

	if (in.node == XenbusStateClosing && v->ours != XenbusStateClosing &&
	    v->ours != XenbusStateClosed) {
		log_dev(&v->log, LOG_INFO, "the toolstack asks to close (frontend %s)",
			 xenbus_state_name(in.frontend));
		v->ours = XenbusStateClosing;
	}
	if (out.bad_frontend_state)
		vbd_error(v, EINVAL, "saw state %d (%s) at frontend", (int)in.frontend,
			  xenbus_state_name(in.frontend));
	/* Nothing moves while a live save holds the queues; and no connect
	 * until the image is loaded (or the detach's save is done). The end
	 * of the job refreshes again. */
	if (v->paused || (out.connect && vbd_image_busy(v)))
		return;
	if (out.disconnect)
		vbd_disconnect(v);
	if (out.connect && vbd_connect(v, false)) {
		vbd_switch_state(v, XenbusStateClosing);
		return;
	}
	/* Detached: the save (if the disk changed) starts on its thread and
	 * Closed follows at once; the hotplug script's remove and memback-ctl
	 * detach wait for memback-image to leave "saving". */
	if (out.state == XenbusStateClosed && !in.online)
		vbd_save(v);
	/* Also rewrite a state the toolstack wrote over ours. */
	if (out.state >= 0 && ((enum xenbus_state)out.state != v->ours ||
			       (enum xenbus_state)out.state != in.node))
		vbd_switch_state(v, (enum xenbus_state)out.state);
}

void vbd_handle_fatal(struct vbd *v)
{
	if (!atomic_exchange(&v->fatal, false))
		return;
	vbd_disconnect(v);
	vbd_error(v, EPROTO, "the frontend broke the ring protocol; closing the device");
	vbd_switch_state(v, XenbusStateClosing);
}
