/* memback's watch connection to xenstored (include/xs_watchconn.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "xs_watchconn.h"

/* libxenstore's own answer for its socket path (XENSTORED_PATH or the
 * built-in default); exported by libxenstore.so.4 but not in xenstore.h. */
const char *xs_daemon_socket(void);

#define XENBUS_DEV "/dev/xen/xenbus"

int xswc_parse(const char *buf, size_t len, struct xswc_msg *out)
{
	struct xsd_sockmsg hdr;

	if (len < sizeof(hdr))
		return 0;
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.len > XENSTORE_PAYLOAD_MAX)
		return -EPROTO;
	if (len - sizeof(hdr) < hdr.len)
		return 0;
	char *body = out->body;
	memcpy(body, buf + sizeof(hdr), hdr.len);
	body[hdr.len] = '\0';
	out->type = hdr.type;
	out->req_id = hdr.req_id;
	out->path = out->token = NULL;
	if (hdr.type == XS_WATCH_EVENT) {
		/* "path\0token\0": both there, nothing after. */
		size_t pl = strnlen(body, hdr.len);
		if (pl >= hdr.len)
			return -EPROTO;
		size_t tl = strnlen(body + pl + 1, hdr.len - pl - 1);
		if (pl + 1 + tl + 1 != hdr.len)
			return -EPROTO;
		out->path = body;
		out->token = body + pl + 1;
	} else if (hdr.type == XS_ERROR) {
		out->path = body;
	}
	return (int)(sizeof(hdr) + hdr.len);
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int xswc_open(struct xs_watchconn *wc)
{
	const char *path = xs_daemon_socket();
	int fd = path ? connect_socket(path) : -ENOENT;

	if (fd < 0) {
		fd = open(XENBUS_DEV, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	/* Reads never block the main loop; writes are small and rare. */
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	memset(wc, 0, sizeof(*wc));
	wc->fd = fd;
	wc->next_req = 1;
	return 0;
}

void xswc_close(struct xs_watchconn *wc)
{
	if (wc->fd >= 0)
		close(wc->fd);
	wc->fd = -1;
}

/* Write one whole message (the xenbus device wants it in one write). */
static int send_msg(struct xs_watchconn *wc, uint32_t type, const char *a, const char *b)
{
	size_t al = strlen(a) + 1, bl = strlen(b) + 1;
	char msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr = { .type = type, .req_id = wc->next_req++, .len = (uint32_t)(al + bl) };

	if (al + bl > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), a, al);
	memcpy(msg + sizeof(hdr) + al, b, bl);
	size_t total = sizeof(hdr) + al + bl, off = 0;
	for (int spins = 0; off < total && spins < 1000; spins++) {
		ssize_t n = write(wc->fd, msg + off, total - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			usleep(1000); /* xenstored reads requests even while we lag */
			continue;
		}
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		off += (size_t)n;
	}
	return off == total ? 0 : -ETIMEDOUT;
}

int xswc_watch(struct xs_watchconn *wc, const char *path, const char *token)
{
	return send_msg(wc, XS_WATCH, path, token);
}

int xswc_unwatch(struct xs_watchconn *wc, const char *path, const char *token)
{
	return send_msg(wc, XS_UNWATCH, path, token);
}

bool xswc_has_buffered(const struct xs_watchconn *wc)
{
	struct xsd_sockmsg hdr;

	if (wc->len < sizeof(hdr))
		return false;
	memcpy(&hdr, wc->buf, sizeof(hdr));
	return hdr.len > XENSTORE_PAYLOAD_MAX || wc->len - sizeof(hdr) >= hdr.len;
}

/* Hand out whole buffered messages; returns events handed or -EPROTO. */
static int drain(struct xs_watchconn *wc, unsigned max, xswc_event_fn fn, void *ctx)
{
	size_t off = 0;
	int handed = 0;

	while ((unsigned)handed < max) {
		struct xswc_msg *m = &wc->msg;
		int n = xswc_parse(wc->buf + off, wc->len - off, m);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		off += (size_t)n;
		if (m->type == XS_WATCH_EVENT) {
			wc->events++;
			handed++;
			fn(ctx, m->path, m->token);
		} else if (m->type == XS_ERROR) {
			/* The reply to a watch or unwatch we sent. */
			wc->errors++;
			log_dev_rl(NULL, LOG_KIND_XENSTORE, LOG_WARN,
				   "xenstore refused watch request %u: %.16s", m->req_id, m->path);
		}
	}
	memmove(wc->buf, wc->buf + off, wc->len - off);
	wc->len -= off;
	return handed;
}

int xswc_read(struct xs_watchconn *wc, unsigned max, xswc_event_fn fn, void *ctx)
{
	int handed = drain(wc, max, fn, ctx);

	if (handed < 0 || (unsigned)handed >= max)
		return handed;
	ssize_t n = read(wc->fd, wc->buf + wc->len, XSWC_BUF - wc->len);
	if (n == 0)
		return -EPIPE;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? handed : -EPIPE;
	wc->len += (size_t)n;
	int more = drain(wc, max - (unsigned)handed, fn, ctx);
	return more < 0 ? more : handed + more;
}
