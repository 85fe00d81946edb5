/*
 * The backend side of the xenbus state machine, as Linux blkback runs it,
 * as a pure function: given what we last wrote, what our state node holds
 * now (the toolstack writes Closing there to detach), the frontend's state
 * and `online`, say what to do next.
 */
#ifndef MEMBACK_XENBUS_FSM_H
#define MEMBACK_XENBUS_FSM_H

#include <stdbool.h>
#include <xen/io/xenbus.h>

struct xenbus_fsm_in {
	enum xenbus_state ours;     /* the state we last wrote */
	enum xenbus_state node;     /* our state node as read now */
	enum xenbus_state frontend; /* XenbusStateUnknown when absent */
	bool online;                /* the toolstack's `online` node */
	bool connected;             /* our queues are running */
};

struct xenbus_fsm_out {
	bool disconnect;            /* stop the queues, unmap, unbind */
	bool connect;               /* negotiate, map, start the queues */
	int state;                  /* state to switch to, or -1 */
	/* A frontend state blkback does not accept (Reconfiguring,
	 * Reconfigured): write "saw state N at frontend" to the error node
	 * first, as xenbus_dev_fatal; state is then Closing. */
	bool bad_frontend_state;
};

struct xenbus_fsm_out xenbus_fsm_step(const struct xenbus_fsm_in *in);

/* Parse a state node's value; anything else than "0".."8" is Unknown. */
enum xenbus_state xenbus_state_parse(const char *s);
const char *xenbus_state_name(enum xenbus_state st);

#endif
