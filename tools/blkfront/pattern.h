/*
 * Verification data. Every 512-byte sector written carries bytes derived
 * from (seed, sector, generation): a 24-byte header naming them, then
 * pseudo-random words from a hash of the three. A read is checked
 * byte-exactly against the generation last written there, and a mismatch
 * that still has a valid header says which write the bytes came from.
 * Generation 0 means "never written by us". Pure functions.
 */
#ifndef BLKFRONT_PATTERN_H
#define BLKFRONT_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAT_SECTOR_SIZE 512u

void pat_fill_sector(uint64_t seed, uint64_t sector, uint32_t gen, void *buf);

/* What a mismatching sector held instead. */
struct pat_mismatch {
	size_t offset;          /* first differing byte */
	uint8_t expected, got;  /* the bytes there */
	bool got_header;        /* the sector holds some (seed) sector's pattern */
	uint64_t got_sector;    /* ... written for this sector */
	uint32_t got_gen;       /* ... at this generation */
	bool got_zero;          /* the sector is all zeros */
};

/* 0 if buf holds exactly pat_fill_sector(seed, sector, gen); otherwise
 * -1 with *mm (if not NULL) describing the difference. */
int pat_check_sector(uint64_t seed, uint64_t sector, uint32_t gen,
		     const void *buf, struct pat_mismatch *mm);

/* 0 if the sector is all zeros (what a never-written disk reads). */
int pat_check_zero(const void *buf, struct pat_mismatch *mm);

/* A small, fast PRNG for block choice (xorshift64*); never returns 0 state. */
struct pat_rng {
	uint64_t s;
};
void pat_rng_seed(struct pat_rng *r, uint64_t seed);
uint64_t pat_rng_next(struct pat_rng *r);
/* Uniform in [0, n), n > 0. */
uint64_t pat_rng_below(struct pat_rng *r, uint64_t n);

#endif
