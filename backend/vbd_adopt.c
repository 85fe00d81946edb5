/*
 * Restart: taking up the devices a previous memback served (DESIGN.md §7).
 * The pool's file gives back every disk with its record (vbd_record.h);
 * xenstore says which devices still exist and in which state. A device
 * whose state node says Connected has its rings resumed where the old
 * process left them (the frontend never sees a renegotiation); any other
 * state carries on through the state machine as if memback had never
 * stopped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_path.h"
#include "log.h"
#include "vbd.h"
#include "vbd_internal.h"
#include "vbd_record.h"
#include "xs_util.h"

struct vbd_record *vbd_record(struct vbd *v)
{
	return pool_disk_record(v->disk);
}

void vbd_record_qos(struct vbd *v, const struct qos_limits *l)
{
	if (!v->disk)
		return;
	struct vbd_record *r = vbd_record(v);
	const uint64_t vals[4] = { l->iops, l->bps, l->iops_burst, l->bps_burst };

	vbd_record_set_flag(r, VBD_REC_QOS, false); /* no half-written set is used */
	for (unsigned i = 0; i < 4; i++)
		__atomic_store_n(&r->qos[i], vals[i], __ATOMIC_RELEASE);
	vbd_record_set_flag(r, VBD_REC_QOS, true);
}

void vbd_record_update(struct vbd *v)
{
	if (!v->disk)
		return;
	struct vbd_record *r = vbd_record(v);
	/* Only a disk nobody can write holds what save= holds for sure. */
	bool synced = v->synced && v->nr_queues == 0 && vbd_writes(v) == v->writes_synced;

	vbd_record_set_flag(r, VBD_REC_SYNCED, synced);
}

static bool taken(struct daemon *d, const struct pool_disk *disk)
{
	for (struct vbd *v = d->vbds; v; v = v->next)
		if (v->disk == disk)
			return true;
	for (struct vbd *v = d->zombies; v; v = v->next)
		if (v->disk == disk)
			return true;
	return false;
}

struct pool_disk *vbd_adoptable(struct daemon *d, const char *be_path)
{
	if (!pool_was_adopted(d->pool))
		return NULL;
	for (struct pool_disk *disk = NULL; (disk = pool_disk_next(d->pool, disk));) {
		const struct vbd_record *r = pool_disk_record(disk);
		if (vbd_record_check(r) == 0 && strcmp(r->be_path, be_path) == 0 &&
		    !taken(d, disk))
			return disk;
	}
	return NULL;
}

/* The target the disk was made of, and its image locks again (the old
 * process's went with it). */
static void adopt_target(struct vbd *v)
{
	const struct vbd_record *r = vbd_record(v);
	char err[200];
	int rc = target_parse(r->params, &v->target, err, sizeof(err));

	if (rc) {
		/* It parsed when the disk was made: a damaged record. */
		vbd_error(v, rc, "the kept target \"%s\" is no longer valid: %s", r->params, err);
		v->broken = true;
		return;
	}
	/* An online resize changed the disk, not the target string. */
	v->target.size = pool_disk_size(v->disk);
	if (vbd_record_has(r, VBD_REC_QOS))
		qos_set(&v->qos, &(struct qos_limits){ r->qos[0], r->qos[1], r->qos[2], r->qos[3] });
	else
		qos_set(&v->qos, &(struct qos_limits){ v->target.iops, v->target.bps,
						      v->target.iops_burst, v->target.bps_burst });
	rc = vbd_image_lock(v, err, sizeof(err));
	if (rc)
		vbd_error(v, rc, "%s (the disk is served all the same)", err);
	v->synced = vbd_record_has(r, VBD_REC_SYNCED);
	v->writes_synced = 0;
	if (!vbd_record_has(r, VBD_REC_LOADED) && v->target.image[0]) {
		log_dev(&v->log, LOG_INFO, "the image load did not finish: loading again");
		if (vbd_image_load(v, err, sizeof(err))) {
			vbd_error(v, -EIO, "%s", err);
			v->broken = true;
		}
	}
}

static bool frontend_live(enum xenbus_state fe)
{
	return fe == XenbusStateInitialised || fe == XenbusStateConnected ||
	       fe == XenbusStateClosing;
}

/* Our state node says where the device stood. Rings that were running
 * are resumed while the frontend still uses them: Connected, or Closing
 * when the toolstack asked to detach meanwhile (the frontend finishes its
 * in-flight I/O on them before it closes). Before InitWait: the features
 * were never all written. */
