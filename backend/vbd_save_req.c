/* The control socket's "save <domid> <devid> [<path>]" (memback-ctl save):
 * a running disk written to an image while its guest keeps running. The
 * queues are paused for the copy (requests wait on the ring, none is
 * lost), so the file holds the disk as it was at one moment; the reply
 * comes when the file is on disk. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image_path.h"
#include "log.h"
#include "vbd.h"
#include "vbd_internal.h"

static void answer(int fd, const char *fmt, const char *a)
{
	char line[PATH_MAX + 200];
	int n = snprintf(line, sizeof(line), fmt, a);

	if (n > 0 && write(fd, line, (size_t)n) < 0)
		log_debug("control: the save client went away");
	close(fd);
}

static struct vbd *find(struct daemon *d, unsigned domid, unsigned devid)
{
	for (struct vbd *v = d->vbds; v; v = v->next)
		if (v->domid == domid && v->devid == devid)
			return v;
	return NULL;
}

/* A path other than the device's own files: lock it for the save so that
 * no other device's image is overwritten. */
static int lock_other(struct vbd *v, const char *path, char *err, size_t errlen)
{
	struct image_lock l;
	int rc;

	if (!strcmp(path, v->target.save) || !strcmp(path, v->target.image))
		return errorf(err, errlen, -EINVAL, "%s is this disk's own %s file: leave PATH out",
			      path, !strcmp(path, v->target.save) ? "save=" : "image=");
	rc = image_lock_take(path, true, false, &l, err, errlen);
	if (rc == -ENOENT)
		return 0; /* a new file: locked before it takes the name */
	if (rc)
		return rc;
	v->extra_lock_fd = l.fd;
	return 0;
}

static int start(struct vbd *v, const char *path, char *err, size_t errlen)
{
	int rc;

	if (!v->disk || v->broken)
		return errorf(err, errlen, -EINVAL, "the device has no disk (see its error node)");
	if (vbd_image_busy(v))
		return errorf(err, errlen, -EBUSY, "the disk is being loaded or saved already");
	if (!path[0] && !v->target.save[0])
		return errorf(err, errlen, -EINVAL, "the disk has no save= file: give a PATH");
	if (path[0] && path[0] != '/')
		return errorf(err, errlen, -EINVAL, "PATH must be absolute");
	rc = image_paths_allowed("", path, v->d->cfg.image_dir, err, errlen);
	if (rc)
		return rc;
	if (path[0] && (rc = lock_other(v, path, err, errlen)))
		return rc;
	v->save_own = !path[0];
	v->save_writes = v->save_own ? vbd_writes(v) : 0;
	vbd_pause_queues(v, true);
	rc = image_job_start(&v->job, IMAGE_SAVE, v->disk, -1, path[0] ? path : v->target.save,
			     v->d->fatal_fd);
	if (rc) {
		vbd_pause_queues(v, false);
		close(v->extra_lock_fd);
		v->extra_lock_fd = -1;
		return errorf(err, errlen, rc, "cannot start the save: %s", strerror(-rc));
	}
	if (v->save_own)
		vbd_image_node(v, "saving");
	log_dev(&v->log, LOG_INFO, "saving to %s (queues paused)", v->job.path);
	return 0;
}

void vbd_save_request(struct daemon *d, int fd, const char *req)
{
	unsigned domid, devid;
	char path[PATH_MAX] = "", err[PATH_MAX + 100];
	int n = 0;
	struct vbd *v;

	if (sscanf(req, "save %u %u%n", &domid, &devid, &n) != 2 ||
	    (req[n] && req[n] != ' ')) {
		answer(fd, "error: %s\n", "usage: save <domid> <devid> [<path>]");
		return;
	}
	if (req[n] == ' ')
		snprintf(path, sizeof(path), "%s", req + n + 1);
	v = find(d, domid, devid);
	if (!v) {
		snprintf(err, sizeof(err), "no device %u/%u", domid, devid);
		answer(fd, "error: %s\n", err);
		return;
	}
	if (start(v, path, err, sizeof(err))) {
		answer(fd, "error: %s\n", err);
		return;
	}
	v->save_client = fd; /* answered when the save ends (vbd_image.c) */
}
