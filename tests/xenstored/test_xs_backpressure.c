/*
 * The simulated xenstored's defences against watch storms, as C xenstored
 * 4.17 has them: an event identical to one still pending for a watcher is
 * dropped, and a domain's request waits while 20 of its earlier requests
 * have replies or watch events not yet consumed (quota-outstanding). The
 * watcher here is a raw dom0 socket that stops reading, as a busy backend
 * does; the writer is a guest. Long node names fill the socket's kernel
 * buffer quickly, so the server's own queue is what is tested.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "../unit.h"
#include "xst_host.h"

static struct xst_host host;
static int guest_id;
static char name_pad[1501];

static int conn(unsigned domid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	xst_sock_path(&host, domid, sa.sun_path, sizeof(sa.sun_path));
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool send_msg(int fd, uint32_t type, const void *body, size_t len)
{
	char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg h = { .type = type, .req_id = 9, .len = (uint32_t)len };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), body, len);
	return send(fd, buf, sizeof(h) + len, MSG_NOSIGNAL) == (ssize_t)(sizeof(h) + len);
}

/* One whole message within ms: its type, or -1 on timeout/EOF. */
static int recv_msg(int fd, int ms, char *body, size_t blen)
{
	struct xsd_sockmsg h;
	char *p = (char *)&h;
	size_t want = sizeof(h), got = 0;
	bool in_body = false;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, ms) <= 0)
			return -1;
		ssize_t n = recv(fd, p + got, want - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
		if (got < want)
			continue;
		if (in_body || h.len == 0)
			break;
		if (h.len > blen)
			return -1;
		p = body, want = h.len, got = 0, in_body = true;
	}
	return (int)h.type;
}

/* Read everything the watcher has queued until idle for ms; events seen. */
static unsigned drain(int fd, int ms)
{
	static char body[XENSTORE_PAYLOAD_MAX];
	unsigned n = 0;
	int t;

	while ((t = recv_msg(fd, ms, body, sizeof(body))) >= 0)
		n += t == XS_WATCH_EVENT;
	return n;
}

static int watcher(const char *path)
{
	char body[256];
	int fd = conn(0);
	int len = snprintf(body, sizeof(body), "%s%c%s", path, 0, "storm");

	if (fd < 0 || !send_msg(fd, XS_WATCH, body, (size_t)len + 1)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	drain(fd, 200); /* the reply and the initial event */
	return fd;
}

/* The guest writes node i (or the same node for all i) under data/storm;
 * the reply's type within ms, or -1 if none came (held). */
static int guest_write(int fd, unsigned i, bool same, int ms)
{
	char body[XENSTORE_PAYLOAD_MAX];
	int len = snprintf(body, sizeof(body), "data/storm/%s%u%c1", name_pad, same ? 0 : i, 0);
	static char reply[XENSTORE_PAYLOAD_MAX];

	if (!send_msg(fd, XS_WRITE, body, (size_t)len + 1))
		return -1;
	return recv_msg(fd, ms, reply, sizeof(reply));
}

static void storm_path(char *buf, size_t len)
{
	snprintf(buf, len, "/local/domain/%d/data/storm", guest_id);
}

TEST(identical_pending_events_are_dropped)
{
	char path[96];
	storm_path(path, sizeof(path));
	int w = watcher(path), g = conn((unsigned)guest_id);
	unsigned replies = 0;

	EXPECT(w >= 0 && g >= 0);
	for (unsigned i = 0; i < 500; i++) {
		if (guest_write(g, i, true, 1000) != XS_WRITE)
			break; /* held: identical events were not dropped */
		replies++;
	}
	/* Never held: past what the socket buffers, one event stays queued. */
	EXPECT_EQ(replies, 500);
	unsigned events = drain(w, 300);
	printf("# 500 writes of one node, watcher not reading: %u events delivered\n", events);
	EXPECT(events >= 1 && events < 300);
	close(w);
	close(g);
}

TEST(outstanding_quota_holds_the_writer_and_loses_nothing)
{
	char path[96];
	storm_path(path, sizeof(path));
	int w = watcher(path), g = conn((unsigned)guest_id);
	unsigned held_at = 0, events = 0;

	EXPECT(w >= 0 && g >= 0);
	for (unsigned i = 1; i <= 400; i++) {
		int t = guest_write(g, i, false, 300);
		if (t < 0) {
			/* Held: once the watcher reads, the reply comes. */
			if (!held_at)
				held_at = i;
			static char reply[XENSTORE_PAYLOAD_MAX];
			events += drain(w, 100);
			t = recv_msg(g, 2000, reply, sizeof(reply));
		}
		EXPECT_EQ(t, XS_WRITE);
	}
	events += drain(w, 300);
	printf("# 400 distinct writes: writer held first at write %u; %u events\n",
	       held_at, events);
	EXPECT(held_at > 0 && held_at < 400);
	/* Every distinct change reached the watcher. */
	EXPECT(events >= 400);
	close(w);
	close(g);
}

int main(void)
{
	memset(name_pad, 'x', sizeof(name_pad) - 1);
	if (xst_host_start(&host) < 0 || (guest_id = xst_domain_create(&host, "storm")) <= 0) {
		printf("FAIL: setup: no simulated host\n");
		if (guest_id <= 0)
			xst_host_stop(&host);
		return 1;
	}
	RUN(identical_pending_events_are_dropped);
	RUN(outstanding_quota_holds_the_writer_and_loses_nothing);
	return xst_host_stop(&host) | UNIT_RESULT();
}
