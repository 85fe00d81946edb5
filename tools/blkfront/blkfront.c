/*
 * blkfront's life cycle: the XenbusState handshake with the backend,
 * in the order Linux xen-blkfront follows, and tear-down.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>

#include "blkfront_priv.h"

#define STATE_BIT(s) (1u << (s))

static unsigned timeout_ms(const struct blkfront *bf)
{
	return bf->opts.timeout_ms ? bf->opts.timeout_ms : BF_DEFAULT_TIMEOUT_MS;
}

/* A clear message for a wait that ended without the wanted state. */
static int wait_failed(struct blkfront *bf, int rc, const char *want)
{
	int st = blkfront_backend_state(bf);
	char why[256] = "";

	if (blkfront_read_backend_node(bf, "error", why, sizeof(why)))
		why[0] = '\0';
	if (rc == -ETIMEDOUT)
		return bf_fail(bf, rc, "timed out after %u ms waiting for backend "
			       "%s to reach %s (its state is %s)", timeout_ms(bf),
			       bf->info.backend, want, bf_state_name(st));
	return bf_fail(bf, rc, "backend %s went to %s instead of %s%s%s",
		       bf->info.backend, bf_state_name(st), want,
		       why[0] ? ": " : "", why);
}

static int read_frontend_state(struct blkfront *bf)
{
	char path[96], *s;
	int st;

	snprintf(path, sizeof(path), "%s/state", bf->devdir);
	s = xs_read(bf->xs, XBT_NULL, path, NULL);
	if (!s)
		return -ENOENT;
	st = atoi(s);
	free(s);
	return st;
}

int blkfront_open(struct blkfront **out, const struct blkfront_opts *opts)
{
	struct blkfront *bf = calloc(1, sizeof(*bf));
	int rc;

	*out = bf;
	if (!bf)
		return -ENOMEM;
	bf->opts = *opts;
	bf->xsfd = -1;
	snprintf(bf->devdir, sizeof(bf->devdir), "device/vbd/%u", opts->devid);
	rc = bf_xs_connect(bf);
	if (!rc)
		rc = bf_xs_read_frontend(bf);
	if (rc)
		return rc;
	/* A fresh start (after a previous Closed, say) is Initialising. */
	if (read_frontend_state(bf) != XenbusStateInitialising) {
		rc = blkfront_set_state(bf, XenbusStateInitialising);
		if (rc)
			return rc;
	}
	rc = bf_wait_state(bf, STATE_BIT(XenbusStateInitWait), 0, timeout_ms(bf));
	if (rc < 0)
		return wait_failed(bf, rc, "InitWait");
	bf_xs_read_features(bf);
	return 0;
}

/* Segments per request: 11 direct, more only through indirect and only
 * as many as the backend offers. */
static int negotiate_segments(struct blkfront *bf)
{
	struct blkfront_info *in = &bf->info;
	unsigned want = bf->opts.max_segments;

	in->abi_x86_32 = bf_abi_from_protocol(bf->opts.protocol) == BF_ABI_X86_32;
	in->max_segments = BF_SEGS;
	if (want <= BF_SEGS)
		return 0;
	if (want > BLKFRONT_MAX_SEGMENTS)
		return bf_fail(bf, -EINVAL, "%u segments per request is above the "
			       "%u this frontend supports", want,
			       BLKFRONT_MAX_SEGMENTS);
	if (!bf->opts.unchecked && want > in->max_indirect_segments)
		return bf_fail(bf, -EINVAL, "%u segments per request asked, backend "
			       "offers feature-max-indirect-segments %u", want,
			       in->max_indirect_segments);
	in->max_segments = want;
	return 0;
}

/* Ring order and queue count: what was asked, within what is offered. */
static int negotiate(struct blkfront *bf)
{
	struct blkfront_info *in = &bf->info;
	unsigned order = bf->opts.ring_order < 0 ? 0 : (unsigned)bf->opts.ring_order;
	unsigned queues = bf->opts.queues ? bf->opts.queues : 1;

	if (order > BLKFRONT_MAX_RING_ORDER)
		return bf_fail(bf, -EINVAL, "ring order %u is above the %u this "
			       "frontend can share", order, BLKFRONT_MAX_RING_ORDER);
	if (queues > BLKFRONT_MAX_QUEUES)
		return bf_fail(bf, -EINVAL, "%u queues is above the %u this "
			       "frontend supports", queues, BLKFRONT_MAX_QUEUES);
	if (!bf->opts.unchecked && order > in->max_ring_order)
		return bf_fail(bf, -EINVAL, "ring order %u asked, backend offers "
			       "max-ring-page-order %u", order, in->max_ring_order);
	if (!bf->opts.unchecked && queues > in->max_queues)
		return bf_fail(bf, -EINVAL, "%u queues asked, backend offers "
			       "multi-queue-max-queues %u", queues, in->max_queues);
	in->ring_order = order;
	in->nr_queues = queues;
	return negotiate_segments(bf);
}

