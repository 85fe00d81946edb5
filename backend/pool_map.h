/*
 * The pool's pure logic: memfd layout, chunk-table entries, the free list,
 * reservations and range arithmetic. No I/O, no locks: the callers in
 * pool.c hold what must be held, and unit tests and fuzzers call these
 * directly.
 */
#ifndef MEMBACK_POOL_MAP_H
#define MEMBACK_POOL_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "pool.h"

#define POOL_DEFAULT_CHUNK (1u << 20)
#define POOL_MIN_CHUNK     4096u
#define POOL_MAX_CHUNK     (1u << 30)
/* Device-table slots in the memfd; a slot index names a disk across a
 * daemon restart. */
#define POOL_MAX_DISKS     1024u
/* Physical chunk numbers are stored +1 in 32 bits (0 = unpopulated). */
#define POOL_MAX_CHUNKS    (UINT32_MAX - 1u)

/*
 * memfd layout, all offsets from the start of the file:
 *   [header][device table: POOL_MAX_DISKS slots][owner map: one u64 per
 *   chunk][pad][chunk data, aligned to the chunk size and the page size]
 * The header, device table and owner map are what a restarted daemon
 * needs to find every disk's chunks again (see pool.c).
 */
#define POOL_MAGIC   0x314b4341424d454dull /* "MEMBACK1" as little-endian bytes */
/* 2: the pool lives in a file a restarted daemon adopts; slots carry the
 * device layer's record. A file of any other version is refused. */
#define POOL_VERSION 2u

struct pool_header {
	uint64_t magic;
	uint32_t version;
	uint32_t max_disks;
	uint64_t chunk_size;
	uint64_t nchunks;
	uint64_t table_off;  /* device table */
	uint64_t owner_off;  /* owner map */
	uint64_t data_off;   /* chunk 0 */
	uint64_t file_size;
};

/* One device-table slot, 4 KiB. A disk is created RESERVED and becomes
 * IN_USE once its owner's record is written (pool_disk_publish): a
 * restarted daemon adopts IN_USE disks only, and frees the chunks of
 * any other slot. */
#define POOL_SLOT_FREE     0u
#define POOL_SLOT_IN_USE   1u
#define POOL_SLOT_RESERVED 2u
#define POOL_RECORD_BYTES  POOL_DISK_RECORD_BYTES
struct pool_dev_slot {
	uint64_t state;
	uint64_t size;
	uint64_t generation; /* bumped on every (re)use of the slot */
	uint8_t record[POOL_RECORD_BYTES]; /* the device layer's; opaque here */
};
_Static_assert(sizeof(struct pool_dev_slot) == 4096, "a device-table slot is 4 KiB");

/* Whether a header read from a file of file_size bytes describes a pool
 * this daemon can adopt: 0, -ENODATA for a file never initialised (all
 * zero: a daemon died creating it; safe to start afresh), or -EPROTO
 * with the reason in err (another format version, or damaged). */
int pool_header_check(const struct pool_header *h, uint64_t file_size, char *err,
		      size_t errlen);

/* Where a chunk goes when a pool is adopted, from its owner map entry and
 * the device table: true with (slot, lchunk) when it belongs to an IN_USE
 * disk and lies inside its size; false: it is free (its data is junk). */
bool pool_owner_adopt(uint64_t owner, const struct pool_dev_slot *slots, unsigned chunk_shift,
		      uint32_t *slot, uint64_t *lchunk);

struct pool_layout {
	uint64_t nchunks;
	uint64_t table_off;
	uint64_t owner_off;
	uint64_t data_off;
	uint64_t file_size;
};

/* Compute the layout for `size` bytes of chunks. align is the page size
 * (or huge page size) the file size and data offset must be multiples of.
 * -EINVAL for a bad chunk size or a size not a whole number (>= 1) of
 * chunks; -E2BIG when the chunk count or file size does not fit. */
int pool_layout_compute(uint64_t size, uint64_t chunk_size, uint64_t align,
			struct pool_layout *out);
/* 0 when chunk_size is a power of two in [POOL_MIN_CHUNK, POOL_MAX_CHUNK]. */
int pool_chunk_size_check(uint64_t chunk_size);
unsigned pool_log2(uint64_t pow2);

