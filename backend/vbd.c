/* A device's life: probe, advertise, destroy (connect/refresh: vbd_state.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdint.h>
#include <xen/io/blkif.h>

#include "image_path.h"
#include "log.h"
#include "vbd.h"
#include "vbd_internal.h"
#include "vbd_record.h"
#include "xs_util.h"
#include "xs_watchconn.h"

void vbd_error(struct vbd *v, int err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_dev(&v->log, LOG_ERR, "%s", msg);
	/* As Linux's xenbus_dev_error: "<errno> <message>" in the error node;
	 * the hotplug script and the toolstack show it to the administrator. */
	if (!v->zombie && xsu_printf(v->d->xs, XBT_NULL, v->be_path, "error", "%d %s",
		       err < 0 ? -err : err, msg))
		log_dev(&v->log, LOG_WARN, "cannot write the error node");
}

bool vbd_exists(struct vbd *v)
{
	char buf[8];
	return xsu_read(v->d->xs, XBT_NULL, v->be_path, NULL, buf, sizeof(buf)) != -ENOENT;
}

/* mode, device-type, discard-enable, frontend-id: what the toolstack says. */
int vbd_read_toolstack_nodes(struct vbd *v)
{
	struct xs_handle *xs = v->d->xs;
	char buf[64];
	uint64_t id;

	if (xsu_read_uint(xs, XBT_NULL, v->be_path, "frontend-id", UINT16_MAX, &id))
		return -ENOENT;
	v->fe_domid = (unsigned)id;
	v->readonly = xsu_read(xs, XBT_NULL, v->be_path, "mode", buf, sizeof(buf)) == 0 &&
		      !strchr(buf, 'w');
	v->cdrom = xsu_read(xs, XBT_NULL, v->be_path, "device-type", buf, sizeof(buf)) == 0 &&
		   strcmp(buf, "cdrom") == 0;
	if (v->cdrom)
		v->readonly = true;
	v->discard = !v->readonly &&
		     !(xsu_read(xs, XBT_NULL, v->be_path, "discard-enable", buf, sizeof(buf)) == 0 &&
		       strcmp(buf, "0") == 0);
	return 0;
}

/* params -> target -> a disk carved from the pool. Failures leave the device
 * broken (it still reaches InitWait, with the reason in its error node). */
static void create_disk(struct vbd *v)
{
	char params[1024], err[200];
	int rc = xsu_read(v->d->xs, XBT_NULL, v->be_path, "params", params, sizeof(params));

	if (rc) {
		vbd_error(v, rc, "params node %s", rc == -ENOENT ? "missing" : "unreadable");
		goto broken;
	}
	rc = target_parse(params, &v->target, err, sizeof(err));
	if (rc) {
		vbd_error(v, rc, "bad target \"%s\": %s", params, err);
		goto broken;
	}
	qos_set(&v->qos, &(struct qos_limits){ v->target.iops, v->target.bps,
					      v->target.iops_burst, v->target.bps_burst });
	rc = image_paths_allowed(v->target.image, v->target.save, v->d->cfg.image_dir, err,
				 sizeof(err));
	if (rc) {
		vbd_error(v, rc, "%s", err);
		goto broken;
	}
	/* Before the pool: a locked image is the better reason to give. */
	rc = vbd_image_lock(v, err, sizeof(err));
	if (rc) {
		vbd_error(v, rc, "%s", err);
		goto broken;
	}
	rc = pool_disk_create(v->d->pool, v->target.size, &v->disk);
	if (rc == 0 && (rc = vbd_record_init(vbd_record(v), v->be_path, params))) {
		pool_disk_destroy(v->disk);
		v->disk = NULL;
		vbd_error(v, rc, "the backend path or the target is too long to keep for a restart");
		goto broken;
	}
	if (rc) {
		struct pool_stats st;
		pool_get_stats(v->d->pool, &st);
		/* Reservations are whole chunks: say so, or 1.5 + 1.5 + 1
		 * refused in a pool of 4 looks wrong. */
		vbd_error(v, rc, "the pool has no room for %llu KiB (in whole %llu KiB chunks; "
			  "%llu of %llu KiB reserved)",
			  (unsigned long long)(v->target.size >> 10),
			  (unsigned long long)(st.chunk_size >> 10),
			  (unsigned long long)(st.reserved >> 10),
			  (unsigned long long)(st.size >> 10));
		goto broken;
	}
	vbd_record_set_flag(vbd_record(v), VBD_REC_LOADED, !v->target.image[0]);
	vbd_record_set_flag(vbd_record(v), VBD_REC_SYNCED, v->synced);
	pool_disk_publish(v->disk); /* from here on a restart takes it up */
	rc = vbd_image_load(v, err, sizeof(err));
	if (rc) {
		vbd_error(v, rc, "%s", err);
		goto broken;
	}

	log_dev(&v->log, LOG_INFO, "%llu MiB disk%s%s",
		 (unsigned long long)(v->target.size >> 20),
		 v->readonly ? ", read-only" : "", v->cdrom ? ", cdrom" : "");
	return;
broken:
	v->broken = true;
}

