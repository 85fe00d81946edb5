/* One client connection: framing in, replies and events out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "xs_msg.h"
#include "xs_server.h"

static void process_input(struct xs_conn *c);

bool xs_conn_held(const struct xs_conn *c)
{
	return c->dom && c->dom->outstanding >= XS_QUOTA_OUTSTANDING;
}

static void outstanding_inc(struct xs_server *s, unsigned domid)
{
	struct xs_domain *d = domid ? xs_server_find_domain(s, domid) : NULL;

	if (d && ++d->outstanding == XS_QUOTA_OUTSTANDING)
		s->stats.held++;
}

static void outstanding_dec(struct xs_server *s, unsigned domid)
{
	struct xs_domain *d = domid ? xs_server_find_domain(s, domid) : NULL;

	if (d && d->outstanding)
		d->outstanding--;
}

/* Record the message just appended to c->out. */
static void pend_add(struct xs_conn *c, size_t start, unsigned causer, bool event)
{
	if (c->npend == c->pendcap) {
		unsigned cap = c->pendcap ? c->pendcap * 2 : 64;
		struct xs_pend *p = realloc(c->pend, cap * sizeof(*p));
		if (!p) {
			causer = 0; /* cannot track it: do not count it either */
			goto out;
		}
		c->pend = p;
		c->pendcap = cap;
	}
	c->pend[c->npend++] = (struct xs_pend){ start, c->outlen, causer, event };
out:
	if (causer)
		outstanding_inc(c->srv, causer);
}

/* Messages written out (up to c->outoff) are consumed: their causers'
 * outstanding counts go down. all: the connection is going away. */
static void pend_retire(struct xs_conn *c, bool all)
{
	unsigned done = 0;

	while (done < c->npend && (all || c->pend[done].end <= c->outoff)) {
		outstanding_dec(c->srv, c->pend[done].causer);
		done++;
	}
	if (done && done < c->npend)
		memmove(c->pend, c->pend + done, (c->npend - done) * sizeof(*c->pend));
	c->npend -= done;
}

/* Is an identical event still waiting, not yet begun? C xenstored 4.17
 * drops the new one (tools/xenstore: don't buffer multiple identical
 * watch events). */
static bool event_pending(const struct xs_conn *c, const void *msg, size_t len)
{
	for (unsigned i = c->npend; i-- > 0;) {
		const struct xs_pend *p = &c->pend[i];
		if (p->start < c->outoff)
			break;
		if (p->event && p->end - p->start == len && memcmp(c->out + p->start, msg, len) == 0)
			return true;
	}
	return false;
}

static void conn_arm(struct xs_conn *c)
{
	struct epoll_event ev = { .data.ptr = &c->poll };

	ev.events = (c->reading ? EPOLLIN : 0) | (c->want_out ? EPOLLOUT : 0);
	epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

int xs_conn_accept(struct xs_server *s, int listen_fd, struct xs_domain *dom)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (dom && dom->nconns >= XS_QUOTA_CONNS) {
		log_dev_rl(&dom->log, LOG_KIND_XENSTORE, LOG_WARN, "too many connections");
		close(fd);
		return -ENOSPC;
	}
	struct xs_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->poll.kind = POLL_CONN;
	c->srv = s;
	c->dom = dom;
	c->fd = fd;
	c->domid = dom ? dom->domid : 0;
	c->privileged = !dom;
	c->reading = true;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c->poll };
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;
		close(fd);
		free(c);
		return err;
	}
	if (dom)
		dom->nconns++;
	c->next = s->conns;
	s->conns = c;
	return 0;
}

