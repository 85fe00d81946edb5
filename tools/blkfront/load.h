/*
 * The load generator and verifier behind the blkfront CLI: keeps up to
 * qd requests in flight over all queues, picks blocks by pattern, writes
 * pattern data and checks every read against the generation last written
 * to that block. Per-block state is allocated once; the I/O loop
 * allocates nothing.
 */
#ifndef BLKFRONT_LOAD_H
#define BLKFRONT_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "args.h"
#include "blkfront.h"
#include "latency.h"
#include "pattern.h"

enum load_mode {
	LOAD_MIXED,      /* the --rw mix, --pattern, --count / --time */
	LOAD_WRITE_ALL,  /* every block once, in order */
	LOAD_READ_ALL,   /* every block once, in order */
};

struct load_result {
	const char *phase;
	uint64_t ops, reads, writes, flushes;
	uint64_t bytes_read, bytes_written;
	uint64_t io_errors, verify_errors, sectors_checked;
	uint64_t elapsed_ns;
	bool timed_out;          /* the backend stopped answering */
	bool aborted;            /* backend closed, protocol error, signal */
	struct lat_hist lat;
};

/* Block generation values besides real write generations. */
#define LOAD_GEN_NEVER   0u          /* never written by us */
#define LOAD_GEN_UNKNOWN UINT32_MAX  /* a write failed: contents unknown */

struct load_ctx {
	const struct bf_args *args;
	struct blkfront *bf;
	FILE *log;                  /* mismatches and errors go here */
	uint64_t first_sector;      /* start of the range, 512-byte units */
	uint64_t nblocks;
	uint32_t sectors_per_block;
	struct bf_seg layout[BLKFRONT_MAX_SEGMENTS];
	unsigned nr_segs;
	uint32_t *gen;              /* per block: generation on disk */
	uint8_t *busy;              /* per block: a request is in flight */
	uint32_t *slot_gen[BLKFRONT_MAX_QUEUES]; /* per slot: gen being written */
	uint32_t next_gen;
	uint64_t seq_next;
	unsigned in_flight, next_queue;
	uint64_t last_progress_ns;
	unsigned errors_printed;
	struct pat_rng rng;
	volatile const int *stop;   /* set asynchronously (signal) */
};

/* Range and layout from args and the disk; -EINVAL with msg on a bad
 * combination (range past the end, bs not a sector-size multiple). */
int load_init(struct load_ctx *lc, const struct bf_args *args,
	      struct blkfront *bf, char *msg, size_t msglen);
int load_run(struct load_ctx *lc, enum load_mode mode, struct load_result *res);
void load_fini(struct load_ctx *lc);

#endif
