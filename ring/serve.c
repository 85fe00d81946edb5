/*
 * One ring pass: take every request the ring holds, copy each out once and
 * validate the copy; fetch all indirect descriptor pages of the pass in one
 * grant-copy call; then serve the requests in ring order, moving each
 * request's data straight between the guest's pages and the disk's memory
 * (resolve.c) in one grant-copy call per run of reads and writes; answer
 * every request and notify the frontend only if it asked.
 *
 * Discard, flush and barrier requests are ordering points: the reads and
 * writes before them are done first, then they run alone, so every request
 * sees the disk as the requests before it in the ring left it.
 */
#include <errno.h>

#include "inflight.h"
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

/* Check the request itself; for an indirect one, queue the copy of its
 * descriptor pages into the slot's own pages (validated only there). */
static int16_t slot_take(struct ring_queue *q, struct slot *s, unsigned idx,
			 const struct blkif_limits *l)
{
	int16_t st = blkif_check_request(&s->req, l);
	uint8_t *pages = q->indirect + (size_t)idx * q->ind_pages * XEN_PAGE_BYTES;

	if (st != BLKIF_RSP_OKAY)
		return st;
	s->segs = s->req.seg;
	if (s->req.operation != BLKIF_OP_INDIRECT)
		return BLKIF_RSP_OKAY;
	s->segs = (const struct blkif_request_segment *)pages;
	s->ind_first = q->gio.n;
	for (unsigned i = 0; i < blkif_indirect_pages(s->req.nr_segments); i++)
		if (gio_add(&q->gio, s->req.indirect_grefs[i], 0, XEN_PAGE_BYTES,
			    pages + (size_t)i * XEN_PAGE_BYTES, false) != 0)
			return BLKIF_RSP_ERROR; /* cannot happen: room is kept */
	return BLKIF_RSP_OKAY;
}

static void log_refused(const struct ring_queue *q, const struct slot *s)
{
	qlog_rl(q, REQUEST, LOG_WARN, "request %#llx op %u: %s",
		(unsigned long long)s->req.id, s->req.operation,
			s->status == BLKIF_RSP_EOPNOTSUPP ? "not supported" : "invalid");
}

/* The descriptors have arrived (or not): validate every slot's segments. */
static void batch_validate(struct ring_queue *q, unsigned n, const struct blkif_limits *l)
{
	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &q->slots[i];

		if (s->status != BLKIF_RSP_OKAY)
			continue;
		if (s->req.operation == BLKIF_OP_INDIRECT &&
		    !gio_all_ok(&q->gio, s->ind_first, blkif_indirect_pages(s->req.nr_segments))) {
			qlog_rl(q, GRANT, LOG_WARN, "request %#llx: indirect pages not readable",
				(unsigned long long)s->req.id);
			s->status = BLKIF_RSP_ERROR;
			continue;
		}
		s->status = blkif_check_segments(&s->req, s->segs, l, &s->nr_sectors);
		if (s->status != BLKIF_RSP_OKAY)
			log_refused(q, s);
	}
}

/* Slot n's request is in s->req: check it and count what it takes. */
static void slot_start(struct ring_queue *q, unsigned n, const struct blkif_limits *l,
		       unsigned *segs_used)
{
	struct slot *s = &q->slots[n];

	ring_queue_qos_take(q, &s->req);
	s->status = slot_take(q, s, n, l);
	if (s->status != BLKIF_RSP_OKAY)
		log_refused(q, s);
	else
		*segs_used += s->req.nr_segments;
}

/* A resumed ring's first pass: the requests to redo (resume.c put them in
 * the slots; they are checked like any request), all of them, whatever
 * QoS says: they were admitted once already. */
static unsigned collect_redo(struct ring_queue *q, const struct blkif_limits *l,
			     unsigned *segs_used)
{
	unsigned n = q->redo;

	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &q->slots[i];
		struct blkif_req req = s->req;

		memset(s, 0, sizeof(*s));
		s->req = req;
		slot_start(q, i, l, segs_used);
	}
	STAT_ADD(q->stats.reqs_redone, n);
	q->redo = 0;
	return n;
}

/* Take every request up to end that the pass has room for (with the
 * default limits, all of them), then validate them. */
static unsigned batch_collect(struct ring_queue *q, RING_IDX end)
{
	struct blkif_limits l;
	unsigned n, segs_used = 0;

	limits_of(q, &l);
	gio_reset(&q->gio);
	n = collect_redo(q, &l, &segs_used);
	while (q->back.r.native.req_cons != end && n < q->nr_slots &&
	       segs_used <= q->seg_cap && q->seg_cap - segs_used >= q->max_req_segs &&
	       ring_queue_qos_admit(q)) {
		struct slot *s = &q->slots[n];

		memset(s, 0, sizeof(*s));
		blkif_back_take_request(&q->back, &s->req);
		slot_start(q, n, &l, &segs_used);
		n++;
	}
	if (q->gio.n)
		gio_run(&q->gio); /* every descriptor page of the pass at once */
	batch_validate(q, n, &l);
	return n;
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
	qlog(q, LOG_ERR, "%s; no longer serving this ring", why);
	if (q->cfg.on_fatal)
		q->cfg.on_fatal(q->cfg.fatal_ctx, q->cfg.index, why);
}

/* Keep the pass's requests where a next process finds them, before the
 * first response overwrites a request's slot (inflight.c). */
static void record(struct ring_queue *q, RING_IDX start, unsigned n)
{
	void *table = q->cfg.inflight;

	if (!table)
		return;
	for (unsigned i = 0; i < n; i++)
		inflight_put(table, i, start + i, &q->slots[i].req);
	inflight_publish(table, start, n);
}

static void respond(struct ring_queue *q, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct slot *s = &q->slots[i];

		blkif_back_put_response(&q->back, s->req.id, blkif_response_op(&s->req),
					s->status);
		slot_count(q, s);
		lat_pass_respond(&q->lat, &q->stats.lat, i, s->req.op);
		ring_queue_qos_settle(q, s);
	}
	if (blkif_back_push(&q->back)) {
		STAT_ADD(q->stats.notifies, 1);
		xenevtchn_notify(q->xce, q->port);
	}
}

/* The ring's own requests up to prod: req_cons..end. Once a resumed
 * ring's redo is taken, req_cons is ahead of rsp_prod_pvt, and a frontend
 * whose producer lies behind it gets nothing taken (the next pass finds
 * its index overflowing). */
static RING_IDX ring_end(const struct ring_queue *q, RING_IDX prod)
{
	RING_IDX cons = q->back.r.native.req_cons;

	return (RING_IDX)(prod - cons) <= q->nr_slots ? prod : cons;
}

int ring_queue_serve_pass(struct ring_queue *q)
{
	RING_IDX prod, start, end;
	unsigned n;

	if (q->dead)
		return -EPROTO;
	prod = blkif_back_req_prod(&q->back);
	if (blkif_back_prod_overflow(&q->back, prod)) {
		ring_queue_fail(q, "frontend producer index overflows the ring");
		return -EPROTO;
	}
	start = q->back.r.native.rsp_prod_pvt; /* the pass's first ring index */
	end = ring_end(q, prod);
	lat_pass_start(&q->lat, start, end);
	n = batch_collect(q, end);
	if (n == 0)
		return 0;
	STAT_ADD(q->stats.passes, 1);
	ring_queue_execute(q, n);
	record(q, start, n);
	respond(q, n);
	return (int)n;
}
