/*
 * The xenstore nodes a blkfront writes to connect, as blkif.h lays them
 * out: ring-page-order (order > 0), ring-ref or ring-ref0..N-1 and
 * event-channel at the top level for one queue or under queue-<i>/ with
 * multi-queue-num-queues for several, protocol, feature-persistent.
 * Pure: the caller writes them (in one transaction).
 */
#ifndef BLKFRONT_NODES_H
#define BLKFRONT_NODES_H

#include <stdbool.h>
#include <stdint.h>

#define BF_NODES_MAX_QUEUES 16
#define BF_NODES_MAX_PAGES  16
/* 16 queues x (16 ring-refs + event-channel) + 4 top-level nodes */
#define BF_NODES_MAX (BF_NODES_MAX_QUEUES * (BF_NODES_MAX_PAGES + 1) + 4)

struct bf_node {
	char node[40];   /* relative to the frontend dir */
	char value[64];
};

struct bf_nodes_in {
	unsigned ring_order;          /* pages per ring = 1 << order */
	unsigned nr_queues;           /* >= 1 */
	const uint32_t *ring_refs;    /* nr_queues x (1 << order), queue-major */
	const int *ports;             /* nr_queues event channels */
	const char *protocol;         /* NULL or "": no protocol node */
	bool persistent;              /* feature-persistent = 1 */
};

/* Fill out[] (room for max); returns the count, or -EINVAL / -E2BIG. */
int bf_ring_nodes(const struct bf_nodes_in *in, struct bf_node *out,
		  unsigned max);

#endif
