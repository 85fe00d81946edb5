/* Attach and detach a disk the way libxl does for
 * `xl block-attach <dom> 'format=raw,vdev=..,backendtype=phy,script=memback,target=..'`. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "xs_util.h"

struct paths {
	char be[160], fe[160], lx[160];
};

static void make_paths(const struct attach_req *r, struct paths *p)
{
	snprintf(p->be, sizeof(p->be), "/local/domain/%u/backend/%s/%u/%u", r->backend_domid,
		 r->backend_type, r->domid, r->devid);
	snprintf(p->fe, sizeof(p->fe), "/local/domain/%u/device/vbd/%u", r->domid, r->devid);
	snprintf(p->lx, sizeof(p->lx), "/libxl/%u/device/vbd/%u", r->domid, r->devid);
}

/* A directory with the given owner and one reader, as libxl creates them. */
static int mkdir_perms(struct xs_handle *xs, xs_transaction_t t, const char *path,
		       unsigned owner, int reader)
{
	struct xs_permissions perms[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = reader < 0 ? 0 : (unsigned)reader, .perms = XS_PERM_READ },
	};

	if (!xs_mkdir(xs, t, path) ||
	    !xs_set_permissions(xs, t, path, perms, reader < 0 ? 1 : 2))
		return -errno;
	return 0;
}

/* The backend's nodes; libxl writes the same set under /libxl/. */
static int write_backend_nodes(struct xs_handle *xs, xs_transaction_t t, const char *dir,
			       const struct attach_req *r, const struct paths *p)
{
	int rc = 0;

	rc |= xsu_write(xs, t, dir, "frontend", p->fe);
	rc |= xsu_write(xs, t, dir, "params", r->target);
	if (r->script)
		rc |= xsu_write(xs, t, dir, "script", r->script);
	rc |= xsu_printf(xs, t, dir, "frontend-id", "%u", r->domid);
	rc |= xsu_write(xs, t, dir, "online", "1");
	rc |= xsu_write(xs, t, dir, "removable", "0");
	rc |= xsu_write(xs, t, dir, "bootable", "1");
	rc |= xsu_write(xs, t, dir, "state", "1");
	rc |= xsu_write(xs, t, dir, "dev", r->vdev);
	rc |= xsu_write(xs, t, dir, "type", "phy");
	rc |= xsu_write(xs, t, dir, "mode", r->readonly ? "r" : "w");
	rc |= xsu_write(xs, t, dir, "device-type", r->cdrom ? "cdrom" : "disk");
	rc |= xsu_write(xs, t, dir, "discard-enable", r->readonly || r->no_discard ? "0" : "1");
	rc |= xsu_write(xs, t, dir, "specification", "xen");
	return rc ? -EIO : 0;
}

static int write_frontend_nodes(struct xs_handle *xs, xs_transaction_t t,
				const struct attach_req *r, const struct paths *p)
{
	int rc = 0;

	rc |= xsu_write(xs, t, p->fe, "backend", p->be);
	rc |= xsu_printf(xs, t, p->fe, "backend-id", "%u", r->backend_domid);
	rc |= xsu_write(xs, t, p->fe, "state", "1");
	rc |= xsu_printf(xs, t, p->fe, "virtual-device", "%u", r->devid);
	rc |= xsu_write(xs, t, p->fe, "device-type", r->cdrom ? "cdrom" : "disk");
	rc |= xsu_write(xs, t, p->fe, "trusted", "1");
	rc |= xsu_write(xs, t, p->fe, "protocol", r->protocol);
	return rc ? -EIO : 0;
}

struct write_all_args {
	const struct attach_req *r;
	const struct paths *p;
	char *err;
	size_t errlen;
};

