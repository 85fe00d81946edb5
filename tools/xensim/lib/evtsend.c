/*
 * Sending an event (Xen's EVTCHNOP_send) and waking the receiving handle.
 * The cheap path is one compare-and-swap on the receiving port's state;
 * only a delivery (the port was unmasked) writes a byte to the receiving
 * handle's FIFO (sim_evtchn_wake, reclaim.c), which is what makes its fd
 * readable.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "evstate.h"
#include "gntdev.h"

/* The receiving end of `port` of `domid`, or NULL if the send is dropped
 * (port not interdomain, peer closed, peer domain gone). */
static struct sim_port *peer_of(struct sim_ctx *ctx, uint32_t domid, uint32_t port)
{
	struct sim_port *p, *q;
	uint32_t rd, rp;

	if (domid >= SIM_MAX_DOMS || port == 0 || port >= SIM_NR_PORTS)
		return NULL;
	p = &ctx->host->ports[domid][port];
	if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != SIM_PORT_INTERDOMAIN)
		return NULL;
	rd = p->remote_dom;
	rp = p->remote_port;
	if (rd >= SIM_MAX_DOMS || rp == 0 || rp >= SIM_NR_PORTS || !sim_dom_alive(ctx, rd))
		return NULL;
	q = &ctx->host->ports[rd][rp];
	if (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) != SIM_PORT_INTERDOMAIN ||
	    q->remote_dom != domid || q->remote_port != port)
		return NULL;
	return q;
}

void sim_evtchn_send(struct sim_ctx *ctx, uint32_t domid, uint32_t port)
{
	struct simhost_stats *st = sim_stats(ctx, domid);
	struct sim_port *q = peer_of(ctx, domid, port);

	sim_count(&st->notify_calls, 1);
	if (!q) {
		sim_count(&st->notify_dropped, 1);
		return;
	}
	if (!sim_ev_raise(&q->ev))
		return;
	/* Only a delivery costs a syscall anyway: check the receiver lives. */
	if (q->handle_slot < SIM_MAX_HANDLES &&
	    sim_pid_dead(ctx->host->handles[q->handle_slot].pid)) {
		sim_reclaim_dead(ctx);
		sim_count(&st->notify_dropped, 1);
		return;
	}
	sim_count(&st->notify_delivered, 1);
	/* Fault injection for tests: a sender killed between the delivery
	 * and the wake-up (reclaim.c repairs it, as Xen has no such gap). */
	if (getenv("XENSIM_DIE_AFTER_RAISE"))
		_exit(0);
	sim_evtchn_wake(ctx, q->handle_slot, q->handle_gen);
}
