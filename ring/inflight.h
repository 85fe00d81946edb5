/*
 * A queue's in-flight table (DESIGN.md §7): the requests of the pass being
 * served, kept in memory that outlives the process, so that a process that
 * dies after writing some of the pass's responses (each overwrites its
 * request's ring slot) lets the next one redo exactly that pass.
 *
 * Layout, in RING_INFLIGHT_BYTES: a header (format magic, the ring it
 * belongs to, the published pass) and then the pass's requests in the
 * private ABI-neutral form (struct blkif_req), entry i for ring index
 * start + i. Pure: no I/O, no allocation; every count and index read from
 * the table is bounded before use, so a damaged table costs at most the
 * pass it describes.
 */
#ifndef MEMBACK_RING_INFLIGHT_H
#define MEMBACK_RING_INFLIGHT_H

#include "blkif_abi.h"

/* "MBinfl" + format version 1; a change of the layout below bumps it. */
#define INFLIGHT_MAGIC 0x4d42696e666c0001ull

/* Which ring a table belongs to: a table written for another ring (or
 * another connection of the same device) must never be redone on this one. */
struct inflight_ring {
	uint32_t ring_refs[RING_MAX_PAGES];
	uint32_t remote_port;
	uint16_t domid;
	uint8_t abi;
	uint8_t ring_order;
};

struct inflight_entry {
	uint32_t ring_idx;      /* start + its position: checked on resume */
	uint32_t reserved;
	struct blkif_req req;
};

struct inflight_table {
	uint64_t magic;
	/* The published pass, (count << 32) | start: one aligned 64-bit
	 * atomic store, so a reader sees one pass's values or the other's. */
	uint64_t pass;
	struct inflight_ring ring;
	uint8_t reserved[40];
	struct inflight_entry e[];
};

#define INFLIGHT_MAX_ENTRIES \
	((RING_INFLIGHT_BYTES - sizeof(struct inflight_table)) / sizeof(struct inflight_entry))

/* What a resume does with the table and the shared ring's rsp_prod. */
enum inflight_verdict {
	INFLIGHT_ANSWERED,      /* the recorded pass was pushed: redo nothing */
	INFLIGHT_REDO,          /* unanswered pass: redo its entries */
	INFLIGHT_MISMATCH,      /* not this ring's table, or damaged: redo nothing */
};

struct inflight_plan {
	enum inflight_verdict verdict;
	RING_IDX resume_at;     /* req_cons = rsp_prod_pvt: always the rsp_prod given */
	unsigned redo;          /* entries 0..redo-1, ring indexes resume_at.. */
	const char *why;        /* MISMATCH: what did not match */
};

/* A fresh table for `ring`: nothing recorded, the pass (start, 0). */
void inflight_init(void *table, const struct inflight_ring *ring, RING_IDX start);
/* Record pass entry i (ring index start + i); false if i is out of the
 * table (cannot happen for a ring of at most RING_MAX_ORDER). */
bool inflight_put(void *table, unsigned i, RING_IDX idx, const struct blkif_req *req);
/* Publish the pass (start, count) whose entries are put: after this, and
 * only after, may its first response be written. */
bool inflight_publish(void *table, RING_IDX start, unsigned count);
/* Where to resume a ring of nr_slots slots whose shared rsp_prod (read
 * once: guest-writable) is rsp_prod, and what to redo. */
void inflight_plan(const void *table, const struct inflight_ring *ring, unsigned nr_slots,
		   RING_IDX rsp_prod, struct inflight_plan *out);
/* Copy redo entry i of a REDO plan out of the table (once), checked
 * again against the plan; false (and *out untouched) when out of it. */
bool inflight_take(const void *table, const struct inflight_plan *plan, unsigned i,
		   struct blkif_req *out);

#endif