/* Append bytes to the output buffer; false if it would pass XS_OUT_MAX. */
static bool out_append(struct xs_conn *c, const void *data, size_t len)
{
	if (len == 0)
		return true;   /* an empty value may come as a NULL pointer */
	if (c->outoff && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (c->outlen - c->outoff + len > XS_OUT_MAX)
		return false;
	if (c->outlen + len > c->outcap) {
		if (c->outoff) {
			memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
			for (unsigned i = 0; i < c->npend; i++) {
				c->pend[i].start -= c->outoff;
				c->pend[i].end -= c->outoff;
			}
			c->outlen -= c->outoff;
			c->outoff = 0;
		}
		size_t cap = c->outcap ? c->outcap : 8192;
		while (cap < c->outlen + len)
			cap *= 2;
		char *o = realloc(c->out, cap);
		if (!o)
			return false;
		c->out = o;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, data, len);
	c->outlen += len;
	return true;
}

/* Append a message; the domain `causer` (0: none) has it outstanding
 * until it is written out. */
static void queue_msg(struct xs_conn *c, uint32_t type, uint32_t req_id,
		      uint32_t tx_id, const void *data, size_t len, unsigned causer)
{
	struct xsd_sockmsg hdr = {
		.type = type, .req_id = req_id, .tx_id = tx_id, .len = (uint32_t)len,
	};

	if (c->dead)
		return;
	if (c->outoff && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (!out_append(c, &hdr, sizeof(hdr)) || !out_append(c, data, len)) {
		xs_conn_close(c, "output buffer full");
		return;
	}
	pend_add(c, c->outlen - sizeof(hdr) - len, causer, type == XS_WATCH_EVENT);
}

void xs_conn_reply(struct xs_conn *c, const struct xsd_sockmsg *req,
		   uint32_t type, const void *data, size_t len)
{
	queue_msg(c, type, req->req_id, req->tx_id, data, len, c->dom ? c->domid : 0);
}

void xs_conn_error(struct xs_conn *c, const struct xsd_sockmsg *req, int err)
{
	const char *name = xs_msg_errname(err < 0 ? -err : err);

	c->srv->stats.errors++;
	xs_conn_reply(c, req, XS_ERROR, name, strlen(name) + 1);
}

void xs_conn_ok(struct xs_conn *c, const struct xsd_sockmsg *req)
{
	xs_conn_reply(c, req, req->type, "OK", 3);
}

void xs_conn_event(struct xs_conn *c, const char *path, const char *token)
{
	size_t pl = strlen(path) + 1, tl = strlen(token) + 1;
	unsigned max = c->privileged ? XS_DOM0_EVENTS : XS_QUOTA_EVENTS;

	if (c->dead || pl + tl > XENSTORE_PAYLOAD_MAX)
		return;
	/* A client that does not read its events must not grow our memory
	 * without bound (XSA-349): past the quota, events are dropped. */
	if (c->out_events >= max ||
	    c->outlen - c->outoff + sizeof(struct xsd_sockmsg) + pl + tl > XS_OUT_MAX) {
		c->srv->stats.events_dropped++;
		log_dev_rl(xs_conn_log(c), LOG_KIND_XENSTORE, LOG_WARN,
			   "watch event dropped (%u pending)", c->out_events);
		return;
	}
	struct xsd_sockmsg hdr = { .type = XS_WATCH_EVENT, .len = (uint32_t)(pl + tl) };
	char msg[sizeof(hdr) + XENSTORE_PAYLOAD_MAX];
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), path, pl);
	memcpy(msg + sizeof(hdr) + pl, token, tl);
	if (event_pending(c, msg, sizeof(hdr) + pl + tl)) {
		c->srv->stats.events_coalesced++;
		return;
	}
	/* The event is outstanding for the (unprivileged) domain whose
	 * request caused it, until this watcher has it. */
	const struct xs_conn *by = c->srv->current;
	c->out_events++;
	c->srv->stats.events++;
	queue_msg(c, XS_WATCH_EVENT, 0, 0, msg + sizeof(hdr), pl + tl,
		  by && by->dom ? by->domid : 0);
}

