/* memback: a Xen block backend in dom0 userspace, serving disks from memory. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "housekeeping.h"
#include "log.h"
#include "metrics.h"
#include "ring_queue.h"
#include "vbd.h"
#include "watch.h"
#include "xs_util.h"
#include "xs_watchconn.h"

static void fill_system_defaults(struct daemon_config *cfg)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	/* Half of RAM, in whole 2 MiB (chunks and huge pages divide it). */
	if (!cfg->pool_size)
		cfg->pool_size = pages > 0 && psize > 0
			? ((uint64_t)pages * (uint64_t)psize / 2) & ~((2ull << 20) - 1)
			: 1ull << 30;
	if (!cfg->max_queues)
		cfg->max_queues = cpus < 1 ? 1 : cpus > 16 ? 16 : (unsigned)cpus;
}

static int open_xenstore(struct daemon *d)
{
	char buf[16];
	uint64_t id;

	d->xs = xs_open(0);
	if (!d->xs)
		return -errno;
	/* Our own domain id, as xen-init-dom0 (or a driver domain's toolstack)
	 * wrote it; relative paths resolve against our own /local/domain. */
	if (xsu_read(d->xs, XBT_NULL, "domid", NULL, buf, sizeof(buf)) ||
	    parse_uint(buf, UINT16_MAX, &id))
		id = 0;
	d->self_domid = (unsigned)id;
	snprintf(d->backend_base, sizeof(d->backend_base), "/local/domain/%u/backend/%s",
		 d->self_domid, d->cfg.backend_type);
	return 0;
}

static int signals_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Watch events per main-loop pass: enough to keep up with a toolstack,
 * few enough that signals and the control socket wait only milliseconds. */
#define WATCH_BATCH 128

static void on_watch_event(void *ctx, const char *path, const char *token)
{
	watch_dispatch(ctx, path, token);
}

/* One batch: read at most WATCH_BATCH events (the rest wait in xenstored,
 * which holds back the guests that caused them), then handle what they
 * marked. False when the connection is gone. */
static bool handle_watches(struct daemon *d)
{
	int n = xswc_read(d->wc, WATCH_BATCH, on_watch_event, d);

	watch_work(d);
	/* A kept disk whose directory was not ready at the first scan and
	 * has gone since: nothing else would free it. */
	if (d->adopt_waiting)
		vbd_adopt_leftovers(d);
	return n >= 0;
}

static void handle_fatal(struct daemon *d)
{
	uint64_t n;

	if (read(d->fatal_fd, &n, sizeof(n)) < 0)
		return;
	for (struct vbd *v = d->vbds, *next; v; v = next) {
		next = v->next;
		vbd_handle_fatal(v);
	}
	vbd_images_poll(d);
}

/* What SIGHUP re-reads: the same command line over the file again. */
static struct {
	int argc;
	char **argv;
	struct options *cur;
} reload_src;

static void reload(struct daemon *d)
{
	static struct options fresh;
	char err[300];

	if (options_load(reload_src.argc, reload_src.argv, &fresh, err, sizeof(err))) {
		log_err("reload: %s; the settings stay as they were", err);
		return;
	}
	fill_system_defaults(&fresh.cfg);
	if (options_apply_live(reload_src.cur, &fresh) == 0)
		log_info("reload: no setting that can change live has changed");
	log_set_level(reload_src.cur->log_level);
	d->cfg = reload_src.cur->cfg;
}

