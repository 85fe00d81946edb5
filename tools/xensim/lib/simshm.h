/*
 * The simulated host's shared memory, as every process sees it.
 *
 * DIR/host.shm          one struct sim_host: the domain table, per-domain
 *                       counters, the event channel port table and the
 *                       table of event channel handles.
 * DIR/dom<N>.<gen>.mem  domain N's file: a header, its v1 grant table, the
 *                       hypervisor's private per-grant state, allocation
 *                       bitmaps, then the domain's memory pages. <gen>
 *                       changes each time domid N is created, so a process
 *                       never confuses a reaped domain with its successor.
 * DIR/evtchn/h<slot>.<gen>  one FIFO per event channel handle: the byte
 *                       stream that makes the handle's fd pollable.
 * DIR/gnt/h<slot>.<gen> one journal per grant handle: what it has mapped
 *                       or shared, undone when its process dies.
 *
 * Everything here may be scribbled on by another process: readers bound
 * every index they take from it.
 */
#ifndef XENSIM_SIMSHM_H
#define XENSIM_SIMSHM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/grant_table.h>

#include "simhost.h"

#define SIM_PAGE_SIZE   4096u
#define SIM_MAGIC_HOST  0x58534d48u /* "XSMH" */
#define SIM_MAGIC_DOM   0x58534d44u /* "XSMD" */
#define SIM_VERSION     2u

#define SIM_MAX_DOMS    1024u   /* domids 0 .. SIM_MAX_DOMS-1 */
#define SIM_NR_GRANTS   32768u  /* 64 v1 frames: Xen 4.17's default max */
#define SIM_NR_RESERVED_GRANTS 8u /* Linux keeps refs 0-7 (xenstore, console) */
#define SIM_NR_PORTS    1024u   /* ports 1..1023, Xen's default per guest */
#define SIM_MAX_HANDLES 512u    /* event channel handles, host-wide */
#define SIM_MAX_MEM_MIB 65536u

enum sim_dom_state { SIM_DOM_FREE = 0, SIM_DOM_ALIVE, SIM_DOM_DYING };

struct sim_dom_info {
	uint32_t state;           /* enum sim_dom_state; host lock */
	uint32_t generation;      /* names the domain file */
	uint32_t npages;
	uint32_t pad;
	uint64_t foreign_mapped;  /* its pages mapped now by other domains */
	struct simhost_stats stats; /* charged to this domain as the caller */
};

enum sim_port_state { SIM_PORT_FREE = 0, SIM_PORT_UNBOUND, SIM_PORT_INTERDOMAIN };

/* Delivery state of a port's receiving end, one atomic word (evstate.h):
 * two flags and, from bit 8, deliveries not yet returned by pending(). */
#define SIM_EV_PENDING   1u     /* notified while masked */
#define SIM_EV_MASKED    2u     /* delivered, not yet unmasked */
#define SIM_EV_ONE       0x100u /* one delivery */

struct sim_port {
	uint32_t state;        /* enum sim_port_state; host lock */
	uint32_t remote_dom;
	uint32_t remote_port;
	uint32_t handle_slot;  /* the local handle owning it */
	uint32_t handle_gen;
	uint32_t ev;           /* SIM_EV_*, atomic */
};

struct sim_handle_slot {
	uint32_t gen;          /* bumped at each allocation; 0 = never used */
	int32_t pid;           /* 0 = free */
	uint32_t domid;
	uint32_t pad;
};

struct sim_host {
	uint32_t magic, version;
	uint64_t host_id;
	pthread_mutex_t lock;  /* robust, process-shared */
	struct sim_dom_info dom[SIM_MAX_DOMS];
	struct sim_handle_slot handles[SIM_MAX_HANDLES];     /* evtchn */
	struct sim_handle_slot gnt_handles[SIM_MAX_HANDLES]; /* gnttab, gntshr */
	struct sim_port ports[SIM_MAX_DOMS][SIM_NR_PORTS];
};

/* Hypervisor-private state of one grant ref (Xen's active entry). */
struct sim_active {
	uint32_t pins;         /* live mappings + copies in progress */
	uint32_t wpins;        /* of which writable */
	uint32_t deferred;     /* guest ended access while mapped: release at last unpin */
	uint32_t page;         /* the page gntshr allocated for it */
};

