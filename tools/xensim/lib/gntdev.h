/*
 * The handle behind xengnttab_handle and xengntshr_handle (Xen's headers
 * name both struct xengntdev_handle): what one open of Linux's gntdev or
 * gntalloc would hold.
 */
#ifndef XENSIM_GNTDEV_H
#define XENSIM_GNTDEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <xen/event_channel.h>

#include "simshm.h"

/* Linux gntdev refuses a single map request larger than this (EINVAL). */
#define SIM_GNTDEV_MAX_REQUEST 65536u

struct gnt_page {
	struct sim_dom *dom;   /* granting domain (mapping side) or own domain */
	uint32_t ref;
	uint32_t page;         /* page in dom's memory (sharing side) */
	uint32_t jidx;         /* its journal entry */
	bool live;             /* sharing side: not yet unshared */
};

/* One journal entry (gntjournal.c): a grant a handle holds. */
enum { SIM_J_FREE = 0, SIM_J_MAP_RO, SIM_J_MAP_RW, SIM_J_SHARED };
#define SIM_JOURNAL_MAX (1u << 20) /* grants one handle may hold */
struct sim_jentry {
	uint32_t domid, gen, ref, state;
};
struct sim_journal;

/* An unmap notification, as gntdev's / gntalloc's UNMAP_NOTIFY. */
struct gnt_notify {
	int32_t offset;        /* byte to clear, or -1 */
	int32_t port;          /* port to notify, or -1 */
};

/* The (offset, port) of the *_notify calls: -1 means none, as in
 * libxengnttab. -1 with errno EINVAL when the offset leaves the page. */
int gnt_notify_parse(uint32_t offset, evtchn_port_t port, struct gnt_notify *out);

struct gnt_region {
	struct gnt_region *next;
	uint8_t *addr;
	uint32_t count;
	uint32_t live;         /* pages not yet unshared */
	bool write;
	struct gnt_notify notify;
	struct gnt_page pages[];
};

struct xengntdev_handle {
	struct sim_ctx *ctx;
	uint32_t domid;        /* the domain this process runs in */
	int fd;                /* what xengnttab_fd / xengntshr_fd return */
	pthread_mutex_t lock;  /* regions, mapped */
	struct gnt_region *regions;
	uint64_t mapped;       /* pages mapped through this handle */
	uint32_t max_grants;   /* 0: no limit set */
	struct sim_journal *journal; /* shared: what this handle holds */
	uint64_t *jmap;        /* journal entries in use */
	uint32_t jslot, jgen;
};

/* A handle's journal: taken at open, given back at close. */
int sim_journal_open(struct xengntdev_handle *h);
void sim_journal_close(struct xengntdev_handle *h);
/* Record a grant of d held (state SIM_J_*): its index, or -ENOMEM. */
long sim_journal_add(struct xengntdev_handle *h, struct sim_dom *d, uint32_t ref,
		     uint32_t state);
void sim_journal_del(struct xengntdev_handle *h, uint32_t idx);

struct xengntdev_handle *sim_gntdev_open(void);
void sim_gntdev_free(struct xengntdev_handle *h);
/* Reserve `count` pages of address space; NULL with errno. */
uint8_t *sim_va_reserve(uint32_t count);
/* Map `n` pages of d's memory from `page` at `at` (MAP_FIXED). */
int sim_va_map_pages(uint8_t *at, struct sim_dom *d, uint32_t page, uint32_t n, int prot);
/* Take the region starting at addr and spanning count pages off the list
 * (NULL if there is none). Caller holds h->lock. */
struct gnt_region *sim_region_find(struct xengntdev_handle *h, void *addr,
				   uint32_t count, bool unlink);
/* Send an event on a port of `domid` (Xen's EVTCHNOP_send, evtsend.c). */
void sim_evtchn_send(struct sim_ctx *ctx, uint32_t domid, uint32_t port);
/* Make the handle (slot, gen)'s fd readable. */
void sim_evtchn_wake(struct sim_ctx *ctx, uint32_t slot, uint32_t gen);
/* DIR/evtchn/h<slot>.<gen>: the FIFO behind an event channel handle. */
int sim_fifo_path(struct sim_ctx *ctx, uint32_t slot, uint32_t gen, char *buf,
		  size_t len);

#endif
