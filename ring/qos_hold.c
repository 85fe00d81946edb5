/*
 * A queue and its disk's QoS bucket (include/qos.h): the pass asks before
 * taking each request and pays for it; a request the bucket does not
 * allow yet stays on the ring, and the worker sleeps until it may take it
 * (or 100 ms, so that a live change of the limits is seen soon), counting
 * the time as throttled. The hooks in serve.c and worker.c are one line
 * each.
 */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "qos.h"
#include "queue_priv.h"
#include "stats.h"

#define HOLD_MAX_NS 100000000ull

bool ring_queue_qos_admit(struct ring_queue *q)
{
	uint64_t wait;

	if (!qos_active(q->cfg.qos))
		return true;
	/* The pass's clock (latency.c): no clock read per request. */
	wait = qos_wait_ns(q->cfg.qos, q->lat.taken_ns);
	q->qos_wait_ns = wait;
	return wait == 0;
}

/* The most a request's data can be: what its (bounded) segments hold. */
static uint64_t bytes_estimate(const struct ring_queue *q, const struct blkif_req *r)
{
	unsigned segs = r->nr_segments < q->max_req_segs ? r->nr_segments : q->max_req_segs;

	return r->op == BLKIF_OP_DISCARD ? 0 : (uint64_t)segs * XEN_PAGE_BYTES;
}

void ring_queue_qos_take(struct ring_queue *q, const struct blkif_req *r)
{
	if (qos_active(q->cfg.qos))
		qos_charge(q->cfg.qos, q->lat.taken_ns, bytes_estimate(q, r));
}

void ring_queue_qos_settle(struct ring_queue *q, const struct slot *s)
{
	uint64_t moved = s->status == BLKIF_RSP_OKAY ? s->nr_sectors << SECTOR_SHIFT : 0;

	if (qos_active(q->cfg.qos))
		qos_settle(q->cfg.qos, bytes_estimate(q, &s->req), moved);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool ring_queue_qos_hold(struct ring_queue *q)
{
	uint64_t wait = q->qos_wait_ns, start;
	struct pollfd p = { .fd = q->stop_fd, .events = POLLIN };
	struct timespec ts;

	if (wait == 0)
		return false;
	q->qos_wait_ns = 0;
	if (wait > HOLD_MAX_NS)
		wait = HOLD_MAX_NS;
	ts = (struct timespec){ (time_t)(wait / 1000000000u), (long)(wait % 1000000000u) };
	start = now_ns();
	/* A stop or a pause wakes us through stop_fd (left for the loop). */
	ppoll(&p, 1, &ts, NULL);
	STAT_ADD(q->stats.qos_waits, 1);
	STAT_ADD(q->stats.qos_wait_us, (now_ns() - start) / 1000u);
	return true;
}
