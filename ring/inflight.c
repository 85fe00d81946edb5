/*
 * The in-flight table (inflight.h). Crash consistency rests on one rule:
 * a pass's entries are written first, then its (start, count) is published
 * in one aligned 64-bit release store, then a release fence keeps the
 * pass's responses (plain stores to the ring) from being written before
 * it. A process killed at any instant therefore leaves either
 *   - the previous pass's header: that pass was pushed (rsp_prod = its
 *     start + count) and this pass has no response yet, so the ring still
 *     holds its requests; or
 *   - this pass's header with every entry in place: rsp_prod is its start
 *     (not pushed yet: redo the entries) or start + count (pushed).
 * Stores to a shared mapping survive the process (no msync needed).
 */
#include "inflight.h"

#include <assert.h>

static_assert(sizeof(struct inflight_table) == 128, "inflight header size");
static_assert(offsetof(struct inflight_table, pass) % 8 == 0, "pass word aligned");
static_assert(__atomic_always_lock_free(sizeof(uint64_t), 0), "64-bit atomics");
/* The entries are struct blkif_req as it is now: a change of that struct
 * is a change of the format (bump INFLIGHT_MAGIC's version). */
static_assert(sizeof(struct blkif_req) == 152, "blkif_req is part of the format");
static_assert(offsetof(struct blkif_req, seg) == 32, "blkif_req is part of the format");
static_assert(sizeof(struct inflight_entry) == 160, "inflight entry size");
/* The largest ring of every ABI fits. */
#define MAX_RING_BYTES ((size_t)RING_MAX_PAGES * XEN_PAGE_BYTES)
static_assert(__CONST_RING_SIZE(blkif, MAX_RING_BYTES) <= INFLIGHT_MAX_ENTRIES,
	      "native ring fits the in-flight table");
static_assert(__CONST_RING_SIZE(blkif_x86_32, MAX_RING_BYTES) <= INFLIGHT_MAX_ENTRIES,
	      "x86_32 ring fits the in-flight table");
static_assert(__CONST_RING_SIZE(blkif_x86_64, MAX_RING_BYTES) <= INFLIGHT_MAX_ENTRIES,
	      "x86_64 ring fits the in-flight table");

static uint64_t pass_word(RING_IDX start, unsigned count)
{
	return (uint64_t)count << 32 | start;
}

void inflight_init(void *table, const struct inflight_ring *ring, RING_IDX start)
{
	struct inflight_table *t = table;

	/* No pass first, then the identity: a half-done init matches no ring
	 * or describes no request. */
	__atomic_store_n(&t->magic, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&t->pass, pass_word(start, 0), __ATOMIC_RELEASE);
	memcpy(&t->ring, ring, sizeof(t->ring));
	memset(t->reserved, 0, sizeof(t->reserved));
	__atomic_store_n(&t->magic, INFLIGHT_MAGIC, __ATOMIC_RELEASE);
}

bool inflight_put(void *table, unsigned i, RING_IDX idx, const struct blkif_req *req)
{
	struct inflight_entry *e;

	if (i >= INFLIGHT_MAX_ENTRIES)
		return false;
	e = &((struct inflight_table *)table)->e[i];
	e->ring_idx = idx;
	e->reserved = 0;
	memcpy(&e->req, req, sizeof(e->req));
	return true;
}

bool inflight_publish(void *table, RING_IDX start, unsigned count)
{
	struct inflight_table *t = table;

	if (count > INFLIGHT_MAX_ENTRIES)
		return false;
	/* Release: the entries are in place before anyone can see the count. */
	__atomic_store_n(&t->pass, pass_word(start, count), __ATOMIC_RELEASE);
	/* ... and the responses written after this are not moved before it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return true;
}

static void mismatch(struct inflight_plan *out, const char *why)
{
	out->verdict = INFLIGHT_MISMATCH;
	out->redo = 0;
	out->why = why;
}

void inflight_plan(const void *table, const struct inflight_ring *ring, unsigned nr_slots,
		   RING_IDX rsp_prod, struct inflight_plan *out)
{
	const struct inflight_table *t = table;
	uint64_t pass;
	RING_IDX start;
	unsigned count;

	*out = (struct inflight_plan){ .verdict = INFLIGHT_ANSWERED, .resume_at = rsp_prod };
	if (__atomic_load_n(&t->magic, __ATOMIC_ACQUIRE) != INFLIGHT_MAGIC)
		return mismatch(out, "no in-flight table of this format");
	if (memcmp(&t->ring, ring, sizeof(*ring)) != 0)
		return mismatch(out, "the in-flight table is another ring's");
	pass = __atomic_load_n(&t->pass, __ATOMIC_ACQUIRE);
	start = (RING_IDX)pass;
	count = (unsigned)(pass >> 32);
	if (count > nr_slots || count > INFLIGHT_MAX_ENTRIES)
		return mismatch(out, "the in-flight table's pass is larger than the ring");
	if ((RING_IDX)(start + count) == rsp_prod)
		return; /* answered and pushed (or nothing recorded) */
	if (start != rsp_prod)
		return mismatch(out, "the ring's rsp_prod is not at the recorded pass");
	for (unsigned i = 0; i < count; i++)
		if (t->e[i].ring_idx != (RING_IDX)(start + i))
			return mismatch(out, "the in-flight table's entries are damaged");
	out->verdict = INFLIGHT_REDO;
	out->redo = count;
}

bool inflight_take(const void *table, const struct inflight_plan *plan, unsigned i,
		   struct blkif_req *out)
{
	const struct inflight_table *t = table;
	struct inflight_entry copy;

	if (plan->verdict != INFLIGHT_REDO || i >= plan->redo || i >= INFLIGHT_MAX_ENTRIES)
		return false;
	memcpy(&copy, &t->e[i], sizeof(copy));
	compiler_barrier();
	if (copy.ring_idx != (RING_IDX)(plan->resume_at + i))
		return false;
	*out = copy.req;
	return true;
}
