/*
 * The verifier guest's shadow of its disk: per 512-byte sector, the
 * generation of the last write issued there (its bytes are
 * pat_fill_sector(seed, sector, gen); generation 0 is zeros: never written,
 * or discarded), the generation before it, and whether that write is still
 * in flight. Pure logic, no I/O.
 *
 * Rules that keep the shadow exact: a write or discard is issued only over
 * sectors with no request of any kind in flight; a read may overlap writes
 * in flight. So a read's sector holds the generation last written, or, if
 * that write was in flight at any time while the read was, the one before.
 */
#ifndef MEMBACK_TESTS_VERIFY_SHADOW_H
#define MEMBACK_TESTS_VERIFY_SHADOW_H

#include <stdbool.h>
#include <stdint.h>

#define VS_GEN_ZERO    0u          /* reads as zeros */
#define VS_GEN_UNKNOWN UINT32_MAX  /* a write failed: anything goes */

struct vs_sector {
	uint32_t gen;       /* last write (or discard) issued */
	uint32_t old;       /* the generation before it */
	uint32_t done_seq;  /* vs_shadow.seq when that write completed */
	uint16_t readers;   /* reads in flight over this sector */
	uint8_t wbusy;      /* the write of gen is in flight */
};

struct vs_shadow {
	uint64_t nsect;
	struct vs_sector *s;
	uint32_t next_gen;  /* the next write's generation (1, 2, ...) */
	uint32_t seq;       /* write completions so far */
};

int vs_init(struct vs_shadow *sh, uint64_t nsect);
void vs_fini(struct vs_shadow *sh);

/* May a write (or discard) of [sector, sector + n) be issued now? */
bool vs_can_write(const struct vs_shadow *sh, uint64_t sector, uint64_t n);
/* May a read? (only a reader count at its bound stops one) */
bool vs_can_read(const struct vs_shadow *sh, uint64_t sector, uint64_t n);

/* A write issued: returns its generation (discard: VS_GEN_ZERO). */
uint32_t vs_write_begin(struct vs_shadow *sh, uint64_t sector, uint64_t n, bool discard);
/* Its response: ok false makes the range VS_GEN_UNKNOWN. */
void vs_write_end(struct vs_shadow *sh, uint64_t sector, uint64_t n, bool ok);

/* A read issued: returns the ticket vs_allowed needs. */
uint32_t vs_read_begin(struct vs_shadow *sh, uint64_t sector, uint64_t n);
void vs_read_end(struct vs_shadow *sh, uint64_t sector, uint64_t n);

/*
 * The generations sector may hold for a read issued with ticket (call
 * before vs_read_end): 1 or 2 of them in gens[]; 0 means unknown (a failed
 * write), anything goes.
 */
unsigned vs_allowed(const struct vs_shadow *sh, uint64_t sector, uint32_t ticket,
		    uint32_t gens[2]);

#endif
