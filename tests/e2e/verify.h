/*
 * The verifier guest (guest_verify.c): its options, counters and state,
 * shared with verify_io.c, which chooses each request and checks each
 * response against the shadow.
 */
#ifndef MEMBACK_TESTS_VERIFY_H
#define MEMBACK_TESTS_VERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "blkfront.h"
#include "pattern.h"
#include "verify_shadow.h"


struct verify_opts {
	unsigned qd, queues, max_segs, discard_pct;
	int ring_order;
	uint64_t seed, secs, timeout_s;
	const char *stop_file, *ready_file, *quiesce_file, *expect_image;
	bool no_persistent, expect_close, fill;
};

struct verify_stats {
	uint64_t writes, reads, flushes, discards;
	uint64_t sectors_checked, final_sectors;
	uint64_t io_errors, mismatches, indirect;
	uint64_t max_gap_ns, gaps_over_50ms;
	bool bad_state_seen;            /* a state other than Connected */
	int bad_state;                  /* the first such */
};

struct verifier {
	struct verify_opts o;
	struct blkfront *bf;
	const struct blkfront_info *in;
	struct vs_shadow sh;
	struct pat_rng rng;
	struct verify_stats st;
	unsigned align;                 /* 512-byte units per logical sector */
	unsigned in_flight, next_queue;
	uint64_t gap_start_ns;          /* last response, or first submit */
	uint64_t seq_next;              /* the fill's or read-back's next sector */
	bool fill_phase, final_phase, aborted;
	bool closed;                    /* the backend closed (--expect-close) */
	bool quiesced;                  /* image written, waiting for the file to go */
	uint32_t kicked;                /* queues with requests to publish */
};

/* Fill r (from blkfront_req_get) with the next request the shadow allows:
 * a random one, or in the fill and final phases the next piece of the
 * disk in order;
 * false if there is none now. */
bool verify_pick_request(struct verifier *v, struct blkfront_req *r);
/* r came back: check a read against the shadow, account a write. */
void verify_complete(struct verifier *v, struct blkfront_req *r);
/* The shadow as a raw image at o.expect_image; 0 or -errno (a FAIL line). */
int verify_write_expected_image(struct verifier *v);

#endif
