/*
 * libxenevtchn on the simulated host, with the semantics of Linux's evtchn
 * device over Xen: a pollable fd per handle; a delivered port stays masked
 * until xenevtchn_unmask; notify/unbind on a port this handle did not bind
 * fail with ENOTCONN; binds fail with Xen's errors (ESRCH: no such domain,
 * EINVAL: remote port not unbound-for-us, ENOSPC: no free port); a fresh
 * interdomain binding starts with one event, as Xen sets it pending.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xenevtchn.h>

#include "evstate.h"
#include "gntdev.h"

#ifndef DOMID_SELF
#define DOMID_SELF 0x7FF0U
#endif

struct xenevtchn_handle {
	struct sim_ctx *ctx;
	uint32_t domid, slot, gen;
	int fd;                 /* the FIFO, read end; what xenevtchn_fd returns */
	pthread_mutex_t lock;   /* cursor */
	uint64_t owned[SIM_NR_PORTS / 64]; /* atomic bits: ports bound here */
	uint32_t cursor;        /* where pending() resumes its scan */
};

static bool owns(xenevtchn_handle *h, uint32_t port)
{
	return port < SIM_NR_PORTS && sim_bitmap_test(h->owned, SIM_NR_PORTS, port);
}

/* The shared port, if it is still this handle's (a destroyed domain's
 * ports are closed under us). */
static struct sim_port *my_port(xenevtchn_handle *h, uint32_t port)
{
	struct sim_port *p;

	if (!owns(h, port))
		return NULL;
	p = &h->ctx->host->ports[h->domid][port];
	if (p->handle_slot != h->slot || p->handle_gen != h->gen ||
	    __atomic_load_n(&p->state, __ATOMIC_ACQUIRE) == SIM_PORT_FREE)
		return NULL;
	return p;
}

static int slot_alloc(xenevtchn_handle *h)
{
	struct sim_host *host = h->ctx->host;
	int rc = -EMFILE;

	sim_lock(&host->lock);
	for (uint32_t i = 0; i < SIM_MAX_HANDLES; i++) {
		struct sim_handle_slot *s = &host->handles[i];

		if (s->pid != 0)
			continue;
		s->gen++;
		s->pid = getpid();
		s->domid = h->domid;
		h->slot = i;
		h->gen = s->gen;
		rc = 0;
		break;
	}
	sim_unlock(&host->lock);
	return rc;
}

static void slot_free(xenevtchn_handle *h)
{
	sim_lock(&h->ctx->host->lock);
	h->ctx->host->handles[h->slot].pid = 0;
	sim_unlock(&h->ctx->host->lock);
}

static int fifo_create(xenevtchn_handle *h, unsigned flags)
{
	char path[PATH_MAX];
	int rc = sim_fifo_path(h->ctx, h->slot, h->gen, path, sizeof(path));

	if (rc < 0)
		return rc;
	unlink(path);
	if (mkfifo(path, 0600) < 0)
		return -errno;
	/* Read-write: never EOF, and open does not wait for a writer. */
	h->fd = open(path, O_RDWR | (flags & XENEVTCHN_NO_CLOEXEC ? 0 : O_CLOEXEC));
	if (h->fd < 0) {
		rc = -errno;
		unlink(path);
	}
	return rc;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
	xenevtchn_handle *h;
	int domid = sim_env_domid(), rc;
	struct sim_ctx *ctx;

	(void)logger;
	if (domid < 0) {
		errno = EINVAL;
		return NULL;
	}
	ctx = sim_ctx_env();
	if (!ctx)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->ctx = ctx;
	h->domid = (uint32_t)domid;
	h->fd = -1;
	sim_reclaim_dead(ctx);
	rc = slot_alloc(h);
	if (rc == 0) {
		rc = fifo_create(h, flags);
		if (rc < 0)
			slot_free(h);
	}
	if (rc < 0) {
		free(h);
		errno = -rc;
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	return h;
}

xenevtchn_handle *xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
				   unsigned open_flags)
{
	(void)logger, (void)fd, (void)open_flags;
	errno = ENOSYS;
	return NULL;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->fd;
}

