/* Once a second from the main loop (see housekeeping.h). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "housekeeping.h"
#include "log.h"
#include "vbd.h"

int pool_warn_step(bool warned, uint64_t used, uint64_t size, unsigned pct)
{
	/* used * 100 cannot wrap: a pool is far below 2^57 bytes. */
	unsigned long long fill = size ? (unsigned long long)(used * 100 / size) : 0;

	if (!pct)
		return warned ? -1 : 0;
	if (!warned && fill >= pct)
		return 1;
	if (warned && fill + 5 < pct)
		return -1;
	return 0;
}

const char *sysfs_root(void)
{
	const char *s = getenv("MEMBACK_SYSFS");

	return s && s[0] == '/' ? s : "/sys";
}

bool kernel_backend_present(const char *sysfs, const char *type, char *path, size_t len)
{
	struct stat st;

	snprintf(path, len, "%s/bus/xen-backend/drivers/%s", sysfs, type);
	return stat(path, &st) == 0;
}

void kernel_backend_advice(const char *type, const char *path, char *buf, size_t len)
{
	snprintf(buf, len,
		 "the kernel's xen-blkback serves backend type %s (%s) and takes every device: "
		 "unload it and keep it unloaded (/etc/modprobe.d/memback.conf: "
		 "blacklist xen-blkback, install xen-blkback /bin/false), "
		 "or run memback with --backend-type of its own", type, path);
}

static void check_pool(struct daemon *d)
{
	struct pool_stats st;
	int step;

	pool_get_stats(d->pool, &st);
	step = pool_warn_step(d->pool_warned, st.used, st.size, d->cfg.pool_warn_pct);
	if (step > 0)
		log_warn("pool: %llu of %llu MiB used, past pool-warn %u%%",
			 (unsigned long long)(st.used >> 20), (unsigned long long)(st.size >> 20),
			 d->cfg.pool_warn_pct);
	else if (step < 0)
		log_info("pool: %llu of %llu MiB used, back under pool-warn %u%%",
			 (unsigned long long)(st.used >> 20), (unsigned long long)(st.size >> 20),
			 d->cfg.pool_warn_pct);
	if (step)
		d->pool_warned = step > 0;
}

/* Said once each time the driver appears, not once a second. */
static void check_kernel_backend(struct daemon *d)
{
	char path[256], msg[512];
	bool present = kernel_backend_present(sysfs_root(), d->cfg.backend_type, path,
					      sizeof(path));

	if (present && !d->kernel_backend_seen) {
		kernel_backend_advice(d->cfg.backend_type, path, msg, sizeof(msg));
		log_err("%s", msg);
	} else if (!present && d->kernel_backend_seen) {
		log_info("the kernel's %s backend is gone (%s)", d->cfg.backend_type, path);
	}
	d->kernel_backend_seen = present;
}

void housekeeping_tick(struct daemon *d)
{
	static time_t last;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec == last)
		return;
	last = ts.tv_sec;
	check_pool(d);
	check_kernel_backend(d);
	/* The suppressed counts of the buckets that have refilled, even if
	 * the guest went quiet and no new line will carry them. */
	log_dev_tick(NULL);
	for (struct vbd *v = d->vbds; v; v = v->next)
		log_dev_tick(&v->log);
}
