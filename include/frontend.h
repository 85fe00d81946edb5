/*
 * What the frontend tells the backend at connect time, read from its
 * xenstore directory and checked against what we advertised: the ring
 * pages (ring-ref, or ring-page-order + ring-ref<N>, or the older
 * num-ring-pages), the queues (multi-queue-num-queues + queue-<N>/...), the
 * event channels, the ABI (protocol) and feature-persistent.
 *
 * Pure: nodes are read through a callback so tests can feed any values.
 */
#ifndef MEMBACK_FRONTEND_H
#define MEMBACK_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring_queue.h"

#define FRONTEND_MAX_QUEUES 16

struct frontend_limits {
	unsigned max_ring_order; /* what we advertised in max-ring-page-order */
	unsigned max_queues;     /* what we advertised in multi-queue-max-queues */
};

struct frontend_queue {
	unsigned ring_order;
	uint32_t ring_refs[RING_MAX_PAGES];
	uint32_t event_channel;
};

struct frontend_rings {
	enum blkif_abi abi;
	bool persistent;
	unsigned nr_queues;
	struct frontend_queue queue[FRONTEND_MAX_QUEUES];
};

/* Read node `name` (relative to the frontend directory) into buf;
 * -ENOENT when absent. */
typedef int (*frontend_read_fn)(void *ctx, const char *name, char *buf, size_t len);

/* 0, or -EINVAL/-ENOENT with a one-line reason in err. */
int frontend_read_rings(frontend_read_fn read, void *ctx,
			const struct frontend_limits *lim,
			struct frontend_rings *out, char *err, size_t errlen);

/* "x86_64-abi" etc.; NULL or absent means native. -EINVAL if unknown. */
int frontend_parse_protocol(const char *s, enum blkif_abi *out);

#endif