/* Take a free port of our domain for this handle. Host lock held. */
static int port_take(xenevtchn_handle *h, uint32_t state, uint32_t rdom, uint32_t rport)
{
	struct sim_host *host = h->ctx->host;

	if (!sim_dom_alive(h->ctx, h->domid))
		return -ESRCH;
	for (uint32_t p = 1; p < SIM_NR_PORTS; p++) {
		struct sim_port *port = &host->ports[h->domid][p];

		if (port->state != SIM_PORT_FREE)
			continue;
		port->remote_dom = rdom;
		port->remote_port = rport;
		port->handle_slot = h->slot;
		port->handle_gen = h->gen;
		__atomic_store_n(&port->ev, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&port->state, state, __ATOMIC_RELEASE);
		sim_count(&sim_stats(h->ctx, h->domid)->evtchn_bound, 1);
		__atomic_or_fetch(&h->owned[p / 64], 1ull << (p % 64), __ATOMIC_RELEASE);
		return (int)p;
	}
	return -ENOSPC;
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce,
						      uint32_t domid)
{
	int rc;

	if (domid == DOMID_SELF)
		domid = xce->domid;
	sim_lock(&xce->ctx->host->lock);
	rc = port_take(xce, SIM_PORT_UNBOUND, domid, 0);
	sim_unlock(&xce->ctx->host->lock);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

static int bind_interdomain_locked(xenevtchn_handle *h, uint32_t rdom, uint32_t rport)
{
	struct sim_port *rp;
	int lp;

	if (!sim_dom_alive(h->ctx, rdom))
		return -ESRCH;
	if (rport == 0 || rport >= SIM_NR_PORTS)
		return -EINVAL;
	rp = &h->ctx->host->ports[rdom][rport];
	if (rp->state != SIM_PORT_UNBOUND || rp->remote_dom != h->domid)
		return -EINVAL;
	lp = port_take(h, SIM_PORT_INTERDOMAIN, rdom, rport);
	if (lp < 0)
		return lp;
	rp->remote_port = (uint32_t)lp;
	__atomic_store_n(&rp->state, SIM_PORT_INTERDOMAIN, __ATOMIC_RELEASE);
	return lp;
}

/* Xen sets a freshly bound interdomain port pending ("we may have lost
 * notifications on the remote unbound port"), so the user sees one event
 * right after binding, as on real Xen: a backend must cope with it. */
static void bind_kick(xenevtchn_handle *h, uint32_t port)
{
	static const char byte = 1;
	struct sim_port *p = my_port(h, port);

	if (p && sim_ev_raise(&p->ev) && write(h->fd, &byte, 1) < 0)
		return; /* a full FIFO already wakes the reader */
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce,
						     uint32_t domid,
						     evtchn_port_t remote_port)
{
	int rc;

	if (domid == DOMID_SELF)
		domid = xce->domid;
	sim_lock(&xce->ctx->host->lock);
	rc = bind_interdomain_locked(xce, domid, remote_port);
	sim_unlock(&xce->ctx->host->lock);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	bind_kick(xce, (uint32_t)rc);
	return rc;
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	(void)xce, (void)virq;
	errno = ENOSYS;
	return -1;
}

int xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
	(void)xce, (void)domid;
	errno = ENOSYS;
	return -1;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	if (port == 0 || port >= SIM_NR_PORTS) {
		errno = EINVAL;
		return -1;
	}
	if (!owns(xce, port)) {
		errno = ENOTCONN;
		return -1;
	}
	sim_lock(&xce->ctx->host->lock);
	if (my_port(xce, port))
		sim_port_close(xce->ctx->host, xce->domid, port);
	sim_unlock(&xce->ctx->host->lock);
	__atomic_and_fetch(&xce->owned[port / 64], ~(1ull << (port % 64)), __ATOMIC_RELEASE);
	return 0;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	if (port >= SIM_NR_PORTS) {
		errno = EINVAL;
		return -1;
	}
	if (!owns(xce, port)) {
		errno = ENOTCONN;
		return -1;
	}
	sim_evtchn_send(xce->ctx, xce->domid, port);
	return 0;
}

/* One delivered port of this handle, scanning round-robin; -1 if none. */
static int take_delivered(xenevtchn_handle *h)
{
	int found = -1;

	pthread_mutex_lock(&h->lock);
	for (uint32_t i = 0; i < SIM_NR_PORTS && found < 0; i++) {
		uint32_t p = (h->cursor + i) % SIM_NR_PORTS;
		struct sim_port *port = owns(h, p) ? my_port(h, p) : NULL;

		if (port && sim_ev_take(&port->ev)) {
			found = (int)p;
			h->cursor = p + 1;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return found;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	char byte;
	ssize_t n;
	int port;

	/* One byte per delivery; blocks like the device unless O_NONBLOCK. */
	do
		n = read(xce->fd, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		if (n == 0)
			errno = EAGAIN;
		return -1;
	}
	port = take_delivered(xce);
	if (port < 0) {
		errno = EAGAIN; /* the port was unbound after delivery */
		return -1;
	}
	sim_count(&sim_stats(xce->ctx, xce->domid)->events_received, 1);
	return port;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	static const char byte = 1;
	struct sim_port *p = my_port(xce, port);

	/* The device ignores ports the user did not bind. */
	if (p && sim_ev_unmask(&p->ev) && write(xce->fd, &byte, 1) < 0 && errno != EAGAIN)
		return -1;
	return 0;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	char path[PATH_MAX];

	if (!xce)
		return 0;
	sim_lock(&xce->ctx->host->lock);
	for (uint32_t p = 1; p < SIM_NR_PORTS; p++)
		if (my_port(xce, p))
			sim_port_close(xce->ctx->host, xce->domid, p);
	xce->ctx->host->handles[xce->slot].pid = 0;
	sim_unlock(&xce->ctx->host->lock);
	if (sim_fifo_path(xce->ctx, xce->slot, xce->gen, path, sizeof(path)) == 0)
		unlink(path);
	close(xce->fd);
	pthread_mutex_destroy(&xce->lock);
	free(xce);
	return 0;
}
