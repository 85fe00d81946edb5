/*
 * xensim domain create / list: the xenstore part of a new PV domain as
 * libxl lays it out (Xen 4.17, /work/shared/REAL-XEN.md), written by dom0
 * in one transaction, then INTRODUCE so the domain gets its socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <xenstore.h>

#include "lib/simhost.h"
#include "log.h"
#include "xensim.h"
#include "xs_util.h"

#define STORE_PORT 1u       /* what a fresh PV guest's store evtchn gets */
#define STORE_MFN  0xfeffcu

enum perm_kind { RO, RW, DOM0 };   /* (n0,rN)  (nN)  (n0) */

struct dom_node {
	const char *rel;     /* under /local/domain/N */
	enum perm_kind perm;
};

/* Directories libxl makes for every domain (libxl__domain_make). */
static const struct dom_node dom_dirs[] = {
	{ "", RO }, { "cpu", RO }, { "memory", RO }, { "device", RO },
	{ "device/vbd", RO }, { "device/suspend", RO }, { "control", RO },
	{ "store", RO }, { "console", RO },
	{ "data", RW }, { "drivers", RW }, { "feature", RW }, { "attr", RW },
	{ "error", RW }, { "device/suspend/event-channel", RW },
	{ "control/shutdown", RW }, { "control/feature-poweroff", RW },
	{ "control/feature-reboot", RW }, { "control/feature-suspend", RW },
	{ "control/sysrq", RW },
};

static void perm_string(enum perm_kind k, unsigned domid, char *buf, size_t size)
{
	if (k == RO)
		snprintf(buf, size, "n0,r%u", domid);
	else if (k == RW)
		snprintf(buf, size, "n%u", domid);
	else
		snprintf(buf, size, "n0");
}

struct dom_spec {
	unsigned domid, mem_mib;
	const char *name;
	char uuid[37];
};

static int put(struct xs_handle *xs, unsigned tx, const struct dom_spec *d,
	       const char *path, const char *value, enum perm_kind k)
{
	char perms[32];

	perm_string(k, d->domid, perms, sizeof(perms));
	return xensim_xs_node(xs, tx, path, value, perms);
}

/* /local/domain/N/<rel> = value with perms k. */
static int put_dom(struct xs_handle *xs, unsigned tx, const struct dom_spec *d,
		   const char *rel, const char *value, enum perm_kind k)
{
	char path[256];

	snprintf(path, sizeof(path), "/local/domain/%u%s%s", d->domid,
		 *rel ? "/" : "", rel);
	return put(xs, tx, d, path, value, k);
}

static int write_domain(struct xs_handle *xs, unsigned tx, const struct dom_spec *d)
{
	char vm[64], buf[256], kib[32], port[16], mfn[16], id[16];
	int rc = 0;

	snprintf(vm, sizeof(vm), "/vm/%s", d->uuid);
	snprintf(kib, sizeof(kib), "%u", d->mem_mib * 1024);
	snprintf(port, sizeof(port), "%u", STORE_PORT);
	snprintf(mfn, sizeof(mfn), "%u", STORE_MFN);
	snprintf(id, sizeof(id), "%u", d->domid);
	for (size_t i = 0; i < sizeof(dom_dirs) / sizeof(dom_dirs[0]) && !rc; i++)
		rc = put_dom(xs, tx, d, dom_dirs[i].rel, NULL, dom_dirs[i].perm);
	const struct { const char *rel, *value; } vals[] = {
		{ "vm", vm }, { "name", d->name }, { "domid", id },
		{ "cpu/0", NULL }, { "cpu/0/availability", "online" },
		{ "memory/static-max", kib }, { "memory/target", kib },
		{ "memory/videoram", "-1" },
		{ "store/port", port }, { "store/ring-ref", mfn },
		{ "console/port", "2" }, { "console/ring-ref", "0" },
		{ "console/type", "xenconsoled" }, { "console/limit", "1048576" },
	};
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]) && !rc; i++)
		rc = put_dom(xs, tx, d, vals[i].rel, vals[i].value, RO);
	if (!rc)
		rc = put(xs, tx, d, vm, NULL, RO);
	snprintf(buf, sizeof(buf), "%s/uuid", vm);
	if (!rc)
		rc = put(xs, tx, d, buf, d->uuid, RO);
	snprintf(buf, sizeof(buf), "%s/name", vm);
	if (!rc)
		rc = put(xs, tx, d, buf, d->name, RO);
	snprintf(buf, sizeof(buf), "/libxl/%u", d->domid);
	if (!rc)
		rc = put(xs, tx, d, buf, NULL, DOM0);
	snprintf(buf, sizeof(buf), "/libxl/%u/type", d->domid);
	if (!rc)
		rc = put(xs, tx, d, buf, "pv", DOM0);
	return rc;
}

