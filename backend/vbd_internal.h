/* Shared between the vbd_*.c files only. */
#ifndef MEMBACK_VBD_INTERNAL_H
#define MEMBACK_VBD_INTERNAL_H

#include <stdarg.h>

#include "vbd.h"

/* Log, and write "<errno> <message>" to the backend's error node. */
void vbd_error(struct vbd *v, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Run fn in a transaction, retrying on EAGAIN. */
typedef int (*vbd_tx_fn)(struct vbd *v, xs_transaction_t t, void *arg);
int vbd_transaction(struct vbd *v, vbd_tx_fn fn, void *arg);
/* sectors, info, sector-size, physical-sector-size. */
int vbd_write_disk_nodes(struct vbd *v, xs_transaction_t t);
int vbd_switch_state(struct vbd *v, enum xenbus_state st);
void vbd_disconnect(struct vbd *v);
/* A device struct for domid/devid (names, log, backend path), nothing else. */
struct vbd *vbd_alloc(struct daemon *d, unsigned domid, unsigned devid);
/* Take up to `want` queues from the daemon's budget into v->max_queues. */
void vbd_take_queues(struct vbd *v, unsigned want);
/* Negotiate and start the queues; `resume`: take up the rings a previous
 * memback served (restart), else fresh rings. */
int vbd_connect(struct vbd *v, bool resume);
/* Features and disk properties, then InitWait (vbd.c). */
int vbd_advertise(struct vbd *v);
/* Start/stop watching the frontend's state node. */
int vbd_watch_frontend(struct vbd *v, bool on);
/* mode, device-type, discard-enable, frontend-id (vbd.c). */
int vbd_read_toolstack_nodes(struct vbd *v);
/* The device's record in its pool slot (vbd_adopt.c): keep its flags in
 * step with the device (connected, loaded, synced). */
struct vbd_record *vbd_record(struct vbd *v);
void vbd_record_update(struct vbd *v);
/* Limits set live (memback-ctl qos), kept for a restart. */
struct qos_limits;
void vbd_record_qos(struct vbd *v, const struct qos_limits *l);
/* A resize the frontend may not have been told of (a restart between the
 * two): rewrite sectors (and Connected) unless they say the disk's size. */
int vbd_tell_size(struct vbd *v);
/* The toolstack's online node is "1" (absent: offline, as Linux has it). */
bool vbd_online(struct vbd *v);
/* The state node in dir (ours or the frontend's); Unknown when absent. */
enum xenbus_state vbd_read_state(struct vbd *v, const char *dir);

/* Images (vbd_image.c). */
void vbd_image_wait(struct vbd *v);
void vbd_image_node(struct vbd *v, const char *state);
uint64_t vbd_writes(const struct vbd *v);
void vbd_pause_queues(struct vbd *v, bool pause);

#endif