/*
 * Owner map entry for a physical chunk: who holds it, so the map can be
 * rebuilt after a restart. 0 = free and known zero; POOL_OWNER_DIRTY =
 * free but holding old data; otherwise (slot + 1) << 48 | logical chunk.
 */
#define POOL_OWNER_FREE  0ull
#define POOL_OWNER_DIRTY 1ull
uint64_t pool_owner_encode(uint32_t slot, uint64_t lchunk);
/* true and the fields when the entry names a disk's chunk. */
bool pool_owner_decode(uint64_t owner, uint32_t *slot, uint64_t *lchunk);

/*
 * Chunk-table entry (one per logical chunk of a disk, atomic u64):
 * low 32 bits = physical chunk + 1 (0 = unpopulated, reads as zeros),
 * high 32 bits = pins: readers/writers copying through the chunk right now.
 * A chunk is only given back when its pin count is 0, so no copy in flight
 * can land in a chunk another disk has since taken.
 */
#define POOL_PIN_ONE (1ull << 32)
static inline uint32_t pool_entry_phys(uint64_t e) { return (uint32_t)e; }
static inline bool pool_entry_populated(uint64_t e) { return (uint32_t)e != 0; }
static inline uint32_t pool_entry_pins(uint64_t e) { return (uint32_t)(e >> 32); }
static inline uint64_t pool_entry_make(uint32_t phys) { return (uint64_t)phys + 1; }
/* Physical chunk number of a populated entry. */
static inline uint32_t pool_entry_chunk(uint64_t e) { return (uint32_t)e - 1; }

/* LIFO free list over caller-provided storage: the most recently freed
 * chunk is reused first (it is resident and likely cached). */
struct pool_freelist {
	uint32_t *stack;
	uint32_t count;
	uint32_t cap;
};
/* All of 0..n-1 free, chunk 0 on top. */
void pool_freelist_init(struct pool_freelist *fl, uint32_t *storage, uint32_t n);
/* -ENOSPC when empty. */
int pool_freelist_pop(struct pool_freelist *fl, uint32_t *chunk);
/* -EOVERFLOW if full (a double free: an internal bug). */
int pool_freelist_push(struct pool_freelist *fl, uint32_t chunk);

/* Reservations: the sum of attached disk sizes against the capacity, each
 * rounded up to whole chunks (memory is handed out in chunks, so a disk of
 * 1.5 chunks can fill 2 and must reserve 2: else a third disk that "fits"
 * gets ENOSPC on its first write). */
struct pool_reservation {
	uint64_t capacity;
	uint64_t reserved;    /* bytes, a whole number of chunks */
	unsigned chunk_shift; /* 0: bytes as given */
	bool overcommit;
};
/* Bytes a disk of `size` reserves: whole chunks; UINT64_MAX if that wraps. */
uint64_t pool_reservation_of(const struct pool_reservation *r, uint64_t size);
/* -ENOSPC when it does not fit (and no overcommit); -EOVERFLOW when the
 * sum would wrap. Sizes are disk sizes; each is rounded to chunks. */
int pool_reserve(struct pool_reservation *r, uint64_t size);
void pool_unreserve(struct pool_reservation *r, uint64_t size);
/* Change one disk's reservation from old to new size, same rules. */
int pool_rereserve(struct pool_reservation *r, uint64_t old_size, uint64_t new_size);

/* Number of chunks covering `size` bytes (rounding up). */
uint64_t pool_chunks_for(uint64_t size, unsigned chunk_shift);
/* 0 when [off, off+len) lies within a disk of disk_size bytes; -EINVAL
 * otherwise (including when off+len wraps). */
int pool_range_check(uint64_t disk_size, uint64_t off, uint64_t len);

/*
 * How a discard of [off, off+len) on a disk of disk_size bytes splits:
 * chunks [whole_first, whole_end) go back whole; the head and tail pieces
 * (len 0 when none) are zeroed in place. A chunk counts as whole when the
 * range covers all of it that lies inside the disk. The range must have
 * passed pool_range_check.
 */
struct pool_discard_plan {
	uint64_t head_off, head_len;
	uint64_t whole_first, whole_end;
	uint64_t tail_off, tail_len;
};
void pool_discard_split(uint64_t disk_size, uint64_t off, uint64_t len,
			unsigned chunk_shift, struct pool_discard_plan *p);

#endif