/* Every node of the device, in transaction t (an xsu_tx_fn). */
static int write_all(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	const struct write_all_args *a = arg;
	const struct attach_req *r = a->r;
	const struct paths *p = a->p;
	char *err = a->err, buf[8];
	size_t errlen = a->errlen;

	if (xsu_read(xs, t, p->be, NULL, buf, sizeof(buf)) != -ENOENT ||
	    xsu_read(xs, t, p->fe, NULL, buf, sizeof(buf)) != -ENOENT)
		return errorf(err, errlen, -EEXIST, "domain %u already has a device %s (%u)",
			    r->domid, r->vdev, r->devid);
	if (mkdir_perms(xs, t, p->be, r->backend_domid, (int)r->domid) ||
	    write_backend_nodes(xs, t, p->be, r, p) ||
	    mkdir_perms(xs, t, p->fe, r->domid, (int)r->backend_domid) ||
	    write_frontend_nodes(xs, t, r, p) ||
	    mkdir_perms(xs, t, p->lx, 0, -1) ||
	    write_backend_nodes(xs, t, p->lx, r, p) ||
	    xsu_write(xs, t, p->lx, "backend", p->be))
		return errorf(err, errlen, -EIO, "cannot write the device's nodes: %s",
			    strerror(errno));
	return 0;
}

static int write_nodes(struct xs_handle *xs, const struct attach_req *r, const struct paths *p,
		       char *err, size_t errlen)
{
	char domain[64], buf[8];

	snprintf(domain, sizeof(domain), "/local/domain/%u", r->domid);
	if (xsu_read(xs, XBT_NULL, domain, NULL, buf, sizeof(buf)))
		return errorf(err, errlen, -ENOENT, "domain %u does not exist", r->domid);
	struct write_all_args a = { r, p, err, errlen };
	int rc;

	err[0] = '\0';
	rc = xsu_transaction(xs, write_all, &a);
	if (rc == 0 || err[0])
		return rc; /* write_all said why */
	if (rc == -EAGAIN)
		return errorf(err, errlen, rc, "xenstore stays busy");
	return errorf(err, errlen, rc, "xenstore: %s", strerror(-rc));
}

/* online=0, state=Closing on backend dir arg, as libxl's remove does. */
static int ask_close(struct xs_handle *xs, xs_transaction_t t, void *arg)
{
	const char *be = arg;

	return xsu_write(xs, t, be, "online", "0") ?: xsu_write(xs, t, be, "state", "5");
}