/* Features and disk properties, then InitWait, in one transaction. */
static int advertise(struct vbd *v, xs_transaction_t t, void *arg)
{
	(void)arg;
	const struct daemon_config *c = &v->d->cfg;
	struct xs_handle *xs = v->d->xs;
	int rc = 0;

	rc |= xsu_write(xs, t, v->be_path, "feature-flush-cache", "1");
	/* A queue completes its requests in ring order, each before the
	 * next starts: a barrier orders what is around it for free. */
	rc |= xsu_write(xs, t, v->be_path, "feature-barrier", "1");
	/* Only when we will use them: a frontend keeps its data pages granted
	 * for as long as it sees this. */
	if (c->grant_mode == GRANT_MODE_PERSISTENT)
		rc |= xsu_write(xs, t, v->be_path, "feature-persistent", "1");
	if (v->discard) {
		rc |= xsu_write(xs, t, v->be_path, "feature-discard", "1");
		rc |= xsu_write(xs, t, v->be_path, "discard-granularity", "4096");
		rc |= xsu_write(xs, t, v->be_path, "discard-alignment", "0");
		rc |= xsu_write(xs, t, v->be_path, "discard-secure", "1");
	}
	if (c->max_indirect_segments)
		rc |= xsu_printf(xs, t, v->be_path, "feature-max-indirect-segments", "%u",
				 c->max_indirect_segments);
	rc |= xsu_printf(xs, t, v->be_path, "max-ring-page-order", "%u", c->max_ring_order);
	rc |= xsu_printf(xs, t, v->be_path, "multi-queue-max-queues", "%u", v->max_queues);
	rc |= vbd_write_disk_nodes(v, t);
	rc |= xsu_printf(xs, t, v->be_path, "state", "%d", XenbusStateInitWait);
	return rc ? -EIO : 0;
}

int vbd_advertise(struct vbd *v)
{
	const struct daemon_config *c = &v->d->cfg;
	int rc = vbd_transaction(v, advertise, NULL);

	if (rc) {
		log_dev(&v->log, LOG_ERR, "cannot write the backend nodes: %s", strerror(-rc));
		return rc;
	}
	v->ours = XenbusStateInitWait;
	if (v->disk) {
		/* What the frontend will read: a restart keeps offering it. */
		struct vbd_record *r = vbd_record(v);
		vbd_record_set(&r->max_ring_order, c->max_ring_order);
		vbd_record_set(&r->max_queues, v->max_queues);
		vbd_record_set(&r->max_indirect_segments, c->max_indirect_segments);
	}
	return 0;
}

int vbd_watch_frontend(struct vbd *v, bool on)
{
	char path[160], token[64];

	snprintf(path, sizeof(path), "%s/state", v->fe_path);
	snprintf(token, sizeof(token), TOKEN_FRONTEND_PREFIX "%u/%u", v->domid, v->devid);
	return on ? xswc_watch(v->d->wc, path, token) : xswc_unwatch(v->d->wc, path, token);
}

/* A device a previous memback closed for good (memback-ctl shutdown), or
 * whose disk is gone: its state node says Closing or Closed before we ever
 * wrote it. Serving it would hand its frontend an empty disk; it waits
 * until the toolstack removes it or attaches it again (state rewritten). */
static bool closed_by_another(struct vbd *v)
{
	enum xenbus_state st = vbd_read_state(v, v->be_path);

	if (st != XenbusStateClosing && st != XenbusStateClosed)
		return false;
	/* A detach of it (online 0, Closing): nothing to close, say Closed. */
	if (st == XenbusStateClosing && !vbd_online(v)) {
		v->ours = st;
		vbd_switch_state(v, XenbusStateClosed);
		return true;
	}
	log_ratelimited(LOG_WARN, "%s: already %s and not ours: left alone (its disk went "
			"with the memback that closed it); detach it, or attach it again",
			v->name, xenbus_state_name(st));
	return true;
}

