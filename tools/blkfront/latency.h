/*
 * Latency histogram: log-linear buckets (32 per power of two, so any value
 * is kept within ~3%; values below 64 exactly), fixed size, no allocation
 * on the hot path. Percentiles by nearest rank. Pure functions.
 */
#ifndef BLKFRONT_LATENCY_H
#define BLKFRONT_LATENCY_H

#include <stdint.h>

#define LAT_SUB_BITS 5
#define LAT_SUB      (1u << LAT_SUB_BITS)
#define LAT_BUCKETS  ((64 - LAT_SUB_BITS + 1) * LAT_SUB)

struct lat_hist {
	uint64_t count, sum, min, max;
	uint64_t bucket[LAT_BUCKETS];
};

void lat_init(struct lat_hist *h);
void lat_add(struct lat_hist *h, uint64_t v);
void lat_merge(struct lat_hist *dst, const struct lat_hist *src);
/* The value at percentile p (0 < p <= 100): the smallest bucket holding
 * the ceil(p/100 * count)-th smallest sample, reported as that bucket's
 * upper bound clamped to [min, max]. 0 when empty. */
uint64_t lat_percentile(const struct lat_hist *h, double p);
double lat_mean(const struct lat_hist *h);

/* Bucket arithmetic, exposed for the unit tests. */
unsigned lat_bucket_of(uint64_t v);
uint64_t lat_bucket_low(unsigned idx);
uint64_t lat_bucket_high(unsigned idx);

#endif
