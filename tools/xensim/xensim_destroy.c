/*
 * xensim domain destroy: what libxl does for `xl destroy`. Every backend
 * serving the domain is told to close (online=0, state=Closing) and given
 * up to 10 s to reach Closed; then the frontend and backend directories
 * and the domain's own nodes go, RELEASE tells xenstored (which drops the
 * domain's socket and fires @releaseDomain), and the host frees it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenstore.h>

#include "lib/simhost.h"
#include "log.h"
#include "xensim.h"
#include "xs_util.h"

#define CLOSE_TIMEOUT_MS 10000
#define STATE_CLOSING    "5"
#define STATE_CLOSED     "6"

struct be_list {
	char **paths;    /* /local/domain/B/backend/T/N/D */
	unsigned n, cap;
};

static int be_add(struct be_list *l, const char *path)
{
	if (l->n == l->cap) {
		unsigned cap = l->cap ? l->cap * 2 : 8;
		char **p = realloc(l->paths, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->paths = p;
		l->cap = cap;
	}
	if (!(l->paths[l->n] = strdup(path)))
		return -ENOMEM;
	l->n++;
	return 0;
}

static void be_free(struct be_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
}

/* Children of path, or an empty list if it does not exist. */
static char **ls(struct xs_handle *xs, const char *path, unsigned *n)
{
	char **e = xs_directory(xs, XBT_NULL, path, n);

	if (!e)
		*n = 0;
	return e;
}

/* Every /local/domain/B/backend/T/<domid>/D, whichever domain B serves. */
static int find_backends(struct xs_handle *xs, unsigned domid, struct be_list *l)
{
	unsigned nb, nt, nd;
	char **b = ls(xs, "/local/domain", &nb);
	char path[512];
	int rc = 0;

	for (unsigned i = 0; i < nb && !rc; i++) {
		snprintf(path, sizeof(path), "/local/domain/%s/backend", b[i]);
		char **t = ls(xs, path, &nt);
		for (unsigned j = 0; j < nt && !rc; j++) {
			snprintf(path, sizeof(path), "/local/domain/%s/backend/%s/%u",
				 b[i], t[j], domid);
			char **d = ls(xs, path, &nd);
			for (unsigned k = 0; k < nd && !rc; k++) {
				char dev[600];
				if (snprintf(dev, sizeof(dev), "%s/%s", path, d[k]) <
				    (int)sizeof(dev))
					rc = be_add(l, dev);
			}
			free(d);
		}
		free(t);
	}
	free(b);
	return rc;
}

static int write_sub(struct xs_handle *xs, xs_transaction_t tx, const char *dir,
		     const char *node, const char *value)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	return xs_write(xs, tx, path, value, strlen(value)) ? 0 : -errno;
}

/* online=0, state=Closing on every backend still there, in one
 * transaction (an xsu_tx_fn over a be_list). */
static int ask_close(struct xs_handle *xs, xs_transaction_t tx, void *arg)
{
	const struct be_list *l = arg;
	int rc = 0;

	for (unsigned i = 0; i < l->n && !rc; i++) {
		char path[600], *st;
		snprintf(path, sizeof(path), "%s/state", l->paths[i]);
		st = xs_read(xs, tx, path, NULL);
		if (st && (rc = write_sub(xs, tx, l->paths[i], "online", "0")) == 0)
			rc = write_sub(xs, tx, l->paths[i], "state", STATE_CLOSING);
		free(st);
	}
	return rc;
}

