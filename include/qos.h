/*
 * QoS of one disk: limits on requests and bytes per second, with bursts,
 * as two token buckets kept as GCRA clocks (a "theoretical arrival time"
 * per limit, advanced by each request's cost). One bucket per disk, shared
 * by all its queues through atomics, no lock: blk-mq maps a guest's CPUs to
 * queues, so a single-threaded guest uses one queue and must get the
 * disk's whole limit.
 *
 * A queue asks before it takes a request off the ring (qos_wait_ns) and
 * pays when it takes it (qos_charge: one request, and its bytes as the
 * most its segments can hold); when the request is answered the estimate
 * is trued up (qos_settle). A request is never refused: it stays on the
 * ring until the bucket allows it. Concurrent queues may each run one
 * request past the limit; the next requests pay for it.
 */
#ifndef MEMBACK_QOS_H
#define MEMBACK_QOS_H

#include <stdbool.h>
#include <stdint.h>

struct qos_limits {
	uint64_t iops, bps;             /* per second; 0: no limit */
	uint64_t iops_burst, bps_burst; /* how far ahead a disk may run; 0: a tenth */
};

struct qos_clock {                  /* every field atomic */
	uint64_t rate;                  /* units per second; 0: off */
	uint64_t tau_ns;                /* burst tolerance */
	uint64_t tat_ns;                /* when the bucket is full again */
};

struct qos_bucket {
	struct qos_clock io, bytes;
};

/* Set (or change, live) the limits: the new ones apply from now, with a
 * full bucket. */
void qos_set(struct qos_bucket *b, const struct qos_limits *l);
void qos_get(const struct qos_bucket *b, struct qos_limits *l);
/* 0 if a request may be taken at now_ns, else how long to wait. */
uint64_t qos_wait_ns(struct qos_bucket *b, uint64_t now_ns);
/* A request taken: one I/O and up to `bytes`. */
void qos_charge(struct qos_bucket *b, uint64_t now_ns, uint64_t bytes);
/* It moved `bytes` of the `charged` it paid for: give back the rest. */
void qos_settle(struct qos_bucket *b, uint64_t charged, uint64_t bytes);
/* Is either limit on? (One atomic load each: the data path's fast path.) */
bool qos_active(const struct qos_bucket *b);

#endif
