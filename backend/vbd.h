/* One virtual block device: its xenstore side, its disk and its queues. */
#ifndef MEMBACK_VBD_H
#define MEMBACK_VBD_H

#include <stdatomic.h>
#include <stdbool.h>

#include "daemon.h"
#include "frontend.h"
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
	bool saved;                  /* save= done since the last connection */
	struct target target;
	struct pool_disk *disk;
	unsigned nr_queues;
	struct ring_queue *queues[FRONTEND_MAX_QUEUES];
	atomic_bool fatal;           /* set by a queue worker */
	struct ring_queue_stats io_total; /* of the connections that ended */
	char domain[64], vdev[32];   /* for reports: vbd_read_labels */
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
/* Write the disk to its save= file, once per connection. */
void vbd_save(struct vbd *v);
/* The domain's name and the vdev, from xenstore (vbd_labels.c). */
void vbd_read_labels(struct vbd *v);
/* Is the backend directory still there? */
bool vbd_exists(struct vbd *v);

#endif
