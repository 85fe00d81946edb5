/*
 * Online resize: the disk grows or shrinks in the pool while the device
 * stays connected. The queues are held between passes around the change, so
 * no request sees half of it; then `sectors` and `state` are rewritten in
 * one transaction, as Linux blkback's xen_vbd_resize does, and the
 * frontend's watch on our state makes it re-read the size.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "vbd.h"
#include "vbd_internal.h"
#include "xs_util.h"

static int write_size(struct vbd *v, xs_transaction_t t, void *arg)
{
	struct xs_handle *xs = v->d->xs;
	int rc;

	(void)arg;
	rc = xsu_printf(xs, t, v->be_path, "sectors", "%llu",
			(unsigned long long)(v->target.size / 512));
	if (rc == 0 && v->ours == XenbusStateConnected)
		rc = xsu_printf(xs, t, v->be_path, "state", "%d", XenbusStateConnected);
	return rc ? -EIO : 0;
}

static int check_size(const struct vbd *v, uint64_t bytes, char *err, size_t errlen)
{
	unsigned ss = v->target.sector_size ? v->target.sector_size : 512;

	if (!v->disk || v->broken) {
		snprintf(err, errlen, "%s has no disk", v->name);
		return -ENODEV;
	}
	if (v->cdrom) {
		snprintf(err, errlen, "%s is a cdrom", v->name);
		return -EINVAL;
	}
	if (bytes == 0 || bytes % ss) {
		snprintf(err, errlen, "size %llu is not a positive multiple of the %u-byte sector",
			 (unsigned long long)bytes, ss);
		return -EINVAL;
	}
	return 0;
}

int vbd_resize(struct vbd *v, uint64_t bytes, char *err, size_t errlen)
{
	uint64_t old = v->target.size;
	int rc = check_size(v, bytes, err, errlen);

	if (rc)
		return rc;
	if (vbd_image_busy(v)) {
		snprintf(err, errlen, "the disk is being loaded or saved; try again after");
		return -EBUSY;
	}
	for (unsigned i = 0; i < v->nr_queues; i++)
		if (v->queues[i])
			ring_queue_pause(v->queues[i]);
	rc = pool_disk_resize(v->disk, bytes);
	if (rc == 0) {
		v->target.size = bytes;
		for (unsigned i = 0; i < v->nr_queues; i++)
			if (v->queues[i])
				ring_queue_set_sectors(v->queues[i], bytes / 512);
	}
	for (unsigned i = 0; i < v->nr_queues; i++)
		if (v->queues[i])
			ring_queue_resume(v->queues[i]);
	if (rc) {
		snprintf(err, errlen, "%s", rc == -ENOSPC ? "the pool has no room for that size"
							   : strerror(-rc));
		return rc;
	}
	log_dev(&v->log, LOG_INFO, "resized from %llu to %llu bytes", (unsigned long long)old,
		 (unsigned long long)bytes);
	rc = vbd_transaction(v, write_size, NULL);
	if (rc) {
		snprintf(err, errlen, "resized, but cannot tell the frontend: %s", strerror(-rc));
		log_dev(&v->log, LOG_ERR, "%s", err);
	}
	return rc;
}

int vbd_tell_size(struct vbd *v)
{
	uint64_t sectors;

	if (xsu_read_uint(v->d->xs, XBT_NULL, v->be_path, "sectors", UINT64_MAX, &sectors) == 0 &&
	    sectors == v->target.size / 512)
		return 0;
	log_dev(&v->log, LOG_INFO, "telling the frontend the size of %llu bytes again",
		(unsigned long long)v->target.size);
	return vbd_transaction(v, write_size, NULL);
}
