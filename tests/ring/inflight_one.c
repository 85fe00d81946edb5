/* See inflight_one.h. Input: a mode byte, rsp_prod (4 bytes), the ring's
 * slot count (2 bytes, reduced to a power of two up to the largest ring),
 * then bytes laid over the table. Mode bits make the table this ring's
 * (bit 0), put the pass at rsp_prod (bit 1) and its entries' indexes right
 * (bit 2), so the fuzzer reaches every verdict. */
#include "inflight_one.h"

#include <stdlib.h>
#include <string.h>

#include "../../ring/inflight.h"

static const struct inflight_ring ring_id = {
	.ring_refs = { 8, 9 }, .remote_port = 33, .domid = 5, .abi = 0, .ring_order = 1,
};

static void check(int cond)
{
	if (!cond)
		abort();
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void shape(struct inflight_table *t, uint8_t mode, RING_IDX rsp_prod, unsigned slots)
{
	unsigned count = (unsigned)(t->pass >> 32);

	if (mode & 1) {
		t->magic = INFLIGHT_MAGIC;
		t->ring = ring_id;
	}
	if (mode & 2) {
		count %= slots + 1;
		t->pass = (uint64_t)count << 32 | rsp_prod;
	}
	if (mode & 4)
		for (unsigned i = 0; i < count && i < INFLIGHT_MAX_ENTRIES; i++)
			t->e[i].ring_idx = (RING_IDX)((uint32_t)t->pass + i);
}

static void check_plan(const struct inflight_table *t, const struct inflight_plan *p,
		       RING_IDX rsp_prod, unsigned slots)
{
	struct blkif_req req;

	check(p->resume_at == rsp_prod);
	check(p->redo <= slots);
	check(p->verdict == INFLIGHT_REDO || p->redo == 0);
	check(p->verdict != INFLIGHT_MISMATCH || p->why != NULL);
	if (p->verdict != INFLIGHT_REDO)
		return;
	check(t->magic == INFLIGHT_MAGIC && (uint32_t)t->pass == rsp_prod &&
	      (unsigned)(t->pass >> 32) == p->redo);
	for (unsigned i = 0; i < p->redo; i++) {
		check(inflight_take(t, p, i, &req));
		check(memcmp(&req, &t->e[i].req, sizeof(req)) == 0);
	}
	check(!inflight_take(t, p, p->redo, &req));
}

int inflight_one(const uint8_t *data, size_t len)
{
	struct inflight_table *t;
	struct inflight_plan plan;
	RING_IDX rsp_prod;
	unsigned slots;
	uint8_t mode;

	if (len < 7)
		return -1;
	mode = data[0];
	rsp_prod = get32(data + 1);
	slots = 1u << ((data[5] | data[6] << 8) % 10); /* 1 .. 512 */
	data += 7;
	len -= 7;
	t = calloc(1, RING_INFLIGHT_BYTES); /* exactly: ASan sees any overrun */
	if (!t)
		abort();
	memcpy(t, data, len < RING_INFLIGHT_BYTES ? len : RING_INFLIGHT_BYTES);
	shape(t, mode, rsp_prod, slots);
	inflight_plan(t, &ring_id, slots, rsp_prod, &plan);
	check_plan(t, &plan, rsp_prod, slots);
	free(t);
	return (int)plan.verdict;
}
