/*
 * One blkfront queue: its shared ring, event channel and pool of granted
 * data pages (shared once and reused, as with persistent grants), and the
 * request submit / complete path. Nothing here allocates after set-up.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blkfront_priv.h"

uint64_t blkfront_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int setup_ring(struct blkfront *bf, struct blkfront_queue *q)
{
	blkif_sring_t *sring;
	size_t bytes;

	q->nr_ring_pages = 1u << bf->info.ring_order;
	q->ring_pages = xengntshr_share_pages(bf->gs, bf->info.backend_id,
					      (int)q->nr_ring_pages,
					      q->ring_refs, 1);
	if (!q->ring_pages)
		return bf_fail(bf, -errno, "queue %u: sharing %u ring pages: %s",
			       q->index, q->nr_ring_pages, strerror(errno));
	bytes = (size_t)BF_PAGE_SIZE * q->nr_ring_pages;
	sring = q->ring_pages;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&q->ring, sring, bytes);
	/* The indexes work the same in every ABI; the entry size does not. */
	q->abi = bf->info.abi_x86_32 ? BF_ABI_X86_32 : BF_ABI_X86_64;
	q->entry_size = bf_abi_entry_size(q->abi);
	q->ring.nr_ents = bf_abi_ring_entries(q->abi, bytes);
	return 0;
}

void *bf_ring_entry(struct blkfront_queue *q, RING_IDX idx)
{
	return (unsigned char *)q->ring.sring->ring +
	       (size_t)(idx & (q->ring.nr_ents - 1)) * q->entry_size;
}

void bf_ring_response(struct blkfront_queue *q, RING_IDX idx,
		      blkif_response_t *rsp)
{
	unsigned char copy[sizeof(blkif_response_t) + 16];
	struct bf_abi_rsp r;

	/* One copy out of shared memory; decode only the copy. */
	memcpy(copy, bf_ring_entry(q, idx), bf_abi_rsp_size(q->abi));
	__asm__ __volatile__("" ::: "memory");
	bf_abi_get_response(q->abi, copy, &r);
	memset(rsp, 0, sizeof(*rsp));
	rsp->id = r.id;
	rsp->operation = r.operation;
	rsp->status = r.status;
}

static int setup_evtchn(struct blkfront *bf, struct blkfront_queue *q)
{
	q->xce = xenevtchn_open(NULL, 0);
	if (!q->xce)
		return bf_fail(bf, -errno, "queue %u: xenevtchn_open: %s",
			       q->index, strerror(errno));
	q->evfd = xenevtchn_fd(q->xce);
	q->port = xenevtchn_bind_unbound_port(q->xce, bf->info.backend_id);
	if (q->port < 0)
		return bf_fail(bf, -errno, "queue %u: binding an event channel "
			       "for domain %u: %s", q->index,
			       bf->info.backend_id, strerror(errno));
	return 0;
}

/* Descriptor pages, one per slot: the backend only reads them. */
static int setup_indirect(struct blkfront *bf, struct blkfront_queue *q)
{
	if (q->segs_per_slot <= BF_SEGS)
		return 0;
	q->indirect_refs = calloc(q->nr_slots, sizeof(*q->indirect_refs));
	if (!q->indirect_refs)
		return bf_fail(bf, -ENOMEM, "out of memory");
	q->indirect = xengntshr_share_pages(bf->gs, bf->info.backend_id,
					    (int)q->nr_slots, q->indirect_refs, 0);
	if (!q->indirect)
		return bf_fail(bf, -errno, "queue %u: sharing %u indirect pages: %s",
			       q->index, q->nr_slots, strerror(errno));
	return 0;
}

