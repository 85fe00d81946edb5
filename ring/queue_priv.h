/*
 * Inside a queue: shared between its lifecycle (queue.c), the serving of
 * one ring pass (serve.c) and the worker loop (worker.c). Tests include it
 * to drive a pass without a thread.
 */
#ifndef MEMBACK_RING_QUEUE_PRIV_H
#define MEMBACK_RING_QUEUE_PRIV_H

#include "adapt.h"
#include "blkif_abi.h"
#include "gio.h"
#include "request.h"

#include <pthread.h>
#include <xenevtchn.h>

#include "log.h"

/* One request of the current pass, from copy-in to response. */
struct slot {
	struct blkif_req req;
	int16_t status;
	/* The validated segments: the private copy in req.seg, or this
	 * slot's descriptor pages, grant-copied into q->indirect. */
	const struct blkif_request_segment *segs;
	uint64_t nr_sectors;                /* data length, 512-byte units */
	unsigned ind_first;                 /* its descriptor pages in the batch */
	unsigned gio_first, gio_count;      /* its data in the batch */
	unsigned pin_first, pin_count;      /* disk memory it holds, in q->pins */
};

struct ring_queue {
	struct ring_queue_config cfg;
	struct log_dev own_log;             /* when the device gives none */
	struct log_dev *log;                /* cfg.log or &own_log */
	xengnttab_handle *xgt;
	xenevtchn_handle *xce;
	evtchn_port_t port;
	bool port_bound;
	void *ring_pages;
	unsigned nr_ring_pages;
	struct blkif_back back;
	struct gio gio;
	struct slot *slots;                 /* ring size */
	unsigned nr_slots;
	/* A resumed ring (resume.c): slots[0..redo) hold the requests of the
	 * pass the dead process left unanswered; the next pass takes them
	 * first (req_cons is past them already), then the ring's own. */
	unsigned redo;
	unsigned max_req_segs;              /* most segments one request has */
	unsigned seg_cap;                   /* segments one pass may hold */
	uint8_t *indirect;                  /* descriptor pages, per slot */
	unsigned ind_pages;                 /* ... and how many each */
	uint64_t *pins;                     /* disk offsets to put, per batch */
	unsigned npins, pin_cap;
	uint64_t sectors;                   /* atomic: online resize */
	int stop_fd;                        /* eventfd: wakes the worker */
	int timer_fd;                       /* timerfd: a deferred unmask */
	bool masked;                        /* our port awaits its unmask */
	bool stopping;                      /* atomic */
	bool dead;                          /* ring broken: serve no more */
	struct poll_window poll;
	struct kick_throttle throttle;
	pthread_t thread;
	bool thread_started;
	/* ring_queue_pause: the worker parks between passes. Under pause_lock
	 * (pause_req is also read atomically by the worker without it). */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	bool pause_req, parked, exited;
	struct ring_queue_stats stats;
	struct lat_track lat;               /* when requests were seen (latency.c) */
	uint64_t qos_wait_ns;               /* the pass stopped for QoS: wait this */
};

/* A queue's log lines: the device's prefix, then "qN: "; qlog_rl is
 * rate-limited per device and kind (for anything a guest can cause). */
#define qlog(q, level, fmt, ...) \
	log_dev((q)->log, level, "q%u: " fmt, (q)->cfg.index, ##__VA_ARGS__)
#define qlog_rl(q, kind, level, fmt, ...) \
	log_dev_rl((q)->log, LOG_KIND_##kind, level, "q%u: " fmt, (q)->cfg.index, ##__VA_ARGS__)

/* Map, bind and allocate, without starting the worker. */
int ring_queue_open(const struct ring_queue_config *cfg, struct ring_queue **out);
void ring_queue_close(struct ring_queue *q);
/* Serve what the ring holds, up to one pass's worth: the number of requests
 * answered, or -EPROTO once the frontend broke the ring (on_fatal called). */
int ring_queue_serve_pass(struct ring_queue *q);
/* Clear the in-flight table (a fresh ring) or, with cfg.resume, attach
 * at the shared rsp_prod and take what the table says to redo (resume.c).
 * After the ring is mapped and the slots are allocated. */
void ring_queue_attach(struct ring_queue *q);
/* Serve the pass's n validated slots in ring order (execute.c). */
void ring_queue_execute(struct ring_queue *q, unsigned n);
/* Wait for a kick, a deferred unmask or a stop: 1 kicked (or the
 * deferral ended: look at the ring), 0 stop requested, < 0 error. */
int ring_queue_wait(struct ring_queue *q);
/* Unmask our port after a pass, or defer it if the kick was spurious and
 * such kicks come too fast (worker.c). */
void ring_queue_kick_done(struct ring_queue *q, bool found_work);
/* Stop serving for good and tell the device (on_fatal), once. */
void ring_queue_fail(struct ring_queue *q, const char *why);
void *ring_queue_worker(void *arg);
/* The disk's QoS (qos_hold.c): may the pass take another request; it took
 * one; one was answered; sleep if the pass stopped for QoS (true: did). */
bool ring_queue_qos_admit(struct ring_queue *q);
void ring_queue_qos_take(struct ring_queue *q, const struct blkif_req *r);
void ring_queue_qos_settle(struct ring_queue *q, const struct slot *s);
bool ring_queue_qos_hold(struct ring_queue *q);
/* Wake a parked worker for a stop (called with stopping set). */
void ring_queue_wake_parked(struct ring_queue *q);

#endif
