/* See stats_report.h. */
#include "stats_report.h"

#include "pool.h"

#define U(x) ((unsigned long long)(x))

void stats_of_device(const struct vbd *v, struct ring_queue_stats *sum)
{
	struct ring_queue_stats qs;

	*sum = v->io_total;
	for (unsigned i = 0; i < v->nr_queues; i++) {
		if (!v->queues[i])
			continue;
		ring_queue_get_stats(v->queues[i], &qs);
		vbd_sum_stats(sum, &qs, true);
	}
}

/* Every counter of the list, as "key=value" words or JSON members. */
static void print_counters(FILE *out, const struct ring_queue_stats *s, bool json)
{
	const char *sep = "";

#define PRINT_STAT(field, kind, key, family, label, help)                         \
	fprintf(out, json ? "%s\"%s\":%llu" : "%s%s=%llu", sep, key, U(s->field)); \
	sep = json ? "," : " ";
	RING_QUEUE_STATS_LIST(PRINT_STAT)
#undef PRINT_STAT
}

static const char *const clock_names[LAT_CLOCKS] = { "service", "total" };

/* Text: <clock>_<op>_ns=SUM <clock>_<op>_buckets=B0,B1,...
 * JSON: "latency":{"<clock>":{"<op>":{"sum_ns":SUM,"buckets":[B0,...]}}} */
static void print_latency(FILE *out, const struct ring_latency *l, bool json)
{
	if (json)
		fputs(",\"latency\":{", out);
	for (unsigned c = 0; c < LAT_CLOCKS; c++) {
		if (json)
			fprintf(out, "%s\"%s\":{", c ? "," : "", clock_names[c]);
		for (unsigned o = 0; o < LAT_OPS; o++) {
			const struct lat_hist *h = &l->h[c][o];
			const char *op = lat_op_name((enum lat_op)o);

			if (json)
				fprintf(out, "%s\"%s\":{\"sum_ns\":%llu,\"buckets\":[", o ? "," : "",
					op, U(h->sum_ns));
			else
				fprintf(out, " %s_%s_ns=%llu %s_%s_buckets=", clock_names[c], op,
					U(h->sum_ns), clock_names[c], op);
			for (unsigned b = 0; b < LAT_BUCKETS; b++)
				fprintf(out, "%s%llu", b ? "," : "", U(h->bucket[b]));
			if (json)
				fputs("]}", out);
		}
		if (json)
			fputc('}', out);
	}
	if (json)
		fputc('}', out);
}

/* JSON only: each live queue's own counters. */
static void print_queues(FILE *out, const struct vbd *v)
{
	struct ring_queue_stats qs;

	fputs(",\"queues\":[", out);
	for (unsigned i = 0; i < v->nr_queues; i++) {
		if (!v->queues[i])
			continue;
		ring_queue_get_stats(v->queues[i], &qs);
		fprintf(out, "%s{\"queue\":%u,", i ? "," : "", i);
		print_counters(out, &qs, true);
		fputc('}', out);
	}
	fputc(']', out);
}

static void report_device(FILE *out, const struct vbd *v, bool json)
{
	struct ring_queue_stats s;
	struct pool_disk_stats ds = { 0 };
	struct qos_limits ql;

	stats_of_device(v, &s);
	if (v->disk)
		pool_disk_get_stats(v->disk, &ds);
	qos_get(&v->qos, &ql);
	fprintf(out, json ? "{\"domid\":%u,\"devid\":%u,\"domain\":\"%s\",\"vdev\":\"%s\","
			    "\"size\":%llu,\"used\":%llu,\"iops_limit\":%llu,\"bps_limit\":%llu,"
			  : "vbd %u/%u: domain=%s vdev=%s size=%llu used=%llu iops_limit=%llu "
			    "bps_limit=%llu ",
		v->domid, v->devid, v->domain, v->vdev, U(ds.size), U(ds.used), U(ql.iops),
		U(ql.bps));
	print_counters(out, &s, json);
	print_latency(out, &s.lat, json);
	if (json)
		print_queues(out, v);
	fputs(json ? "}" : "\n", out);
}

void stats_report(struct daemon *d, FILE *out, bool json)
{
	if (json)
		fputc('[', out);
	for (struct vbd *v = d->vbds; v; v = v->next) {
		if (json && v != d->vbds)
			fputc(',', out);
		report_device(out, v, json);
	}
	if (json)
		fputs("]\n", out);
}