static int setup_slots(struct blkfront *bf, struct blkfront_queue *q)
{
	unsigned ring_size = RING_SIZE(&q->ring);
	unsigned n = bf->opts.slots ? bf->opts.slots : ring_size;
	int rc;

	q->nr_slots = n < ring_size ? n : ring_size;
	q->segs_per_slot = bf->info.max_segments;
	q->nr_data_pages = q->nr_slots * q->segs_per_slot;
	q->reqs = calloc(q->nr_slots, sizeof(*q->reqs));
	q->free_slots = calloc(q->nr_slots, sizeof(*q->free_slots));
	q->data_refs = calloc(q->nr_data_pages, sizeof(*q->data_refs));
	if (!q->reqs || !q->free_slots || !q->data_refs)
		return bf_fail(bf, -ENOMEM, "out of memory");
	q->data = xengntshr_share_pages(bf->gs, bf->info.backend_id,
					(int)q->nr_data_pages, q->data_refs, 1);
	if (!q->data)
		return bf_fail(bf, -errno, "queue %u: sharing %u data pages: %s",
			       q->index, q->nr_data_pages, strerror(errno));
	rc = setup_indirect(bf, q);
	if (rc)
		return rc;
	for (unsigned s = 0; s < q->nr_slots; s++) {
		struct blkfront_req *r = &q->reqs[s];

		r->slot = s;
		for (unsigned i = 0; i < q->segs_per_slot; i++)
			r->page[i] = blkfront_data_page(q, s * q->segs_per_slot + i);
		if (q->indirect)
			r->indirect = (unsigned char *)q->indirect +
				      (size_t)s * BF_PAGE_SIZE;
		q->free_slots[q->nr_free++] = q->nr_slots - 1 - s;
	}
	return 0;
}

int bf_queue_setup(struct blkfront *bf, struct blkfront_queue *q,
		   unsigned index)
{
	int rc;

	q->bf = bf;
	q->index = index;
	q->port = -1;
	q->evfd = -1;
	rc = setup_ring(bf, q);
	if (!rc)
		rc = setup_evtchn(bf, q);
	if (!rc)
		rc = setup_slots(bf, q);
	return rc;
}

void bf_queue_teardown(struct blkfront_queue *q)
{
	struct blkfront *bf = q->bf;

	if (!bf)
		return;
	if (q->xce) {
		if (q->port >= 0)
			xenevtchn_unbind(q->xce, (evtchn_port_t)q->port);
		xenevtchn_close(q->xce);
	}
	if (q->data)
		xengntshr_unshare(bf->gs, q->data, q->nr_data_pages);
	if (q->indirect)
		xengntshr_unshare(bf->gs, q->indirect, q->nr_slots);
	if (q->ring_pages)
		xengntshr_unshare(bf->gs, q->ring_pages, q->nr_ring_pages);
	free(q->reqs);
	free(q->free_slots);
	free(q->data_refs);
	free(q->indirect_refs);
	memset(q, 0, sizeof(*q));
}

struct blkfront_req *blkfront_req_get(struct blkfront_queue *q)
{
	struct blkfront_req *r;

	if (q->nr_free == 0)
		return NULL;
	r = &q->reqs[q->free_slots[--q->nr_free]];
	r->op = BLKIF_OP_READ;
	r->nr_segments = 0;
	r->sector = 0;
	r->nr_sectors = 0;
	r->discard_flag = 0;
	r->status = 0;
	for (unsigned i = 0; i < q->segs_per_slot; i++)
		r->gref[i] = q->data_refs[r->slot * q->segs_per_slot + i];
	r->indirect_gref = q->indirect ? q->indirect_refs[r->slot] : 0;
	return r;
}

void blkfront_req_put(struct blkfront_queue *q, struct blkfront_req *r)
{
	if (r->in_flight)
		return; /* still the backend's: reusing it would corrupt */
	q->free_slots[q->nr_free++] = r->slot;
}

unsigned blkfront_in_flight(const struct blkfront_queue *q)
{
	unsigned n = 0;

	for (unsigned s = 0; s < q->nr_slots; s++)
		n += q->reqs[s].in_flight;
	return n;
}

