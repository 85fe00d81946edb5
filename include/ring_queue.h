/*
 * One blkif queue: its shared ring, event channel, grant handling and the
 * worker thread that serves it. The device (backend/vbd) negotiates in
 * xenstore and hands the negotiated values here; ring/ never talks to
 * xenstore, and reaches the disk only through ring_disk_ops.
 */
#ifndef MEMBACK_RING_QUEUE_H
#define MEMBACK_RING_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "latency.h"
#include "stats_list.h"

#define RING_MAX_ORDER 4 /* XENBUS_MAX_RING_GRANT_ORDER */
#define RING_MAX_PAGES (1u << RING_MAX_ORDER)

enum blkif_abi { BLKIF_ABI_NATIVE = 0, BLKIF_ABI_X86_32, BLKIF_ABI_X86_64 };

enum grant_mode { GRANT_MODE_COPY = 0, GRANT_MODE_MAP, GRANT_MODE_PERSISTENT };

/* The disk behind the queue, reached in place so that each byte is copied
 * once, straight between the guest's page and the disk's memory. Offsets
 * and lengths in bytes; errors are negative errnos. Called from the worker.
 *   get: the longest run at `off`, at most `len` bytes, contiguous in the
 *        disk's memory: its length (> 0) and *ptr. For reading, *ptr NULL
 *        means the run is unwritten and reads as zeros; for writing the
 *        memory is populated first (-ENOSPC: out of pool memory, nothing
 *        taken). A non-NULL *ptr stays valid until put(ctx, off) with the
 *        same off: call it once the copy is done. */
struct ring_disk_ops {
	long (*get)(void *ctx, uint64_t off, size_t len, bool for_write, void **ptr);
	void (*put)(void *ctx, uint64_t off);
	int (*flush)(void *ctx);
	int (*discard)(void *ctx, uint64_t off, uint64_t len);
	/* BLKIF_DISCARD_SECURE; NULL: secure discards are refused. */
	int (*discard_secure)(void *ctx, uint64_t off, uint64_t len);
};

struct log_dev;

struct ring_queue_config {
	const char *name;            /* log prefix, e.g. "vbd 3/51712" */
	/* The device's log identity (prefix + per-kind rate limits, shared
	 * by its queues); NULL: the queue keeps its own, named `name`. */
	struct log_dev *log;
	unsigned index;              /* queue number */
	uint16_t frontend_domid;
	unsigned ring_order;         /* ring pages = 1 << ring_order */
	uint32_t ring_refs[RING_MAX_PAGES];
	uint32_t remote_port;        /* the frontend's event channel */
	enum blkif_abi abi;
	enum grant_mode grant_mode;
	uint64_t sectors;            /* disk size in 512-byte sectors */
	unsigned sector_size;        /* 512 or 4096: alignment of requests */
	bool readonly;
	bool discard;                /* BLKIF_OP_DISCARD allowed */
	unsigned max_indirect_segments; /* 0: no BLKIF_OP_INDIRECT */
	/* After a pass that served requests, busy-poll the ring for up to
	 * poll_us before sleeping; the window adapts to what polls find. */
	unsigned poll_us;
	/* GRANT_MODE_PERSISTENT: grants kept mapped, at most (0: 1056, Linux
	 * blkback's default); more are mapped per request. */
	unsigned max_pgrants;
	const struct ring_disk_ops *ops;
	void *ops_ctx;
	/* Called once, from the worker thread, when the frontend broke the
	 * protocol beyond a per-request error (e.g. producer index overflow);
	 * the worker stops serving. The device then reports and closes.
	 * It must not call ring_queue_stop itself (that joins the worker):
	 * hand the stop to another thread. */
	void (*on_fatal)(void *ctx, unsigned index, const char *why);
	void *fatal_ctx;
	struct qos_bucket *qos;      /* the disk's, shared by its queues; NULL: none */
	/* Restart (DESIGN.md §7). inflight: RING_INFLIGHT_BYTES of memory
	 * that outlives the process (the daemon's state file), where each
	 * pass's requests are recorded before their responses are written;
	 * NULL: none, and a later process cannot resume this ring. resume:
	 * the ring was served by a process that is gone; attach where it left
	 * off (at the shared rsp_prod), redo the requests `inflight` holds
	 * for an unanswered pass, check the ring at once and notify the
	 * frontend once. false: a fresh ring; `inflight` is cleared.
	 * The table (ring/inflight.h) is 8-byte aligned (a page of a shared
	 * file mapping does); it names the ring it belongs to (domid, port,
	 * ring refs, order, ABI), so a resume passes the values the ring was
	 * first served with, and a table of another ring is redone nothing
	 * (counted in resume_mismatches). */
	void *inflight;
	bool resume;
};

/* Bytes of one queue's in-flight table: enough for any ring order. */
#define RING_INFLIGHT_BYTES (128u << 10)

/* One field per entry of RING_QUEUE_STATS_LIST (include/stats_list.h). */
#define RING_QUEUE_STATS_FIELD(field, kind, key, family, label, help) uint64_t field;
struct ring_queue_stats {
	RING_QUEUE_STATS_LIST(RING_QUEUE_STATS_FIELD)
	struct ring_latency lat;     /* latency histograms per operation */
};
#undef RING_QUEUE_STATS_FIELD

struct ring_queue;
struct qos_bucket;

/* Map the ring, bind the event channel and start the worker. 0 or a
 * negative errno: -EINVAL for values outside what ring/ supports
 * (sector_size not a power of two in 512..4096, ring_order > RING_MAX_ORDER,
 * max_indirect_segments > 4096, max_pgrants > 65536, resume without an
 * inflight table, an inflight table not 8-byte aligned), or the error of
 * mapping/binding. In GRANT_MODE_PERSISTENT the device must have seen the
 * frontend's feature-persistent = 1 (else use GRANT_MODE_COPY); every
 * persistent mapping goes at ring_queue_stop. */
int ring_queue_start(const struct ring_queue_config *cfg, struct ring_queue **out);
/* Stop the worker (in-flight requests are completed), unbind, unmap. */
void ring_queue_stop(struct ring_queue *q);
/* The same, and the queue's final counters (unmaps at the stop included). */
void ring_queue_stop_stats(struct ring_queue *q, struct ring_queue_stats *final);
void ring_queue_get_stats(struct ring_queue *q, struct ring_queue_stats *st);
/* Hold the worker between two passes (no request half done) until
 * ring_queue_resume, e.g. while the disk under it changes size. Returns
 * once it is held (or has stopped for good). Kicks meanwhile are kept. */
void ring_queue_pause(struct ring_queue *q);
void ring_queue_resume(struct ring_queue *q);
/* The daemon-wide budget of persistently mapped grants: all queues
 * together keep at most `limit` (each is a VMA and a maptrack entry in
 * dom0); past it a grant is grant-copied. 0: no daemon-wide limit. */
void ring_set_grant_map_budget(unsigned long limit);
unsigned long ring_grant_maps_used(void);
/* The default budget: half of vm.max_map_count (the other half is the
 * process's own mappings), within [1024, 2^24]. Pure. */
unsigned long ring_grant_map_budget_for(unsigned long max_map_count);

/* Online resize: new size in 512-byte sectors, seen by the next request. */
void ring_queue_set_sectors(struct ring_queue *q, uint64_t sectors);

#endif
