/* Latency histograms and first-seen stamps; see latency.h. */
#include "latency.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <xen/io/blkif.h>

#include "stats.h"

unsigned lat_bucket(uint64_t ns)
{
	uint64_t us = ns / 1000 + (ns % 1000 != 0); /* up to 2^i µs inclusive */
	unsigned i;

	if (us <= 1)
		return 0;
	i = 64u - (unsigned)__builtin_clzll(us - 1);
	return i < LAT_BUCKETS - 1 ? i : LAT_BUCKETS - 1;
}

uint64_t lat_bucket_le_us(unsigned i)
{
	return i < LAT_BUCKETS - 1 ? (uint64_t)1 << i : UINT64_MAX;
}

enum lat_op lat_op_of(uint8_t blkif_op)
{
	switch (blkif_op) {
	case BLKIF_OP_READ:
		return LAT_OP_read;
	case BLKIF_OP_WRITE:
		return LAT_OP_write;
	case BLKIF_OP_WRITE_BARRIER:
	case BLKIF_OP_FLUSH_DISKCACHE:
		return LAT_OP_flush;
	case BLKIF_OP_DISCARD:
		return LAT_OP_discard;
	default:
		return LAT_OP_other;
	}
}

const char *lat_op_name(enum lat_op op)
{
#define LAT_OP_NAME(name) #name,
	static const char *const names[] = { LAT_OP_LIST(LAT_OP_NAME) };
#undef LAT_OP_NAME
	return (unsigned)op < LAT_OPS ? names[op] : "?";
}

void lat_record(struct lat_hist *h, uint64_t ns)
{
	STAT_ADD(h->bucket[lat_bucket(ns)], 1);
	STAT_ADD(h->sum_ns, ns);
}

void lat_copy(struct ring_latency *dst, const struct ring_latency *src)
{
	for (unsigned c = 0; c < LAT_CLOCKS; c++)
		for (unsigned o = 0; o < LAT_OPS; o++) {
			const struct lat_hist *s = &src->h[c][o];
			struct lat_hist *d = &dst->h[c][o];

			for (unsigned b = 0; b < LAT_BUCKETS; b++)
				d->bucket[b] = STAT_GET(s->bucket[b]);
			d->sum_ns = STAT_GET(s->sum_ns);
		}
}

void lat_add(struct ring_latency *sum, const struct ring_latency *add)
{
	for (unsigned c = 0; c < LAT_CLOCKS; c++)
		for (unsigned o = 0; o < LAT_OPS; o++) {
			for (unsigned b = 0; b < LAT_BUCKETS; b++)
				sum->h[c][o].bucket[b] += add->h[c][o].bucket[b];
			sum->h[c][o].sum_ns += add->h[c][o].sum_ns;
		}
}

uint64_t lat_count(const struct lat_hist *h)
{
	uint64_t n = 0;

	for (unsigned b = 0; b < LAT_BUCKETS; b++)
		n += h->bucket[b];
	return n;
}

uint64_t lat_quantile_us(const struct lat_hist *h, double q)
{
	uint64_t n = lat_count(h), seen = 0, rank;

	if (n == 0)
		return 0;
	rank = (uint64_t)(q * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	for (unsigned b = 0; b < LAT_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen >= rank)
			return lat_bucket_le_us(b);
	}
	return UINT64_MAX;
}

void lat_sub(struct lat_hist *out, const struct lat_hist *h, const struct lat_hist *old)
{
	for (unsigned b = 0; b < LAT_BUCKETS; b++)
		out->bucket[b] = h->bucket[b] - old->bucket[b];
	out->sum_ns = h->sum_ns - old->sum_ns;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int lat_track_init(struct lat_track *t, unsigned ring_size, uint64_t *inflight)
{
	*t = (struct lat_track){ .size = ring_size, .inflight = inflight };
	t->seen_ns = calloc(ring_size, sizeof(*t->seen_ns));
	return t->seen_ns ? 0 : -ENOMEM;
}

void lat_track_fini(struct lat_track *t)
{
	free(t->seen_ns);
	t->seen_ns = NULL;
}

void lat_pass_start(struct lat_track *t, uint32_t cons, uint32_t prod)
{
	uint64_t now = now_ns();

	/* Stamps only ever cover cons..prod (a new ring, a restart: resync). */
	if ((uint32_t)(t->seen_prod - cons) > (uint32_t)(prod - cons))
		t->seen_prod = cons;
	for (; t->seen_prod != prod; t->seen_prod++)
		t->seen_ns[t->seen_prod & (t->size - 1)] = now;
	t->first_cons = cons;
	t->taken_ns = now;
	__atomic_store_n(t->inflight, (uint64_t)(uint32_t)(prod - cons), __ATOMIC_RELAXED);
}

void lat_pass_respond(struct lat_track *t, struct ring_latency *l, unsigned i,
		      uint8_t blkif_op)
{
	enum lat_op op = lat_op_of(blkif_op);
	uint64_t seen = t->seen_ns[(t->first_cons + i) & (t->size - 1)];

	if (i == 0)
		t->done_ns = now_ns();
	lat_record(&l->h[LAT_SERVICE][op], t->done_ns - t->taken_ns);
	lat_record(&l->h[LAT_TOTAL][op], t->done_ns - (seen < t->taken_ns ? seen : t->taken_ns));
	STAT_ADD(*t->inflight, (uint64_t)-1);
}
