/* Latency histogram; see latency.h. */
#include "latency.h"

#include <math.h>
#include <string.h>

void lat_init(struct lat_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned lat_bucket_of(uint64_t v)
{
	unsigned msb, shift;

	if (v < 2 * LAT_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - LAT_SUB_BITS;
	return (shift + 1) * LAT_SUB + (unsigned)((v >> shift) - LAT_SUB);
}

uint64_t lat_bucket_low(unsigned idx)
{
	unsigned shift;

	if (idx < 2 * LAT_SUB)
		return idx;
	shift = idx / LAT_SUB - 1;
	return (uint64_t)(idx % LAT_SUB + LAT_SUB) << shift;
}

uint64_t lat_bucket_high(unsigned idx)
{
	unsigned shift;

	if (idx < 2 * LAT_SUB)
		return idx;
	shift = idx / LAT_SUB - 1;
	return lat_bucket_low(idx) + ((uint64_t)1 << shift) - 1;
}

void lat_add(struct lat_hist *h, uint64_t v)
{
	h->bucket[lat_bucket_of(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void lat_merge(struct lat_hist *dst, const struct lat_hist *src)
{
	for (unsigned i = 0; i < LAT_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t lat_percentile(const struct lat_hist *h, double p)
{
	uint64_t rank, seen = 0;
	unsigned __int128 milli;

	if (h->count == 0)
		return 0;
	if (p <= 0)
		return h->min;
	/* In thousandths of a percent, integer math: 99.9% of 1000 is 999,
	 * not 999.0000000000001 rounded up to 1000. */
	milli = (unsigned __int128)llround(p * 1000.0);
	rank = (uint64_t)((milli * h->count + 99999) / 100000);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (unsigned i = 0; i < LAT_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t v = lat_bucket_high(i);

			if (v > h->max)
				v = h->max;
			if (v < h->min)
				v = h->min;
			return v;
		}
	}
	return h->max;
}

double lat_mean(const struct lat_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
