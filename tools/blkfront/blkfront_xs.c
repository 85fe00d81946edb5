/*
 * blkfront's xenstore side: reading the frontend and backend nodes, the
 * XenbusState handshake and the publish transaction.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/protocols.h>
#include <xen/io/xenbus.h>

#include "blkfront_priv.h"
#include "nodes.h"

#define WATCH_TOKEN "blkfront-backend-state"

static const char *const state_names[] = {
	"Unknown", "Initialising", "InitWait", "Initialised", "Connected",
	"Closing", "Closed", "Reconfiguring", "Reconfigured",
};

const char *bf_state_name(int state)
{
	if (state == -ENOENT)
		return "absent";
	if (state < 0 || (unsigned)state >= sizeof(state_names) / sizeof(state_names[0]))
		return "invalid";
	return state_names[state];
}

int bf_fail(struct blkfront *bf, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bf->err, sizeof(bf->err), fmt, ap);
	va_end(ap);
	return rc;
}

/* Read dir/node into a malloc'd string, NULL if absent. */
static char *read_node(struct blkfront *bf, const char *dir, const char *node)
{
	char path[256];
	unsigned len;

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	return xs_read(bf->xs, XBT_NULL, path, &len);
}

/* An unsigned node: 0 if read, -ENOENT if absent, -EINVAL if garbage. */
static int read_u64(struct blkfront *bf, const char *dir, const char *node,
		    uint64_t *out)
{
	char *s = read_node(bf, dir, node), *end;
	int rc = 0;

	if (!s)
		return -ENOENT;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		rc = -EINVAL;
	free(s);
	return rc;
}

static unsigned read_uint_or(struct blkfront *bf, const char *dir,
			     const char *node, unsigned dflt)
{
	uint64_t v;

	if (read_u64(bf, dir, node, &v) || v > UINT32_MAX)
		return dflt;
	return (unsigned)v;
}

int bf_xs_connect(struct blkfront *bf)
{
	bf->xs = xs_open(0);
	if (!bf->xs)
		return bf_fail(bf, -errno, "cannot connect to xenstore: %s",
			       strerror(errno));
	bf->xsfd = xs_fileno(bf->xs);
	if (bf->xsfd < 0)
		return bf_fail(bf, -EIO, "xs_fileno failed");
	return 0;
}

void bf_xs_disconnect(struct blkfront *bf)
{
	if (!bf->xs)
		return;
	if (bf->info.backend[0])
		xs_unwatch(bf->xs, bf->info.backend, WATCH_TOKEN);
	xs_close(bf->xs);
	bf->xs = NULL;
}

/* device/vbd/<devid>/{backend,backend-id}; watch the backend's state. */
int bf_xs_read_frontend(struct blkfront *bf)
{
	char *be, *dom;
	uint64_t id;

	be = read_node(bf, bf->devdir, "backend");
	if (!be)
		return bf_fail(bf, -ENOENT, "no %s/backend in xenstore (%s): "
			       "is device %u attached to this domain?",
			       bf->devdir, strerror(errno), bf->opts.devid);
	snprintf(bf->info.backend, sizeof(bf->info.backend), "%s", be);
	free(be);
	if (read_u64(bf, bf->devdir, "backend-id", &id) || id > 0x7fef)
		return bf_fail(bf, -EINVAL, "%s/backend-id missing or invalid",
			       bf->devdir);
	bf->info.backend_id = (unsigned)id;
	dom = xs_read(bf->xs, XBT_NULL, "domid", NULL);
	snprintf(bf->info.frontend, sizeof(bf->info.frontend),
		 "/local/domain/%s/%s", dom ? dom : "?", bf->devdir);
	free(dom);
	/* Watching the backend dir catches its state and its removal. */
	if (!xs_watch(bf->xs, bf->info.backend, WATCH_TOKEN))
		return bf_fail(bf, -errno, "cannot watch %s: %s",
			       bf->info.backend, strerror(errno));
	return 0;
}

/* What the backend offers for negotiation (written by InitWait). */
void bf_xs_read_features(struct blkfront *bf)
{
	struct blkfront_info *in = &bf->info;
	const char *be = in->backend;

	in->max_ring_order = read_uint_or(bf, be, "max-ring-page-order", 0);
	in->max_queues = read_uint_or(bf, be, "multi-queue-max-queues", 1);
	in->max_indirect_segments =
		read_uint_or(bf, be, "feature-max-indirect-segments", 0);
	in->feature_flush = read_uint_or(bf, be, "feature-flush-cache", 0) == 1;
	in->feature_barrier = read_uint_or(bf, be, "feature-barrier", 0) == 1;
	in->feature_discard = read_uint_or(bf, be, "feature-discard", 0) == 1;
	in->feature_persistent = read_uint_or(bf, be, "feature-persistent", 0) == 1;
	in->discard_secure = read_uint_or(bf, be, "discard-secure", 0) == 1;
	in->discard_granularity = read_uint_or(bf, be, "discard-granularity", 0);
	in->discard_alignment = read_uint_or(bf, be, "discard-alignment", 0);
}

