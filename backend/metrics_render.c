/*
 * The Prometheus text: every entry of the counter list per device
 * (memback_<family>[_total]{domid,domain,vdev[,label]}), the latency
 * histograms in seconds with cumulative le buckets, and the pool.
 */
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "pool.h"
#include "stats_report.h"

#define U(x) ((unsigned long long)(x))

struct dev_figures {
	const struct vbd *v;
	struct ring_queue_stats s;
	struct pool_disk_stats ds;
	struct qos_limits ql;
};

static void labels(FILE *out, const struct vbd *v)
{
	fprintf(out, "domid=\"%u\",domain=\"%s\",vdev=\"%s\"", v->domid, v->domain, v->vdev);
}

static void family(FILE *out, const char *name, const char *suffix, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP memback_%s%s %s\n# TYPE memback_%s%s %s\n", name, suffix, help, name,
		suffix, type);
}

static void render_counters(FILE *out, const struct dev_figures *f, size_t n)
{
	const char *prev = "";

#define RENDER_STAT(field, kind, key, fam, label, help)                                   \
	{                                                                                  \
		const char *sfx = (kind) == STAT_COUNTER ? "_total" : "";                  \
		if (strcmp(prev, fam) != 0)                                                \
			family(out, fam, sfx, (kind) == STAT_COUNTER ? "counter" : "gauge", \
			       help);                                                      \
		prev = fam;                                                                \
		for (size_t i = 0; i < n; i++) {                                           \
			fprintf(out, "memback_%s%s{", fam, sfx);                           \
			labels(out, f[i].v);                                               \
			fprintf(out, "%s%s} %llu\n", label[0] ? "," : "", label,           \
				U(f[i].s.field));                                          \
		}                                                                          \
	}
	RING_QUEUE_STATS_LIST(RENDER_STAT)
#undef RENDER_STAT
}

static void render_histogram(FILE *out, const struct dev_figures *f, size_t n,
			     enum lat_clock c, const char *name, const char *help)
{
	family(out, name, "", "histogram", help);
	for (size_t i = 0; i < n; i++)
		for (unsigned o = 0; o < LAT_OPS; o++) {
			const struct lat_hist *h = &f[i].s.lat.h[c][o];
			const char *op = lat_op_name((enum lat_op)o);
			uint64_t cum = 0;

			for (unsigned b = 0; b < LAT_BUCKETS; b++) {
				cum += h->bucket[b];
				fprintf(out, "memback_%s_bucket{", name);
				labels(out, f[i].v);
				if (b < LAT_BUCKETS - 1)
					fprintf(out, ",op=\"%s\",le=\"%.9g\"} %llu\n", op,
						(double)lat_bucket_le_us(b) / 1e6, U(cum));
				else
					fprintf(out, ",op=\"%s\",le=\"+Inf\"} %llu\n", op, U(cum));
			}
			fprintf(out, "memback_%s_sum{", name);
			labels(out, f[i].v);
			fprintf(out, ",op=\"%s\"} %.9f\n", op, (double)h->sum_ns / 1e9);
			fprintf(out, "memback_%s_count{", name);
			labels(out, f[i].v);
			fprintf(out, ",op=\"%s\"} %llu\n", op, U(cum));
		}
}

static uint64_t disk_size(const struct dev_figures *f) { return f->ds.size; }
static uint64_t disk_used(const struct dev_figures *f) { return f->ds.used; }
static uint64_t qos_iops(const struct dev_figures *f) { return f->ql.iops; }
static uint64_t qos_bps(const struct dev_figures *f) { return f->ql.bps; }

/* One gauge per device, from the device's figures. */
static void device_gauge(FILE *out, const struct dev_figures *f, size_t n, const char *name,
			 const char *help, uint64_t (*get)(const struct dev_figures *))
{
	family(out, name, "", "gauge", help);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "memback_%s{", name);
		labels(out, f[i].v);
		fprintf(out, "} %llu\n", U(get(&f[i])));
	}
}

static void render_disks(FILE *out, const struct dev_figures *f, size_t n)
{
	device_gauge(out, f, n, "disk_size_bytes", "The disk's size", disk_size);
	device_gauge(out, f, n, "disk_used_bytes", "Pool memory the disk holds", disk_used);
	device_gauge(out, f, n, "qos_iops_limit", "The disk's QoS limit in requests/s (0: none)",
		     qos_iops);
	device_gauge(out, f, n, "qos_bytes_limit", "The disk's QoS limit in bytes/s (0: none)",
		     qos_bps);
}

static void render_pool(FILE *out, struct daemon *d)
{
	struct pool_stats ps;

	pool_get_stats(d->pool, &ps);
	family(out, "pool_size_bytes", "", "gauge", "The pool's capacity");
	fprintf(out, "memback_pool_size_bytes %llu\n", U(ps.size));
	family(out, "pool_reserved_bytes", "", "gauge", "Sum of the attached disks' sizes");
	fprintf(out, "memback_pool_reserved_bytes %llu\n", U(ps.reserved));
	family(out, "pool_used_bytes", "", "gauge", "Bytes in populated chunks");
	fprintf(out, "memback_pool_used_bytes %llu\n", U(ps.used));
	family(out, "pool_resident_bytes", "", "gauge", "Memory the pool's file holds in dom0");
	fprintf(out, "memback_pool_resident_bytes %llu\n", U(ps.resident));
	family(out, "pool_disks", "", "gauge", "Disks carved from the pool");
	fprintf(out, "memback_pool_disks %llu\n", U(ps.disks));
	family(out, "pool_alloc_failures", "_total", "counter", "Writes refused for lack of memory");
	fprintf(out, "memback_pool_alloc_failures_total %llu\n", U(ps.alloc_failures));
}

void metrics_render(struct daemon *d, FILE *out)
{
	size_t n = 0;
	struct dev_figures *f;

	for (const struct vbd *v = d->vbds; v; v = v->next)
		n++;
	f = calloc(n ? n : 1, sizeof(*f));
	if (!f)
		return;
	n = 0;
	for (const struct vbd *v = d->vbds; v; v = v->next, n++) {
		f[n].v = v;
		stats_of_device(v, &f[n].s);
		if (v->disk)
			pool_disk_get_stats(v->disk, &f[n].ds);
		qos_get(&v->qos, &f[n].ql);
	}
	render_counters(out, f, n);
	render_histogram(out, f, n, LAT_SERVICE, "request_service_seconds",
			 "From taking a request off the ring to its response");
	render_histogram(out, f, n, LAT_TOTAL, "request_seconds",
			 "From first seeing a request on the ring to its response (waits included)");
	render_disks(out, f, n);
	render_pool(out, d);
	free(f);
}
