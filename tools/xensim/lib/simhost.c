/*
 * The host-wide life cycle: create the shared files, create and destroy
 * domains, list zombies, print the counters. Called by the xensim CLI and
 * by tests; the drop-in libraries only read what this writes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "simshm.h"

#define SIM_STATS_KEYS(X)                                                   \
	X(map_calls) X(map_pages) X(unmap_calls) X(unmap_pages)             \
	X(copy_calls) X(copy_segs) X(copy_bytes) X(copy_errors)             \
	X(notify_calls) X(notify_delivered) X(notify_dropped)               \
	X(events_received) X(mapped_now) X(mapped_peak) X(evtchn_bound)     \
	X(shared_now) X(end_access_busy)

static int host_file_path(const char *dir, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A new shared file of size bytes at path (any old one replaced), its
 * first map_len bytes mapped; MAP_FAILED with errno set on failure. */
static void *create_mapped(const char *path, off_t size, size_t map_len)
{
	void *map = MAP_FAILED;
	int fd, err;

	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return MAP_FAILED;
	if (ftruncate(fd, size) == 0)
		map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = errno;
	close(fd);
	errno = err;
	return map;
}

static int host_create(const char *dir)
{
	char path[PATH_MAX];
	struct sim_host *h;
	int rc;

	rc = host_file_path(dir, "host.shm", path, sizeof(path));
	if (rc < 0)
		return rc;
	h = create_mapped(path, sizeof(*h), sizeof(*h));
	if (h == MAP_FAILED)
		return -errno;
	if (getrandom(&h->host_id, sizeof(h->host_id), 0) < 0)
		h->host_id = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
	h->version = SIM_VERSION;
	rc = sim_mutex_init_shared(&h->lock);
	/* Published last: a reader that sees the magic sees the rest. */
	__atomic_store_n(&h->magic, SIM_MAGIC_HOST, __ATOMIC_RELEASE);
	munmap(h, sizeof(*h));
	return rc;
}

int simhost_init(const char *dir)
{
	char path[PATH_MAX];
	const char *env = getenv("XENSIM_DOM0_MEM_MIB");
	unsigned long mib = 64;
	int rc;

	if (env && *env) {
		char *end;

		mib = strtoul(env, &end, 10);
		if (*end || mib == 0 || mib > SIM_MAX_MEM_MIB)
			return -EINVAL;
	}
	for (unsigned i = 0; i < 2; i++) {
		rc = host_file_path(dir, i ? "gnt" : "evtchn", path, sizeof(path));
		if (rc < 0)
			return rc;
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -errno;
	}
	rc = host_create(dir);
	if (rc < 0)
		return rc;
	return simhost_domain_create(dir, 0, (unsigned)mib);
}

static int dom_file_create(const char *dir, uint32_t domid, uint32_t gen,
			   uint32_t npages)
{
	struct sim_dom_layout l;
	struct sim_dom_hdr *hdr;
	char path[PATH_MAX];
	int rc;

	sim_dom_layout(npages, &l);
	rc = sim_dom_file_path(dir, domid, gen, path, sizeof(path));
	if (rc < 0)
		return rc;
	hdr = create_mapped(path, (off_t)l.size, sizeof(*hdr));
	if (hdr == MAP_FAILED) {
		rc = -errno;
		unlink(path);
		return rc;
	}
	hdr->magic = SIM_MAGIC_DOM;
	hdr->version = SIM_VERSION;
	hdr->domid = domid;
	hdr->generation = gen;
	hdr->npages = npages;
	hdr->grant_off = l.grant_off;
	hdr->active_off = l.active_off;
	hdr->refmap_off = l.refmap_off;
	hdr->pagemap_off = l.pagemap_off;
	hdr->mem_off = l.mem_off;
	hdr->size = l.size;
	rc = sim_mutex_init_shared(&hdr->gnt_lock);
	munmap(hdr, sizeof(*hdr));
	if (rc < 0)
		unlink(path);
	return rc;
}

int simhost_domain_create(const char *dir, unsigned domid, unsigned mem_mib)
{
	struct sim_ctx *ctx = sim_ctx_open(dir);
	struct sim_dom_info *info;
	uint32_t gen;
	int rc;

	if (!ctx)
		return -errno;
	if (domid >= SIM_MAX_DOMS || mem_mib == 0 || mem_mib > SIM_MAX_MEM_MIB)
		return -EINVAL;
	info = &ctx->host->dom[domid];
	sim_lock(&ctx->host->lock);
	if (info->state != SIM_DOM_FREE) {
		rc = info->state == SIM_DOM_DYING ? -EBUSY : -EEXIST;
		goto out;
	}
	gen = info->generation + 1;
	rc = dom_file_create(dir, domid, gen, mem_mib * (1024 * 1024 / SIM_PAGE_SIZE));
	if (rc < 0)
		goto out;
	memset(&info->stats, 0, sizeof(info->stats));
	info->foreign_mapped = 0;
	info->npages = mem_mib * (1024 * 1024 / SIM_PAGE_SIZE);
	__atomic_store_n(&info->generation, gen, __ATOMIC_RELEASE);
	__atomic_store_n(&info->state, SIM_DOM_ALIVE, __ATOMIC_RELEASE);
out:
	sim_unlock(&ctx->host->lock);
	return rc;
}

/* Close every port of a dying domain; peers see their end unbound, as
 * Xen does when a domain's event channels are torn down. Host lock held. */
