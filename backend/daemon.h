/* The daemon's state shared by main, the device code and the control socket. */
#ifndef MEMBACK_DAEMON_H
#define MEMBACK_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>

#include "pool.h"
#include "queue_budget.h"
#include "ring_queue.h"
#include "state_dir.h"

struct vbd;
struct xs_watchconn;
struct watch_pending;

struct daemon_config {
	uint64_t pool_size;
	bool overcommit;
	bool hugepages;
	bool mlock;
	const char *backend_type;   /* "vbd" */
	const char *control_path;
	unsigned max_ring_order;    /* advertised max-ring-page-order */
	unsigned max_queues;        /* advertised multi-queue-max-queues */
	unsigned max_indirect_segments;
	enum grant_mode grant_mode;
	unsigned max_pgrants;       /* persistent grants per queue; 0: default */
	unsigned max_grant_maps;    /* ... all queues together; 0: from the system */
	unsigned poll_us;
	const char *image_dir;      /* image=/save= must lie under it; "" any */
	const char *metrics;        /* --metrics: where, or NULL (off) */
	unsigned pool_warn_pct;     /* warn when the pool is this full; 0 off */
	const char *state_dir;      /* what outlives the process; "" none */
};

struct daemon {
	struct daemon_config cfg;
	struct xs_handle *xs;        /* reads and writes; registers no watch */
	struct xs_watchconn *wc;     /* every watch, read in bounded batches */
	struct watch_pending *pending; /* coalesced events not yet handled */
	struct queue_budget queues;  /* threads and fds, all devices together */
	unsigned self_domid;
	char backend_base[96];      /* /local/domain/<self>/backend/<type> */
	struct pool *pool;
	struct vbd *vbds;           /* every device we know of */
	int fatal_fd;               /* eventfd: a queue worker hit a fatal error,
	                             * or an image load/save ended */
	struct vbd *zombies;        /* destroyed, their save still running */
	bool stopping;              /* shutting down: saves are waited for */
	bool pool_warned;           /* past pool-warn (housekeeping.c) */
	bool kernel_backend_seen;   /* the kernel serves our backend type */
	struct state_dir state;     /* what outlives the process (no dir: none) */
	unsigned adopt_waiting;     /* kept disks no device has taken up yet */
	int shutdown_client;        /* "shutdown" asked on the control socket:
	                             * answered once done; -1 none */
};

/* Watch tokens. */
#define TOKEN_BACKEND "memback:be"
#define TOKEN_RELEASE "memback:release"
#define TOKEN_FRONTEND_PREFIX "memback:fe:"

#endif
