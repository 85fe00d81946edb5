/*
 * Request latency histograms of one queue. Two clocks per request: from
 * the moment it is taken off the ring to its response (service), and from
 * when the worker first saw it on the ring (total; the difference is time
 * it waited on the ring, e.g. throttled). Buckets are log2 from 1 µs.
 * Two clock reads per pass (vDSO, no syscall), none per request.
 */
#ifndef MEMBACK_RING_LATENCY_H
#define MEMBACK_RING_LATENCY_H

#include <stdint.h>

/* Bucket i (< LAT_BUCKETS - 1) holds latencies up to 2^i µs; the last
 * holds the rest (about 16.8 s and more). */
#define LAT_BUCKETS 26

/* The operations, as the request counters split them. */
#define LAT_OP_LIST(X) X(read) X(write) X(flush) X(discard) X(other)
#define LAT_OP_ENUM(name) LAT_OP_##name,
enum lat_op { LAT_OP_LIST(LAT_OP_ENUM) LAT_OPS };
#undef LAT_OP_ENUM

enum lat_clock { LAT_SERVICE = 0, LAT_TOTAL, LAT_CLOCKS };

struct lat_hist {
	uint64_t bucket[LAT_BUCKETS]; /* not cumulative */
	uint64_t sum_ns;
};

/* A queue's histograms (a member of struct ring_queue_stats). */
struct ring_latency {
	struct lat_hist h[LAT_CLOCKS][LAT_OPS];
};

/* The bucket of a latency in ns. */
unsigned lat_bucket(uint64_t ns);
/* The upper bound of bucket i in µs (UINT64_MAX for the last). */
uint64_t lat_bucket_le_us(unsigned i);
/* BLKIF_OP_* (the inner op of an indirect request) to lat_op. */
enum lat_op lat_op_of(uint8_t blkif_op);
const char *lat_op_name(enum lat_op op);
/* One request: single writer (the worker), readers anywhere. */
void lat_record(struct lat_hist *h, uint64_t ns);
/* A reader's copy (relaxed atomic loads) and sums. */
void lat_copy(struct ring_latency *dst, const struct ring_latency *src);
void lat_add(struct ring_latency *sum, const struct ring_latency *add);
uint64_t lat_count(const struct lat_hist *h);
/* The latency in µs below which a fraction q (0..1) of the requests
 * fall: the upper bound of the bucket holding that rank; 0 if empty. */
uint64_t lat_quantile_us(const struct lat_hist *h, double q);
/* h - old, bucket by bucket (for a rate over an interval). */
void lat_sub(struct lat_hist *out, const struct lat_hist *h, const struct lat_hist *old);

/*
 * When each request was first seen: a stamp per ring slot, taken when a
 * pass reads the producer index. Owned by the worker.
 */
struct lat_track {
	uint64_t *seen_ns;   /* ring size */
	unsigned size;       /* a power of two */
	uint32_t seen_prod;  /* stamps are taken up to here */
	uint32_t first_cons; /* ring index of the pass's first slot */
	uint64_t taken_ns, done_ns;
	uint64_t *inflight;  /* the queue's gauge: seen, not yet answered */
};

int lat_track_init(struct lat_track *t, unsigned ring_size, uint64_t *inflight);
void lat_track_fini(struct lat_track *t);
/* A pass starts: requests cons..prod are on the ring (prod checked not to
 * overflow it); stamp the new ones, remember the time they are taken. */
void lat_pass_start(struct lat_track *t, uint32_t cons, uint32_t prod);
/* Slot i of the pass is answered now (i == 0 reads the clock). */
void lat_pass_respond(struct lat_track *t, struct ring_latency *l, unsigned i,
		      uint8_t blkif_op);

#endif
