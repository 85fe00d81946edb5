/*
 * xenstore watch events -> devices, coalesced. An event only marks what it
 * concerns (a device dirty, a domain or everything to rescan, domains
 * released); watch_work then handles each mark once. So a burst of any size
 * from one guest costs one refresh of its device per batch, and a batch is
 * at most WATCH_BATCH events (main.c), after which signals, the control
 * socket and every other device get their turn.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vbd.h"
#include "watch.h"
#include "xs_util.h"
#include "xs_watchconn.h"

#define MAX_PROBES 64   /* unknown devices waiting for a look; beyond: rescan */

struct watch_pending {
	bool release;                  /* @releaseDomain fired */
	bool scan_all;                 /* the backend base changed */
	bool scan_some;                /* some bit in scan_dom is set */
	uint8_t scan_dom[(UINT16_MAX + 1) / 8]; /* domain directories changed */
	unsigned nprobes;
	struct { unsigned domid, devid; } probe[MAX_PROBES];
	unsigned long events, refreshes;
};

static struct vbd *find_vbd(struct daemon *d, unsigned domid, unsigned devid)
{
	for (struct vbd *v = d->vbds; v; v = v->next)
		if (v->domid == domid && v->devid == devid)
			return v;
	return NULL;
}

/* A device directory (or a node in it) changed. */
static void device_changed(struct daemon *d, unsigned domid, unsigned devid)
{
	struct vbd *v = find_vbd(d, domid, devid);

	if (!v) {
		v = vbd_probe(d, domid, devid);
		if (v)
			vbd_refresh(v);
		return;
	}
	if (!vbd_exists(v)) {
		log_dev(&v->log, LOG_INFO, "backend directory removed");
		vbd_destroy(v, false, false);
		return;
	}
	vbd_refresh(v);
}

static void scan_domain(struct daemon *d, unsigned domid)
{
	char path[160];
	unsigned n;

	snprintf(path, sizeof(path), "%s/%u", d->backend_base, domid);
	char **devs = xs_directory(d->xs, XBT_NULL, path, &n);
	for (unsigned i = 0; devs && i < n; i++) {
		uint64_t devid;
		if (parse_uint(devs[i], UINT32_MAX, &devid) == 0)
			device_changed(d, domid, (unsigned)devid);
	}
	free(devs);
	/* Devices we know whose directories went with the domain's. */
	for (struct vbd *v = d->vbds, *next; v; v = next) {
		next = v->next;
		if (v->domid == domid && !vbd_exists(v))
			device_changed(d, v->domid, v->devid);
	}
}

static void scan_all(struct daemon *d)
{
	unsigned n;
	char **doms = xs_directory(d->xs, XBT_NULL, d->backend_base, &n);

	for (unsigned i = 0; doms && i < n; i++) {
		uint64_t domid;
		if (parse_uint(doms[i], UINT16_MAX, &domid) == 0)
			scan_domain(d, (unsigned)domid);
	}
	free(doms);
	for (struct vbd *v = d->vbds, *next; v; v = next) {
		next = v->next;
		if (!vbd_exists(v))
			device_changed(d, v->domid, v->devid);
	}
}

/* Our own writes (features, sectors...) also fire the watch; only these
 * nodes, and the directory itself, can change what we do. */
static bool node_matters(const char *rest)
{
	static const char *const nodes[] = { "", "state", "online", "frontend", "frontend-id" };

	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (strcmp(rest, nodes[i]) == 0)
			return true;
	return false;
}

static void mark_domain(struct watch_pending *p, unsigned domid)
{
	p->scan_dom[domid / 8] |= (uint8_t)(1u << (domid % 8));
	p->scan_some = true;
}

static void mark_device(struct daemon *d, unsigned domid, unsigned devid)
{
	struct watch_pending *p = d->pending;
	struct vbd *v = find_vbd(d, domid, devid);

	if (v) {
		v->dirty = true;
		return;
	}
	for (unsigned i = 0; i < p->nprobes; i++)
		if (p->probe[i].domid == domid && p->probe[i].devid == devid)
			return;
	if (p->nprobes == MAX_PROBES) {
		mark_domain(p, domid); /* a rescan finds it */
		return;
	}
	p->probe[p->nprobes].domid = domid;
	p->probe[p->nprobes].devid = devid;
	p->nprobes++;
}

