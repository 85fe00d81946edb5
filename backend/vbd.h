/* One virtual block device: its xenstore side, its disk and its queues. */
#ifndef MEMBACK_VBD_H
#define MEMBACK_VBD_H

#include <stdatomic.h>
#include <stdbool.h>

#include "daemon.h"
#include "frontend.h"
#include "image_job.h"
#include "image_lock.h"
#include "qos.h"
#include "log.h"
#include "target.h"
#include "xenbus_fsm.h"

struct vbd {
	struct daemon *d;
	struct vbd *next;
	unsigned domid, devid;       /* the frontend's domain, the device id */
	char name[40];               /* "vbd 3/51712" */
	struct log_dev log;          /* that prefix, rate limits per kind */
	char be_path[128];
	char fe_path[128];
	unsigned fe_domid;
	enum xenbus_state ours;      /* the state we last wrote */
	bool readonly, cdrom, discard;
	bool broken;                 /* refused: error node written, never connects */
	bool dirty;                  /* a watch event came: refresh once */
	unsigned max_queues;         /* offered, reserved in d->queues */
	struct target target;
	struct pool_disk *disk;
	unsigned nr_queues;
	struct ring_queue *queues[FRONTEND_MAX_QUEUES];
	atomic_bool fatal;           /* set by a queue worker */
	struct ring_queue_stats io_total; /* of the connections that ended */
	/* Images (vbd_image.c): the locks held from attach to the end of the
	 * save, the load/save job, what the save= file holds. */
	struct image_lock img_lock, save_lock;
	struct image_job job;
	bool synced;                 /* save= holds the disk as of writes_synced */
	uint64_t writes_synced;
	uint64_t save_writes;        /* vbd_writes() when the running save began */
	bool save_own;               /* the running save is to save= */
	bool paused;                 /* queues paused for a live save */
	bool refresh_pending;        /* a state change waits for the job */
	int save_client;             /* control connection awaiting the save */
	int extra_lock_fd;           /* lock on a memback-ctl save PATH */
	bool zombie;                 /* out of xenstore, its job still running */
	char domain[64], vdev[32];   /* for reports: vbd_read_labels */
	struct qos_bucket qos;       /* target= limits, changed live by "qos" */
};

/* A device directory appeared: read its nodes, carve its disk, advertise
 * features, InitWait. NULL (logged) when the directory is not ready yet. */
struct vbd *vbd_probe(struct daemon *d, unsigned domid, unsigned devid);
/* Something changed in xenstore: run the state machine once. */
void vbd_refresh(struct vbd *v);
/* A queue worker reported a protocol violation: report it and close. */
void vbd_handle_fatal(struct vbd *v);
/* Stop everything and free the device; `closed` writes state Closed first
 * (daemon shutdown), `remove` deletes the backend directory (domain gone). */
void vbd_destroy(struct vbd *v, bool closed, bool remove);
/* Grow or shrink the disk to `bytes` while connected, and tell the
 * frontend (sectors + state). 0, or a negative errno and a reason in err. */
int vbd_resize(struct vbd *v, uint64_t bytes, char *err, size_t errlen);
/* Add a queue's counters to *sum; its gauges too if it is `live` (not
 * the final figures of a queue that stopped). */
void vbd_sum_stats(struct ring_queue_stats *sum, const struct ring_queue_stats *add, bool live);
/* Start saving the disk to its save= file (on a thread) if it changed
 * since that file last matched it. */
void vbd_save(struct vbd *v);
/* Images: lock image=/save=, then start loading image= (each 0, or a
 * negative errno and a reason); whether a load/save runs; handle an ended job
 * (true if one ended); wait for a job and drop the locks. */
void vbd_image_init(struct vbd *v);
int vbd_image_lock(struct vbd *v, char *err, size_t errlen);
int vbd_image_load(struct vbd *v, char *err, size_t errlen);
bool vbd_image_busy(const struct vbd *v);
bool vbd_image_poll(struct vbd *v);
void vbd_image_release(struct vbd *v);
/* The control socket's save request; answers on fd (and closes it). */
void vbd_save_request(struct daemon *d, int fd, const char *req);
/* Free a device vbd_destroy left for its job (the job is waited for). */
void vbd_finish_destroy(struct vbd *v);
/* A job of some device, or of a device already destroyed, ended. */
void vbd_images_poll(struct daemon *d);
/* The domain's name and the vdev, from xenstore (vbd_labels.c). */
void vbd_read_labels(struct vbd *v);
/* Is the backend directory still there? */
bool vbd_exists(struct vbd *v);

/* Restart (vbd_adopt.c). The pool disk a previous memback made for the
 * device at be_path, not yet taken up by a device; NULL if none. */
struct pool_disk *vbd_adoptable(struct daemon *d, const char *be_path);
/* Take up the probed device v with its adopted disk: no renegotiation; a
 * connected ring is resumed where the previous memback left it. */
void vbd_adopt(struct vbd *v, struct pool_disk *disk);
/* After the first scan: disks whose device left xenstore while memback
 * was down are saved if their save= image may be stale, then freed. */
void vbd_adopt_leftovers(struct daemon *d);
/* SIGTERM: stop serving and free the device in memory only; its disk,
 * rings and xenstore nodes stay for the next memback. */
void vbd_leave(struct vbd *v);

#endif
