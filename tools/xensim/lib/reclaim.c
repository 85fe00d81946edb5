/*
 * Undoing what dead processes held, as the kernel does when a process
 * exits with evtchn / gntdev / gntalloc files open: their event channel
 * ports close (peers see them unbound; sends to them are dropped), their
 * grant mappings go and their shares end. Run lazily, whenever a process
 * opens a handle or asks the host for its state.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "gntdev.h"

int sim_fifo_path(struct sim_ctx *ctx, uint32_t slot, uint32_t gen, char *buf,
		  size_t len)
{
	int n = snprintf(buf, len, "%s/evtchn/h%u.%u", ctx->dir, slot, gen);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool sim_pid_dead(int32_t pid)
{
	return pid > 0 && kill(pid, 0) < 0 && errno == ESRCH;
}

/* The write end for a handle slot, opened once per generation. The FIFO is
 * opened read-write so a reader that vanished never raises SIGPIPE here.
 * ctx->fifo_lock held. */
static int fifo_fd(struct sim_ctx *ctx, uint32_t slot, uint32_t gen)
{
	char path[PATH_MAX];

	if (ctx->fifo_fd[slot] >= 0 && ctx->fifo_gen[slot] == gen)
		return ctx->fifo_fd[slot];
	if (ctx->fifo_fd[slot] >= 0)
		close(ctx->fifo_fd[slot]);
	ctx->fifo_fd[slot] = -1;
	if (sim_fifo_path(ctx, slot, gen, path, sizeof(path)) < 0)
		return -1;
	ctx->fifo_fd[slot] = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ctx->fifo_gen[slot] = gen;
	return ctx->fifo_fd[slot];
}

void sim_evtchn_wake(struct sim_ctx *ctx, uint32_t slot, uint32_t gen)
{
	static const char byte = 1;
	int fd;

	if (slot >= SIM_MAX_HANDLES)
		return;
	pthread_mutex_lock(&ctx->fifo_lock);
	fd = fifo_fd(ctx, slot, gen);
	/* A full FIFO already wakes its reader: nothing lost. */
	if (fd >= 0 && write(fd, &byte, 1) < 0 && errno != EAGAIN)
		ctx->fifo_fd[slot] = -1, close(fd);
	pthread_mutex_unlock(&ctx->fifo_lock);
}

/* In Xen a send sets the event pending and raises the upcall in one
 * hypercall. Here a delivery is a compare-and-swap on the peer's port,
 * then a write to the peer's FIFO: a sender killed in between leaves the
 * peer's port masked with a delivery no wake-up announced, and every later
 * send only marks it pending. Wake the peer of a dead sender's port that
 * holds a delivery (a spurious wake-up costs the peer one empty pending()). */
static void wake_stranded_peer(struct sim_ctx *ctx, uint32_t domid, uint32_t port)
{
	const struct sim_port *p = &ctx->host->ports[domid][port];
	const struct sim_port *peer;

	if (p->state != SIM_PORT_INTERDOMAIN || p->remote_dom >= SIM_MAX_DOMS ||
	    p->remote_port == 0 || p->remote_port >= SIM_NR_PORTS)
		return;
	peer = &ctx->host->ports[p->remote_dom][p->remote_port];
	if (peer->state == SIM_PORT_INTERDOMAIN && peer->remote_dom == domid &&
	    peer->remote_port == port &&
	    __atomic_load_n(&peer->ev, __ATOMIC_ACQUIRE) >= SIM_EV_ONE)
		sim_evtchn_wake(ctx, peer->handle_slot, peer->handle_gen);
}

/* An event channel slot whose owner died: close its ports and its FIFO.
 * Host lock held. */
static void evtchn_slot_reclaim(struct sim_ctx *ctx, uint32_t slot)
{
	struct sim_handle_slot *s = &ctx->host->handles[slot];
	char path[PATH_MAX];

	if (s->domid < SIM_MAX_DOMS) {
		for (uint32_t p = 1; p < SIM_NR_PORTS; p++) {
			struct sim_port *port = &ctx->host->ports[s->domid][p];

			if (port->state != SIM_PORT_FREE && port->handle_slot == slot &&
			    port->handle_gen == s->gen) {
				wake_stranded_peer(ctx, s->domid, p);
				sim_port_close(ctx->host, s->domid, p);
			}
		}
	}
	if (sim_fifo_path(ctx, slot, s->gen, path, sizeof(path)) == 0)
		unlink(path);
	s->pid = 0;
}

void sim_reclaim_dead(struct sim_ctx *ctx)
{
	sim_lock(&ctx->host->lock);
	for (uint32_t i = 0; i < SIM_MAX_HANDLES; i++)
		if (sim_pid_dead(ctx->host->handles[i].pid))
			evtchn_slot_reclaim(ctx, i);
	sim_unlock(&ctx->host->lock);
	sim_gnt_reclaim_dead(ctx);
}