/* The disk's geometry, which the backend must have written by Connected. */
int bf_xs_read_disk(struct blkfront *bf)
{
	struct blkfront_info *in = &bf->info;
	uint64_t v;
	char *mode;

	bf_xs_read_features(bf);
	if (read_u64(bf, in->backend, "sectors", &in->sectors))
		return bf_fail(bf, -EPROTO, "%s/sectors missing or invalid",
			       in->backend);
	if (read_u64(bf, in->backend, "info", &v) || v > UINT32_MAX)
		return bf_fail(bf, -EPROTO, "%s/info missing or invalid",
			       in->backend);
	in->info = (unsigned)v;
	if (read_u64(bf, in->backend, "sector-size", &v) || v < 512 ||
	    v > 65536 || (v & (v - 1)))
		return bf_fail(bf, -EPROTO, "%s/sector-size missing or invalid",
			       in->backend);
	in->sector_size = (unsigned)v;
	in->physical_sector_size = read_uint_or(bf, in->backend,
						"physical-sector-size",
						in->sector_size);
	mode = read_node(bf, in->backend, "mode");
	in->readonly = (in->info & VDISK_READONLY) || (mode && mode[0] == 'r');
	free(mode);
	return 0;
}

/* The normal value unless an override names this node. */
static bool overridden(const struct blkfront *bf, const char *node)
{
	for (unsigned i = 0; i < bf->opts.nr_overrides; i++)
		if (strcmp(bf->opts.overrides[i].node, node) == 0)
			return true;
	return false;
}

static int tx_write(struct blkfront *bf, xs_transaction_t t,
		    const struct bf_node *n)
{
	char path[256];

	if (overridden(bf, n->node))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", bf->devdir, n->node);
	if (!xs_write(bf->xs, t, path, n->value, (unsigned)strlen(n->value)))
		return -errno;
	return 0;
}

static int tx_apply_overrides(struct blkfront *bf, xs_transaction_t t)
{
	for (unsigned i = 0; i < bf->opts.nr_overrides; i++) {
		const struct blkfront_override *o = &bf->opts.overrides[i];
		char path[256];
		bool ok;

		snprintf(path, sizeof(path), "%s/%s", bf->devdir, o->node);
		if (o->value)
			ok = xs_write(bf->xs, t, path, o->value,
				      (unsigned)strlen(o->value));
		else
			ok = xs_rm(bf->xs, t, path) || errno == ENOENT;
		if (!ok)
			return -errno;
	}
	return 0;
}

/* What an earlier connection of this device published and this one may
 * not (another queue count or ring order): the backend must not see it. */
static int tx_remove_stale(struct blkfront *bf, xs_transaction_t t)
{
	static const char *const names[] = { "multi-queue-num-queues", "ring-page-order",
					      "num-ring-pages", "ring-ref", "event-channel",
					      "feature-persistent" };
	char path[256];

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", bf->devdir, names[i]);
		if (!xs_rm(bf->xs, t, path) && errno != ENOENT)
			return -errno;
	}
	for (unsigned i = 0; i < BF_NODES_MAX_PAGES; i++) {
		snprintf(path, sizeof(path), "%s/ring-ref%u", bf->devdir, i);
		if (!xs_rm(bf->xs, t, path) && errno != ENOENT)
			return -errno;
	}
	for (unsigned i = 0; i < BF_NODES_MAX_QUEUES; i++) {
		snprintf(path, sizeof(path), "%s/queue-%u", bf->devdir, i);
		if (!xs_rm(bf->xs, t, path) && errno != ENOENT)
			return -errno;
	}
	return 0;
}

static int tx_write_all(struct blkfront *bf, xs_transaction_t t,
			const struct bf_node *nodes, unsigned count)
{
	int rc = tx_remove_stale(bf, t);

	if (rc)
		return rc;
	for (unsigned i = 0; i < count; i++) {
		rc = tx_write(bf, t, &nodes[i]);

		if (rc)
			return rc;
	}
	return tx_apply_overrides(bf, t);
}

/* The nodes for our queues, from nodes.c. */
static int plan_nodes(struct blkfront *bf, struct bf_node *nodes)
{
	uint32_t refs[BF_NODES_MAX_QUEUES * BF_NODES_MAX_PAGES];
	int ports[BF_NODES_MAX_QUEUES];
	unsigned pages = 1u << bf->info.ring_order;
	struct bf_nodes_in in = {
		.ring_order = bf->info.ring_order,
		.nr_queues = bf->nr_queues,
		.ring_refs = refs,
		.ports = ports,
		.protocol = bf->opts.protocol ? bf->opts.protocol
					      : XEN_IO_PROTO_ABI_NATIVE,
		.persistent = !bf->opts.no_persistent,
	};

	for (unsigned q = 0; q < bf->nr_queues; q++) {
		ports[q] = bf->queue[q].port;
		for (unsigned i = 0; i < pages; i++)
			refs[q * pages + i] = bf->queue[q].ring_refs[i];
	}
	return bf_ring_nodes(&in, nodes, BF_NODES_MAX);
}

