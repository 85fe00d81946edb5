/* The backend's xenbus state transitions (see include/xenbus_fsm.h). */
#include <stdlib.h>
#include <string.h>

#include "xenbus_fsm.h"

static bool frontend_is_live(enum xenbus_state fe)
{
	return fe == XenbusStateInitialised || fe == XenbusStateConnected ||
	       fe == XenbusStateClosing;
}

/* The toolstack asked to detach (libxl writes online=0 and state=Closing). */
static struct xenbus_fsm_out step_detach(const struct xenbus_fsm_in *in)
{
	struct xenbus_fsm_out out = { .state = -1 };

	/* Already Closed (the frontend left first): the toolstack wrote
	 * Closing over our state and waits to read Closed there again. */
	if (in->ours == XenbusStateClosed) {
		if (in->node != XenbusStateClosed)
			out.state = XenbusStateClosed;
		return out;
	}
	/* A live frontend finishes its in-flight I/O and closes first; only
	 * then do we drop the rings (as blkback does: it waits for Closed). */
	if (in->connected && frontend_is_live(in->frontend)) {
		if (in->ours != XenbusStateClosing)
			out.state = XenbusStateClosing;
		return out;
	}
	out.disconnect = in->connected;
	out.state = XenbusStateClosed;
	return out;
}

struct xenbus_fsm_out xenbus_fsm_step(const struct xenbus_fsm_in *in)
{
	struct xenbus_fsm_out out = { .state = -1 };
	bool detach = in->node == XenbusStateClosing && in->ours != XenbusStateClosing;

	if (detach || (!in->online && in->ours == XenbusStateClosing))
		return step_detach(in);

	switch (in->frontend) {
	case XenbusStateInitialising:
		/* A frontend coming back after Closed (kexec, resume). */
		if (in->ours == XenbusStateClosed && in->online)
			out.state = XenbusStateInitWait;
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (in->ours == XenbusStateConnected || in->ours == XenbusStateClosing)
			break;
		if (in->ours == XenbusStateClosed && !in->online)
			break;
		if (in->ours == XenbusStateUnknown || in->ours == XenbusStateInitialising)
			break; /* not yet probed: InitWait comes first */
		out.disconnect = in->connected;
		out.connect = true;
		out.state = XenbusStateConnected;
		break;
	case XenbusStateClosing:
		if (in->ours != XenbusStateClosing && in->ours != XenbusStateClosed)
			out.state = XenbusStateClosing;
		break;
	case XenbusStateClosed:
		out.disconnect = in->connected;
		if (in->ours != XenbusStateClosed)
			out.state = XenbusStateClosed;
		break;
	case XenbusStateUnknown:
		/* The frontend vanished (its directory removed). Before we
		 * connected this is just a toolstack that has not written it. */
		if (in->connected || in->ours == XenbusStateConnected ||
		    in->ours == XenbusStateClosing) {
			out.disconnect = in->connected;
			out.state = XenbusStateClosed;
		}
		break;
	case XenbusStateReconfiguring:
	case XenbusStateReconfigured:
		/* Linux blkback's frontend_changed: "saw state %d at
		 * frontend", xenbus_dev_fatal, Closing. The rings stay until
		 * the frontend says Closed; Initialising after that
		 * reconnects as above. Closed too, as blkback: the frontend
		 * must go through Closed again. */
		if (in->ours != XenbusStateClosing) {
			out.bad_frontend_state = true;
			out.state = XenbusStateClosing;
		}
		break;
	case XenbusStateInitWait:
		break;
	}
	return out;
}

enum xenbus_state xenbus_state_parse(const char *s)
{
	if (s && s[0] >= '0' && s[0] <= '8' && s[1] == '\0')
		return (enum xenbus_state)(s[0] - '0');
	return XenbusStateUnknown;
}

const char *xenbus_state_name(enum xenbus_state st)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring", "Reconfigured",
	};
	if ((unsigned)st < sizeof(names) / sizeof(names[0]))
		return names[st];
	return "Invalid";
}