/* More than 11 segments go in the slot's indirect page. */
static void fill_ring_request(struct blkfront_queue *q, void *entry,
			      const struct blkfront_req *r, uint16_t handle)
{
	struct bf_abi_seg segs[BLKFRONT_MAX_SEGMENTS];
	struct bf_abi_req a = {
		.operation = r->op,
		.nr_segments = r->nr_segments,
		.handle = handle,
		.id = r->slot,
		.sector_number = r->sector,
		.nr_sectors = r->nr_sectors,
		.discard_flag = r->discard_flag,
		.seg = segs,
	};

	for (unsigned i = 0; i < r->nr_segments; i++)
		segs[i] = (struct bf_abi_seg){ r->gref[i], r->seg[i].first_sect,
					       r->seg[i].last_sect };
	if (r->op != BLKIF_OP_DISCARD && r->nr_segments > BF_SEGS) {
		void *pages[1] = { r->indirect };

		bf_abi_put_indirect(pages, segs, r->nr_segments);
		a.operation = BLKIF_OP_INDIRECT;
		a.indirect_op = r->op;
		a.indirect_grefs[0] = r->indirect_gref;
	}
	bf_abi_put_request(q->abi, entry, &a);
}

int blkfront_req_submit(struct blkfront_queue *q, struct blkfront_req *r)
{
	if (r->nr_segments > q->segs_per_slot || r->in_flight)
		return -EINVAL;
	if (r->nr_segments > BF_SEGS && r->op != BLKIF_OP_READ &&
	    r->op != BLKIF_OP_WRITE)
		return -EINVAL; /* indirect carries reads and writes only */
	if (q->bf->backend_closing)
		return -ESHUTDOWN;
	if (RING_FULL(&q->ring))
		return -EBUSY;
	fill_ring_request(q, bf_ring_entry(q, q->ring.req_prod_pvt), r,
			  (uint16_t)q->bf->opts.devid);
	q->ring.req_prod_pvt++;
	r->in_flight = true;
	r->submit_ns = blkfront_now_ns();
	return 0;
}

int blkfront_notify(struct blkfront_queue *q)
{
	if (xenevtchn_notify(q->xce, (evtchn_port_t)q->port) < 0)
		return -errno;
	return 0;
}

int blkfront_kick(struct blkfront_queue *q)
{
	int notify;

	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->ring, notify);
	return notify ? blkfront_notify(q) : 0;
}

/* Take the event if one is pending, so the fd stops polling readable. */
static void ack_event(struct blkfront_queue *q)
{
	xenevtchn_port_or_error_t port = xenevtchn_pending(q->xce);

	if (port >= 0)
		xenevtchn_unmask(q->xce, (evtchn_port_t)port);
}

/* Move finished requests to done[]; a response for no request in flight
 * is a backend bug: -EPROTO after consuming it. */
static int consume_responses(struct blkfront_queue *q,
			     struct blkfront_req **done, unsigned max)
{
	RING_IDX rp = q->ring.sring->rsp_prod;
	unsigned n = 0;
	int rc = 0;

