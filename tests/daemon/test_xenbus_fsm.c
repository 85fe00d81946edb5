/* Every transition of the backend's xenbus state machine. */
#include "../unit.h"
#include "xenbus_fsm.h"

enum { U = XenbusStateUnknown, I = XenbusStateInitialising, W = XenbusStateInitWait,
       D = XenbusStateInitialised, C = XenbusStateConnected, G = XenbusStateClosing,
       X = XenbusStateClosed };

static struct xenbus_fsm_out step(int ours, int node, int fe, bool online, bool connected)
{
	struct xenbus_fsm_in in = { (enum xenbus_state)ours, (enum xenbus_state)node,
				    (enum xenbus_state)fe, online, connected };
	return xenbus_fsm_step(&in);
}

TEST(initialised_frontend_connects)
{
	struct xenbus_fsm_out o = step(W, W, D, true, false);
	EXPECT(o.connect && !o.disconnect);
	EXPECT_EQ(o.state, C);
}

TEST(connected_frontend_connects_too)
{
	/* Two watch events in a row can hide Initialised: connect on Connected. */
	struct xenbus_fsm_out o = step(W, W, C, true, false);
	EXPECT(o.connect);
	EXPECT_EQ(o.state, C);
}

TEST(repeated_connected_is_idempotent)
{
	struct xenbus_fsm_out o = step(C, C, C, true, true);
	EXPECT(!o.connect && !o.disconnect);
	EXPECT_EQ(o.state, -1);
}

TEST(initialising_before_probe_does_nothing)
{
	struct xenbus_fsm_out o = step(W, W, I, true, false);
	EXPECT(!o.connect && !o.disconnect);
	EXPECT_EQ(o.state, -1);
}

TEST(frontend_closing_closes_but_keeps_serving)
{
	struct xenbus_fsm_out o = step(C, C, G, true, true);
	EXPECT(!o.disconnect && !o.connect);
	EXPECT_EQ(o.state, G);
}

TEST(frontend_closed_disconnects)
{
	struct xenbus_fsm_out o = step(G, G, X, true, true);
	EXPECT(o.disconnect);
	EXPECT_EQ(o.state, X);
}

TEST(frontend_closed_straight_from_connected)
{
	struct xenbus_fsm_out o = step(C, C, X, true, true);
	EXPECT(o.disconnect);
	EXPECT_EQ(o.state, X);
}

TEST(reconnect_after_closed_goes_initwait)
{
	struct xenbus_fsm_out o = step(X, X, I, true, false);
	EXPECT(!o.connect);
	EXPECT_EQ(o.state, W);
}

TEST(reconnect_skipping_initialising)
{
	struct xenbus_fsm_out o = step(X, X, D, true, false);
	EXPECT(o.connect);
	EXPECT_EQ(o.state, C);
}

TEST(no_reconnect_when_offline)
{
	struct xenbus_fsm_out o = step(X, X, I, false, false);
	EXPECT_EQ(o.state, -1);
	o = step(X, X, D, false, false);
	EXPECT(!o.connect);
	EXPECT_EQ(o.state, -1);
}

TEST(toolstack_detach_of_idle_device_closes_at_once)
{
	struct xenbus_fsm_out o = step(W, G, I, false, false);
	EXPECT(!o.disconnect);
	EXPECT_EQ(o.state, X);
}

TEST(toolstack_detach_of_live_device_waits_for_frontend)
{
	struct xenbus_fsm_out o = step(C, G, C, false, true);
	EXPECT(!o.disconnect && !o.connect);
	EXPECT_EQ(o.state, G);
	/* frontend goes Closing, then Closed */
	o = step(G, G, G, false, true);
	EXPECT(!o.disconnect);
	o = step(G, G, X, false, true);
	EXPECT(o.disconnect);
	EXPECT_EQ(o.state, X);
}

TEST(toolstack_detach_when_frontend_vanished)
{
	struct xenbus_fsm_out o = step(C, G, U, false, true);
	EXPECT(o.disconnect);
	EXPECT_EQ(o.state, X);
}

TEST(frontend_vanishing_while_connected_closes)
{
	struct xenbus_fsm_out o = step(C, C, U, true, true);
	EXPECT(o.disconnect);
	EXPECT_EQ(o.state, X);
}