static void adopt_state(struct vbd *v)
{
	enum xenbus_state node = vbd_read_state(v, v->be_path);
	enum xenbus_state fe = vbd_read_state(v, v->fe_path);
	bool ran = vbd_record_has(vbd_record(v), VBD_REC_CONNECTED);

	v->ours = node;
	if (node == XenbusStateUnknown || node == XenbusStateInitialising) {
		vbd_advertise(v);
		return;
	}
	if (v->broken)
		return;
	if (node == XenbusStateClosed && !vbd_online(v)) {
		/* Detached while the previous memback saved it (or before it
		 * could): save again if save= may be stale, as a detach does. */
		vbd_save(v);
		return;
	}
	if (node == XenbusStateConnected &&
	    (fe == XenbusStateInitialising || fe == XenbusStateInitWait)) {
		/* The frontend closed and came back while we were down: its
		 * old rings are gone; offer InitWait again (as after Closed). */
		v->ours = XenbusStateClosed;
		return;
	}
	if (!ran || !frontend_live(fe) ||
	    (node != XenbusStateConnected && node != XenbusStateClosing))
		return;
	if (vbd_connect(v, true)) {
		vbd_switch_state(v, XenbusStateClosing);
		return;
	}
	log_dev(&v->log, LOG_INFO, "taken up again, %s", xenbus_state_name(node));
	if (node == XenbusStateConnected)
		vbd_tell_size(v);
}

void vbd_adopt(struct vbd *v, struct pool_disk *disk)
{
	struct daemon *d = v->d;
	const struct vbd_record *r;

	v->disk = disk;
	r = vbd_record(v);
	adopt_target(v);
	unsigned want = r->max_queues ? r->max_queues : d->cfg.max_queues;
	vbd_take_queues(v, want);
	if (vbd_watch_frontend(v, true))
		log_dev(&v->log, LOG_WARN, "cannot watch %s/state", v->fe_path);
	vbd_read_labels(v);
	v->next = d->vbds;
	d->vbds = v;
	log_dev(&v->log, LOG_INFO, "%llu MiB disk kept across the restart (slot %u)",
		(unsigned long long)(pool_disk_size(disk) >> 20), pool_disk_slot(disk));
	adopt_state(v);
}

/* A disk whose device left while memback was down. */
static void adopt_gone(struct daemon *d, struct pool_disk *disk)
{
	const struct vbd_record *r = pool_disk_record(disk);
	unsigned domid = 0, devid = 0;
	const char *rest;
	struct vbd *v;

	if (backend_path_parse(d->backend_base, r->be_path, &domid, &devid, &rest))
		domid = devid = 0; /* not under our base: named 0/0 in the log */
	v = vbd_alloc(d, domid, devid);
	if (!v) {
		pool_disk_destroy(disk);
		return;
	}
	v->disk = disk;
	v->zombie = true; /* no xenstore directory to write to */
	snprintf(v->be_path, sizeof(v->be_path), "%s", r->be_path);
	log_dev(&v->log, LOG_INFO, "gone from xenstore while memback was down");
	adopt_target(v);
	if (v->disk && !v->broken)
		vbd_save(v); /* only if save= may be stale */
	if (vbd_image_busy(v)) {
		v->next = d->zombies;
		d->zombies = v;
		return;
	}
	vbd_finish_destroy(v);
}

/* Not taken up by the first scan, and not in xenstore (one still there
 * but not ready for a probe is taken up when it is). */
static bool is_gone(struct daemon *d, struct pool_disk *disk)
{
	const struct vbd_record *r = pool_disk_record(disk);
	char buf[8];

	if (taken(d, disk) || vbd_record_check(r))
		return false;
	return xsu_read(d->xs, XBT_NULL, r->be_path, NULL, buf, sizeof(buf)) == -ENOENT;
}

/* A kept disk whose record does not read cannot be matched to a device.
 * Its data is not thrown away on a guess: it stays in the pool (said once,
 * at start) until memback-ctl shutdown. */
static void report_damaged(struct daemon *d)
{
	for (struct pool_disk *disk = NULL; (disk = pool_disk_next(d->pool, disk));)
		if (vbd_record_check(pool_disk_record(disk)))
			log_err("pool: slot %u keeps a %llu MiB disk whose record is damaged: "
				"it is kept, but no device can take it up",
				pool_disk_slot(disk),
				(unsigned long long)(pool_disk_size(disk) >> 20));
}

void vbd_adopt_leftovers(struct daemon *d)
{
	struct pool_disk *disk;

	if (!pool_was_adopted(d->pool))
		return;
	static bool reported;
	if (!reported)
		report_damaged(d);
	reported = true;
	d->adopt_waiting = 0;
	/* Each one handled leaves the pool's list (or is a zombie's): look
	 * again from the start, at most once per disk. */
	for (;;) {
		unsigned waiting = 0;
		for (disk = NULL; (disk = pool_disk_next(d->pool, disk));) {
			if (is_gone(d, disk))
				break;
			waiting += !taken(d, disk) && !vbd_record_check(pool_disk_record(disk));
		}
		if (!disk) {
			d->adopt_waiting = waiting;
			return;
		}
		adopt_gone(d, disk);
	}
}

void vbd_leave(struct vbd *v)
{
	/* A live save's copy ends before the paused queues may stop; a load
	 * or save in flight ends before its disk's memory is unmapped. */
	vbd_image_wait(v);
	for (unsigned i = 0; i < v->nr_queues; i++)
		ring_queue_stop(v->queues[i]); /* its pass answered and pushed */
	v->nr_queues = 0;
	vbd_watch_frontend(v, false);
	vbd_image_release(v);
	log_dev(&v->log, LOG_INFO, "left for the next memback");
	log_dev_flush(&v->log);
	free(v);
}
