/*
 * What each grant handle holds: the grants it has mapped (pinned) or
 * shared, in a shared file per handle, so that another process can undo
 * them when the owner dies. The kernel does that for real gntdev/gntalloc
 * users at exit; without it a crashed backend would leave GTF_reading set
 * and its destroyed guest a zombie for ever.
 *
 * DIR/gnt/h<slot>.<gen>: a header, then SIM_JOURNAL_MAX entries (sparse).
 * An entry is written after the pin it records and cleared before the
 * unpin, so a death in between leaks a pin rather than undoing another's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gntdev.h"
#include "grant.h"

#define JOURNAL_HDR 64u
#define JOURNAL_SIZE (JOURNAL_HDR + (size_t)SIM_JOURNAL_MAX * sizeof(struct sim_jentry))

struct sim_journal {
	uint32_t hiwat;        /* entries past this were never used */
	uint32_t pad[JOURNAL_HDR / 4 - 1];
	struct sim_jentry e[];
};

static int journal_path(struct sim_ctx *ctx, uint32_t slot, uint32_t gen, char *buf,
			size_t len)
{
	int n = snprintf(buf, len, "%s/gnt/h%u.%u", ctx->dir, slot, gen);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static struct sim_journal *journal_map(const char *path, bool create)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0600);
	void *p = MAP_FAILED;

	if (fd < 0)
		return NULL;
	if (!create || ftruncate(fd, (off_t)JOURNAL_SIZE) == 0)
		p = mmap(NULL, JOURNAL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int slot_take(struct xengntdev_handle *h)
{
	struct sim_host *host = h->ctx->host;
	int rc = -EMFILE;

	sim_lock(&host->lock);
	for (uint32_t i = 0; i < SIM_MAX_HANDLES; i++) {
		struct sim_handle_slot *s = &host->gnt_handles[i];

		if (s->pid != 0)
			continue;
		s->gen++;
		s->pid = getpid();
		s->domid = h->domid;
		h->jslot = i;
		h->jgen = s->gen;
		rc = 0;
		break;
	}
	sim_unlock(&host->lock);
	return rc;
}

static void slot_give_back(struct sim_ctx *ctx, uint32_t slot)
{
	sim_lock(&ctx->host->lock);
	ctx->host->gnt_handles[slot].pid = 0;
	sim_unlock(&ctx->host->lock);
}

int sim_journal_open(struct xengntdev_handle *h)
{
	char path[PATH_MAX];
	int rc;

	sim_reclaim_dead(h->ctx);
	rc = slot_take(h);
	if (rc < 0)
		return rc;
	rc = journal_path(h->ctx, h->jslot, h->jgen, path, sizeof(path));
	if (rc == 0) {
		h->journal = journal_map(path, true);
		h->jmap = calloc(SIM_JOURNAL_MAX / 64, sizeof(uint64_t));
		rc = h->journal && h->jmap ? 0 : -ENOMEM;
	}
	if (rc < 0)
		sim_journal_close(h);
	return rc;
}

void sim_journal_close(struct xengntdev_handle *h)
{
	char path[PATH_MAX];

	if (h->journal)
		munmap(h->journal, JOURNAL_SIZE);
	free(h->jmap);
	h->journal = NULL;
	h->jmap = NULL;
	if (journal_path(h->ctx, h->jslot, h->jgen, path, sizeof(path)) == 0)
		unlink(path);
	slot_give_back(h->ctx, h->jslot);
}

long sim_journal_add(struct xengntdev_handle *h, struct sim_dom *d, uint32_t ref,
		     uint32_t state)
{
	long i = sim_bitmap_alloc(h->jmap, SIM_JOURNAL_MAX, 0, 0);
	struct sim_jentry *e;
	uint32_t hi;

	if (i < 0)
		return -ENOMEM;
	e = &h->journal->e[i];
	e->domid = d->domid;
	e->gen = d->generation;
	e->ref = ref;
	__atomic_store_n(&e->state, state, __ATOMIC_RELEASE);
	hi = __atomic_load_n(&h->journal->hiwat, __ATOMIC_RELAXED);
	while (hi <= (uint32_t)i &&
	       !__atomic_compare_exchange_n(&h->journal->hiwat, &hi, (uint32_t)i + 1,
					    false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	return i;
}

void sim_journal_del(struct xengntdev_handle *h, uint32_t idx)
{
	if (idx >= SIM_JOURNAL_MAX)
		return;
	__atomic_store_n(&h->journal->e[idx].state, SIM_J_FREE, __ATOMIC_RELEASE);
	sim_bitmap_free(h->jmap, SIM_JOURNAL_MAX, idx);
}

/* Undo one entry of a dead handle that ran in domain `owner`. */
static void undo_entry(struct sim_ctx *ctx, uint32_t owner, struct sim_jentry *e)
{
	uint32_t state = e->state;
	struct sim_dom *d = sim_dom_get(ctx, e->domid);
	struct simhost_stats *st = sim_stats(ctx, owner);

	e->state = SIM_J_FREE;
	if (!d || d->generation != e->gen)
		return; /* that domain is gone: nothing of it left to undo */
	if (state == SIM_J_SHARED) {
		sim_grant_end_access(ctx, d, e->ref);
		return;
	}
	sim_grant_unpin(ctx, d, e->ref, state == SIM_J_MAP_RW);
	sim_count_peak(&st->mapped_now, &st->mapped_peak, -1);
	if (e->domid != owner) {
		__atomic_sub_fetch(&ctx->host->dom[e->domid].foreign_mapped, 1,
				   __ATOMIC_SEQ_CST);
		sim_dom_reap_if_done(ctx, e->domid);
	}
}

static void undo_journal(struct sim_ctx *ctx, uint32_t slot, uint32_t gen, uint32_t owner)
{
	char path[PATH_MAX];
	struct sim_journal *j;
	uint32_t hi;

	if (journal_path(ctx, slot, gen, path, sizeof(path)) < 0)
		return;
	j = journal_map(path, false);
	if (j) {
		hi = __atomic_load_n(&j->hiwat, __ATOMIC_ACQUIRE);
		for (uint32_t i = 0; i < hi && i < SIM_JOURNAL_MAX; i++)
			if (__atomic_load_n(&j->e[i].state, __ATOMIC_ACQUIRE) != SIM_J_FREE)
				undo_entry(ctx, owner, &j->e[i]);
		munmap(j, JOURNAL_SIZE);
	}
	unlink(path);
}

void sim_gnt_reclaim_dead(struct sim_ctx *ctx)
{
	struct sim_handle_slot dead[16];
	uint32_t slots[16], n;

	do {
		n = 0;
		/* Claim under the lock; undo outside it (unpin takes locks). */
		sim_lock(&ctx->host->lock);
		for (uint32_t i = 0; i < SIM_MAX_HANDLES && n < 16; i++) {
			struct sim_handle_slot *s = &ctx->host->gnt_handles[i];

			if (!sim_pid_dead(s->pid))
				continue;
			dead[n] = *s;
			slots[n++] = i;
			s->pid = 0;
		}
		sim_unlock(&ctx->host->lock);
		for (uint32_t i = 0; i < n; i++)
			if (dead[i].domid < SIM_MAX_DOMS)
				undo_journal(ctx, slots[i], dead[i].gen, dead[i].domid);
	} while (n == 16);
}
