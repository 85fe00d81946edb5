/*
 * A userspace blkfront: attaches to device <devid> of the simulated guest
 * it runs in (XENSIM_DOMID / XENSTORED_PATH) the way Linux xen-blkfront
 * does, and drives I/O on the ring. Used by the blkfront CLI and by the
 * end-to-end and adversarial tests, which is why every step, every value
 * written to xenstore and the ring itself can be reached and bent.
 *
 * Life of a device:
 *   blkfront_open()           read device/vbd/<devid>/{backend,backend-id},
 *                             state Initialising, wait backend InitWait,
 *                             read the backend's features
 *   blkfront_setup()          share ring pages + data pool, bind evtchns
 *   blkfront_publish()        one transaction with the ring nodes, then
 *                             state Initialised
 *   blkfront_wait_connected() wait backend Connected, state Connected
 *   (blkfront_attach() does all four)
 *   ... I/O ...
 *   blkfront_close()          Closing, wait backend Closing/Closed, Closed
 *   blkfront_free()           unbind, unshare, disconnect
 *
 * All functions return 0 (or a count) on success and a negative errno on
 * failure: -ETIMEDOUT when the backend did not answer in time, -ESHUTDOWN
 * when the backend went to Closing/Closed under us, -EPROTO when the
 * backend broke the protocol (a response for no request in flight).
 * The last failure's explanation is in blkfront_error().
 *
 * Requests of more than 11 segments go out as BLKIF_OP_INDIRECT, their
 * descriptors in a page per slot granted read-only (opts.max_segments,
 * up to what the backend offers). With opts.protocol "x86_32-abi" the ring
 * is laid out as a 32-bit guest's (abi.h); everything else is native.
 *
 * Threads: one thread per queue may do I/O concurrently; set-up, close and
 * xenstore helpers from one thread.
 */
#ifndef BLKFRONT_BLKFRONT_H
#define BLKFRONT_BLKFRONT_H

#include <stdbool.h>
#include <stdint.h>
/* ring.h needs xen_mb() and friends, which xenctrl.h defines for tools;
 * its headers need __XEN_TOOLS__ set before any Xen header is included,
 * so include this header first (or build with -D__XEN_TOOLS__=1). */
#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif
#include <xenctrl.h>
#include <xen/io/blkif.h>

#include "segments.h"

#define BLKFRONT_MAX_RING_ORDER 4
#define BLKFRONT_MAX_QUEUES     16
/* Segments one request may have: 11 direct, up to 256 (1 MiB) through
 * BLKIF_OP_INDIRECT, whose descriptors then fit one indirect page. */
#define BLKFRONT_MAX_SEGMENTS   256

/* A node written in the publish transaction instead of (or besides) the
 * normal one; relative to the frontend dir ("ring-ref", "queue-1/
 * event-channel", "protocol"). value NULL: remove the node instead. */
struct blkfront_override {
	const char *node;
	const char *value;
};

struct blkfront_opts {
	unsigned devid;
	int ring_order;          /* < 0: 0 (one page) */
	unsigned queues;         /* 0 or 1: one queue, nodes at the top level */
	const char *protocol;    /* NULL: XEN_IO_PROTO_ABI_NATIVE; "": omit */
	bool no_persistent;      /* do not write feature-persistent = 1 */
	bool unchecked;          /* allow ring order / queues above what the
				  * backend offers (adversarial tests) */
	unsigned slots;          /* requests in flight per queue; 0: ring size */
	unsigned max_segments;   /* segments per request to provision: 0..11
				  * direct only; more uses BLKIF_OP_INDIRECT,
				  * up to the backend's feature-max-indirect-
				  * segments (and BLKFRONT_MAX_SEGMENTS) */
	unsigned timeout_ms;     /* each wait for the backend; 0: 10 s */
	unsigned poll_us;        /* spin this long before sleeping */
	const struct blkfront_override *overrides;
	unsigned nr_overrides;
};

/* What the backend offered, and what was negotiated. */
struct blkfront_info {
	char frontend[128];      /* /local/domain/<me>/device/vbd/<devid> */
	char backend[128];
	unsigned backend_id;
	uint64_t sectors;        /* 512-byte units */
	unsigned sector_size, physical_sector_size;
	unsigned info;           /* VDISK_* */
	bool readonly;           /* info & VDISK_READONLY, or mode "r" */
	bool feature_flush, feature_barrier, feature_discard;
	bool feature_persistent, discard_secure;
	unsigned discard_granularity, discard_alignment;
	unsigned max_indirect_segments, max_ring_order, max_queues;
	/* negotiated */
	unsigned ring_order, nr_queues, ring_size, slots;
	unsigned max_segments;   /* per request: 11, or more with indirect */
	bool abi_x86_32;         /* requests laid out for a 32-bit guest */
};

struct blkfront;
struct blkfront_queue;

/* One request and its data pages: the unit of async I/O. Obtain with
 * blkfront_req_get, fill, submit, get it back from blkfront_complete,
 * read its data, return it with blkfront_req_put. */
struct blkfront_req {
	/* filled by the caller */
	uint64_t user;                 /* anything; left alone */
	uint8_t op;                    /* BLKIF_OP_* */
	uint16_t nr_segments;          /* 0..11 direct; up to info.max_segments
					* as BLKIF_OP_INDIRECT (more: -EINVAL) */
	uint64_t sector;               /* 512-byte units */
	struct bf_seg seg[BLKFRONT_MAX_SEGMENTS];
	uint64_t nr_sectors;           /* discard only */
	uint8_t discard_flag;          /* discard only: BLKIF_DISCARD_SECURE */
	/* the slot's granted pages (info.max_segments of them); gref may be
	 * changed to lie */
	void *page[BLKFRONT_MAX_SEGMENTS];
	uint32_t gref[BLKFRONT_MAX_SEGMENTS];
	/* the slot's indirect descriptor page (granted read-only), when
	 * info.max_segments > 11; indirect_gref may be changed to lie */
	void *indirect;
	uint32_t indirect_gref;
	/* filled on completion */
	int16_t status;                /* BLKIF_RSP_* */
	uint8_t rsp_op;                /* operation echoed in the response */
	uint64_t submit_ns, complete_ns;
	/* private */
	unsigned slot;
	bool in_flight;
};

