/* blkfront's internals, shared by its .c files only. */
#ifndef BLKFRONT_PRIV_H
#define BLKFRONT_PRIV_H

#include "blkfront.h" /* first: xenctrl.h must precede other Xen headers */

#include <stdarg.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "abi.h"

#define BF_MAX_RING_PAGES (1u << BLKFRONT_MAX_RING_ORDER)
#define BF_SEGS           BLKIF_MAX_SEGMENTS_PER_REQUEST /* direct */
#define BF_MAX_SHARES     64
#define BF_DEFAULT_TIMEOUT_MS 10000u

struct blkfront_queue {
	struct blkfront *bf;
	unsigned index;
	blkif_front_ring_t ring;     /* indexes; slots are addressed by abi */
	enum bf_abi abi;
	size_t entry_size;           /* bytes of one ring entry in that ABI */
	void *ring_pages;
	unsigned nr_ring_pages;
	uint32_t ring_refs[BF_MAX_RING_PAGES];
	xenevtchn_handle *xce;
	int evfd;
	int port;                    /* local port; -1 until bound */
	struct blkfront_req *reqs;   /* one per slot; id on the ring = slot */
	unsigned *free_slots;        /* stack of free slot numbers */
	unsigned nr_free, nr_slots;
	unsigned segs_per_slot;      /* data pages per slot: info.max_segments */
	void *data;                  /* nr_slots * segs_per_slot granted pages */
	uint32_t *data_refs;
	unsigned nr_data_pages;
	void *indirect;              /* nr_slots pages of descriptors, or NULL */
	uint32_t *indirect_refs;
};

struct blkfront_share {
	void *pages;
	unsigned count;
};

struct blkfront {
	struct blkfront_opts opts;
	struct blkfront_info info;
	char devdir[48];             /* device/vbd/<devid>, relative */
	struct xs_handle *xs;
	xengntshr_handle *gs;
	int xsfd;
	struct blkfront_queue queue[BLKFRONT_MAX_QUEUES];
	unsigned nr_queues;
	struct blkfront_share shares[BF_MAX_SHARES];
	volatile bool backend_closing;
	bool connected;
	char err[512];
};

/* Record why the last call failed; returns rc for "return bf_fail(...)". */
int bf_fail(struct blkfront *bf, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* xenstore (blkfront_xs.c) */
int bf_xs_connect(struct blkfront *bf);
void bf_xs_disconnect(struct blkfront *bf);
int bf_xs_read_frontend(struct blkfront *bf);
void bf_xs_read_features(struct blkfront *bf);
int bf_xs_read_disk(struct blkfront *bf);
int bf_xs_publish_rings(struct blkfront *bf);
/* Drain watch events; notes a backend going Closing/Closed. */
void bf_xs_drain_watch(struct blkfront *bf);
int bf_wait_state(struct blkfront *bf, unsigned mask, unsigned fail_mask,
		  unsigned timeout_ms);

/* queues (blkfront_queue.c) */
int bf_queue_setup(struct blkfront *bf, struct blkfront_queue *q,
		   unsigned index);
/* Ring entry idx of the queue, in the queue's ABI layout. */
void *bf_ring_entry(struct blkfront_queue *q, RING_IDX idx);
/* Copy response idx out of the ring (once) and decode it. */
void bf_ring_response(struct blkfront_queue *q, RING_IDX idx,
		      blkif_response_t *rsp);
void bf_queue_teardown(struct blkfront_queue *q);

const char *bf_state_name(int state);

#endif