int blkfront_setup(struct blkfront *bf)
{
	int rc = negotiate(bf);

	if (rc)
		return rc;
	bf->gs = xengntshr_open(NULL, 0);
	if (!bf->gs)
		return bf_fail(bf, -errno, "xengntshr_open: %s", strerror(errno));
	for (unsigned i = 0; i < bf->info.nr_queues; i++) {
		rc = bf_queue_setup(bf, &bf->queue[i], i);
		bf->nr_queues = i + 1; /* so that free tears down a partial one */
		if (rc)
			return rc;
	}
	bf->info.ring_size = RING_SIZE(&bf->queue[0].ring);
	bf->info.slots = bf->queue[0].nr_slots;
	return 0;
}

int blkfront_publish(struct blkfront *bf)
{
	int rc = bf_xs_publish_rings(bf);

	if (rc)
		return rc;
	return blkfront_set_state(bf, XenbusStateInitialised);
}

int blkfront_wait_connected(struct blkfront *bf)
{
	unsigned fail = STATE_BIT(XenbusStateClosing) | STATE_BIT(XenbusStateClosed);
	int rc = bf_wait_state(bf, STATE_BIT(XenbusStateConnected), fail,
			       timeout_ms(bf));

	if (rc < 0)
		return wait_failed(bf, rc, "Connected");
	rc = bf_xs_read_disk(bf);
	if (rc)
		return rc;
	rc = blkfront_set_state(bf, XenbusStateConnected);
	if (rc)
		return rc;
	bf->connected = true;
	return 0;
}

int blkfront_attach(struct blkfront **out, const struct blkfront_opts *opts)
{
	int rc = blkfront_open(out, opts);

	if (!rc)
		rc = blkfront_setup(*out);
	if (!rc)
		rc = blkfront_publish(*out);
	if (!rc)
		rc = blkfront_wait_connected(*out);
	return rc;
}

int blkfront_close(struct blkfront *bf)
{
	unsigned done = STATE_BIT(XenbusStateClosing) | STATE_BIT(XenbusStateClosed);
	int rc, wrc;

	bf->connected = false;
	rc = blkfront_set_state(bf, XenbusStateClosing);
	if (rc)
		return rc;
	wrc = bf_wait_state(bf, done, 0, timeout_ms(bf));
	/* A backend that vanished has closed, as far as we care. */
	if (wrc == -ETIMEDOUT && blkfront_backend_state(bf) == -ENOENT)
		wrc = 0;
	rc = blkfront_set_state(bf, XenbusStateClosed);
	if (wrc < 0)
		return wait_failed(bf, wrc, "Closing or Closed");
	/* The backend unmaps our ring and pages before it says Closed: only
	 * then may blkfront_free end the grants (a Linux frontend defers the
	 * free of a grant still in use instead). */
	if (rc == 0 && blkfront_backend_state(bf) != -ENOENT)
		bf_wait_state(bf, STATE_BIT(XenbusStateClosed), 0, timeout_ms(bf));
	return rc;
}

void blkfront_free(struct blkfront *bf)
{
	if (!bf)
		return;
	for (unsigned i = 0; i < bf->nr_queues; i++)
		bf_queue_teardown(&bf->queue[i]);
	for (unsigned i = 0; i < BF_MAX_SHARES; i++)
		if (bf->shares[i].pages)
			xengntshr_unshare(bf->gs, bf->shares[i].pages,
					  bf->shares[i].count);
	if (bf->gs)
		xengntshr_close(bf->gs);
	bf_xs_disconnect(bf);
	free(bf);
}

const struct blkfront_info *blkfront_info(const struct blkfront *bf)
{
	return &bf->info;
}

const char *blkfront_error(const struct blkfront *bf)
{
	return bf->err;
}

unsigned blkfront_nr_queues(const struct blkfront *bf)
{
	return bf->nr_queues;
}

struct blkfront_queue *blkfront_queue(struct blkfront *bf, unsigned index)
{
	return index < bf->nr_queues ? &bf->queue[index] : NULL;
}

int blkfront_wait_backend_state(struct blkfront *bf, unsigned mask,
				unsigned wait_ms)
{
	return bf_wait_state(bf, mask, 0, wait_ms);
}

bool blkfront_backend_closing(struct blkfront *bf)
{
	if (bf->connected)
		bf_xs_drain_watch(bf);
	return bf->backend_closing;
}

void *blkfront_share(struct blkfront *bf, unsigned count, bool writable,
		     uint32_t *refs)
{
	if (!bf->gs) { /* only after blkfront_setup */
		errno = EINVAL;
		return NULL;
	}
	for (unsigned i = 0; i < BF_MAX_SHARES; i++) {
		struct blkfront_share *s = &bf->shares[i];

		if (s->pages)
			continue;
		s->pages = xengntshr_share_pages(bf->gs, bf->info.backend_id,
						 (int)count, refs, writable);
		if (!s->pages) {
			bf_fail(bf, -errno, "sharing %u pages: %s", count,
				strerror(errno));
			return NULL;
		}
		s->count = count;
		return s->pages;
	}
	errno = ENOSPC;
	return NULL;
}

int blkfront_unshare(struct blkfront *bf, void *pages, unsigned count)
{
	for (unsigned i = 0; i < BF_MAX_SHARES; i++) {
		struct blkfront_share *s = &bf->shares[i];

		if (s->pages != pages)
			continue;
		if (xengntshr_unshare(bf->gs, pages, count) < 0)
			return -errno;
		s->pages = NULL;
		s->count = 0;
		return 0;
	}
	return -ENOENT;
}
