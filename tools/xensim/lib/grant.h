/*
 * The hypervisor's side of a grant: validate an entry and pin it for a
 * mapping or a copy, unpin it, and the guest's end of access. Shared by
 * the mapping side (gnttab.c, gntcopy.c) and the granting side (gntshr.c).
 */
#ifndef XENSIM_GRANT_H
#define XENSIM_GRANT_H

#include <stdbool.h>
#include <stdint.h>

#include "simshm.h"

/* Validate `ref` of domain `d` for access by domain `user` (writable or
 * not) and pin it: GTF_reading (and GTF_writing) stay set until the last
 * unpin. Returns GNTST_okay and the page, or a GNTST_* error. */
int sim_grant_pin(struct sim_dom *d, uint32_t ref, uint32_t user, bool write,
		  uint32_t *page);
void sim_grant_unpin(struct sim_ctx *ctx, struct sim_dom *d, uint32_t ref, bool write);
/* The same for n grants of one domain under one hold of its grant lock,
 * as one hypercall handles a batch of ops: st[i] and pages[i] per grant;
 * unpin_many unpins those whose st[i] is GNTST_okay. */
void sim_grant_pin_many(struct sim_dom *d, unsigned n, const uint32_t *refs,
			const bool *write, uint32_t user, uint32_t *pages, int16_t *st);
void sim_grant_unpin_many(struct sim_ctx *ctx, struct sim_dom *d, unsigned n,
			  const uint32_t *refs, const bool *write, const int16_t *st);

/* Pure check of an entry's (flags, domid) word, as Xen does before
 * pinning: GNTST_okay or the GNTST_* error. */
int sim_grant_check(uint32_t flags_domid, uint32_t user, bool write);

/* The granting guest ends access to `ref` and frees its page. If the grant
 * is mapped, the release is deferred to the last unpin (as Linux's gntalloc
 * defers it) and -EBUSY is returned. */
int sim_grant_end_access(struct sim_ctx *ctx, struct sim_dom *d, uint32_t ref);

/* A page of the domain's memory, for copies (bounded). */
static inline uint8_t *sim_dom_page(struct sim_dom *d, uint32_t page)
{
	return page < d->npages ? d->mem + (uint64_t)page * SIM_PAGE_SIZE : NULL;
}

#endif
