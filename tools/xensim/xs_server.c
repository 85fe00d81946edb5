/* The simulated xenstored's event loop and domain sockets. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "xs_server.h"

int xs_server_listen(const char *path, int *out_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	*out_fd = fd;
	return 0;
}

static int poll_add(struct xs_server *s, int fd, struct xs_pollable *p)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = p };

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

struct xs_domain *xs_server_find_domain(struct xs_server *s, unsigned domid)
{
	for (struct xs_domain *d = s->domains; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

int xs_server_introduce(struct xs_server *s, unsigned domid)
{
	char dir[sizeof(s->dir) + 16];
	struct xs_domain *d;
	int err;

	if (xs_server_find_domain(s, domid))
		return 0; /* introduced already: nothing new to announce */
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->poll.kind = POLL_LISTEN;
	d->domid = domid;
	log_dev_init(&d->log, "dom%u", domid);
	snprintf(dir, sizeof(dir), "%s/dom%u", s->dir, domid);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		err = -errno;
		goto fail;
	}
	if ((size_t)snprintf(d->sock_path, sizeof(d->sock_path), "%s/xenstored.sock",
			     dir) >= sizeof(d->sock_path)) {
		err = -ENAMETOOLONG;
		goto fail;
	}
	if ((err = xs_server_listen(d->sock_path, &d->listen_fd)) < 0)
		goto fail;
	if ((err = poll_add(s, d->listen_fd, &d->poll)) < 0) {
		close(d->listen_fd);
		unlink(d->sock_path);
		goto fail;
	}
	d->next = s->domains;
	s->domains = d;
	log_dev(&d->log, LOG_INFO, "introduced: %s", d->sock_path);
	xs_watch_fire_special(s, "@introduceDomain");
	return 0;
fail:
	log_dev(&d->log, LOG_ERR, "cannot open its socket: %s", strerror(-err));
	free(d);
	return err == -ENAMETOOLONG ? -EINVAL : -EIO;
}

/* Close the domain's socket and connections; the struct itself is freed
 * by the sweep, as an event for it may still be pending in this pass. */
static void domain_close(struct xs_server *s, struct xs_domain *d)
{
	char dir[sizeof(s->dir) + 16];

	for (struct xs_conn *c = s->conns; c; c = c->next)
		if (c->dom == d)
			xs_conn_close(c, "domain released");
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, d->listen_fd, NULL);
	close(d->listen_fd);
	d->listen_fd = -1;
	unlink(d->sock_path);
	snprintf(dir, sizeof(dir), "%s/dom%u", s->dir, d->domid);
	rmdir(dir); /* fails harmlessly while simhost keeps files there */
	d->next = s->dead_domains;
	s->dead_domains = d;
}

int xs_server_release(struct xs_server *s, unsigned domid)
{
	for (struct xs_domain **pp = &s->domains; *pp; pp = &(*pp)->next) {
		struct xs_domain *d = *pp;
		if (d->domid != domid)
			continue;
		*pp = d->next;
		domain_close(s, d);
		log_dev(&d->log, LOG_INFO, "released");
		log_dev_flush(&d->log);
		xs_watch_fire_special(s, "@releaseDomain");
		return 0;
	}
	return -ENOENT;
}

/* What a fresh xenstored plus xen-init-dom0 leave in the store. */
static int tree_populate(struct xs_server *s)
{
	static const struct { const char *path, *value; } nodes[] = {
		{ "/tool/xenstored", "" },
		{ "/local/domain/0/domid", "0" },
		{ "/local/domain/0/name", "Domain-0" },
	};
	struct xs_who dom0 = { 0, true };
	int err;

	if ((err = xs_tree_init(&s->tree)) < 0)
		return err;
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		err = xs_store_write(&s->tree, &dom0, NULL, nodes[i].path,
				     nodes[i].value, strlen(nodes[i].value), NULL);
		if (err < 0)
			return err;
	}
	static const char *const names[] = { "@introduceDomain", "@releaseDomain" };
	for (size_t i = 0; i < 2; i++) {
		s->specials[i].name = names[i];
		s->specials[i].perms = calloc(1, sizeof(struct xs_permissions));
		if (!s->specials[i].perms)
			return -ENOMEM;
		s->specials[i].nperms = 1; /* (n0) */
	}
	return 0;
}

