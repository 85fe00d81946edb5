/*
 * Inside a queue: shared between its lifecycle (queue.c), the serving of
 * one ring pass (serve.c) and the worker loop (worker.c). Tests include it
 * to drive a pass without a thread.
 */
#ifndef MEMBACK_RING_QUEUE_PRIV_H
#define MEMBACK_RING_QUEUE_PRIV_H

#include "blkif_abi.h"
#include "gio.h"
#include "request.h"

#include <pthread.h>
#include <xenevtchn.h>

/* One request of the current pass, from copy-in to response. */
struct slot {
	struct blkif_req req;
	int16_t status;
	struct blkif_request_segment *segs; /* validated copy, in q->segs */
	uint64_t nr_sectors;                /* data length, 512-byte units */
	uint8_t *buf;                       /* its part of q->bounce */
	unsigned gio_first, gio_count;
};

struct ring_queue {
	struct ring_queue_config cfg;
	char name[80];                      /* "vbd 3/51712: q0" */
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
	unsigned max_req_segs;              /* most segments one request has */
	struct blkif_request_segment *segs; /* seg_cap: the segments of a pass */
	unsigned seg_cap;
	uint8_t *bounce;                    /* seg_cap pages */
	size_t bounce_bytes;
	uint8_t *indirect;                  /* copied indirect pages */
	uint64_t sectors;                   /* atomic: online resize */
	int stop_fd;                        /* eventfd: wakes the worker */
	bool stopping;                      /* atomic */
	bool dead;                          /* ring broken: serve no more */
	pthread_t thread;
	bool thread_started;
	/* ring_queue_pause: the worker parks between passes. Under pause_lock
	 * (pause_req is also read atomically by the worker without it). */
	pthread_mutex_t pause_lock;
	pthread_cond_t pause_cond;
	bool pause_req, parked, exited;
	struct ring_queue_stats stats;
};

/* Map, bind and allocate, without starting the worker. */
int ring_queue_open(const struct ring_queue_config *cfg, struct ring_queue **out);
void ring_queue_close(struct ring_queue *q);
/* Serve what the ring holds, up to one pass's worth: the number of requests
 * answered, or -EPROTO once the frontend broke the ring (on_fatal called). */
int ring_queue_serve_pass(struct ring_queue *q);
/* Wait for a kick or a stop: 1 kicked, 0 stop requested, < 0 error. */
int ring_queue_wait(struct ring_queue *q);
/* Stop serving for good and tell the device (on_fatal), once. */
void ring_queue_fail(struct ring_queue *q, const char *why);
void *ring_queue_worker(void *arg);
/* Wake a parked worker for a stop (called with stopping set). */
void ring_queue_wake_parked(struct ring_queue *q);

#endif