void xs_conn_flush(struct xs_conn *c)
{
	while (!c->dead && c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			xs_conn_close(c, "write failed");
			return;
		}
		c->outoff += (size_t)n;
	}
	if (c->dead)
		return;
	pend_retire(c, false);
	if (c->outoff == c->outlen) {
		c->outoff = c->outlen = 0;
		c->out_events = 0;
	}
	bool want_out = c->outlen > 0;
	bool reading = c->outlen - c->outoff < XS_OUT_HIGH && !xs_conn_held(c);
	if (want_out != c->want_out || reading != c->reading) {
		c->want_out = want_out;
		c->reading = reading;
		conn_arm(c);
	}
	/* Requests left waiting while the output was full. Only what is
	 * buffered: reading the socket here could meet EOF, whose handling
	 * flushes again (unbounded recursion). Level-triggered EPOLLIN
	 * brings the rest. */
	if (reading && c->inlen >= sizeof(struct xsd_sockmsg))
		process_input(c);
}

/* Handle every whole message in the input buffer while output has room. */
static void process_input(struct xs_conn *c)
{
	static char body[XENSTORE_PAYLOAD_MAX + 1];
	size_t off = 0;

	while (!c->dead && c->inlen - off >= sizeof(struct xsd_sockmsg) &&
	       c->outlen - c->outoff < XS_OUT_HIGH && !xs_conn_held(c)) {
		struct xsd_sockmsg hdr;
		memcpy(&hdr, c->in + off, sizeof(hdr));
		if (xs_msg_check_header(&hdr) < 0) {
			c->srv->stats.closed_bad++;
			log_dev_rl(xs_conn_log(c), LOG_KIND_XENSTORE, LOG_WARN,
				   "message of %u bytes is over the payload limit: "
				   "connection closed", hdr.len);
			xs_conn_close(c, NULL);
			return;
		}
		if (c->inlen - off < sizeof(hdr) + hdr.len)
			break;
		memcpy(body, c->in + off + sizeof(hdr), hdr.len);
		body[hdr.len] = '\0';
		off += sizeof(hdr) + hdr.len;
		c->srv->stats.requests++;
		c->srv->current = c;
		xs_handle(c, &hdr, body);
		c->srv->current = NULL;
	}
	if (c->dead)
		return;
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
}

void xs_conn_readable(struct xs_conn *c)
{
	bool eof = false;

	process_input(c);
	if (!c->dead && xs_conn_held(c) && c->reading) {
		/* Its requests wait for its outstanding ones: stop polling
		 * its socket until xs_conn_resume_held. */
		c->reading = false;
		conn_arm(c);
		return;
	}
	while (!c->dead && c->reading && c->inlen < sizeof(c->in) &&
	       c->outlen - c->outoff < XS_OUT_HIGH && !xs_conn_held(c)) {
		ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen,
				 MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			eof = true;
			break;
		}
		c->inlen += (size_t)n;
		process_input(c);
	}
	if (eof && !c->dead) {
		xs_conn_flush(c);
		xs_conn_close(c, NULL);
	}
}

void xs_conn_close(struct xs_conn *c, const char *why)
{
	if (c->dead)
		return;
	if (why)
		log_dev_rl(xs_conn_log(c), LOG_KIND_XENSTORE, LOG_INFO, "connection closed: %s", why);
	c->dead = true;
	epoll_ctl(c->srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	xs_watch_remove_all(c);
	xs_txn_drop_all(c);
	pend_retire(c, true);
	if (c->dom)
		c->dom->nconns--;
	c->dom = NULL;
}

void xs_conn_free(struct xs_conn *c)
{
	xs_conn_close(c, NULL);
	free(c->pend);
	free(c->out);
	free(c);
}

bool xs_conn_resume_held(struct xs_server *s)
{
	bool ran = false;

	for (struct xs_conn *c = s->conns; c; c = c->next) {
		if (c->dead || c->reading || xs_conn_held(c) ||
		    c->outlen - c->outoff >= XS_OUT_HIGH)
			continue;
		c->reading = true;
		conn_arm(c);
		if (c->inlen >= sizeof(struct xsd_sockmsg)) {
			process_input(c);
			ran = true;
		}
	}
	return ran;
}
