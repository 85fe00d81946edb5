/* The nodes a blkfront writes to connect; see nodes.h. */
#include "nodes.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

struct node_list {
	struct bf_node *out;
	unsigned n, max;
	bool overflow;
};

static void add(struct node_list *l, const char *value, const char *node_fmt,
		...) __attribute__((format(printf, 3, 4)));

/* One node, named by node_fmt and its arguments. */
static void add(struct node_list *l, const char *value, const char *node_fmt, ...)
{
	va_list ap;

	if (l->n == l->max) {
		l->overflow = true;
		return;
	}
	va_start(ap, node_fmt);
	vsnprintf(l->out[l->n].node, sizeof(l->out[l->n].node), node_fmt, ap);
	va_end(ap);
	snprintf(l->out[l->n].value, sizeof(l->out[l->n].value), "%s", value);
	l->n++;
}

static void add_queue(struct node_list *l, const struct bf_nodes_in *in,
		      unsigned q, const char *prefix)
{
	unsigned pages = 1u << in->ring_order;
	char v[24];

	for (unsigned i = 0; i < pages; i++) {
		snprintf(v, sizeof(v), "%" PRIu32, in->ring_refs[q * pages + i]);
		if (pages == 1)
			add(l, v, "%sring-ref", prefix);
		else
			add(l, v, "%sring-ref%u", prefix, i);
	}
	snprintf(v, sizeof(v), "%d", in->ports[q]);
	add(l, v, "%sevent-channel", prefix);
}

int bf_ring_nodes(const struct bf_nodes_in *in, struct bf_node *out,
		  unsigned max)
{
	struct node_list l = { .out = out, .max = max };
	char v[24];

	if (in->nr_queues == 0 || in->nr_queues > BF_NODES_MAX_QUEUES ||
	    (1u << in->ring_order) > BF_NODES_MAX_PAGES)
		return -EINVAL;
	if (in->ring_order > 0) {
		snprintf(v, sizeof(v), "%u", in->ring_order);
		add(&l, v, "ring-page-order");
	}
	if (in->nr_queues == 1) {
		add_queue(&l, in, 0, "");
	} else {
		snprintf(v, sizeof(v), "%u", in->nr_queues);
		add(&l, v, "multi-queue-num-queues");
		for (unsigned q = 0; q < in->nr_queues; q++) {
			char prefix[24];

			snprintf(prefix, sizeof(prefix), "queue-%u/", q);
			add_queue(&l, in, q, prefix);
		}
	}
	if (in->protocol && in->protocol[0])
		add(&l, in->protocol, "protocol");
	if (in->persistent)
		add(&l, "1", "feature-persistent");
	return l.overflow ? -E2BIG : (int)l.n;
}
