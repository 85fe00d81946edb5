/* The control socket and the status report. */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "stats_report.h"
#include "vbd.h"

static int make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int control_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	if ((rc = make_parent_dir(path)))
		return rc;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A socket left by a daemon that died: nobody answers on it. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) ||
	    listen(fd, 8)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

void control_close(const char *path, int listen_fd)
{
	if (listen_fd < 0)
		return;
	close(listen_fd);
	unlink(path);
}

#define U(x) ((unsigned long long)(x))

/* What backs the pool and whether it is past pool-warn. */
static void report_pool_memory(struct daemon *d, const struct pool_stats *ps, FILE *out,
			       bool json)
{
	bool hp = pool_uses_hugepages(d->pool), ml = pool_is_mlocked(d->pool);
	unsigned pct = ps->size ? (unsigned)(ps->used * 100 / ps->size) : 0;

	if (json) {
		fprintf(out, "\"hugepages\":%s,\"mlock\":%s,\"used_pct\":%u,\"warn_pct\":%u,"
			"\"warning\":%s}\n", hp ? "true" : "false", ml ? "true" : "false", pct,
			d->cfg.pool_warn_pct, d->pool_warned ? "true" : "false");
		return;
	}
	fprintf(out, "pool: huge pages %s (%s), mlock %s (%s); not in core dumps\n",
		hp ? "yes" : "no", d->cfg.hugepages ? "asked for" : "not asked for",
		ml ? "yes" : "no", d->cfg.mlock ? "asked for" : "not asked for");
	if (d->cfg.pool_warn_pct)
		fprintf(out, "pool: %u%% used; warning at %u%%%s\n", pct, d->cfg.pool_warn_pct,
			d->pool_warned ? ": PAST THE WARNING THRESHOLD" : "");
	else
		fprintf(out, "pool: %u%% used; no warning threshold\n", pct);
}

static void report_pool(struct daemon *d, FILE *out, bool json)
{
	struct pool_stats ps;

	pool_get_stats(d->pool, &ps);
	fprintf(out, json ? "{\"size\":%llu,\"reserved\":%llu,\"used\":%llu,\"resident\":%llu,"
			    "\"disks\":%llu,\"alloc_failures\":%llu,\"overcommit\":%s,"
			  : "pool: size %llu, reserved %llu, used %llu, resident %llu bytes; %llu disks; "
			    "%llu allocation failures; overcommit %s\n",
		U(ps.size), U(ps.reserved), U(ps.used), U(ps.resident), U(ps.disks),
		U(ps.alloc_failures),
		d->cfg.overcommit ? (json ? "true" : "on") : (json ? "false" : "off"));
	report_pool_memory(d, &ps, out, json);
}

static void report_list(struct daemon *d, FILE *out, bool json)
{
	const char *sep = "";

	if (json)
		fputc('[', out);
	for (struct vbd *v = d->vbds; v; v = v->next, sep = ",") {
		struct pool_disk_stats ds = { 0 };
		if (v->disk)
			pool_disk_get_stats(v->disk, &ds);
		fprintf(out, json ? "%s{\"domid\":%u,\"devid\":%u,\"state\":\"%s\",\"mode\":\"%s\","
				    "\"refused\":%s,\"size\":%llu,\"used\":%llu,\"queues\":%u}"
				  : "%svbd %u/%u: %s, %s%s, size %llu, used %llu bytes, %u queues\n",
			json ? sep : "", v->domid, v->devid, xenbus_state_name(v->ours),
			v->readonly ? "ro" : "rw",
			json ? (v->broken ? "true" : "false") : (v->broken ? ", refused" : ""),
			U(ds.size), U(ds.used), v->nr_queues);
	}
	if (json)
		fputs("]\n", out);
}

int control_report(struct daemon *d, FILE *out, const char *req)
{
	char what[16];
	bool json = false;

	if (sscanf(req, "%15s", what) != 1)
		return -EINVAL;
	if (strcmp(req, what) != 0) {
		if (strcmp(req + strlen(what), " json") != 0)
			return -EINVAL;
		json = true;
	}
	if (!strcmp(what, "pool"))
		report_pool(d, out, json);
	else if (!strcmp(what, "list"))
		report_list(d, out, json);
	else if (!strcmp(what, "stats"))
		stats_report(d, out, json);
	else
		return -EINVAL;
	return 0;
}

/* "resize <domid> <devid> <bytes>": answered "ok" or "error: why". */
static int control_resize(struct daemon *d, FILE *out, const char *req)
{
	unsigned domid, devid;
	unsigned long long bytes;
	char err[160], tail;
	struct vbd *v;

	if (sscanf(req, "resize %u %u %llu%c", &domid, &devid, &bytes, &tail) != 3)
		return -EINVAL;
	for (v = d->vbds; v; v = v->next)
		if (v->domid == domid && v->devid == devid)
			break;
	if (!v)
		fprintf(out, "error: no device %u/%u\n", domid, devid);
	else if (vbd_resize(v, bytes, err, sizeof(err)))
		fprintf(out, "error: %s\n", err);
	else
		fputs("ok\n", out);
	return 0;
}

/* Only root and the daemon's own user may ask (the socket is 0600 too). */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	if (cred.uid == 0 || cred.uid == geteuid())
		return true;
	log_dev_rl(NULL, LOG_KIND_CONTROL, LOG_WARN, "control: refused a request from uid %u",
		   (unsigned)cred.uid);
	return false;
}

/* The peer has 1 s to send its request line; the daemon never blocks
 * longer than that on a slow or silent client. */
static int read_request(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 1000) <= 0)
			return -ETIMEDOUT;
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		got += (size_t)n;
		if (memchr(buf, '\n', got))
			break;
	}
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

void control_serve(struct daemon *d, int listen_fd)
{
	char req[PATH_MAX + 64];
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	FILE *out;

	if (fd < 0)
		return;
	if (!peer_allowed(fd)) {
		close(fd);
		return;
	}
	struct timeval tv = { .tv_sec = 1 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (read_request(fd, req, sizeof(req))) {
		close(fd);
		return;
	}
	if (strncmp(req, "save ", 5) == 0) {
		vbd_save_request(d, fd, req); /* answers when the file is on disk */
		return;
	}
	if (strcmp(req, "shutdown") == 0 && d->shutdown_client < 0) {
		/* Answered "ok" once every device is closed (main.c). */
		d->shutdown_client = fd;
		return;
	}
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		return;
	}
	if (strncmp(req, "resize ", 7) == 0 ? control_resize(d, out, req)
	    : strncmp(req, "qos ", 4) == 0  ? control_qos(d, out, req)
					     : control_report(d, out, req))
		fprintf(out, "error: unknown request \"%s\" (list, stats, pool; \" json\" after "
			"any; resize <domid> <devid> <bytes>; save <domid> <devid> [<path>]; "
			"qos <domid> <devid> [limits]; shutdown)\n", req);
	fclose(out);
}