struct vbd *vbd_alloc(struct daemon *d, unsigned domid, unsigned devid)
{
	struct vbd *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	vbd_image_init(v);
	v->d = d;
	v->domid = domid;
	v->devid = devid;
	snprintf(v->name, sizeof(v->name), "vbd %u/%u", domid, devid);
	log_dev_init(&v->log, "%s", v->name);
	snprintf(v->be_path, sizeof(v->be_path), "%s/%u/%u", d->backend_base, domid, devid);
	return v;
}

void vbd_take_queues(struct vbd *v, unsigned want)
{
	struct daemon *d = v->d;

	v->max_queues = queue_budget_take(&d->queues, want);
	if (v->max_queues < want)
		log_dev(&v->log, LOG_WARN, "offering %u queue(s), not %u: the daemon's %u "
			"(RLIMIT_NOFILE/RLIMIT_NPROC) are in use", v->max_queues, want,
			d->queues.total);
}

struct vbd *vbd_probe(struct daemon *d, unsigned domid, unsigned devid)
{
	struct vbd *v = vbd_alloc(d, domid, devid);

	if (!v)
		return NULL;
	/* The toolstack writes the directory in one transaction; until frontend
	 * and frontend-id are there it is not ready for us. */
	if (xsu_read(d->xs, XBT_NULL, v->be_path, "frontend", v->fe_path, sizeof(v->fe_path)) ||
	    vbd_read_toolstack_nodes(v)) {
		free(v);
		return NULL;
	}
	struct pool_disk *adopted = vbd_adoptable(d, v->be_path);
	if (adopted) {
		vbd_adopt(v, adopted);
		return v;
	}
	if (closed_by_another(v)) {
		free(v);
		return NULL;
	}
	if (v->fe_domid != domid) {
		vbd_error(v, EINVAL, "frontend-id %u does not match the directory's domain %u",
			  v->fe_domid, domid);
		v->broken = true;
	} else {
		create_disk(v);
	}
	if (vbd_watch_frontend(v, true))
		log_dev(&v->log, LOG_WARN, "cannot watch %s/state", v->fe_path);
	vbd_take_queues(v, d->cfg.max_queues);
	vbd_advertise(v);
	vbd_read_labels(v);
	v->next = d->vbds;
	d->vbds = v;
	log_dev(&v->log, LOG_INFO, "InitWait (frontend %s)", v->fe_path);
	return v;
}

static void unlink_vbd(struct vbd *v)
{
	for (struct vbd **p = &v->d->vbds; *p; p = &(*p)->next) {
		if (*p == v) {
			*p = v->next;
			return;
		}
	}
}

/* The disk and the locks go once no load or save needs them. */
void vbd_finish_destroy(struct vbd *v)
{
	vbd_image_release(v);
	if (v->disk) {
		state_dir_forget_slot(&v->d->state, pool_disk_slot(v->disk));
		pool_disk_destroy(v->disk);
	}
	log_dev(&v->log, LOG_INFO, "removed");
	log_dev_flush(&v->log);
	free(v);
}

void vbd_destroy(struct vbd *v, bool closed, bool remove)
{
	/* A live save's copy ends before the paused queues may stop. */
	if (v->paused)
		vbd_image_wait(v);
	vbd_disconnect(v);
	queue_budget_put(&v->d->queues, v->max_queues);
	v->max_queues = 0;
	if (closed && v->ours != XenbusStateClosed && vbd_exists(v))
		vbd_switch_state(v, XenbusStateClosed);
	vbd_watch_frontend(v, false);
	if (v->disk)
		vbd_save(v);
	int rc = remove ? xsu_rm_with_empty_parents(v->d->xs, XBT_NULL, v->be_path) : 0;
	if (rc)
		log_dev(&v->log, LOG_WARN, "cannot remove %s: %s", v->be_path, strerror(-rc));
	unlink_vbd(v);
	if (vbd_image_busy(v) && !v->d->stopping) {
		/* Not on the main loop: the device goes when its job ends, and
		 * keeps its image locked until then. */
		v->zombie = true;
		v->next = v->d->zombies;
		v->d->zombies = v;
		log_dev(&v->log, LOG_INFO, "gone from xenstore; %s continues",
			v->job.op == IMAGE_LOAD ? "the load" : "the save");
		return;
	}
	vbd_finish_destroy(v);
}
