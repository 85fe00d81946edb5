/*
 * The queue's side of a restart (DESIGN.md §7): a fresh ring clears its
 * in-flight table; a resumed one attaches where the dead process left off.
 * That process served in ring order and pushed the responses of each pass
 * at once, so nothing before the shared rsp_prod is unanswered and nothing
 * from it on was answered: resume there (req_cons = rsp_prod_pvt =
 * rsp_prod, as Linux blkback's live update attaches). The requests of an
 * unanswered pass may have lost their ring slots to its responses, so they
 * are taken from the table instead (inflight.c says when), copied into the
 * pass's slots here and validated with the pass like any request.
 */
#include "inflight.h"
#include "log.h"
#include "queue_priv.h"
#include "stats.h"

static void ring_identity(const struct ring_queue_config *cfg, struct inflight_ring *id)
{
	memset(id, 0, sizeof(*id));
	memcpy(id->ring_refs, cfg->ring_refs, sizeof(cfg->ring_refs[0]) << cfg->ring_order);
	id->remote_port = cfg->remote_port;
	id->domid = cfg->frontend_domid;
	id->abi = (uint8_t)cfg->abi;
	id->ring_order = (uint8_t)cfg->ring_order;
}

/* Copy the entries to redo into the pass's slots; false if the table
 * changed since it was planned (it is ours alone: cannot happen). */
static bool take_redo(struct ring_queue *q, const struct inflight_plan *plan)
{
	for (unsigned i = 0; i < plan->redo; i++)
		if (!inflight_take(q->cfg.inflight, plan, i, &q->slots[i].req))
			return false;
	return true;
}

static void resume(struct ring_queue *q, const struct inflight_ring *id)
{
	RING_IDX rsp_prod = blkif_back_shared_rsp_prod(&q->back);
	struct inflight_plan plan;

	inflight_plan(q->cfg.inflight, id, q->nr_slots, rsp_prod, &plan);
	if (plan.verdict == INFLIGHT_REDO && !take_redo(q, &plan))
		plan = (struct inflight_plan){ .verdict = INFLIGHT_MISMATCH,
					       .resume_at = rsp_prod,
					       .why = "the in-flight table changed while read" };
	blkif_back_attach(&q->back, q->cfg.abi, q->ring_pages,
			  (size_t)q->nr_ring_pages * XEN_PAGE_BYTES, plan.resume_at);
	if (plan.verdict == INFLIGHT_MISMATCH) {
		STAT_ADD(q->stats.resume_mismatches, 1);
		qlog_rl(q, RING, LOG_WARN, "resuming at %u with nothing to redo: %s",
			plan.resume_at, plan.why);
		/* From now on the table is this ring's. */
		inflight_init(q->cfg.inflight, id, plan.resume_at);
		return;
	}
	blkif_back_consume(&q->back, plan.redo);
	q->redo = plan.redo;
	qlog(q, LOG_INFO, "resuming at ring index %u, redoing %u request%s", plan.resume_at,
	     plan.redo, plan.redo == 1 ? "" : "s");
}

void ring_queue_attach(struct ring_queue *q)
{
	struct inflight_ring id;

	if (!q->cfg.inflight)
		return;
	ring_identity(&q->cfg, &id);
	if (q->cfg.resume)
		resume(q, &id);
	else
		inflight_init(q->cfg.inflight, &id, 0);
}