	xen_rmb(); /* read responses only after seeing rsp_prod */
	if (RING_RESPONSE_PROD_OVERFLOW(&q->ring, rp))
		return bf_fail(q->bf, -EPROTO, "queue %u: backend rsp_prod %u "
			       "is more than a ring ahead of %u", q->index, rp,
			       q->ring.rsp_cons);
	while (q->ring.rsp_cons != rp && n < max) {
		blkif_response_t rsp;
		struct blkfront_req *r;

		bf_ring_response(q, q->ring.rsp_cons, &rsp);
		q->ring.rsp_cons++;
		if (rsp.id >= q->nr_slots || !q->reqs[rsp.id].in_flight) {
			rc = bf_fail(q->bf, -EPROTO, "queue %u: response for "
				     "id %llu, which is not in flight", q->index,
				     (unsigned long long)rsp.id);
			continue;
		}
		r = &q->reqs[rsp.id];
		r->in_flight = false;
		r->status = rsp.status;
		r->rsp_op = rsp.operation;
		r->complete_ns = blkfront_now_ns();
		done[n++] = r;
	}
	return n ? (int)n : rc;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static bool spin_for_responses(struct blkfront_queue *q, unsigned poll_us)
{
	uint64_t until = blkfront_now_ns() + (uint64_t)poll_us * 1000;

	while (blkfront_now_ns() < until) {
		if (RING_HAS_UNCONSUMED_RESPONSES(&q->ring))
			return true;
		cpu_relax();
	}
	return false;
}

/* Sleep on the event channel (and the xenstore watch) up to timeout_ms. */
static int sleep_for_event(struct blkfront_queue *q, int timeout_ms)
{
	struct blkfront *bf = q->bf;
	struct pollfd pfd[2] = {
		{ .fd = q->evfd, .events = POLLIN },
		{ .fd = bf->xsfd, .events = POLLIN },
	};
	int rc = poll(pfd, 2, timeout_ms);

	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	if (pfd[0].revents & POLLIN)
		ack_event(q);
	if (pfd[1].revents & POLLIN)
		bf_xs_drain_watch(bf);
	return rc;
}

int blkfront_complete(struct blkfront_queue *q, struct blkfront_req **done,
		      unsigned max, int timeout_ms)
{
	uint64_t wait_ns = (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000;
	uint64_t deadline = blkfront_now_ns() + wait_ns;

	for (;;) {
		int more, rc = consume_responses(q, done, max);
		uint64_t now;

		if (rc != 0)
			return rc;
		RING_FINAL_CHECK_FOR_RESPONSES(&q->ring, more);
		if (more)
			continue;
		if (q->bf->backend_closing)
			return bf_fail(q->bf, -ESHUTDOWN, "backend %s is closing",
				       q->bf->info.backend);
		if (timeout_ms == 0)
			return 0;
		if (q->bf->opts.poll_us && spin_for_responses(q, q->bf->opts.poll_us))
			continue;
		now = blkfront_now_ns();
		if (timeout_ms > 0 && now >= deadline)
			return bf_fail(q->bf, -ETIMEDOUT, "queue %u: no response "
				       "within %d ms", q->index, timeout_ms);
		rc = sleep_for_event(q, timeout_ms < 0 ? -1 :
				     (int)((deadline - now + 999999) / 1000000));
		if (rc < 0)
			return rc;
	}
}

int blkfront_wait_any(struct blkfront *bf, int timeout_ms)
{
	struct pollfd pfd[BLKFRONT_MAX_QUEUES + 1];
	unsigned n = bf->nr_queues;
	int rc;

	for (unsigned i = 0; i < n; i++) {
		int more;

		RING_FINAL_CHECK_FOR_RESPONSES(&bf->queue[i].ring, more);
		if (more)
			return 1;
		pfd[i] = (struct pollfd){ .fd = bf->queue[i].evfd, .events = POLLIN };
	}
	if (bf->backend_closing)
		return -ESHUTDOWN;
	pfd[n] = (struct pollfd){ .fd = bf->xsfd, .events = POLLIN };
	rc = poll(pfd, n + 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	for (unsigned i = 0; i < n; i++)
		if (pfd[i].revents & POLLIN)
			ack_event(&bf->queue[i]);
	if (pfd[n].revents & POLLIN)
		bf_xs_drain_watch(bf);
	return rc > 0 ? 1 : 0;
}

int blkfront_wait_events(struct blkfront *bf, int timeout_ms, uint32_t *queues)
{
	struct pollfd pfd[BLKFRONT_MAX_QUEUES + 1];
	unsigned n = bf->nr_queues;
	int rc;

	*queues = 0;
	if (bf->backend_closing)
		return -ESHUTDOWN;
	for (unsigned i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = bf->queue[i].evfd, .events = POLLIN };
	pfd[n] = (struct pollfd){ .fd = bf->xsfd, .events = POLLIN };
	rc = poll(pfd, n + 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	for (unsigned i = 0; i < n; i++) {
		if (pfd[i].revents & POLLIN) {
			ack_event(&bf->queue[i]);
			*queues |= 1u << i;
		}
	}
	if (pfd[n].revents & POLLIN)
		bf_xs_drain_watch(bf);
	return *queues ? 1 : 0;
}