/* A backend that is Closed, or gone, needs no more waiting. */
static bool be_closed(struct xs_handle *xs, const char *be)
{
	char path[600], *st;
	bool closed;

	snprintf(path, sizeof(path), "%s/state", be);
	st = xs_read(xs, XBT_NULL, path, NULL);
	closed = !st || strcmp(st, STATE_CLOSED) == 0;
	free(st);
	return closed;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Watch every backend's state until all are Closed or time is up; warn
 * about the ones that never got there. */
/* libxl's 10 s; tests of the timeout path shorten it through the
 * environment (XENSIM_CLOSE_TIMEOUT_MS). */
static long close_timeout_ms(void)
{
	const char *env = getenv("XENSIM_CLOSE_TIMEOUT_MS");
	char *end;
	long ms = env ? strtol(env, &end, 10) : -1;

	return env && *env && !*end && ms >= 0 ? ms : CLOSE_TIMEOUT_MS;
}

static void wait_closed(struct xs_handle *xs, const struct be_list *l)
{
	long timeout = close_timeout_ms(), deadline = now_ms() + timeout;
	unsigned open_left;

	for (unsigned i = 0; i < l->n; i++) {
		char path[600];
		snprintf(path, sizeof(path), "%s/state", l->paths[i]);
		xs_watch(xs, path, l->paths[i]);
	}
	for (;;) {
		open_left = 0;
		for (unsigned i = 0; i < l->n; i++)
			open_left += !be_closed(xs, l->paths[i]);
		long left = deadline - now_ms();
		if (!open_left || left <= 0)
			break;
		struct pollfd pfd = { .fd = xs_fileno(xs), .events = POLLIN };
		if (poll(&pfd, 1, (int)left) > 0) {
			char **ev;
			while ((ev = xs_check_watch(xs)))
				free(ev);
		}
	}
	for (unsigned i = 0; i < l->n; i++) {
		char path[600];
		snprintf(path, sizeof(path), "%s/state", l->paths[i]);
		xs_unwatch(xs, path, l->paths[i]);
		if (open_left && !be_closed(xs, l->paths[i]))
			fprintf(stderr, "xensim: warning: backend %s did not reach "
				"Closed in %ld ms; destroying anyway\n", l->paths[i],
				timeout);
	}
}

/* Frontend and backend directories, then the domain's own nodes. */
static void remove_nodes(struct xs_handle *xs, unsigned domid,
			 const struct be_list *l)
{
	char path[600], *vm;
	unsigned nt, nd;

	snprintf(path, sizeof(path), "/local/domain/%u/device", domid);
	char **t = ls(xs, path, &nt);
	for (unsigned i = 0; i < nt; i++) {
		snprintf(path, sizeof(path), "/local/domain/%u/device/%s", domid, t[i]);
		char **d = ls(xs, path, &nd);
		for (unsigned k = 0; k < nd; k++) {
			char fe[700];
			snprintf(fe, sizeof(fe), "%s/%s", path, d[k]);
			xensim_xs_rm(xs, XBT_NULL, fe);
		}
		free(d);
	}
	free(t);
	/* As libxl's path cleanup (seen on real Xen): the parents a device
	 * leaves empty (.../backend/T/N, .../backend/T) go with it. */
	for (unsigned i = 0; i < l->n; i++)
		xsu_rm_with_empty_parents(xs, XBT_NULL, l->paths[i]);
	snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
	vm = xs_read(xs, XBT_NULL, path, NULL);
	if (vm && strncmp(vm, "/vm/", 4) == 0)
		xensim_xs_rm(xs, XBT_NULL, vm);
	free(vm);
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	xensim_xs_rm(xs, XBT_NULL, path);
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xensim_xs_rm(xs, XBT_NULL, path);
}

static bool domain_exists(struct xs_handle *xs, unsigned domid)
{
	char path[64], *v;

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	v = xs_read(xs, XBT_NULL, path, NULL);
	free(v);
	return v || xs_is_domain_introduced(xs, domid);
}

int xensim_domain_destroy(const char *dir, unsigned domid)
{
	struct xs_handle *xs;
	struct be_list l = { 0 };
	int rc;

	if (domid == 0) {
		log_err("domain 0 cannot be destroyed");
		return -EINVAL;
	}
	if (!(xs = xensim_xs_open(dir)))
		return -ECONNREFUSED;
	if (!domain_exists(xs, domid)) {
		log_err("no domain %u", domid);
		rc = -ESRCH;
		goto out;
	}
	if ((rc = find_backends(xs, domid, &l)) < 0 ||
	    (rc = xsu_transaction(xs, ask_close, &l)) < 0) {
		log_err("domain %u: cannot close its backends: %s", domid, strerror(-rc));
		goto out;
	}
	wait_closed(xs, &l);
	remove_nodes(xs, domid, &l);
	if (!xs_release_domain(xs, domid) && errno != ENOENT)
		log_warn("domain %u: release: %s", domid, strerror(errno));
	rc = simhost_domain_destroy(dir, domid);
	if (rc == -ESRCH)
		rc = 0;   /* the host had no memory for it: nothing to free */
	else if (rc < 0)
		log_err("domain %u: %s", domid, strerror(-rc));
out:
	be_free(&l);
	xs_close(xs);
	return rc;
}

/* The domain dies and no toolstack cleans up after it (xl killed, or a
 * backend type libxl does not remove): the hypervisor's part only. Its
 * xenstore nodes stay; @releaseDomain fires; its memory goes (or lingers
 * as a zombie while another domain still maps it). */
int xensim_domain_crash(const char *dir, unsigned domid)
{
	struct xs_handle *xs;
	int rc = 0;

	if (domid == 0) {
		log_err("domain 0 cannot crash here");
		return -EINVAL;
	}
	if (!(xs = xensim_xs_open(dir)))
		return -ECONNREFUSED;
	if (!xs_is_domain_introduced(xs, domid)) {
		log_err("no running domain %u", domid);
		rc = -ESRCH;
		goto out;
	}
	if (!xs_release_domain(xs, domid))
		log_warn("domain %u: release: %s", domid, strerror(errno));
	rc = simhost_domain_destroy(dir, domid);
	if (rc == -ESRCH)
		rc = 0;
	else if (rc < 0)
		log_err("domain %u: %s", domid, strerror(-rc));
out:
	xs_close(xs);
	return rc;
}

