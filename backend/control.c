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

static void report_text(struct daemon *d, FILE *out)
{
	struct pool_stats ps;

	pool_get_stats(d->pool, &ps);
	fprintf(out, "pool: size %llu MiB, reserved %llu MiB, used %llu MiB, %llu disks, "
		"%llu allocation failures%s\n",
		(unsigned long long)(ps.size >> 20), (unsigned long long)(ps.reserved >> 20),
		(unsigned long long)(ps.used >> 20), (unsigned long long)ps.disks,
		(unsigned long long)ps.alloc_failures, d->cfg.overcommit ? ", overcommit" : "");
	for (struct vbd *v = d->vbds; v; v = v->next) {
		struct pool_disk_stats ds = { 0 };
		struct ring_queue_stats qs, sum = { 0 };
		if (v->disk)
			pool_disk_get_stats(v->disk, &ds);
		for (unsigned i = 0; i < v->nr_queues; i++) {
			if (!v->queues[i])
				continue;
			ring_queue_get_stats(v->queues[i], &qs);
			sum.reqs_read += qs.reqs_read;
			sum.reqs_write += qs.reqs_write;
			sum.errors += qs.errors;
			sum.bytes_read += qs.bytes_read;
			sum.bytes_written += qs.bytes_written;
		}
		fprintf(out, "%s: %s, %s%s, size %llu MiB, used %llu MiB, %u queues, "
			"%llu reads %llu writes %llu errors, %llu MiB read %llu MiB written\n",
			v->name, xenbus_state_name(v->ours), v->readonly ? "ro" : "rw",
			v->broken ? " (refused)" : "", (unsigned long long)(ds.size >> 20),
			(unsigned long long)(ds.used >> 20), v->nr_queues,
			(unsigned long long)sum.reqs_read, (unsigned long long)sum.reqs_write,
			(unsigned long long)sum.errors, (unsigned long long)(sum.bytes_read >> 20),
			(unsigned long long)(sum.bytes_written >> 20));
	}
}

static void report_json(struct daemon *d, FILE *out)
{
	struct pool_stats ps;
	const char *sep = "";

	pool_get_stats(d->pool, &ps);
	fprintf(out, "{\"pool\":{\"size\":%llu,\"reserved\":%llu,\"used\":%llu,\"disks\":%llu,"
		"\"alloc_failures\":%llu},\"devices\":[",
		(unsigned long long)ps.size, (unsigned long long)ps.reserved,
		(unsigned long long)ps.used, (unsigned long long)ps.disks,
		(unsigned long long)ps.alloc_failures);
	for (struct vbd *v = d->vbds; v; v = v->next, sep = ",") {
		struct pool_disk_stats ds = { 0 };
		if (v->disk)
			pool_disk_get_stats(v->disk, &ds);
		fprintf(out, "%s{\"domid\":%u,\"devid\":%u,\"state\":%d,\"readonly\":%s,"
			"\"size\":%llu,\"used\":%llu,\"queues\":%u}",
			sep, v->domid, v->devid, (int)v->ours, v->readonly ? "true" : "false",
			(unsigned long long)ds.size, (unsigned long long)ds.used, v->nr_queues);
	}
	fprintf(out, "]}\n");
}

void control_report(struct daemon *d, FILE *out, int json)
{
	if (json)
		report_json(d, out);
	else
		report_text(d, out);
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
	char req[64];
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	FILE *out;

	if (fd < 0)
		return;
	struct timeval tv = { .tv_sec = 1 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (read_request(fd, req, sizeof(req))) {
		close(fd);
		return;
	}
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		return;
	}
	if (!strcmp(req, "status"))
		control_report(d, out, 0);
	else if (!strcmp(req, "status json"))
		control_report(d, out, 1);
	else
		fprintf(out, "error: unknown request \"%s\" (status, status json)\n", req);
	fclose(out);
}
