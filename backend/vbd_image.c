/*
 * A device's image files: locked from attach to the end of their save,
 * loaded and saved on a thread (image_job.c), saved at detach only when
 * the disk changed, and `memback-ctl save` of a running disk (its queues
 * paused for the copy, so the file holds one moment of the disk).
 *
 * The backend's memback-image node says where that stands, for the hotplug
 * script (add waits out "loading", remove waits out "saving", so that xl
 * returning means the image is on disk) and for memback-ctl detach:
 * loading, loaded, saving, saved, unchanged, or failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_path.h"
#include "log.h"
#include "vbd.h"
#include "vbd_internal.h"
#include "vbd_record.h"
#include "xs_util.h"

struct node_arg {
	const char *dir, *state;
};

/* Only into a directory that is still there: writing a node would make a
 * removed device's directory again. */
static int write_if_there(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	const struct node_arg *a = arg;
	char buf[8];

	if (xsu_read(xs, t, a->dir, NULL, buf, sizeof(buf)) == -ENOENT)
		return 0;
	return xsu_write(xs, t, a->dir, "memback-image", a->state);
}

void vbd_image_node(struct vbd *v, const char *state)
{
	struct node_arg a = { v->be_path, state };

	if (!v->zombie && xsu_transaction(v->d->xs, write_if_there, &a))
		log_dev(&v->log, LOG_DEBUG, "cannot write memback-image=%s", state);
}

/* Writes and discards answered so far: the disk's change count. */
uint64_t vbd_writes(const struct vbd *v)
{
	uint64_t n = v->io_total.reqs_write + v->io_total.reqs_discard;
	struct ring_queue_stats qs;

	for (unsigned i = 0; i < v->nr_queues; i++) {
		if (!v->queues[i])
			continue;
		ring_queue_get_stats(v->queues[i], &qs);
		n += qs.reqs_write + qs.reqs_discard;
	}
	return n;
}

bool vbd_image_busy(const struct vbd *v)
{
	return v->job.running;
}

static bool same_file(const char *path, const struct image_lock *l)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	bool same = fd >= 0 && image_lock_is(l, fd);

	if (fd >= 0)
		close(fd);
	return same;
}

/* save= exclusively (made empty if absent: an empty image is an all-zero
 * disk, so it already matches), image= shared unless it is the same file. */