static void remove_nodes(struct xs_handle *xs, const struct paths *p)
{
	xsu_rm_with_empty_parents(xs, XBT_NULL, p->fe);
	xsu_rm_with_empty_parents(xs, XBT_NULL, p->be);
	xsu_rm_with_empty_parents(xs, XBT_NULL, p->lx);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* What a watched node's read (r: 0 or -errno, and its value) says: 0 keep
 * waiting, 1 done, < 0 done with that error. */
typedef int node_done_fn(int r, const char *value, const void *ctx);

/* Watch be/node and wait until done() says so, or -ETIMEDOUT. */
static int wait_node(struct xs_handle *xs, const char *be, const char *node,
		     node_done_fn *done, const void *ctx, unsigned timeout_ms)
{
	char path[200], buf[32];
	uint64_t end = now_ms() + timeout_ms;
	int rc = -ETIMEDOUT;

	snprintf(path, sizeof(path), "%s/%s", be, node);
	if (!xs_watch(xs, path, "memback-ctl"))
		return -errno;
	for (;;) {
		int d = done(xsu_read(xs, XBT_NULL, be, node, buf, sizeof(buf)), buf, ctx);
		if (d) {
			rc = d < 0 ? d : 0;
			break;
		}
		uint64_t t = now_ms();
		if (t >= end)
			break;
		struct pollfd pfd = { .fd = xs_fileno(xs), .events = POLLIN };
		if (poll(&pfd, 1, (int)(end - t)) > 0) {
			char **ev;
			while ((ev = xs_check_watch(xs)))
				free(ev);
		}
	}
	xs_unwatch(xs, path, "memback-ctl");
	return rc;
}

struct state_want {
	int want;
	bool gone_ok;
};

static int state_reached(int r, const char *value, const void *ctx)
{
	const struct state_want *w = ctx;

	return (r == 0 && atoi(value) == w->want) || (r == -ENOENT && w->gone_ok);
}

/* Wait until the backend's state is `want` (or gone, if gone_ok). */
static int wait_state(struct xs_handle *xs, const char *be, int want, bool gone_ok,
		      unsigned timeout_ms)
{
	const struct state_want w = { want, gone_ok };

	return wait_node(xs, be, "state", state_reached, &w, timeout_ms);
}

#define SAVE_WAIT_MS 600000u

static int save_ended(int r, const char *value, const void *ctx)
{
	(void)ctx;
	if (r == 0 && strcmp(value, "saving") == 0)
		return 0;
	return r == 0 && strcmp(value, "failed") == 0 ? -EIO : 1;
}

/* memback saves a changed disk on its own thread after it says Closed;
 * its memback-image node says "saving" until the file is on disk. */
static int wait_saved(struct xs_handle *xs, const char *be, unsigned timeout_ms)
{
	return wait_node(xs, be, "memback-image", save_ended, NULL, timeout_ms);
}

static int run_script(const char *script, const char *action, const char *be)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* As libxl: the script's output goes to the toolstack's log,
		 * its verdict to hotplug-error, which we print. */
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		/* libxl gives the path relative to the backend domain's home
		 * ("backend/vbd/<domid>/<devid>"), where the script runs. */
		const char *rel = strstr(be, "/backend/");
		setenv("XENBUS_PATH", rel ? rel + 1 : be, 1);
		setenv("XENBUS_TYPE", "vbd", 1);
		setenv("XENBUS_BASE_PATH", "backend", 1);
		execl(script, script, action, (char *)NULL);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int ctl_attach(struct xs_handle *xs, const struct attach_req *r, char *err, size_t errlen)
{
	struct paths p;
	char msg[300];
	int rc;

	make_paths(r, &p);
	rc = write_nodes(xs, r, &p, err, errlen);
	if (rc)
		return rc;
	rc = wait_state(xs, p.be, 2, false, r->timeout_ms);
	if (rc) {
		errorf(err, errlen, rc, "the backend did not reach InitWait in %u s (is memback running"
		     " and serving backend type %s?)", r->timeout_ms / 1000, r->backend_type);
		goto out;
	}
	if (r->script && run_script(r->script, "add", p.be)) {
		if (xsu_read(xs, XBT_NULL, p.be, "hotplug-error", msg, sizeof(msg)) &&
		    xsu_read(xs, XBT_NULL, p.be, "error", msg, sizeof(msg)))
			snprintf(msg, sizeof(msg), "%s add failed", r->script);
		rc = errorf(err, errlen, -EIO, "%s", msg);
		goto out;
	}
	if (xsu_read(xs, XBT_NULL, p.be, "error", msg, sizeof(msg)) == 0) {
		rc = errorf(err, errlen, -EINVAL, "%s", msg);
		goto out;
	}
	return 0;
out:
	remove_nodes(xs, &p);
	return rc;
}

int ctl_detach(struct xs_handle *xs, const struct attach_req *r, char *err, size_t errlen)
{
	struct paths p;
	char buf[300];
	int rc = 0;

	make_paths(r, &p);
	if (xsu_read(xs, XBT_NULL, p.be, NULL, buf, sizeof(buf)) == -ENOENT)
		return errorf(err, errlen, -ENOENT, "domain %u has no %s device %s", r->domid,
			    r->backend_type, r->vdev);
	if (xsu_read(xs, XBT_NULL, p.be, "script", buf, sizeof(buf)))
		buf[0] = '\0';
	/* A failure shows as the backend never reaching Closed, below. */
	xsu_transaction(xs, ask_close, p.be);
	if (wait_state(xs, p.be, 6, true, r->timeout_ms))
		rc = errorf(err, errlen, -ETIMEDOUT, "the backend did not close in %u s; removed anyway",
			  r->timeout_ms / 1000);
	/* Returning means the image is on disk, as for xl block-detach. */
	int src = rc ? 0 : wait_saved(xs, p.be, SAVE_WAIT_MS);
	if (src == -ETIMEDOUT)
		rc = errorf(err, errlen, src, "the save is still running after %u s; memback "
			    "finishes it and keeps the image locked until then", SAVE_WAIT_MS / 1000);
	else if (src == -EIO)
		rc = errorf(err, errlen, src, "memback could not save the disk (see its log)");
	if (buf[0] && run_script(buf, "remove", p.be))
		fprintf(stderr, "memback-ctl: %s remove failed\n", buf);
	remove_nodes(xs, &p);
	return rc;
}
