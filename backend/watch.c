/* xenstore watch events -> devices. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vbd.h"
#include "watch.h"
#include "xs_util.h"

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
			scan_domain(d, (unsigned)dom);
		else
			scan_all(d);
		return;
	}
	if (rc == 0 && node_matters(rest))
		device_changed(d, domid, devid);
}

static void frontend_event(struct daemon *d, const char *token)
{
	unsigned domid, devid;

	if (sscanf(token + strlen(TOKEN_FRONTEND_PREFIX), "%u/%u", &domid, &devid) != 2)
		return;
	struct vbd *v = find_vbd(d, domid, devid);
	if (v)
		vbd_refresh(v);
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
	if (strcmp(token, TOKEN_BACKEND) == 0)
		backend_event(d, path);
	else if (strcmp(token, TOKEN_RELEASE) == 0)
		domains_released(d);
	else if (strncmp(token, TOKEN_FRONTEND_PREFIX, strlen(TOKEN_FRONTEND_PREFIX)) == 0)
		frontend_event(d, token);
}

int watch_start(struct daemon *d)
{
	if (!xs_watch(d->xs, d->backend_base, TOKEN_BACKEND) ||
	    !xs_watch(d->xs, "@releaseDomain", TOKEN_RELEASE))
		return -errno;
	return 0;
}
