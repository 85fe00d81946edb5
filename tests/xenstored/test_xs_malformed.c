/*
 * Bad messages on a raw socket: the simulated xenstored answers XS_ERROR
 * with an E* name, or closes only that connection, and keeps serving the
 * others. Byte-at-a-time and pipelined requests still work.
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

static bool send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool send_msg(int fd, uint32_t type, uint32_t tx, const void *body, size_t len)
{
	struct xsd_sockmsg h = { .type = type, .req_id = 77, .tx_id = tx,
				 .len = (uint32_t)len };

	return send_all(fd, &h, sizeof(h)) && send_all(fd, body, len);
}

/* Read exactly len bytes within 2 s: 1, 0 on EOF, -1 on timeout/error. */
static int recv_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, 2000) <= 0)
			return -1;
		ssize_t n = recv(fd, p, len, 0);
		if (n == 0)
			return 0;
		if (n < 0)
			return errno == ECONNRESET ? 0 : -1;
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

struct reply {
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

static int recv_reply(int fd, struct reply *r)
{
	int rc = recv_all(fd, &r->h, sizeof(r->h));

	if (rc <= 0)
		return rc;
	if (r->h.len > XENSTORE_PAYLOAD_MAX)
		return -1;
	rc = recv_all(fd, r->body, r->h.len);
	r->body[rc > 0 ? r->h.len : 0] = '\0';
	return rc;
}

/* The reply to one request: "ERR:EINVAL", the value, or "<closed>". */
static const char *ask(int fd, uint32_t type, uint32_t tx, const void *body, size_t len)
{
	static char out[XENSTORE_PAYLOAD_MAX + 8];
	static struct reply r;

	if (!send_msg(fd, type, tx, body, len))
		return "<closed>";
	int rc = recv_reply(fd, &r);
	if (rc == 0)
		return "<closed>";
	if (rc < 0)
		return "<timeout>";
	if (r.h.type == XS_ERROR)
		snprintf(out, sizeof(out), "ERR:%s", r.body);
	else
		snprintf(out, sizeof(out), "%s", r.body);
	return out;
}

/* Is the server still serving a fresh dom0 connection? */
static bool alive(void)
{
	static const char path[] = "/local/domain/0/name";
	int fd = conn(0);
	bool ok = fd >= 0 && strcmp(ask(fd, XS_READ, 0, path, sizeof(path)),
				     "Domain-0") == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

#define ASK(fd, type, tx, lit) ask(fd, type, tx, lit, sizeof(lit) - 1)

TEST(bad_types)
{
	int fd = conn(0);

	EXPECT(fd >= 0);
	EXPECT_STR(ASK(fd, 9999, 0, "/x\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_TYPE_COUNT, 0, "/x\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_WATCH_EVENT, 0, "/x\0t\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_ERROR, 0, "EINVAL\0"), "ERR:EINVAL");
	/* The same connection goes on. */
	EXPECT_STR(ASK(fd, XS_READ, 0, "/local/domain/0/name\0"), "Domain-0");
	close(fd);
}

TEST(oversized_closes_only_that_connection)
{
	int bad = conn(0), good = conn(0);
	struct xsd_sockmsg h = { .type = XS_WRITE, .len = XENSTORE_PAYLOAD_MAX + 1 };
	char junk[64] = { 0 };
	struct reply r;

	EXPECT(bad >= 0 && good >= 0);
	EXPECT(send_all(bad, &h, sizeof(h)));
	send_all(bad, junk, sizeof(junk));   /* may meet the closed socket */
	EXPECT_EQ(recv_reply(bad, &r), 0);
	EXPECT_STR(ASK(good, XS_READ, 0, "/local/domain/0/name\0"), "Domain-0");
	close(bad);
	bad = conn(0);
	h.len = 0xffffffffu;
	EXPECT(send_all(bad, &h, sizeof(h)));
	EXPECT_EQ(recv_reply(bad, &r), 0);
	close(bad);
	close(good);
	EXPECT(alive());
}

TEST(unterminated_strings)
{
	int fd = conn(0);

	EXPECT_STR(ASK(fd, XS_READ, 0, "/local/domain/0/name"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_WRITE, 0, "/local/x"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_READ, 0, ""), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_WATCH, 0, "/local\0tok"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_WATCH, 0, "/local\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_READ, 0, "/a\0/b\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_TRANSACTION_END, 0, "T"), "ERR:EINVAL");
	close(fd);
	EXPECT(alive());
}

TEST(invalid_paths)
{
	static const char *const bad[] = {
		"/a b", "/a//b", "/a/", "relative/../x", "/a\xff", "/a.b", "@bogus/x",
	};
	char buf[256];
	int fd = conn(0);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t l = strlen(bad[i]) + 1;
		memcpy(buf, bad[i], l);
		EXPECT_STR(ask(fd, XS_READ, 0, buf, l), "ERR:EINVAL");
		memcpy(buf + l, "v", 1);
		EXPECT_STR(ask(fd, XS_WRITE, 0, buf, l + 1), "ERR:EINVAL");
	}
	close(fd);
}

TEST(path_too_long)
{
	static char buf[XENSTORE_PAYLOAD_MAX];
	int fd = conn(0);

	buf[0] = '/';
	memset(buf + 1, 'a', XENSTORE_ABS_PATH_MAX);
	buf[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	EXPECT_STR(ask(fd, XS_WRITE, 0, buf, XENSTORE_ABS_PATH_MAX + 2), "ERR:EINVAL");
	buf[XENSTORE_ABS_PATH_MAX] = '\0';   /* exactly the limit: fine */
	EXPECT_STR(ask(fd, XS_WRITE, 0, buf, XENSTORE_ABS_PATH_MAX + 1), "OK");
	close(fd);
}

TEST(bogus_transactions)
{
	int fd = conn(0);

	EXPECT_STR(ASK(fd, XS_READ, 4242, "/local/domain/0/name\0"), "ERR:ENOENT");
	EXPECT_STR(ASK(fd, XS_WRITE, 4242, "/local/x\0v"), "ERR:ENOENT");
	EXPECT_STR(ASK(fd, XS_TRANSACTION_END, 4242, "T\0"), "ERR:ENOENT");
	EXPECT_STR(ASK(fd, XS_TRANSACTION_END, 0, "X\0"), "ERR:EINVAL");
	/* A transaction id belongs to the connection that started it. */
	char id[32];
	snprintf(id, sizeof(id), "%s", ASK(fd, XS_TRANSACTION_START, 0, "\0"));
	EXPECT(atoi(id) > 0);
	int other = conn(0);
	EXPECT_STR(ASK(other, XS_READ, (uint32_t)atoi(id), "/local\0"), "ERR:ENOENT");
	close(other);
	EXPECT_STR(ASK(fd, XS_TRANSACTION_END, (uint32_t)atoi(id), "F\0"), "OK");
	close(fd);
}

TEST(bad_arguments)
{
	int fd = conn(0);

	EXPECT_STR(ASK(fd, XS_SET_PERMS, 0, "/local/domain/0\0q1\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_SET_PERMS, 0, "/local/domain/0\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_SET_PERMS, 0, "/local/domain/0\0n0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_INTRODUCE, 0, "abc\0" "0\0" "1\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_INTRODUCE, 0, "0\0" "0\0" "1\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_INTRODUCE, 0, "5\0" "0\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_RELEASE, 0, "99999\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_GET_DOMAIN_PATH, 0, "-1\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_DIRECTORY_PART, 0, "/local\0x\0"), "ERR:EINVAL");
	EXPECT_STR(ASK(fd, XS_CONTROL, 0, "nonsense\0"), "ERR:EINVAL");
	close(fd);
	EXPECT(alive());
}

TEST(guest_privileged_requests)
{
	int fd = conn((unsigned)guest_id);

	EXPECT(fd >= 0);
	EXPECT_STR(ASK(fd, XS_INTRODUCE, 0, "9\0" "0\0" "1\0"), "ERR:EACCES");
	EXPECT_STR(ASK(fd, XS_RELEASE, 0, "1\0"), "ERR:EACCES");
	EXPECT_STR(ASK(fd, XS_CONTROL, 0, "check\0"), "ERR:EACCES");
	EXPECT_STR(ASK(fd, XS_IS_DOMAIN_INTRODUCED, 0, "0\0"), "ERR:EACCES");
	EXPECT_STR(ASK(fd, XS_READ, 0, "name\0"), "m\0");
	close(fd);
}

TEST(byte_at_a_time)
{
	static const char body[] = "/local/domain/0/name";
	struct xsd_sockmsg h = { .type = XS_READ, .req_id = 5, .len = sizeof(body) };
	char buf[sizeof(h) + sizeof(body)];
	struct reply r;
	int fd = conn(0);

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), body, sizeof(body));
	for (size_t i = 0; i < sizeof(buf); i++) {
		EXPECT(send_all(fd, buf + i, 1));
		if (i % 8 == 0)
			usleep(1000);
	}
	EXPECT_EQ(recv_reply(fd, &r), 1);
	EXPECT_EQ(r.h.type, XS_READ);
	EXPECT_EQ(r.h.req_id, 5);
	EXPECT_STR(r.body, "Domain-0");
	close(fd);
}

TEST(pipelined_requests)
{
	struct xsd_sockmsg h = { .type = XS_READ, .len = 21 };
	char buf[10 * (sizeof(h) + 21)];
	size_t off = 0;
	struct reply r;
	int fd = conn(0);

	for (uint32_t i = 0; i < 10; i++) {
		h.req_id = 100 + i;
		h.type = i == 4 ? 9999 : XS_READ;   /* one bad one in the middle */
		memcpy(buf + off, &h, sizeof(h));
		memcpy(buf + off + sizeof(h), "/local/domain/0/name", 21);
		off += sizeof(h) + 21;
	}
	EXPECT(send_all(fd, buf, off));
	for (uint32_t i = 0; i < 10; i++) {
		EXPECT_EQ(recv_reply(fd, &r), 1);
		EXPECT_EQ(r.h.req_id, 100 + i);
		EXPECT_EQ(r.h.type, i == 4 ? XS_ERROR : XS_READ);
	}
	close(fd);
}

TEST(half_message_then_hangup)
{
	struct xsd_sockmsg h = { .type = XS_WRITE, .len = 100 };
	int fd = conn(0);

	EXPECT(send_all(fd, &h, 7));
	close(fd);
	fd = conn(0);
	EXPECT(send_all(fd, &h, sizeof(h)) && send_all(fd, "/local/x\0", 9));
	close(fd);
	EXPECT(alive());
}

TEST(many_connections_from_a_guest)
{
	int fds[40], n = 0, refused = 0;

	for (int i = 0; i < 40; i++)
		fds[n++] = conn((unsigned)guest_id);
	/* Past the per-domain quota, connections are dropped at once. */
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0 || strcmp(ASK(fds[i], XS_READ, 0, "name\0"), "m") != 0)
			refused++;
	}
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	EXPECT(refused > 0 && refused < 40);
	EXPECT(alive());
}

int main(void)
{
	if (xst_host_start(&host) < 0 || (guest_id = xst_domain_create(&host, "m")) <= 0) {
		printf("FAIL: setup: cannot start a host\n");
		if (host.dir[0])
			xst_host_stop(&host);
		return 1;
	}
	RUN(bad_types);
	RUN(oversized_closes_only_that_connection);
	RUN(unterminated_strings);
	RUN(invalid_paths);
	RUN(path_too_long);
	RUN(bogus_transactions);
	RUN(bad_arguments);
	RUN(guest_privileged_requests);
	RUN(byte_at_a_time);
	RUN(pipelined_requests);
	RUN(half_message_then_hangup);
	RUN(many_connections_from_a_guest);
	return xst_host_stop(&host) | UNIT_RESULT();
}
