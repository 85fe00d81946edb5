/*
 * One ring pass: copy requests out and validate them, pull write data from
 * the guest in one batch, run the disk operations in ring order, push read
 * data to the guest in one batch, then answer every request and notify the
 * frontend only if it asked.
 */
#include <errno.h>

#include "log.h"
#include "queue_priv.h"
#include "stats.h"

static void limits_of(const struct ring_queue *q, struct blkif_limits *l)
{
	*l = (struct blkif_limits){
		.sectors = __atomic_load_n(&q->sectors, __ATOMIC_RELAXED),
		.sector_size = q->cfg.sector_size,
		.readonly = q->cfg.readonly,
		.discard = q->cfg.discard,
		.max_indirect_segments = q->cfg.max_indirect_segments,
	};
}

/* Copy an indirect request's descriptor pages out of the guest into
 * q->indirect; the descriptors are validated only there. */
static int16_t fetch_indirect(struct ring_queue *q, const struct blkif_req *r)
{
	unsigned pages = blkif_indirect_pages(r->nr_segments);

	gio_reset(&q->gio);
	for (unsigned i = 0; i < pages; i++)
		if (gio_add(&q->gio, r->indirect_grefs[i], 0, XEN_PAGE_BYTES,
			    q->indirect + (size_t)i * XEN_PAGE_BYTES, false) != 0)
			return BLKIF_RSP_ERROR;
	gio_run(&q->gio, 0, pages);
	if (!gio_all_ok(&q->gio, 0, pages)) {
		log_ratelimited(LOG_WARN, "%s: request %#llx: indirect pages not readable",
				q->name, (unsigned long long)r->id);
		return BLKIF_RSP_ERROR;
	}
	return BLKIF_RSP_OKAY;
}

/* Validate s->req and give it its segments and bounce space. */
static int16_t slot_prepare(struct ring_queue *q, struct slot *s,
			    unsigned *segs_used, size_t *bounce_used)
{
	const struct blkif_request_segment *src = s->req.seg;
	struct blkif_limits l;
	int16_t st;

	limits_of(q, &l);
	st = blkif_check_request(&s->req, &l);
	if (st == BLKIF_RSP_OKAY && s->req.operation == BLKIF_OP_INDIRECT) {
		st = fetch_indirect(q, &s->req);
		src = (const struct blkif_request_segment *)q->indirect;
	}
	if (st != BLKIF_RSP_OKAY)
		return st;
	/* The caller left room for max_req_segs; nr_segments is checked. */
	s->segs = q->segs + *segs_used;
	memcpy(s->segs, src, (size_t)s->req.nr_segments * sizeof(*src));
	st = blkif_check_segments(&s->req, s->segs, &l, &s->nr_sectors);
	if (st != BLKIF_RSP_OKAY)
		return st;
	s->buf = q->bounce + *bounce_used;
	*segs_used += s->req.nr_segments;
	*bounce_used += s->nr_sectors << SECTOR_SHIFT;
	return BLKIF_RSP_OKAY;
}

/* Queue one slot's data transfer, segment by segment, through the door. */
static void slot_add_io(struct ring_queue *q, struct slot *s, bool to_guest)
{
	uint8_t *p = s->buf;

	s->gio_first = q->gio.n;
	for (unsigned i = 0; i < s->req.nr_segments; i++) {
		const struct blkif_request_segment *seg = &s->segs[i];
		unsigned off = (unsigned)seg->first_sect << SECTOR_SHIFT;
		unsigned len = (unsigned)(seg->last_sect - seg->first_sect + 1) << SECTOR_SHIFT;

		if (gio_add(&q->gio, seg->gref, off, len, p, to_guest) != 0) {
			s->status = BLKIF_RSP_ERROR; /* cannot happen once validated */
			break;
		}
		p += len;
	}
	s->gio_count = q->gio.n - s->gio_first;
}

static bool slot_moves(const struct slot *s, bool to_guest)
{
	if (s->status != BLKIF_RSP_OKAY || s->nr_sectors == 0)
		return false;
	return to_guest ? s->req.op == BLKIF_OP_READ : blkif_is_write(&s->req);
}

/* Move the data of every slot going one way: one grant copy for the pass,
 * or one map/unmap per request. A failed segment fails its request. */
static void batch_transfer(struct ring_queue *q, unsigned n, bool to_guest)
{
	gio_reset(&q->gio);
	for (unsigned i = 0; i < n; i++)
		if (slot_moves(&q->slots[i], to_guest))
			slot_add_io(q, &q->slots[i], to_guest);
	if (q->gio.n == 0)
		return;
	if (q->cfg.grant_mode == GRANT_MODE_COPY)
		gio_run(&q->gio, 0, q->gio.n);
	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &q->slots[i];

		if (!slot_moves(s, to_guest))
			continue;
		if (q->cfg.grant_mode != GRANT_MODE_COPY)
			gio_run(&q->gio, s->gio_first, s->gio_count);
		if (!gio_all_ok(&q->gio, s->gio_first, s->gio_count)) {
			log_ratelimited(LOG_WARN, "%s: request %#llx: grant %s failed",
					q->name, (unsigned long long)s->req.id,
					to_guest ? "write to guest" : "read from guest");
			s->status = BLKIF_RSP_ERROR;
		}
	}
}

