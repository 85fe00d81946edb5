/*
 * Raw ring access for adversarial tests: arbitrary requests on the ring,
 * untracked responses, and the queue's grants and pages by number.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "blkfront_priv.h"

blkif_front_ring_t *blkfront_raw_ring(struct blkfront_queue *q)
{
	return &q->ring;
}

int blkfront_raw_put(struct blkfront_queue *q, const void *req, bool push)
{
	memcpy(bf_ring_entry(q, q->ring.req_prod_pvt), req,
	       bf_abi_req_size(q->abi));
	q->ring.req_prod_pvt++;
	return push ? blkfront_kick(q) : 0;
}

int blkfront_raw_response(struct blkfront_queue *q, blkif_response_t *rsp,
			  int timeout_ms)
{
	uint64_t deadline = blkfront_now_ns() +
			    (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000;

	for (;;) {
		struct pollfd pfd = { .fd = q->evfd, .events = POLLIN };
		uint64_t now;
		int more;

		RING_FINAL_CHECK_FOR_RESPONSES(&q->ring, more);
		if (more) {
			bf_ring_response(q, q->ring.rsp_cons, rsp);
			q->ring.rsp_cons++;
			return 0;
		}
		now = blkfront_now_ns();
		if (timeout_ms == 0 || (timeout_ms > 0 && now >= deadline))
			return bf_fail(q->bf, -ETIMEDOUT, "queue %u: no response "
				       "within %d ms", q->index, timeout_ms);
		if (poll(&pfd, 1, timeout_ms < 0 ? -1 :
			 (int)((deadline - now + 999999) / 1000000)) > 0) {
			xenevtchn_port_or_error_t port = xenevtchn_pending(q->xce);

			if (port >= 0)
				xenevtchn_unmask(q->xce, (evtchn_port_t)port);
		}
	}
}

int blkfront_raw_request(struct blkfront_queue *q, const blkif_request_t *req,
			 blkif_response_t *rsp, int timeout_ms)
{
	int rc = blkfront_raw_put(q, req, true);

	if (rc)
		return rc;
	return blkfront_raw_response(q, rsp, timeout_ms);
}

unsigned blkfront_data_pages(const struct blkfront_queue *q)
{
	return q->nr_data_pages;
}

void *blkfront_data_page(struct blkfront_queue *q, unsigned i)
{
	if (i >= q->nr_data_pages)
		return NULL;
	return (unsigned char *)q->data + (size_t)i * BF_PAGE_SIZE;
}

uint32_t blkfront_data_gref(const struct blkfront_queue *q, unsigned i)
{
	return i < q->nr_data_pages ? q->data_refs[i] : 0;
}

uint32_t blkfront_ring_gref(const struct blkfront_queue *q, unsigned i)
{
	return i < q->nr_ring_pages ? q->ring_refs[i] : 0;
}

unsigned blkfront_local_port(const struct blkfront_queue *q)
{
	return (unsigned)q->port;
}
