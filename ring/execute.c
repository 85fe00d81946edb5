/*
 * Executing a pass's validated requests (see serve.c): each segment is
 * resolved to the disk memory it covers (ring_disk_ops.get) and becomes one
 * or two guest-I/O entries whose local side is that memory itself, or the
 * zero page for an unwritten range: one copy per byte, no bounce buffer.
 * An entry never crosses a local page; a segment splits where its disk
 * range crosses one (an unaligned sector) or a pool chunk.
 *
 * The disk memory a batch uses is held (get) before any byte moves and
 * released (put) after: a write that cannot have its memory fails before
 * it copies, and no chunk can go to another disk while a copy runs.
 */
#include <errno.h>

#include "log.h"
#include "queue_priv.h"
#include "stats.h"

static bool moves_data(const struct slot *s)
{
	if (s->status != BLKIF_RSP_OKAY || s->nr_sectors == 0)
		return false;
	return s->req.op == BLKIF_OP_READ || blkif_is_write(&s->req);
}

static void slot_put(struct ring_queue *q, const struct slot *s)
{
	for (unsigned i = s->pin_first; i < s->pin_first + s->pin_count; i++)
		q->cfg.ops->put(q->cfg.ops_ctx, q->pins[i]);
}

/* The disk run at off, for the rest of the request (left bytes). */
static int run_get(struct ring_queue *q, uint64_t off, uint64_t left, bool write,
		   uint8_t **ptr, uint64_t *run)
{
	void *p = NULL;
	long got = q->cfg.ops->get(q->cfg.ops_ctx, off, left, write, &p);

	if (got <= 0)
		return got < 0 ? (int)got : -EIO;
	if (p) {
		if (q->npins >= q->pin_cap) {
			q->cfg.ops->put(q->cfg.ops_ctx, off);
			return -ENOBUFS; /* cannot happen: a run per entry at most */
		}
		q->pins[q->npins++] = off;
	}
	*ptr = p;
	*run = (uint64_t)got;
	return 0;
}

/* One segment's entries: the guest page range [goff, goff + glen) against
 * the disk from *off on, through the current run (*ptr, *run). */
static int segment_add(struct ring_queue *q, const struct blkif_request_segment *seg,
		       uint64_t *off, uint64_t end, uint8_t **ptr, uint64_t *run, bool write)
{
	unsigned goff = (unsigned)seg->first_sect << SECTOR_SHIFT;
	unsigned glen = (unsigned)(seg->last_sect - seg->first_sect + 1) << SECTOR_SHIFT;

	while (glen) {
		int rc = *run ? 0 : run_get(q, *off, end - *off, write, ptr, run);
		if (rc)
			return rc;
		unsigned n = glen < *run ? glen : (unsigned)*run;
		uint8_t *local = *ptr ? *ptr : gio_zero_page;
		unsigned room = XEN_PAGE_BYTES - (unsigned)((uintptr_t)local & (XEN_PAGE_BYTES - 1));

		if (n > room)
			n = room;
		rc = gio_add(&q->gio, seg->gref, goff, n, local, !write);
		if (rc)
			return rc;
		goff += n;
		glen -= n;
		*off += n;
		*run -= n;
		if (*ptr)
			*ptr += n;
	}
	return 0;
}

/* Queue the slot's data; on failure the slot holds nothing and fails. */
static void slot_resolve(struct ring_queue *q, struct slot *s)
{
	bool write = blkif_is_write(&s->req);
	uint64_t off = s->req.sector_number << SECTOR_SHIFT;
	uint64_t end = off + (s->nr_sectors << SECTOR_SHIFT), run = 0;
	uint8_t *ptr = NULL;
	int rc = 0;

	s->gio_first = q->gio.n;
	s->pin_first = q->npins;
	for (unsigned i = 0; i < s->req.nr_segments && rc == 0; i++)
		rc = segment_add(q, &s->segs[i], &off, end, &ptr, &run, write);
	s->pin_count = q->npins - s->pin_first;
	s->gio_count = q->gio.n - s->gio_first;
	if (rc == 0)
		return;
	qlog_rl(q, IO, LOG_WARN, "request %#llx sector %llu: %s",
		(unsigned long long)s->req.id,
			(unsigned long long)s->req.sector_number, strerror(-rc));
	slot_put(q, s);
	q->npins = s->pin_first;
	s->pin_count = 0;
	gio_truncate(&q->gio, s->gio_first);
	s->gio_count = 0;
	s->status = BLKIF_RSP_ERROR;
}

/* Move the data of slots [from, to) that carry any: one grant-copy call
 * (copy and persistent modes) or a map per request (map mode). */
static void run_batch(struct ring_queue *q, unsigned from, unsigned to)
{
	gio_reset(&q->gio);
	q->npins = 0;
	for (unsigned i = from; i < to; i++)
		if (moves_data(&q->slots[i]))
			slot_resolve(q, &q->slots[i]);
	if (q->gio.n == 0)
		return;
	if (q->cfg.grant_mode != GRANT_MODE_MAP)
		gio_run(&q->gio);
	for (unsigned i = from; i < to; i++) {
		struct slot *s = &q->slots[i];

		if (!moves_data(s))
			continue;
		if (q->cfg.grant_mode == GRANT_MODE_MAP)
			gio_run_range(&q->gio, s->gio_first, s->gio_count);
		slot_put(q, s);
		if (!gio_all_ok(&q->gio, s->gio_first, s->gio_count)) {
			qlog_rl(q, GRANT, LOG_WARN, "request %#llx: grant %s failed",
				(unsigned long long)s->req.id,
					s->req.op == BLKIF_OP_READ ? "write to guest"
								   : "read from guest");
			s->status = BLKIF_RSP_ERROR;
		}
	}
}

/* A request with no data to move, or one that orders what is around it. */
static int ordered_op(struct ring_queue *q, struct slot *s, unsigned idx)
{
	const struct ring_disk_ops *ops = q->cfg.ops;
	void *ctx = q->cfg.ops_ctx;
	uint64_t off = s->req.sector_number << SECTOR_SHIFT;
	uint64_t bytes = s->req.nr_sectors << SECTOR_SHIFT;

	switch (s->req.op) {
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		run_batch(q, idx, idx + 1);
		if (s->status != BLKIF_RSP_OKAY)
			return 0; /* logged by run_batch */
		return ops->flush ? ops->flush(ctx) : 0;
	case BLKIF_OP_DISCARD:
		if (s->req.nr_sectors == 0)
			return 0;
		if (s->req.discard_flag & BLKIF_DISCARD_SECURE)
			return ops->discard_secure ? ops->discard_secure(ctx, off, bytes)
						   : -EOPNOTSUPP;
		return ops->discard(ctx, off, bytes);
	default:
		return -EOPNOTSUPP; /* validation let nothing else through */
	}
}

static bool is_rw(const struct slot *s)
{
	return s->req.op == BLKIF_OP_READ || s->req.op == BLKIF_OP_WRITE;
}

void ring_queue_execute(struct ring_queue *q, unsigned n)
{
	unsigned from = 0;

	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &q->slots[i];
		int rc;

		if (s->status != BLKIF_RSP_OKAY || is_rw(s))
			continue;
		run_batch(q, from, i);
		from = i + 1;
		rc = ordered_op(q, s, i);
		if (rc != 0) {
			qlog_rl(q, IO, LOG_WARN, "request %#llx op %u sector %llu: %s",
				(unsigned long long)s->req.id, s->req.op,
					(unsigned long long)s->req.sector_number,
					strerror(-rc));
			s->status = BLKIF_RSP_ERROR;
		}
	}
	run_batch(q, from, n);
}