static int slot_disk_op(struct ring_queue *q, struct slot *s)
{
	const struct ring_disk_ops *ops = q->cfg.ops;
	void *ctx = q->cfg.ops_ctx;
	uint64_t off = s->req.sector_number << SECTOR_SHIFT;
	size_t bytes = (size_t)s->nr_sectors << SECTOR_SHIFT;
	int rc = 0;

	switch (s->req.op) {
	case BLKIF_OP_READ:
		return ops->read(ctx, off, s->buf, bytes);
	case BLKIF_OP_WRITE:
		return ops->write(ctx, off, s->buf, bytes);
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		if (bytes)
			rc = ops->write(ctx, off, s->buf, bytes);
		if (rc == 0 && ops->flush)
			rc = ops->flush(ctx);
		return rc;
	case BLKIF_OP_DISCARD:
		if (s->req.nr_sectors == 0)
			return 0;
		if (s->req.discard_flag & BLKIF_DISCARD_SECURE)
			return ops->discard_secure
				       ? ops->discard_secure(ctx, off, s->req.nr_sectors << SECTOR_SHIFT)
				       : -EOPNOTSUPP;
		return ops->discard(ctx, off, s->req.nr_sectors << SECTOR_SHIFT);
	default:
		return -EOPNOTSUPP; /* validation let nothing else through */
	}
}

static void slot_execute(struct ring_queue *q, struct slot *s)
{
	int rc;

	if (s->status != BLKIF_RSP_OKAY)
		return;
	rc = slot_disk_op(q, s);
	if (rc != 0) {
		log_ratelimited(LOG_WARN, "%s: request %#llx op %u sector %llu: %s",
				q->name, (unsigned long long)s->req.id, s->req.op,
				(unsigned long long)s->req.sector_number, strerror(-rc));
		s->status = BLKIF_RSP_ERROR;
	}
}

static void slot_count(struct ring_queue *q, const struct slot *s)
{
	struct ring_queue_stats *st = &q->stats;
	uint64_t bytes = s->nr_sectors << SECTOR_SHIFT;

	switch (s->req.op) {
	case BLKIF_OP_READ:
		STAT_ADD(st->reqs_read, 1);
		break;
	case BLKIF_OP_WRITE:
		STAT_ADD(st->reqs_write, 1);
		break;
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		STAT_ADD(st->reqs_flush, 1);
		break;
	case BLKIF_OP_DISCARD:
		STAT_ADD(st->reqs_discard, 1);
		break;
	default:
		STAT_ADD(st->reqs_other, 1);
		break;
	}
	if (s->status != BLKIF_RSP_OKAY) {
		STAT_ADD(st->errors, 1);
		return;
	}
	STAT_ADD(st->segments, s->req.nr_segments);
	if (s->req.op == BLKIF_OP_READ)
		STAT_ADD(st->bytes_read, bytes);
	else if (blkif_is_write(&s->req))
		STAT_ADD(st->bytes_written, bytes);
}

void ring_queue_fail(struct ring_queue *q, const char *why)
{
	if (q->dead)
		return;
	q->dead = true;
	log_err("%s: %s; no longer serving this ring", q->name, why);
	if (q->cfg.on_fatal)
		q->cfg.on_fatal(q->cfg.fatal_ctx, q->cfg.index, why);
}

/* Take requests up to prod, a slot's worth of room for each. */
static unsigned batch_collect(struct ring_queue *q, RING_IDX prod)
{
	unsigned n = 0, segs_used = 0;
	size_t bounce_used = 0;

	while (q->back.r.native.req_cons != prod && n < q->nr_slots &&
	       q->seg_cap - segs_used >= q->max_req_segs) {
		struct slot *s = &q->slots[n++];

		memset(s, 0, sizeof(*s));
		blkif_back_take_request(&q->back, &s->req);
		s->status = slot_prepare(q, s, &segs_used, &bounce_used);
		if (s->status != BLKIF_RSP_OKAY)
			log_ratelimited(LOG_WARN, "%s: request %#llx op %u: %s", q->name,
					(unsigned long long)s->req.id, s->req.operation,
					s->status == BLKIF_RSP_EOPNOTSUPP ? "not supported"
									 : "invalid");
	}
	return n;
}

int ring_queue_serve_pass(struct ring_queue *q)
{
	RING_IDX prod;
	unsigned n;

	if (q->dead)
		return -EPROTO;
	prod = blkif_back_req_prod(&q->back);
	if (blkif_back_prod_overflow(&q->back, prod)) {
		ring_queue_fail(q, "frontend producer index overflows the ring");
		return -EPROTO;
	}
	n = batch_collect(q, prod);
	if (n == 0)
		return 0;
	batch_transfer(q, n, false);
	for (unsigned i = 0; i < n; i++)
		slot_execute(q, &q->slots[i]);
	batch_transfer(q, n, true);
	for (unsigned i = 0; i < n; i++) {
		const struct slot *s = &q->slots[i];

		blkif_back_put_response(&q->back, s->req.id, blkif_response_op(&s->req),
					s->status);
		slot_count(q, s);
	}
	if (blkif_back_push(&q->back)) {
		STAT_ADD(q->stats.notifies, 1);
		xenevtchn_notify(q->xce, q->port);
	}
	return (int)n;
}
