/* The blkfront CLI's results; see report.h. */
#include "report.h"

#include <inttypes.h>
#include <string.h>

void report_total(struct report *rep)
{
	struct load_result *t = &rep->total;

	memset(t, 0, sizeof(*t));
	lat_init(&t->lat);
	t->phase = "total";
	for (unsigned i = 0; i < rep->nr_phases; i++) {
		const struct load_result *p = &rep->phases[i];

		t->ops += p->ops;
		t->reads += p->reads;
		t->writes += p->writes;
		t->bytes_read += p->bytes_read;
		t->bytes_written += p->bytes_written;
		t->io_errors += p->io_errors;
		t->verify_errors += p->verify_errors;
		t->sectors_checked += p->sectors_checked;
		t->elapsed_ns += p->elapsed_ns;
		t->timed_out |= p->timed_out;
		t->aborted |= p->aborted;
		lat_merge(&t->lat, &p->lat);
	}
}

static double seconds(const struct load_result *r)
{
	return (double)r->elapsed_ns / 1e9;
}

static double iops(const struct load_result *r)
{
	return r->elapsed_ns ? (double)r->ops / seconds(r) : 0.0;
}

static double mb_s(const struct load_result *r)
{
	double bytes = (double)(r->bytes_read + r->bytes_written);

	return r->elapsed_ns ? bytes / seconds(r) / 1e6 : 0.0;
}

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static void text_result(FILE *out, const struct load_result *r)
{
	const struct lat_hist *h = &r->lat;

	fprintf(out, "%-7s %" PRIu64 " ops (%" PRIu64 " reads, %" PRIu64
		" writes) in %.3f s: %.0f IOPS, %.1f MB/s\n", r->phase, r->ops,
		r->reads, r->writes, seconds(r), iops(r), mb_s(r));
	fprintf(out, "        latency us: p50 %.1f  p99 %.1f  p99.9 %.1f  "
		"(min %.1f, mean %.1f, max %.1f)\n",
		us(lat_percentile(h, 50)), us(lat_percentile(h, 99)),
		us(lat_percentile(h, 99.9)), us(h->count ? h->min : 0),
		lat_mean(h) / 1000.0, us(h->max));
	fprintf(out, "        errors: %" PRIu64 " I/O, %" PRIu64 " verify (%"
		PRIu64 " sectors checked)%s\n", r->io_errors, r->verify_errors,
		r->sectors_checked, r->timed_out ? ", TIMED OUT" :
		r->aborted ? ", ABORTED" : "");
}

void report_text(FILE *out, const struct report *rep)
{
	const struct bf_args *a = rep->args;
	const struct blkfront_info *in = rep->info;

	fprintf(out, "blkfront: device %u (%s), %" PRIu64 " sectors, "
		"sector-size %u; %u queue(s), ring order %u (%u entries)%s%s; "
		"bs %u (%s), qd %u, %s, read %u%%%s\n", a->devid, in->backend,
		in->sectors, in->sector_size, in->nr_queues, in->ring_order,
		in->ring_size, in->abi_x86_32 ? ", " : "",
		in->abi_x86_32 ? "x86_32-abi" : "", a->bs,
		a->bs > BF_MAX_DIRECT_BS ? "indirect" : "direct", a->qd,
		a->pattern == BF_PATTERN_RAND ? "rand" : "seq", a->read_pct,
		a->verify ? ", verifying" : "");
	for (unsigned i = 0; i < rep->nr_phases; i++)
		text_result(out, &rep->phases[i]);
	if (rep->nr_phases > 1)
		text_result(out, &rep->total);
}

static void json_result(FILE *out, const struct load_result *r)
{
	const struct lat_hist *h = &r->lat;

	fprintf(out, "\"ops\":%" PRIu64 ",\"reads\":%" PRIu64 ",\"writes\":%"
		PRIu64 ",\"bytes_read\":%" PRIu64 ",\"bytes_written\":%" PRIu64
		",\"seconds\":%.6f,\"iops\":%.1f,\"mb_s\":%.3f,",
		r->ops, r->reads, r->writes, r->bytes_read, r->bytes_written,
		seconds(r), iops(r), mb_s(r));
	fprintf(out, "\"lat_us\":{\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f,"
		"\"min\":%.3f,\"mean\":%.3f,\"max\":%.3f},",
		us(lat_percentile(h, 50)), us(lat_percentile(h, 99)),
		us(lat_percentile(h, 99.9)), us(h->count ? h->min : 0),
		lat_mean(h) / 1000.0, us(h->max));
	fprintf(out, "\"io_errors\":%" PRIu64 ",\"verify_errors\":%" PRIu64
		",\"sectors_checked\":%" PRIu64 ",\"timed_out\":%s,\"aborted\":%s",
		r->io_errors, r->verify_errors, r->sectors_checked,
		r->timed_out ? "true" : "false", r->aborted ? "true" : "false");
}

void report_json(FILE *out, const struct report *rep)
{
	const struct bf_args *a = rep->args;
	const struct blkfront_info *in = rep->info;
	const struct load_result *t = &rep->total;
	bool ok = !t->io_errors && !t->verify_errors && !t->aborted;

	fprintf(out, "{\"devid\":%u,\"sectors\":%" PRIu64 ",\"sector_size\":%u,"
		"\"queues\":%u,\"ring_order\":%u,\"ring_size\":%u,\"bs\":%u,"
		"\"indirect\":%s,\"abi\":\"%s\","
		"\"qd\":%u,\"pattern\":\"%s\",\"read_pct\":%u,\"verify\":%s,"
		"\"seed\":%" PRIu64 ",", a->devid, in->sectors, in->sector_size,
		in->nr_queues, in->ring_order, in->ring_size, a->bs,
		a->bs > BF_MAX_DIRECT_BS ? "true" : "false",
		in->abi_x86_32 ? "x86_32" : "native", a->qd,
		a->pattern == BF_PATTERN_RAND ? "rand" : "seq", a->read_pct,
		a->verify ? "true" : "false", a->seed);
	fprintf(out, "\"phases\":[");
	for (unsigned i = 0; i < rep->nr_phases; i++) {
		fprintf(out, "%s{\"name\":\"%s\",", i ? "," : "",
			rep->phases[i].phase);
		json_result(out, &rep->phases[i]);
		fputc('}', out);
	}
	fprintf(out, "],");
	json_result(out, t);
	fprintf(out, ",\"ok\":%s}\n", ok ? "true" : "false");
}
