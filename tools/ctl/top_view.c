/* See top_view.h. */
#include "top_view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "B0,B1,..." added into h. */
static void add_buckets(struct lat_hist *h, const char *v)
{
	for (unsigned b = 0; b < LAT_BUCKETS && *v; b++) {
		char *end;
		h->bucket[b] += strtoull(v, &end, 10);
		if (*end != ',')
			break;
		v = end + 1;
	}
}

static bool is_request_key(const char *k)
{
	static const char *const keys[] = { "reads", "writes", "flushes", "discards", "others" };

	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

static void take_word(struct top_dev *d, const char *k, const char *v)
{
	size_t kl = strlen(k);
	uint64_t n = strtoull(v, NULL, 10);

	if (!strcmp(k, "domain"))
		snprintf(d->domain, sizeof(d->domain), "%s", v);
	else if (!strcmp(k, "vdev"))
		snprintf(d->vdev, sizeof(d->vdev), "%s", v);
	else if (is_request_key(k))
		d->reqs += n;
	else if (!strcmp(k, "bytes_read"))
		d->bytes_read = n;
	else if (!strcmp(k, "bytes_written"))
		d->bytes_written = n;
	else if (!strcmp(k, "inflight"))
		d->inflight = n;
	else if (!strcmp(k, "used"))
		d->used = n;
	else if (!strcmp(k, "throttled_us"))
		d->throttled_us = n;
	else if (!strncmp(k, "total_", 6) && kl > 8 && !strcmp(k + kl - 8, "_buckets"))
		add_buckets(&d->total, v);
}

int top_parse_dev(const char *line, struct top_dev *d)
{
	char word[512];
	int used = 0;

	memset(d, 0, sizeof(*d));
	if (sscanf(line, "vbd %u/%u: %n", &d->domid, &d->devid, &used) != 2 || !used)
		return -EINVAL;
	for (const char *p = line + used; *p;) {
		size_t len = strcspn(p, " \n");
		if (len && len < sizeof(word)) {
			memcpy(word, p, len);
			word[len] = '\0';
			char *eq = strchr(word, '=');
			if (eq) {
				*eq = '\0';
				take_word(d, word, eq + 1);
			}
		}
		p += len;
		p += strspn(p, " \n");
	}
	return 0;
}

int top_parse_pool(const char *text, struct top_pool *p)
{
	unsigned long long s, r, u, res;

	if (sscanf(text, "pool: size %llu, reserved %llu, used %llu, resident %llu", &s, &r, &u,
		   &res) != 4)
		return -EINVAL;
	*p = (struct top_pool){ s, r, u, res };
	return 0;
}

void top_row_of(struct top_row *r, const struct top_dev *cur, const struct top_dev *prev,
		double seconds)
{
	struct lat_hist d;

	memset(r, 0, sizeof(*r));
	r->d = cur;
	/* No earlier sample, or the counters went back (a new daemon). */
	if (!prev || seconds <= 0 || cur->reqs < prev->reqs)
		return;
	r->rates = true;
	r->iops = (double)(cur->reqs - prev->reqs) / seconds;
	r->read_mbs = (double)(cur->bytes_read - prev->bytes_read) / seconds / 1e6;
	r->write_mbs = (double)(cur->bytes_written - prev->bytes_written) / seconds / 1e6;
	r->throttled_pct = (double)(cur->throttled_us - prev->throttled_us) / seconds / 1e4;
	lat_sub(&d, &cur->total, &prev->total);
	r->p50_us = lat_quantile_us(&d, 0.50);
	r->p99_us = lat_quantile_us(&d, 0.99);
}

static double mib(uint64_t b)
{
	return (double)b / (1 << 20);
}

static void render_row(FILE *out, const struct top_row *r)
{
	const struct top_dev *d = r->d;

	fprintf(out, "%6u %-16.16s %-6.6s", d->domid, d->domain[0] ? d->domain : "-", d->vdev);
	if (!r->rates) {
		fprintf(out, " %8s %9s %9s %8s %8s", "-", "-", "-", "-", "-");
	} else {
		fprintf(out, " %8.0f %9.1f %9.1f", r->iops, r->read_mbs, r->write_mbs);
		if (r->p50_us == 0)
			fprintf(out, " %8s %8s", "-", "-");
		else if (r->p99_us == UINT64_MAX)
			fprintf(out, " %8llu %8s", (unsigned long long)r->p50_us, ">16s");
		else
			fprintf(out, " %8llu %8llu", (unsigned long long)r->p50_us,
				(unsigned long long)r->p99_us);
	}
	fprintf(out, " %5llu %9.1f", (unsigned long long)d->inflight, mib(d->used));
	if (r->rates)
		fprintf(out, " %6.1f\n", r->throttled_pct);
	else
		fprintf(out, " %6s\n", "-");
}

void top_render(FILE *out, const char *clock, const struct top_pool *pool,
		const struct top_row *rows, unsigned n)
{
	double iops = 0, rd = 0, wr = 0;

	for (unsigned i = 0; i < n; i++) {
		iops += rows[i].iops;
		rd += rows[i].read_mbs;
		wr += rows[i].write_mbs;
	}
	fprintf(out, "memback-ctl top - %s   pool %.1f MiB: reserved %.1f, used %.1f, resident %.1f MiB\n",
		clock, mib(pool->size), mib(pool->reserved), mib(pool->used), mib(pool->resident));
	fprintf(out, "%u devices, %.0f IOPS, %.1f MB/s read, %.1f MB/s write   (q quits)\n\n", n,
		iops, rd, wr);
	fprintf(out, "%6s %-16s %-6s %8s %9s %9s %8s %8s %5s %9s %6s\n", "DOMID", "DOMAIN", "VDEV",
		"IOPS", "READ MB/s", "WRIT MB/s", "P50 us", "P99 us", "INFL", "USED MiB", "THR %");
	for (unsigned i = 0; i < n; i++)
		render_row(out, &rows[i]);
}