TEST(frontend_absent_before_connect_is_not_an_error)
{
	struct xenbus_fsm_out o = step(W, W, U, true, false);
	EXPECT(!o.disconnect && !o.connect);
	EXPECT_EQ(o.state, -1);
}

TEST(closing_backend_does_not_reconnect)
{
	struct xenbus_fsm_out o = step(G, G, C, true, true);
	EXPECT(!o.connect);
	EXPECT_EQ(o.state, -1);
}

TEST(closed_is_final_when_offline)
{
	for (int fe = U; fe <= X; fe++) {
		struct xenbus_fsm_out o = step(X, X, fe, false, false);
		EXPECT(!o.connect && !o.disconnect);
		EXPECT_EQ(o.state, -1);
	}
}

/* The frontend closed first; then libxl writes Closing over our Closed
 * and waits for Closed: we must write it again. */
TEST(detach_after_frontend_closed_rewrites_closed)
{
	struct xenbus_fsm_out o = step(X, 5, X, false, false);
	EXPECT(!o.connect && !o.disconnect);
	EXPECT_EQ(o.state, X);
	o = step(X, 5, U, false, false);
	EXPECT_EQ(o.state, X);
}

/* States 7 and 8 as Linux blkback: error node, Closing, rings kept until
 * the frontend says Closed; from Closed, Initialising gets InitWait. */
TEST(reconfiguring_states_are_fatal_as_blkback)
{
	for (int fe = XenbusStateReconfiguring; fe <= XenbusStateReconfigured; fe++) {
		struct xenbus_fsm_out o = step(C, C, fe, true, true);
		EXPECT(o.bad_frontend_state && !o.disconnect && !o.connect);
		EXPECT_EQ(o.state, G);
		o = step(W, W, fe, true, false);
		EXPECT(o.bad_frontend_state);
		EXPECT_EQ(o.state, G);
		/* Once Closing, again and again: no more error writes. */
		o = step(G, G, fe, true, true);
		EXPECT(!o.bad_frontend_state);
		EXPECT_EQ(o.state, -1);
		o = step(X, X, fe, true, false);
		EXPECT(o.bad_frontend_state);
		EXPECT_EQ(o.state, G);
	}
	struct xenbus_fsm_out o = step(G, G, X, true, true);
	EXPECT(o.disconnect);
	EXPECT_EQ(o.state, X);
	o = step(X, X, I, true, false);
	EXPECT_EQ(o.state, W);
}

TEST(state_parse)
{
	EXPECT_EQ(xenbus_state_parse("4"), C);
	EXPECT_EQ(xenbus_state_parse("6"), X);
	EXPECT_EQ(xenbus_state_parse("7"), XenbusStateReconfiguring);
	EXPECT_EQ(xenbus_state_parse("8"), XenbusStateReconfigured);
	EXPECT_EQ(xenbus_state_parse("9"), U);
	EXPECT_EQ(xenbus_state_parse("44"), U);
	EXPECT_EQ(xenbus_state_parse(""), U);
	EXPECT_EQ(xenbus_state_parse(NULL), U);
	EXPECT_STR(xenbus_state_name(XenbusStateInitWait), "InitWait");
}

int main(void)
{
	RUN(initialised_frontend_connects);
	RUN(connected_frontend_connects_too);
	RUN(repeated_connected_is_idempotent);
	RUN(initialising_before_probe_does_nothing);
	RUN(frontend_closing_closes_but_keeps_serving);
	RUN(frontend_closed_disconnects);
	RUN(frontend_closed_straight_from_connected);
	RUN(reconnect_after_closed_goes_initwait);
	RUN(reconnect_skipping_initialising);
	RUN(no_reconnect_when_offline);
	RUN(toolstack_detach_of_idle_device_closes_at_once);
	RUN(toolstack_detach_of_live_device_waits_for_frontend);
	RUN(toolstack_detach_when_frontend_vanished);
	RUN(frontend_vanishing_while_connected_closes);
	RUN(frontend_absent_before_connect_is_not_an_error);
	RUN(closing_backend_does_not_reconnect);
	RUN(closed_is_final_when_offline);
	RUN(detach_after_frontend_closed_rewrites_closed);
	RUN(reconfiguring_states_are_fatal_as_blkback);
	RUN(state_parse);
	return UNIT_RESULT();
}
