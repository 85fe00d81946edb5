/*
 * The pool's private structures, shared by pool.c (lifecycle), pool_io.c
 * (the data path), pool_mem.c (the memfd) and pool_image.c (load/save).
 *
 * Memory: one memfd laid out as pool_map.h describes (header, device table,
 * owner map, chunks), mapped MAP_SHARED once. Each disk has a table of
 * atomic entries, one per logical chunk (pool_map.h: physical chunk + pins).
 *
 * Locks, from the outside in:
 *   disk->lock  populate, discard of whole chunks, resize (per disk)
 *   pool->lock  free list, reservation, device table, disk list
 * Reads and writes of populated chunks take neither: they pin the entry
 * with one compare-and-swap and unpin with one atomic subtract.
 *
 * Memory goes back: a freed chunk's pages are punched out of the memfd
 * (FALLOC_FL_PUNCH_HOLE), so dom0 gets them back when disks go away or
 * discard, and the chunk's next user starts from pages the kernel zeroes
 * as they are touched, at page granularity. Where a hole cannot be
 * punched (a huge page larger than the chunk) the chunk is marked dirty
 * in the owner map and zeroed when next taken, outside any lock shared
 * between disks; a write that covers the whole chunk fills it instead,
 * before publishing it, so no reader ever sees the old bytes.
 *
 * Restart (pool_adopt.c): with a state directory the memory is a file
 * there, which outlives the process. A new daemon maps it, checks the
 * header, and for each IN_USE device-table slot creates a disk of the
 * slot's size; one scan of the owner map puts every owned chunk back into
 * its disk's table at its logical index, and every other chunk onto the
 * free list. The device layer finds its disks by the record it keeps in
 * each slot (pool_disk_record).
 *
 * Crash consistency: every update is ordered so that a process killed
 * between any two stores leaves a file that adopts to a valid pool:
 *   - a slot is RESERVED until its record is written, IN_USE after;
 *     destroy makes it FREE before its chunks go back;
 *   - a chunk's owner entry is written once the chunk holds nothing of
 *     another disk (zeroed, a hole, or filled by the write) and before it
 *     is published in the disk's table; a chunk given back is out of the
 *     table before its owner entry says free;
 *   - a shrink writes the slot's new size before it drops chunks, a grow
 *     after the table has grown; chunks past a slot's size are dropped.
 */
#ifndef MEMBACK_POOL_INT_H
#define MEMBACK_POOL_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "pool.h"
#include "pool_map.h"

struct pool_disk {
	struct pool *pool;
	struct pool_disk *next;        /* pool->disks, under pool->lock */
	uint32_t slot;                 /* device-table slot */
	_Atomic uint64_t size;         /* bytes */
	uint64_t nentries;             /* table length (logical chunks) */
	_Atomic uint64_t *table;
	pthread_mutex_t lock;
	_Atomic uint64_t used_chunks;
	_Atomic uint64_t alloc_failures;
};

struct pool {
	int fd;
	uint8_t *map;                  /* the whole memfd */
	size_t map_len;
	uint8_t *data;                 /* chunk 0 */
	uint64_t data_off;             /* chunk 0's offset in the memfd */
	uint64_t punch_align;          /* holes punch whole units of this (0: none) */
	struct pool_header *hdr;
	struct pool_dev_slot *slots;
	uint64_t *owners;              /* a popped chunk's entry is its taker's */
	uint64_t chunk_size;
	unsigned shift;
	uint32_t nchunks;
	bool hugepages;                /* in use, not just asked for */
	bool mlocked;
	bool persistent;               /* a file that outlives the process */
	bool adopted;                  /* ... that a previous daemon left */

	pthread_mutex_t lock;
	struct pool_freelist freelist;
	uint32_t promised;             /* free chunks set aside for writers */
	uint32_t *freelist_storage;
	struct pool_reservation res;
	struct pool_disk *disks;
	uint64_t ndisks;
	_Atomic uint64_t alloc_failures;
};

static inline uint8_t *pool_chunk_addr(const struct pool *pool, uint32_t chunk)
{
	return pool->data + ((uint64_t)chunk << pool->shift);
}

/* pool_mem.c: create and map the memfd (huge pages and mlock as asked),
 * filling fd, map, map_len, hugepages, mlocked. */
int pool_mem_open(struct pool *pool, const struct pool_config *cfg,
		  uint64_t chunk_size, struct pool_layout *layout);
void pool_mem_close(struct pool *pool);

/* pool.c: set n free chunks aside for the disk (all or none: -ENOSPC,
 * counted as one failure), then take each promised one for (disk,
 * lchunk), zeroed unless `zero` is false (the caller overwrites all of it
 * before publishing); give one back. A write promises every chunk it
 * lacks before copying anything, so running out changes nothing. */
int pool_chunks_promise(struct pool_disk *disk, uint64_t n);
uint32_t pool_chunk_take(struct pool_disk *disk, uint64_t lchunk, bool zero);
/* Record in the owner map that the chunk is disk's lchunk: once it holds
 * nothing of another disk, before it is published (pool_chunk_take does it
 * unless the caller fills the chunk itself). */
void pool_chunk_own(struct pool_disk *disk, uint32_t chunk, uint64_t lchunk);
/* pool_adopt.c: rebuild the disks and the free list from the file. */
int pool_adopt(struct pool *pool);
/* pool_disk.c: free the disk's memory only (its slot and chunks stay). */
void pool_disk_free(struct pool_disk *disk);
/* pool_disk.c: a disk for an adopted slot (reserved, nothing populated). */
int pool_disk_adopt_slot(struct pool *pool, uint32_t slot, struct pool_disk **out);
void pool_chunk_give(struct pool_disk *disk, uint32_t chunk);

/* pool_io.c: drop whole chunk lchunk (disk->lock held); zero it in place if
 * a copy is in flight through it. */
void pool_chunk_drop(struct pool_disk *disk, uint64_t lchunk);

/* pool_mem.c: give the memory of [addr, addr + len) in the pool's data
 * back to the kernel (it reads as zeros after). Only the whole
 * punch_align units inside the range go; false when none could. */
bool pool_mem_punch(struct pool *pool, const uint8_t *addr, uint64_t len);
/* Bytes of the memfd the kernel holds in memory now. */
uint64_t pool_mem_resident(const struct pool *pool);

#endif
