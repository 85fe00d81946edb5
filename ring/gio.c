/* Guest I/O through grant copy or batched grant maps (see gio.h). */
#include "gio.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "stats.h"

int gio_init(struct gio *g, enum grant_mode mode, xengnttab_handle *xgt,
	     uint16_t domid, unsigned cap, struct ring_queue_stats *stats)
{
	memset(g, 0, sizeof(*g));
	g->mode = mode;
	g->xgt = xgt;
	g->domid = domid;
	g->cap = cap;
	g->stats = stats;
	g->ents = calloc(cap, sizeof(*g->ents));
	g->copy = calloc(cap, sizeof(*g->copy));
	g->refs = calloc(cap, sizeof(*g->refs));
	if (!g->ents || !g->copy || !g->refs) {
		gio_fini(g);
		return -ENOMEM;
	}
	return 0;
}

void gio_fini(struct gio *g)
{
	gio_persistent_fini(g);
	free(g->ents);
	free(g->copy);
	free(g->refs);
	g->ents = NULL;
	g->copy = NULL;
	g->refs = NULL;
	g->cap = g->n = 0;
}

int gio_add(struct gio *g, uint32_t gref, unsigned offset, unsigned len,
	    void *local, bool to_guest)
{
	if (len == 0 || offset >= XEN_PAGE_BYTES || len > XEN_PAGE_BYTES - offset)
		return -EINVAL;
	if (g->n >= g->cap)
		return -ENOSPC;
	g->ents[g->n++] = (struct gio_ent){
		.gref = gref, .offset = (uint16_t)offset, .len = (uint16_t)len,
		.local = local, .to_guest = to_guest, .status = GNTST_general_error,
	};
	return 0;
}

static void set_status(struct gio *g, unsigned first, unsigned count, int16_t st)
{
	for (unsigned i = first; i < first + count; i++)
		g->ents[i].status = st;
}

static void run_copy(struct gio *g, unsigned first, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		const struct gio_ent *e = &g->ents[first + i];
		xengnttab_grant_copy_segment_t *s = &g->copy[i];
		union xengnttab_copy_ptr guest = {
			.foreign = { .ref = e->gref, .offset = e->offset, .domid = g->domid },
		};

		memset(s, 0, sizeof(*s));
		s->len = e->len;
		if (e->to_guest) {
			s->source.virt = e->local;
			s->dest = guest;
			s->flags = GNTCOPY_dest_gref;
		} else {
			s->source = guest;
			s->dest.virt = e->local;
			s->flags = GNTCOPY_source_gref;
		}
		s->status = GNTST_general_error;
	}
	STAT_ADD(g->stats->grant_copies, 1);
	if (xengnttab_grant_copy(g->xgt, count, g->copy) != 0) {
		set_status(g, first, count, GNTST_general_error);
		return;
	}
	for (unsigned i = 0; i < count; i++)
		g->ents[first + i].status = g->copy[i].status;
}

/* Entry k of a transient map batch: list[k], or first + k without a list. */
static struct gio_ent *batch_ent(struct gio *g, const uint32_t *list,
				 unsigned first, unsigned k)
{
	return &g->ents[list ? list[k] : first + k];
}

void gio_map_transient(struct gio *g, const uint32_t *list, unsigned first,
		       unsigned count)
{
	bool to_guest = batch_ent(g, list, first, 0)->to_guest;
	uint8_t *pages;

	for (unsigned k = 0; k < count; k++) {
		const struct gio_ent *e = batch_ent(g, list, first, k);

		if (e->to_guest != to_guest) {
			for (unsigned j = 0; j < count; j++)
				batch_ent(g, list, first, j)->status = GNTST_general_error;
			return;
		}
		g->refs[k] = e->gref;
	}
	STAT_ADD(g->stats->grant_maps, 1);
	pages = xengnttab_map_domain_grant_refs(g->xgt, count, g->domid, g->refs,
						to_guest ? PROT_READ | PROT_WRITE : PROT_READ);
	for (unsigned k = 0; k < count; k++) {
		struct gio_ent *e = batch_ent(g, list, first, k);

		if (!pages) {
			e->status = GNTST_general_error;
			continue;
		}
		uint8_t *guest = pages + (size_t)k * XEN_PAGE_BYTES + e->offset;
		if (e->to_guest)
			memcpy(guest, e->local, e->len);
		else
			memcpy(e->local, guest, e->len);
		e->status = GNTST_okay;
	}
	if (!pages)
		return;
	STAT_ADD(g->stats->grant_unmaps, 1);
	xengnttab_unmap(g->xgt, pages, count);
}

void gio_run(struct gio *g, unsigned first, unsigned count)
{
	if (count == 0 || first > g->n || count > g->n - first)
		return;
	if (g->mode == GRANT_MODE_MAP)
		gio_map_transient(g, NULL, first, count);
	else if (g->mode == GRANT_MODE_PERSISTENT)
		gio_run_persistent(g, first, count);
	else
		run_copy(g, first, count);
}

bool gio_all_ok(const struct gio *g, unsigned first, unsigned count)
{
	for (unsigned i = first; i < first + count && i < g->n; i++)
		if (g->ents[i].status != GNTST_okay)
			return false;
	return true;
}