static void close_ports(struct sim_host *h, uint32_t domid)
{
	for (uint32_t p = 1; p < SIM_NR_PORTS; p++)
		sim_port_close(h, domid, p);
}

int simhost_domain_destroy(const char *dir, unsigned domid)
{
	struct sim_ctx *ctx = sim_ctx_open(dir);
	struct sim_dom_info *info;
	int rc = 0;

	if (!ctx)
		return -errno;
	if (domid >= SIM_MAX_DOMS)
		return -ESRCH;
	sim_reclaim_dead(ctx);
	info = &ctx->host->dom[domid];
	sim_lock(&ctx->host->lock);
	if (info->state != SIM_DOM_ALIVE) {
		rc = -ESRCH;
	} else {
		__atomic_store_n(&info->state, SIM_DOM_DYING, __ATOMIC_RELEASE);
		close_ports(ctx->host, domid);
	}
	sim_unlock(&ctx->host->lock);
	if (rc == 0)
		sim_dom_reap_if_done(ctx, domid);
	return rc;
}

int simhost_list_zombies(const char *dir, FILE *out)
{
	struct sim_ctx *ctx = sim_ctx_open(dir);
	int n = 0;

	if (!ctx)
		return -errno;
	sim_reclaim_dead(ctx);
	for (uint32_t d = 0; d < SIM_MAX_DOMS; d++) {
		struct sim_dom_info *info = &ctx->host->dom[d];

		sim_dom_reap_if_done(ctx, d);
		if (__atomic_load_n(&info->state, __ATOMIC_ACQUIRE) != SIM_DOM_DYING)
			continue;
		n++;
		if (out)
			fprintf(out, "dom%u zombie: %llu pages still mapped\n", d,
				(unsigned long long)__atomic_load_n(&info->foreign_mapped,
								    __ATOMIC_RELAXED));
	}
	return n;
}

static const char *state_name(uint32_t state)
{
	return state == SIM_DOM_ALIVE ? "alive" : state == SIM_DOM_DYING ? "zombie" : "gone";
}

static void print_dom(FILE *out, bool json, bool first, uint32_t d,
		      const struct sim_dom_info *info)
{
	const struct simhost_stats *s = &info->stats;

	if (json) {
		fprintf(out, "%s\"%u\":{\"state\":\"%s\",\"foreign_mapped\":%llu", first ? "" : ",",
			d, state_name(info->state), (unsigned long long)info->foreign_mapped);
#define X(k) fprintf(out, ",\"" #k "\":%llu", (unsigned long long)s->k);
		SIM_STATS_KEYS(X)
#undef X
		fputc('}', out);
		return;
	}
	fprintf(out, "dom%u (%s) foreign_mapped=%llu", d, state_name(info->state),
		(unsigned long long)info->foreign_mapped);
#define X(k) fprintf(out, " " #k "=%llu", (unsigned long long)s->k);
	SIM_STATS_KEYS(X)
#undef X
	fputc('\n', out);
}

int simhost_print_stats(const char *dir, bool json, FILE *out)
{
	struct sim_ctx *ctx = sim_ctx_open(dir);
	bool first = true;

	if (!ctx)
		return -errno;
	sim_reclaim_dead(ctx);
	if (json)
		fputc('{', out);
	for (uint32_t d = 0; d < SIM_MAX_DOMS; d++) {
		struct sim_dom_info info = ctx->host->dom[d];

		if (info.state == SIM_DOM_FREE)
			continue;
		print_dom(out, json, first, d, &info);
		first = false;
	}
	if (json)
		fputs("}\n", out);
	return 0;
}

int simhost_get_stats(const char *dir, unsigned domid, struct simhost_stats *out)
{
	struct sim_ctx *ctx = sim_ctx_open(dir);

	if (!ctx)
		return -errno;
	if (domid >= SIM_MAX_DOMS)
		return -ESRCH;
	sim_reclaim_dead(ctx);
	*out = ctx->host->dom[domid].stats;
	return 0;
}

long simhost_foreign_mapped(const char *dir, unsigned domid)
{
	struct sim_ctx *ctx = sim_ctx_open(dir);

	if (!ctx)
		return -errno;
	sim_reclaim_dead(ctx);
	if (domid >= SIM_MAX_DOMS || ctx->host->dom[domid].state == SIM_DOM_FREE)
		return -ESRCH;
	return (long)__atomic_load_n(&ctx->host->dom[domid].foreign_mapped,
				     __ATOMIC_RELAXED);
}

static void remove_matching(const char *dir, const char *prefix, const char *suffix)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (!dh)
		return;
	while ((e = readdir(dh))) {
		size_t n = strlen(e->d_name), ls = strlen(suffix);

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || n < ls ||
		    strcmp(e->d_name + n - ls, suffix) != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(dh);
}

void simhost_fini(const char *dir)
{
	struct sim_ctx *ctx = sim_ctx_open(dir);
	char path[PATH_MAX];

	/* Processes that still map it see it gone. */
	if (ctx)
		__atomic_store_n(&ctx->host->magic, 0, __ATOMIC_RELEASE);
	remove_matching(dir, "dom", ".mem");
	for (unsigned i = 0; i < 2; i++) {
		if (host_file_path(dir, i ? "gnt" : "evtchn", path, sizeof(path)) == 0) {
			remove_matching(path, "h", "");
			rmdir(path);
		}
	}
	if (host_file_path(dir, "host.shm", path, sizeof(path)) == 0)
		unlink(path);
}