static int server_init(struct xs_server *s, const char *dir)
{
	sigset_t set;
	int err;

	if (strlen(dir) + sizeof("/domNNNNN/xenstored.sock") > sizeof(s->dir))
		return -ENAMETOOLONG;
	strcpy(s->dir, dir);
	s->next_txn_id = 1;
	s->dom0_listen.kind = POLL_LISTEN;
	s->sig.kind = POLL_SIGNAL;
	if ((err = tree_populate(s)) < 0)
		return err;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	s->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->sig_fd < 0 || (err = poll_add(s, s->sig_fd, &s->sig)) < 0)
		return s->sig_fd < 0 ? -errno : err;
	snprintf(s->dom0_path, sizeof(s->dom0_path), "%s/xenstored.sock", dir);
	if ((err = xs_server_listen(s->dom0_path, &s->dom0_fd)) < 0)
		return err;
	return poll_add(s, s->dom0_fd, &s->dom0_listen);
}

static void server_fini(struct xs_server *s)
{
	while (s->conns) {
		struct xs_conn *c = s->conns;
		s->conns = c->next;
		xs_conn_free(c);
	}
	while (s->domains) {
		struct xs_domain *d = s->domains;
		s->domains = d->next;
		domain_close(s, d);
	}
	while (s->dead_domains) {
		struct xs_domain *d = s->dead_domains;
		s->dead_domains = d->next;
		free(d);
	}
	if (s->dom0_fd > 0) {
		close(s->dom0_fd);
		unlink(s->dom0_path);
	}
	if (s->sig_fd > 0)
		close(s->sig_fd);
	if (s->epfd > 0)
		close(s->epfd);
	for (size_t i = 0; i < 2; i++)
		free(s->specials[i].perms);
	xs_tree_free(&s->tree);
}

/* Flush what every connection owes; true if that let a held domain's
 * requests run (which may owe more). */
static bool flush_all(struct xs_server *s)
{
	for (struct xs_conn *c = s->conns; c; c = c->next)
		if (!c->dead && c->outlen > c->outoff && !c->want_out)
			xs_conn_flush(c);
	return xs_conn_resume_held(s);
}

/* Free connections closed during this pass; flush what the rest owe, and
 * run the requests that waited for it. True: call again without waiting. */
static bool sweep(struct xs_server *s)
{
	bool more = false;

	for (int round = 0; round < 8 && (more = flush_all(s)); round++)
		;
	for (struct xs_conn **pp = &s->conns; *pp;) {
		struct xs_conn *c = *pp;
		if (c->dead) {
			*pp = c->next;
			xs_conn_free(c);
			continue;
		}
		pp = &c->next;
	}
	while (s->dead_domains) {
		struct xs_domain *d = s->dead_domains;
		s->dead_domains = d->next;
		free(d);
	}
	return more;
}

static void dispatch(struct xs_server *s, struct epoll_event *ev)
{
	struct xs_pollable *p = ev->data.ptr;

	switch (p->kind) {
	case POLL_SIGNAL:
		s->stop = true;
		break;
	case POLL_LISTEN:
		if (p == &s->dom0_listen) {
			xs_conn_accept(s, s->dom0_fd, NULL);
		} else {
			struct xs_domain *d = (struct xs_domain *)p;
			if (d->listen_fd >= 0)
				xs_conn_accept(s, d->listen_fd, d);
		}
		break;
	case POLL_CONN: {
		struct xs_conn *c = (struct xs_conn *)p;
		if (c->dead)
			break;
		if (ev->events & EPOLLOUT)
			xs_conn_flush(c);
		if (!c->dead && (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			xs_conn_readable(c);
		break;
	}
	}
}

int xs_server_run(const char *dir, int ready_fd)
{
	static struct xs_server srv;
	struct epoll_event evs[64];
	int err;

	memset(&srv, 0, sizeof(srv));
	log_dev_init(&srv.dom0_log, "dom0");
	if ((err = server_init(&srv, dir)) < 0) {
		log_err("xenstored: cannot start in %s: %s", dir, strerror(-err));
		server_fini(&srv);
		return err;
	}
	log_info("xenstored: listening on %s", srv.dom0_path);
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			log_warn("xenstored: cannot report readiness");
		close(ready_fd);
	}
	bool more = false;
	while (!srv.stop) {
		int n = epoll_wait(srv.epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])),
				   more ? 0 : -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			log_err("xenstored: epoll_wait: %s", strerror(errno));
			break;
		}
		/* Closed connections stay allocated until sweep(), so events
		 * later in this batch never point at freed memory. */
		for (int i = 0; i < n; i++)
			dispatch(&srv, &evs[i]);
		more = sweep(&srv);
	}
	log_info("xenstored: stopping (%lu requests, %lu events, %lu dropped, %lu coalesced, "
		 "%lu times a domain was held)", srv.stats.requests, srv.stats.events,
		 srv.stats.events_dropped, srv.stats.events_coalesced, srv.stats.held);
	server_fini(&srv);
	return err < 0 ? err : 0;
}