static void backend_event(struct daemon *d, const char *path)
{
	unsigned domid, devid;
	const char *rest;
	int rc = backend_path_parse(d->backend_base, path, &domid, &devid, &rest);

	if (rc == -ENOENT) {
		/* The base or a domain directory: look at everything below. */
		size_t blen = strlen(d->backend_base);
		uint64_t dom;
		if (path[blen] == '/' && parse_uint(path + blen + 1, UINT16_MAX, &dom) == 0)
			mark_domain(d->pending, (unsigned)dom);
		else
			d->pending->scan_all = true;
		return;
	}
	if (rc == 0 && node_matters(rest))
		mark_device(d, domid, devid);
}

static void frontend_event(struct daemon *d, const char *token)
{
	unsigned domid, devid;

	if (sscanf(token + strlen(TOKEN_FRONTEND_PREFIX), "%u/%u", &domid, &devid) != 2)
		return;
	struct vbd *v = find_vbd(d, domid, devid);
	if (v)
		v->dirty = true;
}

/* Devices whose frontend domain is gone: nobody else will clean up after
 * them when the backend type is not "vbd" (libxl removes only those). */
static void domains_released(struct daemon *d)
{
	for (struct vbd *v = d->vbds, *next; v; v = next) {
		next = v->next;
		if (!xs_is_domain_introduced(d->xs, v->fe_domid)) {
			log_dev(&v->log, LOG_INFO, "domain %u is gone", v->fe_domid);
			vbd_destroy(v, true, true);
		}
	}
}

void watch_dispatch(struct daemon *d, const char *path, const char *token)
{
	d->pending->events++;
	if (strcmp(token, TOKEN_BACKEND) == 0)
		backend_event(d, path);
	else if (strcmp(token, TOKEN_RELEASE) == 0)
		d->pending->release = true;
	else if (strncmp(token, TOKEN_FRONTEND_PREFIX, strlen(TOKEN_FRONTEND_PREFIX)) == 0)
		frontend_event(d, token);
}

static void scan_marked_domains(struct daemon *d)
{
	struct watch_pending *p = d->pending;

	p->scan_some = false;
	for (unsigned i = 0; i < sizeof(p->scan_dom); i++) {
		if (!p->scan_dom[i])
			continue;
		uint8_t bits = p->scan_dom[i];
		p->scan_dom[i] = 0;
		for (unsigned b = 0; b < 8; b++)
			if (bits & (1u << b))
				scan_domain(d, i * 8 + b);
	}
}

void watch_work(struct daemon *d)
{
	struct watch_pending *p = d->pending;

	if (p->release) {
		p->release = false;
		domains_released(d);
	}
	if (p->scan_all) {
		p->scan_all = false;
		p->scan_some = false;
		memset(p->scan_dom, 0, sizeof(p->scan_dom));
		p->nprobes = 0;
		scan_all(d);
	}
	if (p->scan_some)
		scan_marked_domains(d);
	for (unsigned i = 0; i < p->nprobes; i++)
		device_changed(d, p->probe[i].domid, p->probe[i].devid);
	p->nprobes = 0;
	for (struct vbd *v = d->vbds, *next; v; v = next) {
		next = v->next;
		if (!v->dirty)
			continue;
		v->dirty = false;
		p->refreshes++;
		device_changed(d, v->domid, v->devid);
	}
}

void watch_scan(struct daemon *d)
{
	d->pending->scan_all = true;
	watch_work(d);
}

void watch_counts(const struct daemon *d, unsigned long *events, unsigned long *refreshes)
{
	*events = d->pending ? d->pending->events : 0;
	*refreshes = d->pending ? d->pending->refreshes : 0;
}

int watch_start(struct daemon *d)
{
	int rc;

	d->pending = calloc(1, sizeof(*d->pending));
	d->wc = malloc(sizeof(*d->wc));
	if (!d->pending || !d->wc)
		return -ENOMEM;
	rc = xswc_open(d->wc);
	if (rc)
		return rc;
	rc = xswc_watch(d->wc, d->backend_base, TOKEN_BACKEND);
	if (!rc)
		rc = xswc_watch(d->wc, "@releaseDomain", TOKEN_RELEASE);
	return rc;
}

void watch_stop(struct daemon *d)
{
	if (d->wc) {
		xswc_unwatch(d->wc, d->backend_base, TOKEN_BACKEND);
		xswc_unwatch(d->wc, "@releaseDomain", TOKEN_RELEASE);
		xswc_close(d->wc);
	}
	free(d->wc);
	free(d->pending);
	d->wc = NULL;
	d->pending = NULL;
}