/* write_domain as an xsu_tx_fn: the whole domain in one transaction. */
static int write_domain_tx(struct xs_handle *xs, xs_transaction_t tx, void *arg)
{
	return write_domain(xs, tx, arg);
}

/* Undo write_domain (the introduce failed). */
static void unwrite_domain(struct xs_handle *xs, const struct dom_spec *d)
{
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/%u", d->domid);
	xensim_xs_rm(xs, XBT_NULL, path);
	snprintf(path, sizeof(path), "/vm/%s", d->uuid);
	xensim_xs_rm(xs, XBT_NULL, path);
	snprintf(path, sizeof(path), "/libxl/%u", d->domid);
	xensim_xs_rm(xs, XBT_NULL, path);
}

static void make_uuid(char out[37])
{
	unsigned char b[16] = { 0 };

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand();
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
		 b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static bool id_listed(char **ents, unsigned n, unsigned domid)
{
	for (unsigned i = 0; i < n; i++)
		if (strtoul(ents[i], NULL, 10) == domid)
			return true;
	return false;
}

/* libxl refuses a second domain with the same name. */
static bool name_taken(struct xs_handle *xs, char **ents, unsigned n,
		       const char *name)
{
	bool taken = false;

	for (unsigned i = 0; i < n && name && !taken; i++) {
		char path[128], *v;
		snprintf(path, sizeof(path), "/local/domain/%s/name", ents[i]);
		v = xs_read(xs, XBT_NULL, path, NULL);
		taken = v && strcmp(v, name) == 0;
		free(v);
	}
	return taken;
}

/* The lowest free domid from 1, claimed in the host's domain table. */
static int pick_domid(struct xs_handle *xs, const char *dir, const char *name,
		      unsigned mem_mib, unsigned *domid)
{
	unsigned n = 0;
	char **ents = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	int rc = -ENOSPC;

	if (name_taken(xs, ents, n, name)) {
		log_err("a domain named \"%s\" exists already", name);
		rc = -EEXIST;
		goto out;
	}
	for (unsigned id = 1; id < 1024; id++) {
		if (id_listed(ents, n, id))
			continue;
		rc = simhost_domain_create(dir, id, mem_mib);
		if (rc == -EEXIST || rc == -EBUSY)
			continue;   /* alive, or a zombie whose pages are mapped */
		if (rc < 0)
			log_err("cannot create domain %u: %s", id, strerror(-rc));
		else
			*domid = id;
		goto out;
	}
	log_err("no free domid");
out:
	free(ents);
	return rc;
}

int xensim_domain_create(const char *dir, const char *name, unsigned mem_mib,
			 unsigned *domid)
{
	struct xs_handle *xs = xensim_xs_open(dir);
	struct dom_spec d = { .mem_mib = mem_mib };
	char defname[32];
	int rc;

	if (!xs)
		return -ECONNREFUSED;
	if ((rc = pick_domid(xs, dir, name, mem_mib, &d.domid)) < 0)
		goto out;
	snprintf(defname, sizeof(defname), "guest%u", d.domid);
	d.name = name ? name : defname;
	make_uuid(d.uuid);
	if ((rc = xsu_transaction(xs, write_domain_tx, &d)) < 0) {
		log_err("cannot write domain %u to xenstore: %s", d.domid, strerror(-rc));
		goto undo;
	}
	if (!xs_introduce_domain(xs, d.domid, STORE_MFN, STORE_PORT)) {
		rc = -errno;
		log_err("cannot introduce domain %u: %s", d.domid, strerror(errno));
		goto undo;
	}
	*domid = d.domid;
	goto out;
undo:
	unwrite_domain(xs, &d);
	simhost_domain_destroy(dir, d.domid);
out:
	xs_close(xs);
	return rc;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned long x = strtoul(*(char *const *)a, NULL, 10);
	unsigned long y = strtoul(*(char *const *)b, NULL, 10);

	return x < y ? -1 : x > y;
}

int xensim_domain_list(const char *dir, FILE *out)
{
	struct xs_handle *xs = xensim_xs_open(dir);
	unsigned n = 0;
	char **ents;

	if (!xs)
		return -ECONNREFUSED;
	ents = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	if (ents)
		qsort(ents, n, sizeof(*ents), cmp_uint);
	for (unsigned i = 0; i < n; i++) {
		char path[128], *name;
		snprintf(path, sizeof(path), "/local/domain/%s/name", ents[i]);
		name = xs_read(xs, XBT_NULL, path, NULL);
		fprintf(out, "%s %s\n", ents[i], name ? name : "-");
		free(name);
	}
	free(ents);
	xs_close(xs);
	return 0;
}
