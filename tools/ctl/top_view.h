/*
 * memback-ctl top's pure part: a `stats` text line -> one device's
 * figures, two samples -> its rates and latency percentiles over the
 * interval, and the screen, in the manner of xentop.
 */
#ifndef MEMBACK_CTL_TOP_VIEW_H
#define MEMBACK_CTL_TOP_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "latency.h"

struct top_dev {
	unsigned domid, devid;
	char domain[64], vdev[32];
	uint64_t reqs, bytes_read, bytes_written, inflight, used, throttled_us;
	struct lat_hist total; /* first seen -> response, every op */
};

struct top_pool {
	uint64_t size, reserved, used, resident;
};

/* One line of `stats` text; 0, or -EINVAL if it is not a device line. */
int top_parse_dev(const char *line, struct top_dev *d);
/* The answer to "pool": 0 or -EINVAL. */
int top_parse_pool(const char *text, struct top_pool *p);

/* What a row shows: over the interval between two samples of a device. */
struct top_row {
	const struct top_dev *d;
	bool rates;                 /* false: first sample, no interval yet */
	double iops, read_mbs, write_mbs, throttled_pct;
	uint64_t p50_us, p99_us;
};

void top_row_of(struct top_row *r, const struct top_dev *cur, const struct top_dev *prev,
		double seconds);
/* The screen: a pool line, a totals line, a header, then the rows. */
void top_render(FILE *out, const char *clock, const struct top_pool *pool,
		const struct top_row *rows, unsigned n);

#endif