/* Returns the signal that ended the loop. */
static int run(struct daemon *d, int sfd, int ctl_fd, int metrics_fd)
{
	struct pollfd fds[5] = {
		{ .fd = d->wc->fd, .events = POLLIN },
		{ .fd = d->fatal_fd, .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
		{ .fd = ctl_fd, .events = POLLIN },
		{ .fd = metrics_fd, .events = POLLIN }, /* -1 (ignored) when off */
	};

	for (;;) {
		housekeeping_tick(d);
		/* A batch left whole messages buffered: no sleeping. */
		if (poll(fds, 5, xswc_has_buffered(d->wc) ? 0 : 1000) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			return 0;
		}
		if ((fds[0].revents & (POLLIN | POLLERR | POLLHUP)) || xswc_has_buffered(d->wc)) {
			if (!handle_watches(d)) {
				log_err("lost the connection to xenstore");
				return 0;
			}
		}
		if (fds[1].revents & POLLIN)
			handle_fatal(d);
		if (fds[3].revents & POLLIN) {
			control_serve(d, ctl_fd);
			if (d->shutdown_client >= 0)
				return SIGUSR2;
		}
		if (fds[4].revents & POLLIN)
			metrics_serve(d, metrics_fd);
		if (fds[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
				continue;
			if (si.ssi_signo != SIGHUP)
				return (int)si.ssi_signo;
			reload(d);
		}
	}
}

/* For good (SIGUSR2, memback-ctl shutdown): every device to Closed, its
 * save= written; nothing is left for a next memback. */
static void shutdown_devices(struct daemon *d)
{
	d->stopping = true; /* every save ends before memback does */
	while (d->vbds)
		vbd_destroy(d->vbds, true, false);
	while (d->zombies) {
		struct vbd *z = d->zombies;
		d->zombies = z->next;
		vbd_finish_destroy(z);
	}
	watch_stop(d);
}

/* SIGTERM (systemctl stop/restart, an upgrade): stop serving, leave every
 * device, its disk and its rings as they are for the next memback. */
static void leave_devices(struct daemon *d)
{
	d->stopping = true;
	while (d->vbds) {
		struct vbd *v = d->vbds;
		d->vbds = v->next;
		vbd_leave(v);
	}
	/* Gone from xenstore already: their save ends, then they go. */
	while (d->zombies) {
		struct vbd *z = d->zombies;
		d->zombies = z->next;
		vbd_finish_destroy(z);
	}
	watch_stop(d);
}

/* The state directory names the pool's file; NULL path without one. */
static int open_state(struct daemon *d)
{
	d->state.inflight_fd = -1;
	if (!d->cfg.state_dir[0])
		return 0;
	return state_dir_open(&d->state, d->cfg.state_dir);
}

/* vm.max_map_count, or Linux's default when it cannot be read. */
static unsigned long max_map_count(void)
{
	unsigned long n = 65530;
	FILE *f = fopen("/proc/sys/vm/max_map_count", "re");

	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 65530;
		fclose(f);
	}
	return n;
}

static void set_grant_budget(const struct daemon_config *c)
{
	unsigned long limit = c->max_grant_maps ? c->max_grant_maps
						: ring_grant_map_budget_for(max_map_count());

	ring_set_grant_map_budget(limit);
	if (c->grant_mode == GRANT_MODE_PERSISTENT)
		log_info("persistent grants: at most %lu mapped by all queues together", limit);
}

/* Raise the fd soft limit to the hard one (the unit sets LimitNOFILE) and
 * size the queue budget from what we got. */
static void set_queue_budget(struct daemon *d)
{
	struct rlimit nofile, nproc;

	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	if (getrlimit(RLIMIT_NOFILE, &nofile))
		nofile.rlim_cur = 1024;
	if (getrlimit(RLIMIT_NPROC, &nproc))
		nproc.rlim_cur = RLIM_INFINITY;
	uint64_t f = nofile.rlim_cur == RLIM_INFINITY ? UINT64_MAX : nofile.rlim_cur;
	uint64_t t = nproc.rlim_cur == RLIM_INFINITY ? UINT64_MAX : nproc.rlim_cur;
	d->queues.total = queue_budget_for(f, t);
	log_info("queues: at most %u for all devices together (RLIMIT_NOFILE %llu, "
		 "%u fds each)", d->queues.total, (unsigned long long)f, QUEUE_FDS);
}

static int start_pool(struct daemon *d)
{
	struct pool_config pc = {
		.size = d->cfg.pool_size,
		.overcommit = d->cfg.overcommit,
		.hugepages = d->cfg.hugepages,
		.mlock = d->cfg.mlock,
		.path = d->state.pool_path[0] ? d->state.pool_path : NULL,
	};
	int rc = pool_create(&pc, &d->pool);

	if (rc == 0 && pool_is_persistent(d->pool)) {
		struct pool_stats st;
		pool_get_stats(d->pool, &st);
		state_dir_check_room(&d->state, st.size, st.resident);
		rc = state_dir_map_inflight(&d->state);
	}
	if (rc == 0 && !pool_is_persistent(d->pool))
		log_warn("no state directory: a restart of memback loses every disk");
	return rc;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	static struct options o;
	struct daemon d = { .fatal_fd = -1, .shutdown_client = -1 };
	char err[512];
	int rc, sfd, ctl_fd, metrics_fd = -1;

	if (options_load(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, "memback: %s\n", err);
		return 2;
	}
	if (o.help) {
		options_usage(stdout);
		return 0;
	}
	reload_src.argc = argc;
	reload_src.argv = argv;
	reload_src.cur = &o;
	if (o.cfg.metrics && metrics_check_addr(o.cfg.metrics, err, sizeof(err))) {
		fprintf(stderr, "memback: %s\n", err);
		return 2;
	}
	/* Before daemonising: a port in use is said on the terminal. */
	if (o.cfg.metrics && (metrics_fd = metrics_open(o.cfg.metrics, err, sizeof(err))) < 0) {
		fprintf(stderr, "memback: %s\n", err);
		return 1;
	}
	log_set_level(o.log_level);
	fill_system_defaults(&o.cfg);
	/* Before daemonising, so that systemd and the shell see why. */
	char kpath[256];
	if (kernel_backend_present(sysfs_root(), o.cfg.backend_type, kpath, sizeof(kpath))) {
		kernel_backend_advice(o.cfg.backend_type, kpath, err, sizeof(err));
		fprintf(stderr, "memback: %s\n", err);
		return 3;
	}
	d.cfg = o.cfg;
	if (!o.foreground) {
		if (daemon(0, 0)) {
			fprintf(stderr, "memback: cannot daemonise: %s\n", strerror(errno));
			return 1;
		}
		log_set_syslog(true, "memback");
	}
	if (o.pidfile && (rc = write_pidfile(o.pidfile))) {
		log_err("cannot write %s: %s", o.pidfile, strerror(-rc));
		return 1;
	}
	sfd = signals_fd();
	d.fatal_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (sfd < 0 || d.fatal_fd < 0) {
		log_err("cannot set up signals: %s", strerror(errno));
		return 1;
	}
	set_grant_budget(&d.cfg);
	set_queue_budget(&d);
	if ((rc = open_state(&d)) || (rc = start_pool(&d))) {
		/* In use, or a file refused: the pool said which, in one line. */
		if (rc != -EBUSY && rc != -EPROTO)
			log_err("cannot %s a %llu MiB pool: %s",
				d.state.pool_path[0] ? "open or create" : "create",
				(unsigned long long)(d.cfg.pool_size >> 20), strerror(-rc));
		return 1;
	}
	if ((rc = open_xenstore(&d)) || (rc = watch_start(&d))) {
		log_err("cannot use xenstore: %s", strerror(-rc));
		return 1;
	}
	/* A restart: every device the pool kept, taken up before anything
	 * else is served; those gone meanwhile are saved and freed. */
	watch_scan(&d);
	vbd_adopt_leftovers(&d);
	ctl_fd = control_open(d.cfg.control_path);
	if (ctl_fd < 0) {
		log_err("cannot open the control socket %s: %s", d.cfg.control_path,
			strerror(-ctl_fd));
		return 1;
	}
	struct pool_stats ps;
	pool_get_stats(d.pool, &ps); /* an adopted pool keeps its own size */
	log_info("serving %s in domain %u from a %llu MiB pool", d.backend_base, d.self_domid,
		 (unsigned long long)(ps.size >> 20));
	rc = run(&d, sfd, ctl_fd, metrics_fd);
	/* Only SIGUSR2 (memback-ctl shutdown) closes the devices for good; a
	 * stop, or a lost xenstore connection, leaves them to the next memback
	 * as a crash would. */
	bool leave = rc != SIGUSR2 && pool_is_persistent(d.pool);
	log_info("%s: %s", rc ? strsignal(rc) : "error",
		 leave ? "leaving every device to the next memback" : "closing every device");
	unsigned long events, refreshes;
	watch_counts(&d, &events, &refreshes);
	log_info("watch: %lu events, %lu device refreshes", events, refreshes);
	if (leave)
		leave_devices(&d);
	else
		shutdown_devices(&d);
	control_close(d.cfg.control_path, ctl_fd);
	if (d.cfg.metrics)
		metrics_close(d.cfg.metrics, metrics_fd);
	xs_close(d.xs);
	bool any_left = leave && pool_disk_next(d.pool, NULL);
	if (leave)
		pool_close(d.pool);
	else
		pool_destroy(d.pool);
	state_dir_close(&d.state, !any_left);
	if (d.shutdown_client >= 0) {
		if (write(d.shutdown_client, "ok\n", 3) < 0)
			log_info("shutdown: the client went away");
		close(d.shutdown_client);
	}
	if (o.pidfile)
		unlink(o.pidfile);
	return rc ? 0 : 1;
}