struct sim_dom_hdr {
	uint32_t magic, version;
	uint32_t domid, generation, npages;
	uint32_t pad;
	uint64_t grant_off, active_off, refmap_off, pagemap_off, mem_off, size;
	pthread_mutex_t gnt_lock; /* robust, process-shared: pins and releases */
};

/* Where each part of a domain file lives (pure: a function of npages). */
struct sim_dom_layout {
	uint64_t grant_off, active_off, refmap_off, pagemap_off, mem_off, size;
};
void sim_dom_layout(uint32_t npages, struct sim_dom_layout *out);

/* A process's mapping of one domain file (one per domid and generation). */
struct sim_dom {
	uint32_t domid, generation, npages;
	int fd;                   /* the domain file, for mmap of single pages */
	uint8_t *base;            /* the whole file, read-write */
	struct sim_dom_hdr *hdr;
	grant_entry_v1_t *grants;
	struct sim_active *active;
	uint64_t *refmap;         /* 1 bit per ref: allocated */
	uint64_t *pagemap;        /* 1 bit per page: allocated */
	uint8_t *mem;
	uint64_t mem_off;         /* computed here, not read from the file */
	struct sim_dom *retired;  /* older generations of this domid */
};

/* A process's view of one host. */
struct sim_ctx {
	char *dir;
	struct sim_host *host;
	struct sim_dom *doms[SIM_MAX_DOMS]; /* current generation, or NULL */
	pthread_mutex_t doms_lock;
	int fifo_fd[SIM_MAX_HANDLES];       /* write ends of other handles' FIFOs */
	uint32_t fifo_gen[SIM_MAX_HANDLES];
	pthread_mutex_t fifo_lock;
};

/* The host named by XENSIM_DIR (NULL with errno when there is none). */
struct sim_ctx *sim_ctx_env(void);
/* The host in DIR (cached per process). */
struct sim_ctx *sim_ctx_open(const char *dir);
/* XENSIM_DOMID, or 0; -EINVAL for junk or out of range. */
int sim_env_domid(void);

/* Domain `domid`'s file as this process maps it, whatever its state
 * (alive or zombie); NULL with errno ESRCH if the domid is free. */
struct sim_dom *sim_dom_get(struct sim_ctx *ctx, uint32_t domid);
bool sim_dom_alive(struct sim_ctx *ctx, uint32_t domid);
/* A zombie whose last foreign mapping went: free the domid. */
void sim_dom_reap_if_done(struct sim_ctx *ctx, uint32_t domid);
int sim_dom_file_path(const char *dir, uint32_t domid, uint32_t gen,
		      char *buf, size_t len);

/* Close port `port` of `domid`: an interdomain peer sees its end unbound
 * (Xen's EVTCHNOP_close). Host lock held. */
void sim_port_close(struct sim_host *h, uint32_t domid, uint32_t port);

/* Undo what grant handles of dead processes held: unpin their mappings,
 * end their shares, reap domains that were waiting for it (gntjournal.c). */
void sim_gnt_reclaim_dead(struct sim_ctx *ctx);
/* That and close dead processes' event channel ports (reclaim.c). */
void sim_reclaim_dead(struct sim_ctx *ctx);
/* The process is gone (a pid of 0 or less never is). */
bool sim_pid_dead(int32_t pid);

/* Robust process-shared mutexes. */
int sim_mutex_init_shared(pthread_mutex_t *m);
void sim_lock(pthread_mutex_t *m);
void sim_unlock(pthread_mutex_t *m);

/* Counters (relaxed atomics on shared memory). */
static inline void sim_count(uint64_t *c, uint64_t n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}
void sim_count_peak(uint64_t *now, uint64_t *peak, int64_t delta);
static inline struct simhost_stats *sim_stats(struct sim_ctx *ctx, uint32_t domid)
{
	return &ctx->host->dom[domid % SIM_MAX_DOMS].stats;
}

/* Bitmap allocator over shared words, lock-free (pagealloc.c).
 * Returns the index of a bit it set, or -ENOSPC. */
long sim_bitmap_alloc(uint64_t *map, uint32_t nbits, uint32_t first, uint32_t hint);
void sim_bitmap_free(uint64_t *map, uint32_t nbits, uint32_t bit);
bool sim_bitmap_test(const uint64_t *map, uint32_t nbits, uint32_t bit);

#endif
