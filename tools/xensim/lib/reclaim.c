/*
 * Undoing what dead processes held, as the kernel does when a process
 * exits with evtchn / gntdev / gntalloc files open: their event channel
 * ports close (peers see them unbound; sends to them are dropped), their
 * grant mappings go and their shares end. Run lazily, whenever a process
 * opens a handle or asks the host for its state.
 */
#include <errno.h>
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
			    port->handle_gen == s->gen)
				sim_port_close(ctx->host, s->domid, p);
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
