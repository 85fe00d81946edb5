/*
 * Event channels on the simulated host: a pollable fd per handle,
 * interdomain binding, Xen's refusals, masking semantics (one wake-up per
 * delivery, the port masked until unmask, events while masked delivered at
 * unmask), sends to a closed or dead peer dropped and counted, and the
 * same across processes.
 */
#include <errno.h>
#include <poll.h>
#include <xenevtchn.h>

#include "simshm.h"
#include "../unit.h"
#include "xsl_test.h"

static struct simhost_stats stats(unsigned domid)
{
	struct simhost_stats s = { 0 };

	simhost_get_stats(xsl_dir, domid, &s);
	return s;
}

static xenevtchn_handle *open_as(unsigned domid)
{
	xenevtchn_handle *h;

	xsl_as_dom(domid);
	h = xenevtchn_open(NULL, 0);
	xsl_as_dom(0);
	return h;
}

/* Whether the handle's fd becomes readable within ms. */
static bool readable(xenevtchn_handle *h, int ms)
{
	struct pollfd p = { .fd = xenevtchn_fd(h), .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* A pair of bound ports: *rp of dom `rdom` (unbound, for dom0) and *lp of
 * dom0 bound to it. Eats the event Xen raises on the fresh local port. */
static bool connect_pair(xenevtchn_handle *e0, xenevtchn_handle *er, unsigned rdom,
			 int *lp, int *rp)
{
	*rp = xenevtchn_bind_unbound_port(er, 0);
	if (*rp <= 0)
		return false;
	*lp = xenevtchn_bind_interdomain(e0, rdom, (evtchn_port_t)*rp);
	if (*lp <= 0 || !readable(e0, 1000) || xenevtchn_pending(e0) != *lp)
		return false;
	return xenevtchn_unmask(e0, (evtchn_port_t)*lp) == 0 && !readable(e0, 0);
}

TEST(fd_pollable)
{
	xenevtchn_handle *e = xenevtchn_open(NULL, 0);

	EXPECT(e);
	EXPECT(xenevtchn_fd(e) >= 0);
	EXPECT(!readable(e, 0));
	EXPECT_EQ(xenevtchn_close(e), 0);
}

TEST(bind_kicks_local_port)
{
	xenevtchn_handle *e0 = xenevtchn_open(NULL, 0), *e1 = open_as(1);
	int rp, lp;

	EXPECT(e0 && e1);
	rp = xenevtchn_bind_unbound_port(e1, 0);
	EXPECT(rp > 0);
	EXPECT(!readable(e1, 0));
	lp = xenevtchn_bind_interdomain(e0, 1, (evtchn_port_t)rp);
	EXPECT(lp > 0);
	/* Xen sets the new local port pending; the remote end sees nothing. */
	EXPECT(readable(e0, 0));
	EXPECT_EQ(xenevtchn_pending(e0), lp);
	EXPECT(!readable(e1, 0));
	xenevtchn_close(e0), xenevtchn_close(e1);
}

TEST(masking)
{
	xenevtchn_handle *e0 = xenevtchn_open(NULL, 0), *e1 = open_as(1);
	int rp, lp;

	EXPECT(e0 && e1 && connect_pair(e0, e1, 1, &lp, &rp));
	EXPECT_EQ(xenevtchn_notify(e1, (evtchn_port_t)rp), 0);
	EXPECT(readable(e0, 1000));
	EXPECT_EQ(xenevtchn_pending(e0), lp);
	/* Delivered: masked until unmask. More sends only leave it pending. */
	EXPECT_EQ(xenevtchn_notify(e1, (evtchn_port_t)rp), 0);
	EXPECT_EQ(xenevtchn_notify(e1, (evtchn_port_t)rp), 0);
	EXPECT(!readable(e0, 0));
	EXPECT_EQ(xenevtchn_unmask(e0, (evtchn_port_t)lp), 0);
	EXPECT(readable(e0, 0));
	EXPECT_EQ(xenevtchn_pending(e0), lp);
	EXPECT(!readable(e0, 0));
	/* Nothing pending now: unmask delivers nothing; the next send does. */
	EXPECT_EQ(xenevtchn_unmask(e0, (evtchn_port_t)lp), 0);
	EXPECT(!readable(e0, 0));
	EXPECT_EQ(xenevtchn_notify(e1, (evtchn_port_t)rp), 0);
	EXPECT(readable(e0, 0));
	EXPECT_EQ(xenevtchn_pending(e0), lp);
	/* Other direction, same rules. */
	EXPECT_EQ(xenevtchn_notify(e0, (evtchn_port_t)lp), 0);
	EXPECT(readable(e1, 0));
	EXPECT_EQ(xenevtchn_pending(e1), rp);
	EXPECT(!readable(e1, 0));
	xenevtchn_close(e0), xenevtchn_close(e1);
}

TEST(two_ports_one_handle)
{
	xenevtchn_handle *e0 = xenevtchn_open(NULL, 0), *e1 = open_as(1),
			 *e2 = open_as(2);
	int lp1, rp1, lp2, rp2, a, b;

	EXPECT(e0 && e1 && e2);
	EXPECT(connect_pair(e0, e1, 1, &lp1, &rp1));
	EXPECT(connect_pair(e0, e2, 2, &lp2, &rp2));
	EXPECT_EQ(xenevtchn_notify(e1, (evtchn_port_t)rp1), 0);
	EXPECT_EQ(xenevtchn_notify(e2, (evtchn_port_t)rp2), 0);
	a = xenevtchn_pending(e0);
	b = xenevtchn_pending(e0);
	EXPECT((a == lp1 && b == lp2) || (a == lp2 && b == lp1));
	EXPECT(!readable(e0, 0));
	xenevtchn_close(e0), xenevtchn_close(e1), xenevtchn_close(e2);
}

TEST(refusals)
{
	xenevtchn_handle *e0 = xenevtchn_open(NULL, 0), *e1 = open_as(1);
	int for2, rp, lp;

	EXPECT(e0 && e1);
	for2 = xenevtchn_bind_unbound_port(e1, 2);
	EXPECT(for2 > 0);
	errno = 0;
	EXPECT_EQ(xenevtchn_bind_interdomain(e0, 1, (evtchn_port_t)for2), -1);
	EXPECT_EQ(errno, EINVAL); /* unbound, but for dom2 */
	errno = 0;
	EXPECT_EQ(xenevtchn_bind_interdomain(e0, 99, 1), -1);
	EXPECT_EQ(errno, ESRCH);
	errno = 0;
	EXPECT_EQ(xenevtchn_bind_interdomain(e0, 1, 0), -1);
	EXPECT_EQ(errno, EINVAL);
	errno = 0;
	EXPECT_EQ(xenevtchn_bind_interdomain(e0, 1, SIM_NR_PORTS + 3), -1);
	EXPECT_EQ(errno, EINVAL);
	EXPECT(connect_pair(e0, e1, 1, &lp, &rp));
	errno = 0; /* already bound: no longer unbound */
	EXPECT_EQ(xenevtchn_bind_interdomain(e0, 1, (evtchn_port_t)rp), -1);
	EXPECT_EQ(errno, EINVAL);
	errno = 0; /* not bound by this handle */
	EXPECT_EQ(xenevtchn_notify(e1, 500), -1);
	EXPECT_EQ(errno, ENOTCONN);
	errno = 0;
	EXPECT_EQ(xenevtchn_unbind(e1, 500), -1);
	EXPECT_EQ(errno, ENOTCONN);
	/* The device ignores unmask of a port the user did not bind. */
	EXPECT_EQ(xenevtchn_unmask(e1, 500), 0);
	xenevtchn_close(e0), xenevtchn_close(e1);
}

TEST(closed_peer_dropped)
{
	xenevtchn_handle *e0 = xenevtchn_open(NULL, 0), *e1 = open_as(1);
	struct simhost_stats a = stats(0), b;
	int rp, lp;

	EXPECT(e0 && e1 && connect_pair(e0, e1, 1, &lp, &rp));
	EXPECT_EQ(xenevtchn_unbind(e1, (evtchn_port_t)rp), 0);
	/* Xen drops a send on a port whose peer closed; no error. */
	EXPECT_EQ(xenevtchn_notify(e0, (evtchn_port_t)lp), 0);
	EXPECT(!readable(e1, 0));
	b = stats(0);
	EXPECT_EQ(b.notify_calls, a.notify_calls + 1);
	EXPECT_EQ(b.notify_dropped, a.notify_dropped + 1);
	EXPECT_EQ(b.notify_delivered, a.notify_delivered);
	/* The closed handle's ports go too. */
	EXPECT(connect_pair(e0, e1, 1, &lp, &rp));
	xenevtchn_close(e1);
	EXPECT_EQ(xenevtchn_notify(e0, (evtchn_port_t)lp), 0);
	EXPECT_EQ(stats(0).notify_dropped, a.notify_dropped + 2);
	xenevtchn_close(e0);
}

/* What a restarted backend relies on, as Xen does it: when the backend's
 * handle goes, the guest's port is left unbound for dom0; the guest's
 * kicks meanwhile are dropped; a new handle binds the same guest port
 * again and the guest's next kick reaches it. */
TEST(backend_gone_guest_port_rebinds)
{
	xenevtchn_handle *e0 = xenevtchn_open(NULL, 0), *e1 = open_as(1), *again;
	uint64_t dropped;
	int rp, lp, lp2;

	EXPECT(e0 && e1 && connect_pair(e0, e1, 1, &lp, &rp));
	xenevtchn_close(e0);
	dropped = stats(1).notify_dropped;
	EXPECT_EQ(xenevtchn_notify(e1, (evtchn_port_t)rp), 0);
	EXPECT_EQ(stats(1).notify_dropped, dropped + 1);
	again = xenevtchn_open(NULL, 0);
	EXPECT(again != NULL);
	lp2 = xenevtchn_bind_interdomain(again, 1, (evtchn_port_t)rp);
	EXPECT(lp2 > 0);
	/* The fresh binding starts with one event, as Xen sets it pending. */
	EXPECT(readable(again, 1000) && xenevtchn_pending(again) == lp2);
	EXPECT_EQ(xenevtchn_unmask(again, (evtchn_port_t)lp2), 0);
	EXPECT_EQ(xenevtchn_notify(e1, (evtchn_port_t)rp), 0);
	EXPECT(readable(again, 1000) && xenevtchn_pending(again) == lp2);
	xenevtchn_close(again);
	xenevtchn_close(e1);
}

TEST(dead_peer_dropped)
{
	xenevtchn_handle *e0 = xenevtchn_open(NULL, 0), *e6;
	uint64_t dropped = stats(0).notify_dropped;
	int rp, lp;

	EXPECT_EQ(simhost_domain_create(xsl_dir, 6, 1), 0);
	e6 = open_as(6);
	EXPECT(e0 && e6 && connect_pair(e0, e6, 6, &lp, &rp));
	EXPECT_EQ(simhost_domain_destroy(xsl_dir, 6), 0);
	EXPECT_EQ(xenevtchn_notify(e0, (evtchn_port_t)lp), 0);
	EXPECT(!readable(e6, 0));
	EXPECT_EQ(stats(0).notify_dropped, dropped + 1);
	errno = 0;
	EXPECT_EQ(xenevtchn_bind_unbound_port(e6, 0), -1);
	EXPECT_EQ(errno, ESRCH);
	xenevtchn_close(e0), xenevtchn_close(e6);
}

TEST(counters)
{
	xenevtchn_handle *e0 = xenevtchn_open(NULL, 0), *e1 = open_as(1);
	struct simhost_stats a0 = stats(0), a1 = stats(1), b0, b1;
	int rp, lp;

	EXPECT(e0 && e1 && connect_pair(e0, e1, 1, &lp, &rp));
	EXPECT_EQ(stats(0).evtchn_bound, a0.evtchn_bound + 1);
	EXPECT_EQ(stats(1).evtchn_bound, a1.evtchn_bound + 1);
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(xenevtchn_notify(e1, (evtchn_port_t)rp), 0);
	EXPECT_EQ(xenevtchn_pending(e0), lp);
	b0 = stats(0), b1 = stats(1);
	EXPECT_EQ(b1.notify_calls, a1.notify_calls + 3);
	EXPECT_EQ(b1.notify_delivered, a1.notify_delivered + 1);
	EXPECT_EQ(b0.events_received, a0.events_received + 2); /* + bind's */
	xenevtchn_close(e0), xenevtchn_close(e1);
	EXPECT_EQ(stats(0).evtchn_bound, a0.evtchn_bound);
	EXPECT_EQ(stats(1).evtchn_bound, a1.evtchn_bound);
}

/* The guest half of across_processes: dom1 offers a port, waits for
 * dom0's events and answers each. Exit status says what went wrong. */
static int guest_child(int to_parent, int from_parent)
{
	xenevtchn_handle *e = open_as(1);
	int rp, got;
	char c;

	if (!e)
		return 2;
	rp = xenevtchn_bind_unbound_port(e, 0);
	if (rp <= 0 || write(to_parent, &rp, sizeof(rp)) != sizeof(rp))
		return 3;
	for (int i = 0; i < 2; i++) {
		if (!readable(e, 5000))
			return 4;
		got = xenevtchn_pending(e);
		if (got != rp || xenevtchn_unmask(e, (evtchn_port_t)rp) != 0)
			return 5;
		if (xenevtchn_notify(e, (evtchn_port_t)rp) != 0)
			return 6;
	}
	/* Three quick sends while dom0 holds its port masked. */
	if (read(from_parent, &c, 1) != 1)
		return 7;
	for (int i = 0; i < 3; i++)
		xenevtchn_notify(e, (evtchn_port_t)rp);
	if (write(to_parent, "x", 1) != 1 || read(from_parent, &c, 1) != 1)
		return 8;
	xenevtchn_close(e);
	return 0;
}

TEST(across_processes)
{
	int to_parent[2], to_child[2], rp = 0, lp, sig;
	xenevtchn_handle *e0;
	pid_t pid;
	char c;

	EXPECT(pipe(to_parent) == 0 && pipe(to_child) == 0);
	pid = fork();
	if (pid == 0)
		_exit(guest_child(to_parent[1], to_child[0]));
	e0 = xenevtchn_open(NULL, 0);
	EXPECT(e0);
	EXPECT(read(to_parent[0], &rp, sizeof(rp)) == sizeof(rp));
	lp = xenevtchn_bind_interdomain(e0, 1, (evtchn_port_t)rp);
	EXPECT(lp > 0);
	EXPECT_EQ(xenevtchn_pending(e0), lp); /* bind's event */
	EXPECT_EQ(xenevtchn_unmask(e0, (evtchn_port_t)lp), 0);
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(xenevtchn_notify(e0, (evtchn_port_t)lp), 0);
		EXPECT(readable(e0, 5000));
		EXPECT_EQ(xenevtchn_pending(e0), lp);
		if (i == 0)
			EXPECT_EQ(xenevtchn_unmask(e0, (evtchn_port_t)lp), 0);
	}
	/* Masked now: the child's three sends make one event at unmask. */
	EXPECT(write(to_child[1], "x", 1) == 1);
	EXPECT(read(to_parent[0], &c, 1) == 1);
	EXPECT(!readable(e0, 0));
	EXPECT_EQ(xenevtchn_unmask(e0, (evtchn_port_t)lp), 0);
	EXPECT(readable(e0, 0));
	EXPECT_EQ(xenevtchn_pending(e0), lp);
	EXPECT(!readable(e0, 0));
	EXPECT(write(to_child[1], "x", 1) == 1);
	EXPECT_EQ(xsl_wait(pid, &sig), 0);
	xenevtchn_close(e0);
	for (int i = 0; i < 2; i++)
		close(to_parent[i]), close(to_child[i]);
}

/* A sender killed between the delivery and the wake-up (the simulator's
 * two steps; one hypercall in Xen) must not strand the receiver: the
 * next process to open a handle reclaims the dead one and wakes it. */
TEST(sender_killed_before_wakeup)
{
	xenevtchn_handle *e1 = open_as(1), *again;
	int p[2], rp, sig;
	pid_t pid;

	EXPECT(e1 && pipe(p) == 0);
	rp = xenevtchn_bind_unbound_port(e1, 0);
	EXPECT(rp > 0);
	pid = fork();
	if (pid == 0) {
		xenevtchn_handle *e0 = xenevtchn_open(NULL, 0);
		int lp = e0 ? xenevtchn_bind_interdomain(e0, 1, (evtchn_port_t)rp) : -1;
		if (lp <= 0)
			_exit(2);
		setenv("XENSIM_DIE_AFTER_RAISE", "1", 1);
		xenevtchn_notify(e0, (evtchn_port_t)lp); /* dies inside */
		_exit(3);
	}
	EXPECT_EQ(xsl_wait(pid, &sig), 0); /* _exit(0) in the send */
	EXPECT(!readable(e1, 100));       /* delivered, never woken */
	again = xenevtchn_open(NULL, 0);  /* the restarted backend */
	EXPECT(again != NULL);
	EXPECT(readable(e1, 1000));
	EXPECT_EQ(xenevtchn_pending(e1), rp);
	xenevtchn_close(again);
	xenevtchn_close(e1);
	close(p[0]), close(p[1]);
}

TEST(dead_handle_reclaimed)
{
	xenevtchn_handle *e0 = xenevtchn_open(NULL, 0);
	int p[2], rp = 0, lp, sig;
	uint64_t dropped = stats(0).notify_dropped;
	pid_t pid;

	EXPECT(e0 && pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		xenevtchn_handle *e = open_as(1);

		rp = e ? xenevtchn_bind_unbound_port(e, 0) : -1;
		_exit(write(p[1], &rp, sizeof(rp)) == sizeof(rp) ? 0 : 1);
	}
	EXPECT(read(p[0], &rp, sizeof(rp)) == sizeof(rp) && rp > 0);
	EXPECT_EQ(xsl_wait(pid, &sig), 0);
	lp = xenevtchn_bind_interdomain(e0, 1, (evtchn_port_t)rp);
	EXPECT(lp > 0);
	/* Its process died: as the kernel closes a dead process's ports, the
	 * send is dropped, and so are later ones (the port is closed now). */
	EXPECT(readable(e0, 0)); /* bind's event */
	EXPECT_EQ(xenevtchn_pending(e0), lp);
	EXPECT_EQ(xenevtchn_unmask(e0, (evtchn_port_t)lp), 0);
	EXPECT_EQ(xenevtchn_notify(e0, (evtchn_port_t)lp), 0);
	EXPECT_EQ(stats(0).notify_dropped, dropped + 1);
	EXPECT_EQ(xenevtchn_notify(e0, (evtchn_port_t)lp), 0);
	EXPECT_EQ(stats(0).notify_dropped, dropped + 2);
	xenevtchn_close(e0);
	close(p[0]), close(p[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (xsl_host_up() != 0) {
		printf("FAIL: setup: cannot create a host\n");
		return 1;
	}
	RUN(fd_pollable);
	RUN(bind_kicks_local_port);
	RUN(masking);
	RUN(two_ports_one_handle);
	RUN(refusals);
	RUN(closed_peer_dropped);
	RUN(backend_gone_guest_port_rebinds);
	RUN(dead_peer_dropped);
	RUN(counters);
	RUN(across_processes);
	RUN(dead_handle_reclaimed);
	RUN(sender_killed_before_wakeup);
	xsl_host_down();
	return UNIT_RESULT();
}