int blkfront_open(struct blkfront **out, const struct blkfront_opts *opts);
int blkfront_setup(struct blkfront *bf);
int blkfront_publish(struct blkfront *bf);
int blkfront_wait_connected(struct blkfront *bf);
int blkfront_attach(struct blkfront **out, const struct blkfront_opts *opts);
int blkfront_close(struct blkfront *bf);
void blkfront_free(struct blkfront *bf);

const struct blkfront_info *blkfront_info(const struct blkfront *bf);
const char *blkfront_error(const struct blkfront *bf);
unsigned blkfront_nr_queues(const struct blkfront *bf);
struct blkfront_queue *blkfront_queue(struct blkfront *bf, unsigned index);

/* xenstore, for tests: frontend nodes (relative to the frontend dir),
 * backend nodes (relative to the backend dir), states. */
int blkfront_write_node(struct blkfront *bf, const char *node, const char *value);
int blkfront_read_backend_node(struct blkfront *bf, const char *node,
			       char *buf, size_t len);
int blkfront_set_state(struct blkfront *bf, int state);
/* Backend state (XenbusState*), or -ENOENT if the node is gone. */
int blkfront_backend_state(struct blkfront *bf);
/* Wait until the backend state is one in `mask` (1 << XenbusState*). */
int blkfront_wait_backend_state(struct blkfront *bf, unsigned mask,
				unsigned timeout_ms);
/* Has the backend gone to Closing/Closed since we connected? */
bool blkfront_backend_closing(struct blkfront *bf);

/* Async I/O on one queue. */
struct blkfront_req *blkfront_req_get(struct blkfront_queue *q);
void blkfront_req_put(struct blkfront_queue *q, struct blkfront_req *req);
/* Put the request on the ring (not yet visible to the backend). */
int blkfront_req_submit(struct blkfront_queue *q, struct blkfront_req *req);
/* Publish queued requests and notify the backend if the ring asks to. */
int blkfront_kick(struct blkfront_queue *q);
/* Collect up to max completed requests; wait up to timeout_ms for the
 * first one (0: do not wait; < 0: wait forever). Returns how many, or
 * -ETIMEDOUT / -ESHUTDOWN / -EPROTO / another errno. */
int blkfront_complete(struct blkfront_queue *q, struct blkfront_req **done,
		      unsigned max, int timeout_ms);
/* Wait until some queue of bf may have responses, or timeout_ms passes:
 * 1 if an event came, 0 on timeout, -ESHUTDOWN, or another errno. */
int blkfront_wait_any(struct blkfront *bf, int timeout_ms);
/* As a guest's interrupt handler sees it: wait up to timeout_ms for event
 * channel events only, never looking at the rings (a backend that pushes
 * responses without the notify the ring asks for is then caught); takes
 * the events and sets bit i of *queues per queue i that had one. 1 if any
 * came, 0 on timeout, -ESHUTDOWN, or another errno. */
int blkfront_wait_events(struct blkfront *bf, int timeout_ms, uint32_t *queues);
unsigned blkfront_in_flight(const struct blkfront_queue *q);

/* Raw ring access: requests are copied onto the ring verbatim, nothing is
 * tracked; do not mix with blkfront_req_* requests in flight. Raw requests
 * are in the native layout; raw responses are decoded from the negotiated
 * ABI's layout. */
blkif_front_ring_t *blkfront_raw_ring(struct blkfront_queue *q);
/* Copy req (the ABI's request size: sizeof(blkif_request_t) for native,
 * 108 bytes for x86_32-abi) to the next ring slot and
 * advance req_prod_pvt; with push, publish and notify as the ring says. */
int blkfront_raw_put(struct blkfront_queue *q, const void *req, bool push);
/* Notify the backend unconditionally. */
int blkfront_notify(struct blkfront_queue *q);
/* Next response, whatever its id. */
int blkfront_raw_response(struct blkfront_queue *q, blkif_response_t *rsp,
			  int timeout_ms);
/* raw_put with push, then wait for one response. */
int blkfront_raw_request(struct blkfront_queue *q, const blkif_request_t *req,
			 blkif_response_t *rsp, int timeout_ms);
/* The queue's data pool: slots x info.max_segments granted, writable
 * pages. */
unsigned blkfront_data_pages(const struct blkfront_queue *q);
void *blkfront_data_page(struct blkfront_queue *q, unsigned i);
uint32_t blkfront_data_gref(const struct blkfront_queue *q, unsigned i);
/* The queue's ring grants and event channel as published. */
uint32_t blkfront_ring_gref(const struct blkfront_queue *q, unsigned i);
unsigned blkfront_local_port(const struct blkfront_queue *q);

/* Extra pages granted to the backend (e.g. read-only, or to revoke
 * later); released with blkfront_unshare or at free. */
void *blkfront_share(struct blkfront *bf, unsigned count, bool writable,
		     uint32_t *refs);
int blkfront_unshare(struct blkfront *bf, void *pages, unsigned count);

/* Monotonic nanoseconds. */
uint64_t blkfront_now_ns(void);

#endif
