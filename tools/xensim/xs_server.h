/*
 * The simulated xenstored: one epoll loop serving dom0's socket
 * (DIR/xenstored.sock, privileged) and one socket per introduced domain
 * (DIR/dom<N>/xenstored.sock). Internal structures shared by xs_server.c,
 * xs_conn.c, xs_watch.c and xs_handlers.c.
 */
#ifndef XENSIM_XS_SERVER_H
#define XENSIM_XS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include <xen/io/xs_wire.h>

#include "log.h"
#include "xs_store.h"
#include "xs_tree.h"
#include "xs_txn.h"

/* Quotas for unprivileged domains (cxenstored's defaults where it has one). */
#define XS_QUOTA_NODES        1000
#define XS_QUOTA_VALUE        2048
#define XS_QUOTA_WATCHES      128
#define XS_QUOTA_TXNS         10
#define XS_QUOTA_TXN_NODES    1024
#define XS_QUOTA_CONNS        16    /* connections per domain socket */
#define XS_QUOTA_EVENTS       1024  /* undelivered watch events per connection */
#define XS_DOM0_EVENTS        65536
/* C xenstored 4.17's quota-outstanding: a domain's requests whose reply or
 * resulting watch events are not yet consumed (written to the reader's
 * socket). At the limit its further requests wait, so a guest writing in a
 * loop is held back by the slowest watcher instead of growing its queue. */
#define XS_QUOTA_OUTSTANDING  20
#define XS_OUT_HIGH           (256 * 1024)      /* stop reading requests */
#define XS_OUT_MAX            (16 * 1024 * 1024) /* drop events beyond */
#define XS_IN_BUF             (4 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX))

enum xs_poll_kind { POLL_LISTEN, POLL_CONN, POLL_SIGNAL };

struct xs_pollable {
	enum xs_poll_kind kind;
};

struct xs_watch {
	struct xs_watch *next;
	char *path;        /* canonical */
	char *token;
	size_t home_len;   /* relative watch: strip this much from events */
};

struct xs_domain {
	struct xs_pollable poll;   /* POLL_LISTEN */
	struct xs_domain *next;
	unsigned domid;
	int listen_fd;
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	unsigned nconns, nwatches, ntxns;
	unsigned outstanding;      /* see XS_QUOTA_OUTSTANDING */
	struct log_dev log;        /* "dom<N>": what the guest triggers */
};

struct xs_conn {
	struct xs_pollable poll;   /* POLL_CONN */
	struct xs_conn *next;
	struct xs_server *srv;
	struct xs_domain *dom;     /* NULL for dom0 */
	int fd;
	unsigned domid;
	bool privileged;
	bool dead;                 /* closed; freed at the end of the loop pass */
	bool want_out;             /* EPOLLOUT armed */
	bool reading;              /* EPOLLIN armed */
	char in[XS_IN_BUF];
	size_t inlen;
	char *out;
	size_t outlen, outoff, outcap;
	unsigned out_events;
	/* The messages in out not yet written: where each ends, whether it
	 * is a watch event (for dropping an identical one), and the domain
	 * whose request caused it (0: none counted). */
	struct xs_pend {
		size_t start, end;
		unsigned causer;
		bool event;
	} *pend;
	unsigned npend, pendcap;
	struct xs_watch *watches;
	unsigned nwatches;
	struct xs_txn *txns;
	unsigned ntxns;
};

struct xs_special {
	const char *name;
	struct xs_permissions *perms;
	unsigned nperms;
};

struct xs_stats {
	unsigned long requests, errors, events, events_dropped, closed_bad;
	unsigned long events_coalesced; /* identical to one still pending */
	unsigned long held;             /* times a domain hit quota-outstanding */
};

struct xs_server {
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int epfd;
	struct xs_pollable dom0_listen;  /* POLL_LISTEN with dom == NULL */
	int dom0_fd;
	char dom0_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct xs_pollable sig;          /* POLL_SIGNAL */
	int sig_fd;
	struct xs_tree tree;
	struct xs_conn *conns;
	struct xs_domain *domains;
	struct xs_domain *dead_domains;  /* released; freed by the sweep */
	struct xs_special specials[2];
	uint32_t next_txn_id;
	struct xs_stats stats;
	struct log_dev dom0_log;         /* "dom0" */
	struct xs_conn *current;         /* whose request is being handled */
	bool stop;
};

/* The log identity of a connection's domain (rate limits per domain). */
static inline struct log_dev *xs_conn_log(struct xs_conn *c)
{
	return c->dom ? &c->dom->log : &c->srv->dom0_log;
}

/* xs_server.c */
int xs_server_run(const char *dir, int ready_fd);
struct xs_domain *xs_server_find_domain(struct xs_server *s, unsigned domid);
int xs_server_introduce(struct xs_server *s, unsigned domid);
int xs_server_release(struct xs_server *s, unsigned domid);
int xs_server_listen(const char *path, int *out_fd);

/* xs_conn.c */
int xs_conn_accept(struct xs_server *s, int listen_fd, struct xs_domain *dom);
void xs_conn_readable(struct xs_conn *c);
void xs_conn_flush(struct xs_conn *c);
void xs_conn_close(struct xs_conn *c, const char *why);
void xs_conn_free(struct xs_conn *c);
void xs_conn_reply(struct xs_conn *c, const struct xsd_sockmsg *req,
		   uint32_t type, const void *data, size_t len);
void xs_conn_error(struct xs_conn *c, const struct xsd_sockmsg *req, int err);
void xs_conn_ok(struct xs_conn *c, const struct xsd_sockmsg *req);
void xs_conn_event(struct xs_conn *c, const char *path, const char *token);
/* Is c's domain at quota-outstanding (its requests wait)? */
bool xs_conn_held(const struct xs_conn *c);
/* Handle the requests of connections no longer held; true if any ran. */
bool xs_conn_resume_held(struct xs_server *s);

/* xs_watch.c */
int xs_watch_add(struct xs_conn *c, const char *path, const char *token,
		 size_t home_len);
int xs_watch_remove(struct xs_conn *c, const char *path, const char *token);
void xs_watch_remove_all(struct xs_conn *c);
struct xs_store_hooks xs_watch_live_hooks(struct xs_server *s);
void xs_watch_fire_special(struct xs_server *s, const char *name);
struct xs_special *xs_special_find(struct xs_server *s, const char *name);

/* xs_handlers.c */
void xs_handle(struct xs_conn *c, const struct xsd_sockmsg *hdr, char *body);
void xs_txn_drop_all(struct xs_conn *c);

#endif