/* Everything the backend needs to connect, in one transaction. */
int bf_xs_publish_rings(struct blkfront *bf)
{
	struct bf_node *nodes = calloc(BF_NODES_MAX, sizeof(*nodes));
	int count, rc = -EAGAIN;

	if (!nodes)
		return bf_fail(bf, -ENOMEM, "out of memory");
	count = plan_nodes(bf, nodes);
	if (count < 0) {
		rc = bf_fail(bf, count, "cannot lay out the ring nodes");
		goto out;
	}
	for (unsigned attempt = 0; attempt < 100; attempt++) {
		xs_transaction_t t = xs_transaction_start(bf->xs);

		if (t == XBT_NULL) {
			rc = bf_fail(bf, -errno, "xs_transaction_start: %s",
				     strerror(errno));
			goto out;
		}
		rc = tx_write_all(bf, t, nodes, (unsigned)count);
		if (rc) {
			xs_transaction_end(bf->xs, t, true);
			rc = bf_fail(bf, rc, "writing ring nodes under %s: %s",
				     bf->devdir, strerror(-rc));
			goto out;
		}
		if (xs_transaction_end(bf->xs, t, false)) {
			rc = 0;
			goto out;
		}
		if (errno != EAGAIN) {
			rc = bf_fail(bf, -errno, "committing ring nodes: %s",
				     strerror(errno));
			goto out;
		}
		rc = bf_fail(bf, -EAGAIN, "transaction kept conflicting");
	}
out:
	free(nodes);
	return rc;
}

void bf_xs_drain_watch(struct blkfront *bf)
{
	char **ev;
	int st;

	while ((ev = xs_check_watch(bf->xs)) != NULL)
		free(ev);
	if (!bf->connected)
		return;
	st = blkfront_backend_state(bf);
	if (st == -ENOENT || st == XenbusStateClosing || st == XenbusStateClosed)
		bf->backend_closing = true;
}

static int ms_until(uint64_t deadline_ns)
{
	uint64_t now = blkfront_now_ns();

	if (now >= deadline_ns)
		return 0;
	return (int)((deadline_ns - now + 999999) / 1000000);
}

/* Wait for a backend state in mask; a state in fail_mask (or the backend
 * vanishing, when fail_mask is set) ends the wait with -ESHUTDOWN. */
int bf_wait_state(struct blkfront *bf, unsigned mask, unsigned fail_mask,
		  unsigned timeout_ms)
{
	uint64_t deadline = blkfront_now_ns() + (uint64_t)timeout_ms * 1000000;
	int st;

	for (;;) {
		struct pollfd pfd = { .fd = bf->xsfd, .events = POLLIN };
		int left;

		st = blkfront_backend_state(bf);
		if (st >= 0 && (mask & (1u << st)))
			return st;
		if ((st >= 0 && (fail_mask & (1u << st))) ||
		    (st == -ENOENT && fail_mask))
			return -ESHUTDOWN;
		left = ms_until(deadline);
		if (left == 0)
			return -ETIMEDOUT;
		/* Re-read now and then even without a watch event. */
		if (poll(&pfd, 1, left < 500 ? left : 500) > 0) {
			char **ev;

			while ((ev = xs_check_watch(bf->xs)) != NULL)
				free(ev);
		}
	}
}

int blkfront_backend_state(struct blkfront *bf)
{
	uint64_t v;
	int rc = read_u64(bf, bf->info.backend, "state", &v);

	if (rc == -ENOENT)
		return -ENOENT;
	if (rc || v > 8)
		return -EINVAL;
	return (int)v;
}

int blkfront_set_state(struct blkfront *bf, int state)
{
	char path[128], val[16];

	snprintf(path, sizeof(path), "%s/state", bf->devdir);
	snprintf(val, sizeof(val), "%d", state);
	if (!xs_write(bf->xs, XBT_NULL, path, val, (unsigned)strlen(val)))
		return bf_fail(bf, -errno, "writing %s: %s", path, strerror(errno));
	return 0;
}

int blkfront_write_node(struct blkfront *bf, const char *node, const char *value)
{
	char path[256];
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", bf->devdir, node);
	if (value)
		ok = xs_write(bf->xs, XBT_NULL, path, value, (unsigned)strlen(value));
	else
		ok = xs_rm(bf->xs, XBT_NULL, path);
	if (!ok)
		return bf_fail(bf, -errno, "writing %s: %s", path, strerror(errno));
	return 0;
}

int blkfront_read_backend_node(struct blkfront *bf, const char *node,
			       char *buf, size_t len)
{
	char *s = read_node(bf, bf->info.backend, node);

	if (!s)
		return -errno ? -errno : -ENOENT;
	snprintf(buf, len, "%s", s);
	free(s);
	return 0;
}