static int take_locks(struct vbd *v, char *err, size_t errlen)
{
	const struct target *t = &v->target;
	int rc;

	if (t->save[0]) {
		rc = image_lock_take(t->save, true, true, &v->save_lock, err, errlen);
		if (rc)
			return rc;
		v->synced = v->save_lock.created && !t->image[0];
	}
	if (t->image[0] && !(t->save[0] && same_file(t->image, &v->save_lock))) {
		rc = image_lock_take(t->image, false, false, &v->img_lock, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

int vbd_image_lock(struct vbd *v, char *err, size_t errlen)
{
	return take_locks(v, err, errlen);
}

int vbd_image_load(struct vbd *v, char *err, size_t errlen)
{
	int rc;

	if (!v->target.image[0])
		return 0;
	int fd = v->img_lock.fd >= 0 ? v->img_lock.fd : v->save_lock.fd;
	rc = image_job_start(&v->job, IMAGE_LOAD, v->disk, fd, v->target.image, v->d->fatal_fd);
	if (rc)
		return errorf(err, errlen, rc, "cannot start loading %s: %s", v->target.image,
			      strerror(-rc));
	vbd_image_node(v, "loading");
	log_dev(&v->log, LOG_INFO, "loading %s", v->target.image);
	return 0;
}

static bool need_save(const struct vbd *v)
{
	return v->target.save[0] && !(v->synced && vbd_writes(v) == v->writes_synced);
}

void vbd_save(struct vbd *v)
{
	int rc;

	if (!v->disk || !v->target.save[0] || v->broken || vbd_image_busy(v))
		return;
	if (!need_save(v)) {
		vbd_image_node(v, "unchanged");
		log_dev(&v->log, LOG_INFO, "%s already holds the disk: not saved", v->target.save);
		return;
	}
	v->save_writes = vbd_writes(v);
	rc = image_job_start(&v->job, IMAGE_SAVE, v->disk, -1, v->target.save, v->d->fatal_fd);
	if (rc) {
		vbd_error(v, rc, "cannot start saving to %s", v->target.save);
		vbd_image_node(v, "failed");
		return;
	}
	v->save_own = true;
	vbd_image_node(v, "saving");
	log_dev(&v->log, LOG_INFO, "saving to %s", v->target.save);
}

void vbd_pause_queues(struct vbd *v, bool pause)
{
	for (unsigned i = 0; i < v->nr_queues; i++) {
		if (!v->queues[i])
			continue;
		if (pause)
			ring_queue_pause(v->queues[i]);
		else
			ring_queue_resume(v->queues[i]);
	}
	v->paused = pause;
}

static void reply(struct vbd *v, const char *fmt, const char *a, const char *b)
{
	char line[PATH_MAX + 200];
	int n;

	if (v->save_client < 0)
		return;
	n = snprintf(line, sizeof(line), fmt, a, b);
	if (n > 0 && write(v->save_client, line, (size_t)n) < 0)
		log_dev(&v->log, LOG_DEBUG, "save: the client went away");
	close(v->save_client);
	v->save_client = -1;
}

static void save_done(struct vbd *v)
{
	const struct image_job *j = &v->job;

	if (v->paused)
		vbd_pause_queues(v, false);
	close(v->extra_lock_fd);
	v->extra_lock_fd = -1;
	if (j->rc) {
		if (v->save_own)
			vbd_image_node(v, "failed");
		vbd_error(v, j->rc, "cannot save to %s: %s", j->path, strerror(-j->rc));
		reply(v, "error: cannot save to %s: %s\n", j->path, strerror(-j->rc));
		return;
	}
	if (v->save_own) {
		/* The new file carries the lock now; the old one is unlinked. */
		image_lock_replace(&v->save_lock, j->saved_fd);
		v->synced = true;
		v->writes_synced = v->save_writes;
		vbd_record_update(v);
		vbd_image_node(v, "saved");
	} else {
		close(j->saved_fd);
	}
	log_dev(&v->log, LOG_INFO, "saved to %s", j->path);
	reply(v, "ok: saved to %s%s\n", j->path, "");
}

static void load_done(struct vbd *v)
{
	const struct image_job *j = &v->job;

	if (j->rc) {
		vbd_error(v, j->rc, "cannot load image %s: %s", j->path, strerror(-j->rc));
		vbd_image_node(v, "failed");
		v->broken = true;
		return;
	}
	/* Loaded from the save= file itself: the disk matches it. */
	if (v->target.save[0] && v->img_lock.fd < 0)
		v->synced = true;
	v->writes_synced = 0;
	vbd_record_set_flag(vbd_record(v), VBD_REC_LOADED, true);
	vbd_record_update(v);
	log_dev(&v->log, LOG_INFO, "loaded %s", j->path);
	vbd_image_node(v, "loaded");
}

static void job_ended(struct vbd *v)
{
	if (v->job.op == IMAGE_LOAD)
		load_done(v);
	else
		save_done(v);
}

/* Returns true when a job of v ended (its results handled). */
bool vbd_image_poll(struct vbd *v)
{
	if (!image_job_collect(&v->job))
		return false;
	job_ended(v);
	return true;
}

void vbd_image_wait(struct vbd *v)
{
	if (v->job.running) {
		image_job_wait(&v->job);
		job_ended(v);
	}
}

/* The device goes: a job still running is waited for (a save must end
 * before its lock goes), then the locks are dropped. */
void vbd_image_release(struct vbd *v)
{
	vbd_image_wait(v);
	image_job_free(&v->job);
	image_lock_release(&v->img_lock);
	image_lock_release(&v->save_lock);
}

void vbd_images_poll(struct daemon *d)
{
	for (struct vbd *v = d->vbds, *next; v; v = next) {
		next = v->next;
		/* A frontend may have waited for the load, or for the save. */
		if (vbd_image_poll(v) && vbd_exists(v))
			vbd_refresh(v);
	}
	for (struct vbd **p = &d->zombies; *p; ) {
		struct vbd *z = *p;
		if (vbd_image_poll(z)) {
			*p = z->next;
			vbd_finish_destroy(z);
		} else {
			p = &z->next;
		}
	}
}

void vbd_image_init(struct vbd *v)
{
	v->img_lock = IMAGE_LOCK_NONE;
	v->save_lock = IMAGE_LOCK_NONE;
	v->save_client = -1;
	v->extra_lock_fd = -1;
}
